"""Who and what was at each place in a window, and in the window before (coded once).

Every place analysis (hotspots by place, cell or ward, trend, shared places, profiles) is a
count over the same facts: incidents that *start* in the window at a place, the people named
on them (not those who only reported them), and people recorded as using the place (presence
overlapping the window). :class:`PlaceActivity` turns ids into integer codes once, so a
borough's million incidents are grouped by place, cell or ward with ``numpy.bincount`` rather
than by Python loops; each grouping is then a few milliseconds.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema
from ..window import Window
from .place_records import PlaceRecords, setting

CURRENT, PREVIOUS = 0, 1


def _arrow(values) -> pa.Array:
    """Values as one Arrow large_string array (zero-copy for pandas' Arrow-backed strings)."""
    if isinstance(values, pd.Index):
        values = values.to_series()
    arr = pa.array(values, from_pandas=True) if not isinstance(values, (pa.Array, pa.ChunkedArray)) else values
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    return arr


def _np(arr) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False)


def _codes(values, categories) -> np.ndarray:
    """Position of each value in ``categories`` (-1 when absent or empty), hashed in Arrow."""
    codes = pc.index_in(_arrow(values), value_set=_arrow(categories))
    return _np(codes.fill_null(-1)).astype(np.int64)


def _period(start: pa.Array, window: Window) -> np.ndarray:
    """0 for this window, 1 for the one before, -1 otherwise (ISO strings compare as dates)."""
    prev = window.previous()
    # An ISO string starting with a date D satisfies s >= D and s < D+1 for every time on D,
    # the same rule as Window.contains, without slicing a million strings.
    next_day = (window.as_at + timedelta(days=1)).isoformat()
    out = np.full(len(start), -1, dtype=np.int8)
    if len(start) == 0:
        return out
    ge_start = _np(pc.greater_equal(start, window.start_iso).fill_null(False))
    cur = ge_start & _np(pc.less(start, next_day).fill_null(False))
    before = ~ge_start & _np(pc.greater_equal(start, prev.start_iso).fill_null(False))
    out[cur] = CURRENT
    out[before] = PREVIOUS
    return out


def _overlaps(first, last, window: Window) -> np.ndarray:
    """Periods overlapping the window; an empty first or last seen is open-ended."""
    next_day = (window.as_at + timedelta(days=1)).isoformat()
    f, l = _arrow(first), _arrow(last)
    if len(f) == 0:
        return np.zeros(0, dtype=bool)
    a = _np(pc.or_(pc.equal(f, ""), pc.less(f, next_day)).fill_null(True))
    b = _np(pc.or_(pc.equal(l, ""), pc.greater_equal(l, window.start_iso)).fill_null(True))
    return a & b


