"""The linking records held in memory once per store version and cut per window (issue 7).

A window change in the app used to read its window from the store again (SQLite's
``window_records``: 2-4 s CPU at borough size, plus each person's first incident per as-at
date), although the rows cannot change until the next load. :class:`HeldRecords` reads the
incidents and involvements once, keeps for each involvement the position of its incident and
each person's incident starts sorted, and answers :meth:`window_records` with the same frames
:meth:`graphmap.store.base.Store.window_records` (and SQLite's own) gives: the same rows, in
the same order (the tables are read ordered by their keys, as the window reads are), the same
columns. The cut is numpy indexing, not a query: a window costs tenths of a second.

No Streamlit here: :mod:`graphmap.app.state` holds one per store version and role.
"""

from __future__ import annotations

import threading
from typing import Iterable

import numpy as np
import pandas as pd

from ..store.base import window_columns


class HeldRecords:
    """``store``'s incidents and involvements, read once, cut to any window in memory.

    Parameters
    ----------
    store : graphmap.store.Store
        Anything with ``table(record)`` giving the stored rows ordered by the record's key (every
        engine's :meth:`~graphmap.store.base.Store.table`; the app's role views too).
    """

    def __init__(self, store):
        inc = store.table("incidents")
        inv = store.table("involvements")
        self.incidents, self.involvements = inc, inv
        # The window rule of Window.contains / SQLite's window_records: start[:19] in range,
        # undated ('') never inside. As a numpy array of Python str: comparisons are vectorised.
        self._start19 = inc["start"].astype(str).str[:19].to_numpy(dtype=object)
        # Each involvement's incident row (-1: none held), so a window's involvements are an
        # index lookup instead of an isin over every id.
        self._inc_row = pd.Index(inc["incident_id"]).get_indexer(inv["incident_id"])
        self._starts: dict[tuple[str, ...], pd.DataFrame] = {}
        self._lock = threading.Lock()

    def _person_starts(self, exclude_roles: Iterable[str]) -> pd.DataFrame:
        """``person_id, start, start19`` of every involvement with a role outside
        ``exclude_roles`` on a held incident (what first incidents are the
        minimum of: :func:`graphmap.store.base.incident_starts` over every incident)."""
        key = tuple(sorted(set(exclude_roles)))
        with self._lock:
            if key not in self._starts:
                inv = self.involvements
                keep = (~inv["role"].isin(set(key))).to_numpy() & (self._inc_row >= 0)
                rows = self._inc_row[keep]
                starts = pd.DataFrame({"person_id": inv["person_id"].to_numpy()[keep],
                                       "start": self.incidents["start"].to_numpy()[rows],
                                       "start19": self._start19[rows]})
                self._starts[key] = starts
            return self._starts[key]

    def window_records(self, start_iso: str, end_iso: str, *, exclude_roles: Iterable[str] = (),
                       first: bool = True, columns=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series | None]:
        """As :meth:`graphmap.store.base.Store.window_records`: the incidents whose
        ``start[:19]`` is within ``start_iso`` .. ``end_iso`` (by id), all their involvements
        (by key; ``columns`` as there), and per person the earliest ``start`` up to ``end_iso`` (any age; undated
        incidents count, as in the whole-table rule) with a role outside ``exclude_roles``."""
        s = self._start19
        inside = (s != "") & (s >= start_iso) & (s <= end_iso)
        incidents = _as_read(self.incidents.loc[inside, window_columns("incidents", columns)])
        rows = self._inc_row
        involvements = _as_read(self.involvements.loc[(rows >= 0) & inside[np.maximum(rows, 0)],
                                                      window_columns("involvements", columns)])
        if not first:
            return incidents, involvements, None
        starts = self._person_starts(exclude_roles)
        upto = starts[starts["start19"].to_numpy() <= end_iso]
        if not len(upto):  # as the engines give it
            return incidents, involvements, pd.Series(dtype=object, name="start",
                                                      index=pd.Index([], dtype=object, name="person_id"))
        return incidents, involvements, upto.groupby("person_id", sort=True)["start"].min()


def _as_read(df: pd.DataFrame) -> pd.DataFrame:
    """Rows cut from a held table, renumbered; no rows as a query with no rows gives them
    (columns of dtype object, as SQLite's read builds an empty frame)."""
    if len(df):
        return df.reset_index(drop=True)
    return pd.DataFrame([], columns=list(df.columns))
