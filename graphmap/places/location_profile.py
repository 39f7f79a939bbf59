"""The Locations Board's picture of one place or grid cell, with suggested actions.

Everything is counts: how many incidents and of which types, the trend, when they happen, how
many young people and of how many peer groups, how many adults of concern, linked places
nearby. No names or dates of birth appear at this level. Suggested actions come from
``schema/place_actions.yaml`` under Identify / Prevent / Support / Protect / Disrupt, each with
the rule that fired and the numbers that made it fire.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from .activity import CURRENT, PREVIOUS
from .analysis import SCORE_PARTS, PlaceAnalysis
from .place_records import setting
from .trend import time_profile, trend_reason

_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
        "==": operator.eq, "!=": operator.ne, "in": lambda a, b: a in b}


def action_rules(name: str = "place_actions.yaml") -> dict:
    """The rules of ``schema/place_actions.yaml`` (or another rules file of the same shape, e.g.
    ``group_actions.yaml``), checked (raises SchemaError when malformed)."""
    data = schema.settings_file(name)
    path = schema.SCHEMA_DIR / name
    headings = list(data.get("headings") or [])
    for rule in data.get("actions") or []:
        where = f"{path}: action {rule.get('id', '?')!r}"
        if rule.get("heading") not in headings:
            raise schema.SchemaError(f"{where}: heading must be one of {', '.join(headings)}")
        for key in ("id", "action", "reason"):
            if not rule.get(key):
                raise schema.SchemaError(f"{where}: missing {key}")
        for cond in (rule.get("when") or []) + (rule.get("when_any") or []):
            if not (isinstance(cond, list) and len(cond) == 3 and cond[1] in _OPS):
                raise schema.SchemaError(f"{where}: a condition is [metric, operator, value], not {cond!r}")
    return {"headings": headings, "actions": list(data.get("actions") or [])}


def _holds(cond: list, metrics: dict, name: str = "place_actions.yaml") -> bool:
    metric, op, value = cond
    if metric not in metrics:
        raise schema.SchemaError(f"{name}: unknown metric {metric!r}")
    have = metrics[metric]
    if have is None:
        return False
    return bool(_OPS[op](have, value))


def suggested_actions(metrics: dict, rules_file: str = "place_actions.yaml") -> dict[str, list[dict]]:
    """The actions whose rules hold for ``metrics``, by heading, each with its reason.

    >>> acts = suggested_actions({"incidents": 6, "previous": 1, "trend": "rising", "young_people": 0,
    ...     "groups": 0, "adults_of_concern": 0, "found_missing": 0, "night_share": 0.0, "type": "park",
    ...     "n_asb": 0, "cell_hotspot": False, "peak": "Fri 21:00-22:00", "night_pct": "0%"})
    >>> [a["id"] for a in acts["Disrupt"]]
    ['targeted_patrols']
    >>> acts["Disrupt"][0]["reason"]
    '6 incidents in the window (1 before, rising); busiest time Fri 21:00-22:00'
    """
    rules = action_rules(rules_file)
    out: dict[str, list[dict]] = {h: [] for h in rules["headings"]}
    for rule in rules["actions"]:
        every = all(_holds(c, metrics, rules_file) for c in rule.get("when") or [])
        anyof = rule.get("when_any")
        if every and (not anyof or any(_holds(c, metrics, rules_file) for c in anyof)):
            out[rule["heading"]].append({
                "id": rule["id"], "action": rule["action"],
                "reason": str(rule["reason"]).format_map(metrics),
                "rule": {"when": rule.get("when") or [], "when_any": anyof or []},
            })
    return out


def _profile(a: PlaceAnalysis, codes: list[int], header: dict, *, kind: str, hot_cells: set[str]) -> dict:
    act = a.activity
    codes_arr = np.asarray(codes, dtype=np.int64)
    in_place = np.isin(act.inc_location, codes_arr)
    cur = in_place & (act.period == CURRENT)
    prev = in_place & (act.period == PREVIOUS)
    types = np.asarray(act.types)
    by_type = pd.Series(types[act.inc_type[cur & (act.inc_type >= 0)]]).value_counts()
    starts = a.records.incidents["start"].to_numpy(object)[cur]
    profile = time_profile(pd.Series(starts, dtype=object))
    people = act.people_at(codes_arr)
    young = people[act.is_young[people]] if len(people) else people
    adults = people[act.is_adult[people]] if len(people) else people
    ug = act.unit_groups(np.zeros(len(young), dtype=np.int64), young)
    groups = [{"group_id": str(act.group_ids[g]), "young_people": int(n)} for _, g, n in ug]
    groups.sort(key=lambda d: (-d["young_people"], d["group_id"]))
    loc_unit = np.full(len(act.location_ids), -1)
    loc_unit[codes_arr] = 0
    found = act._found_pairs(loc_unit)
    n_cur, n_prev = int(cur.sum()), int(prev.sum())
    from .trend import trend_labels

    label = str(trend_labels([n_cur], [n_prev])[0])
    cells = set(a.places["cell_id"].iloc[codes_arr].dropna())
    metrics: dict[str, Any] = {
        "incidents": n_cur, "previous": n_prev, "trend": label,
        "young_people": int(len(young)), "groups": len(groups), "adults_of_concern": int(len(adults)),
        "found_missing": int(len(found)), "night_share": profile["night_share"] or 0.0,
        "type": header.get("type", "cell"), "cell_hotspot": bool(cells & hot_cells),
        "peak": profile["peak"] or "not known",
        "night_pct": f"{round(100 * (profile['night_share'] or 0))}%",
    }
    for t in act.types:
        metrics[f"n_{t}"] = int(by_type.get(t, 0))
    weights = {k: float(v) for k, v in setting("hotspot_weights").items()}
    parts = {p: {"value": metrics[p], "weight": weights.get(p, 0.0), "points": metrics[p] * weights.get(p, 0.0)}
             for p in SCORE_PARTS}
    return {
        **header,
        "kind": kind,
        "window": {"as_at": a.window.as_at.isoformat(), "start": a.window.start_iso, "days": a.window.days},
        "counts": {"incidents": n_cur, "previous": n_prev,
                   "by_type": {t: int(n) for t, n in by_type.sort_index().items()},
                   "young_people": metrics["young_people"], "groups": metrics["groups"],
                   "adults_of_concern": metrics["adults_of_concern"], "found_missing": metrics["found_missing"]},
        "score": round(sum(p["points"] for p in parts.values()), 6) if n_cur else 0,
        "parts": parts,
        "trend": {"label": label, "current": n_cur, "previous": n_prev, "reason": trend_reason(label, n_cur, n_prev)},
        "time_profile": profile,
        "groups": groups,
        "actions": suggested_actions(metrics),
        "evidence": {"incident_ids": sorted(act.incident_ids[cur]),
                     "previous_incident_ids": sorted(act.incident_ids[prev])},
    }


def _nearby(a: PlaceAnalysis, x: float, y: float, exclude: set[int], people: np.ndarray) -> list[dict]:
    """Places within ``places.nearby_m`` that had incidents or share young people with this one."""
    if not np.isfinite(x):
        return []
    radius = float(setting("nearby_m"))
    p = a.places
    d = np.hypot(p["x"].to_numpy() - x, p["y"].to_numpy() - y)
    near = np.where((d <= radius) & p["mapped"].to_numpy())[0]
    counts = a.counts("place").set_index("unit")["incidents"]
    act = a.activity
    mine = set(people[act.is_young[people]].tolist()) if len(people) else set()
    out = []
    for loc in near:
        if loc in exclude:
            continue
        theirs = act.people_at([loc])
        shared = len(mine & set(theirs.tolist()))
        n = int(counts.get(p["location_id"].iat[loc], 0))
        if n == 0 and shared == 0:
            continue
        out.append({"location_id": p["location_id"].iat[loc], "name": p["name"].iat[loc], "type": p["type"].iat[loc],
                    "distance_m": int(round(d[loc])), "incidents": n, "shared_young_people": shared})
    out.sort(key=lambda r: (-r["shared_young_people"], r["distance_m"], r["location_id"]))
    return out


def _hot_cells(a: PlaceAnalysis, with_statistics: bool) -> set[str]:
    if not with_statistics:
        return set()
    table, _ = a.statistics("cell")
    return set(table.loc[table["gi_class"] == "hot", "unit"]) if len(table) else set()


def location_profile(a: PlaceAnalysis, location_id: str, *, with_statistics: bool = True) -> dict:
    """Everything the Locations Board needs about one place, as counts (no names).

    Raises ``KeyError`` for an unknown place. An empty window gives zero counts, not an error.
    """
    ids = a.activity.location_ids
    if location_id not in ids:
        raise KeyError(f"no place {location_id!r}")
    loc = int(ids.get_loc(location_id))
    p = a.places.iloc[loc]
    header = {"location_id": location_id, "name": p["name"], "type": p["type"],
              "ward": None if pd.isna(p["ward"]) else p["ward"],
              "cell_id": None if pd.isna(p["cell_id"]) else p["cell_id"], "mapped": bool(p["mapped"]),
              "unmapped_reason": p["unmapped_reason"] or None,
              "lon": float(p["lon"]) if p["mapped"] else None, "lat": float(p["lat"]) if p["mapped"] else None}
    out = _profile(a, [loc], header, kind="place", hot_cells=_hot_cells(a, with_statistics))
    out["nearby"] = _nearby(a, float(p["x"]), float(p["y"]), {loc}, a.activity.people_at([loc]))
    return out


def cell_profile(a: PlaceAnalysis, cell_id: str, *, with_statistics: bool = True) -> dict:
    """The same picture for one grid cell (every place in it taken together)."""
    p = a.places
    codes = list(np.where(p["cell_id"].to_numpy() == cell_id)[0])
    ix, iy = (int(v) for v in cell_id[1:].split("N"))
    s = a.cell_size
    cx, cy = ix + s / 2, iy + s / 2
    header = {"cell_id": cell_id, "cell_size_m": s, "places": [str(p["location_id"].iat[c]) for c in codes]}
    out = _profile(a, codes, header, kind="cell", hot_cells=_hot_cells(a, with_statistics))
    out["nearby"] = _nearby(a, cx, cy, set(codes), a.activity.people_at(codes))
    return out
