"""The "as at" date and time window every analysis works to.

A meeting looks at what was known up to a date (the *as-at* date, inclusive) over a window
before it (default ``analysis.window_days`` in schema/settings.yaml, 12 months). Incidents count
when they *start* inside the window; ties and presence count when their first/last-seen period
overlaps it (an open end means "still current").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from . import schema


@dataclass(frozen=True)
class Window:
    """An inclusive window of ``days`` days ending on ``as_at``.

    >>> w = Window.ending(date(2026, 10, 31), 365)
    >>> w.start, w.end_iso
    (datetime.date(2025, 11, 1), '2026-10-31T23:59:59')
    """

    as_at: date
    days: int

    @classmethod
    def ending(cls, as_at: date | str | None = None, days: int | None = None) -> "Window":
        if as_at is None:
            as_at = date.today()
        elif isinstance(as_at, str):
            as_at = date.fromisoformat(as_at[:10])
        if days is None:
            days = int(schema.setting("analysis.window_days"))
        if days < 1:
            raise ValueError(f"window must be at least one day, not {days}")
        return cls(as_at, int(days))

    @property
    def start(self) -> date:
        return self.as_at - timedelta(days=self.days - 1)

    @property
    def start_iso(self) -> str:
        return self.start.isoformat()

    @property
    def end_iso(self) -> str:
        return self.as_at.isoformat() + "T23:59:59"

    def previous(self) -> "Window":
        """The window of the same length just before this one (for trends)."""
        return Window(self.start - timedelta(days=1), self.days)

    def contains(self, when: pd.Series) -> pd.Series:
        """Which ISO date/time strings fall inside the window (empty strings never do)."""
        w = when.astype(str)
        return (w != "") & (w.str[:19] >= self.start_iso) & (w.str[:19] <= self.end_iso)

    def overlaps(self, first_seen: pd.Series, last_seen: pd.Series) -> pd.Series:
        """Which periods overlap the window; an empty first/last seen is open-ended."""
        f, l = first_seen.astype(str), last_seen.astype(str)
        return ((f == "") | (f.str[:19] <= self.end_iso)) & ((l == "") | (l.str[:19] >= self.start_iso))
