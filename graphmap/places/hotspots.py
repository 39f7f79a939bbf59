"""Hotspots by place, grid cell or ward, and the ``hotspots`` list of ``graphmap analyse`` JSON."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..window import Window
from .analysis import SCORE_PARTS, PlaceAnalysis
from .place_records import setting
from .trend import trend_reason


def hotspots(source: Any, window: Window, *, by: str = "place", cell_size: float | None = None, wards=None,
             groups: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Ranked hotspots for a window (see :meth:`PlaceAnalysis.hotspots`)."""
    return PlaceAnalysis(source, window, cell_size=cell_size, wards=wards, groups=groups).hotspots(by)


def _num(v):
    """Plain JSON numbers (ints stay ints)."""
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return int(f) if f.is_integer() else round(f, 6)
    return v


def hotspot_records(analysis: PlaceAnalysis, *, by: str = "place", limit: int | None = None) -> list[dict]:
    """Ranked hotspots as plain dicts, each with its score parts, trend and incident ids."""
    df = analysis.hotspots(by)
    if limit is not None:
        df = df.head(limit)
    weights = {k: float(v) for k, v in setting("hotspot_weights").items()}
    types = analysis.activity.types
    loc_codes = pd.Index(analysis.activity.location_ids)
    places = analysis.places.set_index("location_id")
    out = []
    for row in df.itertuples(index=False):
        unit = str(row.unit)
        if by == "place":
            codes = [loc_codes.get_loc(unit)]
        else:
            col = "cell_id" if by == "cell" else "ward"
            members = places.index[places[col].to_numpy() == unit]
            codes = list(loc_codes.get_indexer(members))
        item: dict = {"rank": int(row.rank)}
        if by == "place":
            item.update({"location_id": unit, "name": row.name, "type": row.type,
                         "ward": None if pd.isna(row.ward) else row.ward,
                         "cell_id": None if pd.isna(row.cell_id) else row.cell_id,
                         "mapped": bool(row.mapped)})
        else:
            item.update({f"{by}_id" if by == "cell" else "ward": unit, "places": len(codes)})
        item.update({
            "score": _num(row.score),
            "incidents": int(row.incidents),
            "incidents_by_type": {t: int(getattr(row, f"n_{t}")) for t in types if getattr(row, f"n_{t}")},
            "young_people": int(row.young_people),
            "groups": int(row.groups),
            "adults_of_concern": int(row.adults_of_concern),
            "found_missing": int(row.found_missing),
            "trend": {"label": row.trend, "current": int(row.incidents), "previous": int(row.previous),
                      "reason": trend_reason(row.trend, int(row.incidents), int(row.previous))},
            "parts": {p: {"value": int(getattr(row, p)), "weight": _num(weights.get(p, 0.0)),
                          "points": _num(getattr(row, f"points_{p}"))} for p in SCORE_PARTS},
            "evidence": {"incident_ids": analysis.activity.incidents_at(codes, 0),
                         "previous_incident_ids": analysis.activity.incidents_at(codes, 1)},
        })
        out.append(item)
    return out


def hotspots_for_json(source: Any, window: Window, *, groups: Mapping[str, str] | None = None,
                      limit: int | None = None, cell_size: float | None = None, wards=None) -> list[dict]:
    """The ``hotspots`` list of the ``graphmap analyse`` JSON: the top places for the window.

    Parameters
    ----------
    source : a store, :class:`~.place_records.PlaceRecords` or a mapping of record frames.
    window : Window
    groups : mapping person_id -> group_id from the network analyses' peer groups; default:
        ``memberships`` records overlapping the window.
    limit : how many places (default ``places.hotspots_limit``).

    Returns
    -------
    list of dicts: ``rank, location_id, name, type, ward, cell_id, mapped, score, incidents,
    incidents_by_type, young_people, groups, adults_of_concern, found_missing,
    trend {label, current, previous, reason}, parts {part: {value, weight, points}},
    evidence {incident_ids, previous_incident_ids}``. An empty window gives ``[]``.
    No names or dates of birth of people: only counts.
    """
    analysis = PlaceAnalysis(source, window, cell_size=cell_size, wards=wards, groups=groups)
    return hotspot_records(analysis, limit=int(setting("hotspots_limit")) if limit is None else limit)
