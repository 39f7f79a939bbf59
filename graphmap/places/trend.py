"""Trend (this window against the one before) and time profile (hour of day x day of week)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .place_records import setting

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def trend_labels(current, previous, *, ratio: float | None = None, min_change: int | None = None) -> np.ndarray:
    """Label each pair of counts ``new``, ``rising``, ``falling``, ``steady`` (or ``none``).

    ``new``: nothing in the window before. ``rising``: at least ``ratio`` times the count before
    and at least ``min_change`` more. ``falling``: at most the count before divided by
    ``ratio`` and at least ``min_change`` fewer. Otherwise ``steady``. Both from
    ``places.trend`` in schema/settings.yaml, so small numbers do not swing the label.

    >>> list(trend_labels([5, 0, 3, 9, 1, 0], [0, 4, 3, 3, 0, 0], ratio=1.5, min_change=2))
    ['new', 'falling', 'steady', 'rising', 'new', 'none']
    """
    cur = np.asarray(current, dtype=float)
    prev = np.asarray(previous, dtype=float)
    ratio = float(setting("trend.ratio") if ratio is None else ratio)
    min_change = float(setting("trend.min_change") if min_change is None else min_change)
    out = np.full(cur.shape, "steady", dtype=object)
    out[(cur >= prev * ratio) & (cur - prev >= min_change)] = "rising"
    out[(cur * ratio <= prev) & (prev - cur >= min_change)] = "falling"
    out[(prev == 0) & (cur > 0)] = "new"
    out[(prev == 0) & (cur == 0)] = "none"
    return out


def trend_reason(label: str, current: int, previous: int) -> str:
    """The rule and numbers behind a trend label, in words."""
    ratio, min_change = setting("trend.ratio"), setting("trend.min_change")
    if label == "new":
        return f"{current} incident(s) this window, none in the window before"
    if label == "rising":
        return f"{current} this window against {previous} before (at least x{ratio} and +{min_change})"
    if label == "falling":
        return f"{current} this window against {previous} before (at most /{ratio} and -{min_change})"
    if label == "none":
        return "no incidents in either window"
    return f"{current} this window against {previous} before (change within x{ratio} or under {min_change})"


def time_profile(starts: pd.Series) -> dict:
    """Incidents by day of week and hour of day, for patrols and detached youth work.

    ``starts`` are ISO date or date-time strings. A start with a date but no time (common for
    intelligence) counts in ``no_time`` and by day only, never as midnight; so does a time of
    exactly midnight when ``places.midnight_is_unknown_time`` is set (the loader stores a date
    without a time as ``T00:00:00``).

    Returns ``{"days": [...], "hours": [0..23], "counts": 7x24 list, "by_day": 7 list,
    "by_hour": 24 list, "no_time": n, "night_share": share with a time in the night hours,
    "peak": "Fri 21:00-22:00" or None}``.

    >>> p = time_profile(pd.Series(["2026-03-06T21:30", "2026-03-06T21:05", "2026-03-07"]))
    >>> p["peak"], p["no_time"], p["by_day"][4], p["night_share"]
    ('Fri 21:00-22:00', 1, 2, 1.0)
    """
    s = pd.Series(starts, dtype=object).astype(str)
    s = s[s.str.len() >= 10]
    day = pd.to_datetime(s.str[:10], format="%Y-%m-%d", errors="coerce")
    ok = day.notna().to_numpy()
    s, dow = s[ok], day[ok].dt.day_of_week.to_numpy()
    has_time = (s.str.len() >= 13).to_numpy() & (s.str[10:11] == "T").to_numpy()
    if setting("midnight_is_unknown_time"):
        # The loader stores a date without a time as T00:00:00, and many source systems write
        # midnight when no time was recorded: exactly 00:00(:00) counts as "no time".
        has_time &= ~s.str[11:19].isin(["00:00:00", "00:00"]).to_numpy()
    hour = pd.to_numeric(s.str[11:13].where(has_time, ""), errors="coerce").to_numpy()
    timed = has_time & np.isfinite(hour)
    counts = np.zeros((7, 24), dtype=int)
    np.add.at(counts, (dow[timed], hour[timed].astype(int)), 1)
    by_day = np.bincount(dow, minlength=7) if len(dow) else np.zeros(7, dtype=int)
    night_from, night_to = setting("night_hours")
    h = hour[timed]
    night = ((h >= night_from) | (h < night_to)).sum() if timed.any() else 0
    peak = None
    if counts.sum():
        d, hh = np.unravel_index(int(np.argmax(counts)), counts.shape)
        peak = f"{DAYS[d]} {hh:02d}:00-{(hh + 1) % 24:02d}:00"
    return {
        "days": list(DAYS),
        "hours": list(range(24)),
        "counts": counts.tolist(),
        "by_day": [int(v) for v in by_day],
        "by_hour": [int(v) for v in counts.sum(axis=0)],
        "no_time": int((~timed).sum()),
        "night_share": round(float(night) / int(timed.sum()), 3) if timed.any() else None,
        "peak": peak,
    }
