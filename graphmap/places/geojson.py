"""Hotspots, cells, wards and places as one GeoJSON FeatureCollection for any GIS.

RFC 7946: WGS84 longitude/latitude, coordinates to 6 decimal places (about 0.1 m), polygons
wound anticlockwise. Properties are flat (numbers and strings only) and every feature carries the
same keys (null where a key does not apply), so QGIS and ArcGIS read each layer as one table;
``layer`` says what a feature is (``place``, ``cell`` or ``ward``). QGIS splits the file into a
point and a polygon layer by geometry type. The FeatureCollection's ``graphmap`` member (ignored
by GIS) records the window, the settings used, the weights choice for the statistics and the
count of places that could not be mapped.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from shapely.geometry import mapping
from shapely.geometry.polygon import orient

from .analysis import SCORE_PARTS, PlaceAnalysis
from .place_records import setting
from .trend import DAYS

MARKING = "OFFICIAL-SENSITIVE"


def _plain(v):
    if v is None:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer, int)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if not math.isfinite(f) else (int(f) if f.is_integer() and abs(f) < 2**53 else round(f, 6))
    if isinstance(v, str):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def _round_coords(geom: dict) -> dict:
    def r(c):
        return [r(x) for x in c] if isinstance(c[0], (list, tuple)) else [round(c[0], 6), round(c[1], 6)]

    return {"type": geom["type"], "coordinates": r(geom["coordinates"])}


def _peaks(a: PlaceAnalysis, by: str) -> pd.Series:
    """Busiest day and hour per unit (incidents with a time, in the window)."""
    act = a.activity
    cur = (act.period == 0) & (act.inc_location >= 0)
    starts = pd.Series(a.records.incidents["start"].to_numpy(object)[cur], dtype=object).astype(str)
    if starts.empty:
        return pd.Series(dtype=object)
    unit = a.unit_of_location(by)
    locs = act.location_ids[act.inc_location[cur]]
    units = locs if unit is None else unit.reindex(locs).to_numpy()
    has_time = (starts.str[10:11] == "T").to_numpy() & (starts.str.len() >= 13).to_numpy()
    if setting("midnight_is_unknown_time"):
        has_time &= ~starts.str[11:19].isin(["00:00:00", "00:00"]).to_numpy()
    day = pd.to_datetime(starts.str[:10], format="%Y-%m-%d", errors="coerce")
    hour = pd.to_numeric(starts.str[11:13].where(has_time, ""), errors="coerce")
    df = pd.DataFrame({"unit": units, "dow": day.dt.day_of_week, "hour": hour}).dropna()
    if df.empty:
        return pd.Series(dtype=object)
    n = df.groupby(["unit", "dow", "hour"]).size().reset_index(name="n")
    n = n.sort_values(["unit", "n", "dow", "hour"], ascending=[True, False, True, True]).drop_duplicates("unit")
    return pd.Series([f"{DAYS[int(d)]} {int(h):02d}:00-{(int(h) + 1) % 24:02d}:00" for d, h in zip(n["dow"], n["hour"])],
                     index=n["unit"].to_numpy())


def _unit_props(a: PlaceAnalysis, by: str) -> pd.DataFrame:
    counts = a.counts(by).set_index("unit")
    ranked = a.hotspots(by).set_index("unit")
    cols = ["incidents", "previous", "trend", "young_people", "groups", "adults_of_concern", "found_missing"]
    cols += [c for c in counts.columns if c.startswith("n_")]
    df = counts[cols].copy()
    df["rank"] = ranked["rank"].reindex(df.index)
    df["score"] = ranked["score"].reindex(df.index)
    for p in SCORE_PARTS:
        df[f"points_{p}"] = ranked[f"points_{p}"].reindex(df.index)
    df["peak"] = _peaks(a, by).reindex(df.index)
    return df


def places_geojson(a: PlaceAnalysis, *, with_statistics: bool = True) -> dict:
    """The FeatureCollection: every mapped place, every cell with something to show, every ward."""
    features: list[tuple[dict, object]] = []
    # Places (points), including their hotspot rank and score.
    props = _unit_props(a, "place")
    for p in a.places[a.places["mapped"]].itertuples(index=False):
        row = props.loc[p.location_id].to_dict() if p.location_id in props.index else {}
        features.append(({"layer": "place", "id": p.location_id, "name": p.name, "type": p.type,
                          "ward": p.ward, "cell_id": p.cell_id, **row},
                         {"type": "Point", "coordinates": [p.lon, p.lat]}))
    notes: dict = {}
    # Cells (polygons): those with incidents in either window, or a significant statistic.
    props = _unit_props(a, "cell")
    stats, notes["cells"] = a.statistics("cell") if with_statistics else (pd.DataFrame(), {"weights": "not computed"})
    lat = a.lattice()
    cell_ids = set(props.index)
    if len(stats):
        stats = stats.set_index("unit")
        cell_ids |= set(stats.index[(stats["gi_class"] != "") | (stats["moran_class"] != "")])
    if lat is not None and cell_ids:
        all_cells = lat.cells().set_index("cell_id")
        inside = sorted(c for c in cell_ids if c in all_cells.index)
        outside = sorted(cell_ids - set(inside))
        polys = lat.polygons_wgs84(all_cells.loc[inside, "row"].to_numpy() * lat.ncols
                                   + all_cells.loc[inside, "col"].to_numpy())
        for cid, poly in zip(inside, polys):
            row = props.loc[cid].to_dict() if cid in props.index else {"incidents": 0}
            if len(stats) and cid in stats.index:
                row.update(stats.loc[cid].drop("incidents").to_dict())
            features.append(({"layer": "cell", "id": cid, "cell_id": cid, **row}, mapping(orient(poly, 1.0))))
        notes["cells_outside_lattice"] = len(outside)
    # Wards (polygons) when loaded.
    if a.wards is not None and len(a.wards):
        props = _unit_props(a, "ward")
        wstats, notes["wards"] = a.statistics("ward") if with_statistics else (pd.DataFrame(), {})
        wstats = wstats.set_index("unit") if len(wstats) else wstats
        for w in a.wards.itertuples(index=False):
            row = props.loc[w.ward].to_dict() if w.ward in props.index else {"incidents": 0}
            if len(wstats) and w.ward in wstats.index:
                row.update(wstats.loc[w.ward].drop("incidents").to_dict())
            geom = mapping(orient(w.geometry, 1.0) if w.geometry.geom_type == "Polygon" else w.geometry)
            features.append(({"layer": "ward", "id": w.ward_id, "ward": w.ward, **row}, geom))
    keys: list[str] = []
    for prop, _ in features:
        keys.extend(k for k in prop if k not in keys)
    out_feats = [{"type": "Feature", "id": f"{prop['layer']}:{prop['id']}",
                  "properties": {k: _plain(prop.get(k)) for k in keys},
                  "geometry": _round_coords(geom)} for prop, geom in features]
    return {
        "type": "FeatureCollection",
        "name": "graphmap_places",
        "graphmap": {
            "marking": MARKING,
            "as_at": a.window.as_at.isoformat(), "window_start": a.window.start_iso, "window_days": a.window.days,
            "cell_size_m": a.cell_size, "hotspot_weights": dict(setting("hotspot_weights")),
            "places": int(len(a.places)), "unmapped": a.unmapped, "statistics": notes,
            "crs_note": "WGS84; BNG (EPSG:27700) used for distances, converted by PROJ (Helmert, about 2 m, "
                        "without the OSTN15 grid)",
        },
        "features": out_feats,
    }


def write_geojson(collection: dict, path: str | Path) -> Path:
    """Write a FeatureCollection (UTF-8, no NaN: strict JSON that every GIS accepts)."""
    path = Path(path)
    path.write_text(json.dumps(collection, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    return path