class PlaceActivity:
    """Incidents and people at places for one window, ready to be grouped by any unit.

    Parameters
    ----------
    records : PlaceRecords
    window : Window
        The window; the one before it (same length) gives the trend.
    groups : mapping person_id -> group_id, optional
        Peer groups (e.g. from the network analyses). Default: ``memberships`` records whose
        first/last seen overlaps the window (a person may then be in several groups).
    """

    def __init__(self, records: PlaceRecords, window: Window, *, groups: Mapping[str, str] | None = None):
        self.records = records
        self.window = window
        locs = records.locations
        self.location_ids = pd.Index(locs["location_id"].astype(str))
        inc = records.incidents
        self._incident_ids = _arrow(inc["incident_id"])
        self.inc_location = _codes(inc["location_id"], self.location_ids)
        self.period = _period(_arrow(inc["start"]), window)
        self.types = list(schema.vocabulary("incident_type"))
        self.inc_type = _codes(inc["type"], pd.Index(self.types))

        people = records.people
        self.person_ids = pd.Index(people["person_id"].astype(str))
        role = people["role"].to_numpy(object)
        self.is_young = role == "young_person"
        self.is_adult = role == "adult_of_concern"

        # People named on incidents in the window (reporting only does not tie a person to a place).
        inv = records.involvements
        inv_role = _arrow(inv["role"])
        inv_inc = _codes(inv["incident_id"], self._incident_ids)
        inv_person = _codes(inv["person_id"], self.person_ids)
        ok = (inv_inc >= 0) & (inv_person >= 0) & ~_np(pc.equal(inv_role, "reporting").fill_null(False))
        ok[ok] = self.period[inv_inc[ok]] == CURRENT
        inv_inc, inv_person = inv_inc[ok], inv_person[ok]
        self.named_location = self.inc_location[inv_inc]
        self.named_person = inv_person
        # Children found there when missing: the missing person on a missing episode at the place
        # (when the partnership records the place found as the episode's location) ...
        missing_code = self.types.index("missing") if "missing" in self.types else -2
        self.named_missing = bool(setting("missing_incident_is_where_found")) \
            & (self.inc_type[inv_inc] == missing_code) \
            & _np(pc.equal(inv_role, "missing_person").fill_null(False))[ok]

        # People recorded as using a place (presence of the configured kinds, overlapping the window).
        pres = records.presence
        kinds = set(setting("presence_kinds_using"))
        pres = pres[pres["kind"].isin(kinds)]
        live = _overlaps(pres["first_seen"], pres["last_seen"], window)
        pres = pres[live]
        self.present_location = _codes(pres["location_id"], self.location_ids)
        self.present_person = _codes(pres["person_id"], self.person_ids)
        # ... and presence recorded as "found_at".
        self.present_found = pres["kind"].to_numpy(object) == "found_at"

        # Peer groups of people: (person code, group id) pairs.
        if groups is not None:
            g = pd.DataFrame({"person_id": list(groups.keys()), "group_id": [str(v) for v in groups.values()]})
        else:
            m = records.memberships
            m = m[_overlaps(m["first_seen"], m["last_seen"], window)]
            g = m[["person_id", "group_id"]]
        self.group_ids = pd.Index(sorted(set(g["group_id"].astype(str))))
        pcode = _codes(g["person_id"], self.person_ids)
        gc = _codes(g["group_id"], self.group_ids)
        ok = (pcode >= 0) & (gc >= 0)
        self.membership = np.unique(np.stack([pcode[ok], gc[ok]], axis=1), axis=0) if ok.any() \
            else np.empty((0, 2), dtype=np.int64)

    # --- grouping ---------------------------------------------------------------------------
    def unit_codes(self, unit_of_location: pd.Series | None) -> tuple[np.ndarray, pd.Index]:
        """Code every location by its unit (``None``: each place is its own unit)."""
        if unit_of_location is None:
            return np.arange(len(self.location_ids)), self.location_ids
        units = unit_of_location.reindex(self.location_ids)
        unit_ids = pd.Index(sorted(set(units.dropna().astype(str))))
        codes = np.where(units.isna(), -1, unit_ids.get_indexer(units.fillna("").astype(str)))
        return codes, unit_ids

    def counts(self, unit_of_location: pd.Series | None = None) -> pd.DataFrame:
        """Per unit: incidents (this and the previous window), by type, and distinct people.

        Columns: ``unit``, ``incidents``, ``previous``, ``n_<type>`` for every incident type,
        ``young_people``, ``adults_of_concern``, ``groups``, ``found_missing``. Units with
        nothing in either window are left out.
        """
        loc_unit, unit_ids = self.unit_codes(unit_of_location)
        n = len(unit_ids)
        inc_unit = np.where(self.inc_location >= 0, loc_unit[np.maximum(self.inc_location, 0)], -1)
        cur = (self.period == CURRENT) & (inc_unit >= 0)
        prev = (self.period == PREVIOUS) & (inc_unit >= 0)
        out = {"unit": unit_ids.to_numpy(object),
               "incidents": np.bincount(inc_unit[cur], minlength=n),
               "previous": np.bincount(inc_unit[prev], minlength=n)}
        nt = len(self.types)
        ok = cur & (self.inc_type >= 0)
        by_type = np.bincount(inc_unit[ok] * nt + self.inc_type[ok], minlength=n * nt).reshape(n, nt)
        for j, t in enumerate(self.types):
            out[f"n_{t}"] = by_type[:, j]

        pairs = self._unit_person_pairs(loc_unit)
        units, persons = pairs[:, 0], pairs[:, 1]
        out["young_people"] = np.bincount(units[self.is_young[persons]], minlength=n)
        out["adults_of_concern"] = np.bincount(units[self.is_adult[persons]], minlength=n)
        out["groups"] = self._group_counts(units[self.is_young[persons]], persons[self.is_young[persons]], n)
        found = self._found_pairs(loc_unit)
        out["found_missing"] = np.bincount(found[:, 0], minlength=n)
        df = pd.DataFrame(out)
        return df[(df["incidents"] > 0) | (df["previous"] > 0) | (df["young_people"] > 0)
                  | (df["adults_of_concern"] > 0)].reset_index(drop=True)

    def _unit_person_pairs(self, loc_unit: np.ndarray) -> np.ndarray:
        """Distinct (unit, person) pairs: named on an incident there, or using the place."""
        lu = np.concatenate([self.named_location, self.present_location])
        pp = np.concatenate([self.named_person, self.present_person])
        ok = (lu >= 0) & (pp >= 0)
        u = loc_unit[lu[ok]]
        p = pp[ok]
        ok = u >= 0
        return _unique_pairs(u[ok], p[ok])

    def _found_pairs(self, loc_unit: np.ndarray) -> np.ndarray:
        """Distinct (unit, young person) pairs found there when missing."""
        lu = np.concatenate([self.named_location[self.named_missing], self.present_location[self.present_found]])
        pp = np.concatenate([self.named_person[self.named_missing], self.present_person[self.present_found]])
        ok = (lu >= 0) & (pp >= 0)
        u, p = loc_unit[lu[ok]], pp[ok]
        ok = (u >= 0) & self.is_young[p]
        return _unique_pairs(u[ok], p[ok])

    def _group_counts(self, units: np.ndarray, persons: np.ndarray, n: int) -> np.ndarray:
        ug = self.unit_groups(units, persons)
        return np.bincount(ug[:, 0], minlength=n) if len(ug) else np.zeros(n, dtype=np.int64)

    def unit_groups(self, units: np.ndarray, persons: np.ndarray) -> np.ndarray:
        """Distinct (unit, group code, person count) for people at units."""
        if not len(self.membership) or not len(units):
            return np.empty((0, 3), dtype=np.int64)
        up = pd.DataFrame({"unit": units, "person": persons})
        mem = pd.DataFrame({"person": self.membership[:, 0], "group": self.membership[:, 1]})
        j = up.merge(mem, on="person")
        g = j.groupby(["unit", "group"]).size().reset_index(name="people")
        return g.to_numpy(np.int64)

    # --- evidence ------------------------------------------------------------------------------
    @property
    def incident_ids(self) -> np.ndarray:
        """Incident ids in record order (built on first use: a million strings cost time)."""
        if not hasattr(self, "_incident_ids_np"):
            self._incident_ids_np = _np(self._incident_ids).astype(object)
        return self._incident_ids_np

    def incidents_at(self, location_codes: np.ndarray | list[int], period: int = CURRENT) -> list[str]:
        """Incident ids at the given location codes in this (0) or the previous (1) window."""
        mask = np.isin(self.inc_location, np.asarray(location_codes)) & (self.period == period)
        return sorted(self.incident_ids[mask])

    def people_at(self, location_codes: np.ndarray | list[int]) -> np.ndarray:
        """Person codes named at or using the given places in the window."""
        codes = np.asarray(location_codes)
        lu = np.concatenate([self.named_location, self.present_location])
        pp = np.concatenate([self.named_person, self.present_person])
        return np.unique(pp[np.isin(lu, codes) & (pp >= 0)])


def _unique_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if not len(a):
        return np.empty((0, 2), dtype=np.int64)
    a = a.astype(np.int64)
    b = b.astype(np.int64)
    width = int(b.max()) + 1
    key = pd.unique(a * width + b)  # hash-based; order does not matter to the counts
    return np.stack([key // width, key % width], axis=1)
