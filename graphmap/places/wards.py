"""Ward polygons: read a partnership's own, make the fictional ones, and put places in them.

A partnership loads its wards as GeoJSON or GeoPackage (for example the ONS ward boundaries,
whose name column is ``WDyyNM``). The sample borough's wards are fictional: a 3 x 4 grid over
the box in ``sample_data/borough.yaml``, with interior corners and edge midpoints moved a
little (a fixed seed) so they look less like a chessboard. Neighbouring wards share every
vertex, so the wards tile the box exactly: no gaps, no overlaps.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import yaml
from shapely import Polygon
from shapely.geometry import mapping
from shapely.geometry.polygon import orient

from .crs import WGS84

if TYPE_CHECKING:  # geopandas is imported where it is used (its import is slow)
    import geopandas as gpd

_NAME_COLUMNS = ("ward", "ward_name", "name", "wardname")


def fictional_wards(borough: dict, *, seed: int = 7, wobble: float = 0.15) -> "gpd.GeoDataFrame":
    """The sample borough's fictional wards, from ``sample_data/borough.yaml``'s content.

    Wards are listed row by row from the north-west corner, named from ``wards``. Corners inside
    the box move by up to ``wobble`` of a ward's width or height; the middle of each inner edge
    bends by up to ``wobble`` too. Points on the box's edge never move.
    """
    import geopandas as gpd

    box, grid = borough["box"], borough["ward_grid"]
    rows, cols = int(grid["rows"]), int(grid["cols"])
    names = list(borough["wards"])
    if len(names) != rows * cols:
        raise ValueError(f"borough: {rows} x {cols} wards need {rows * cols} names, not {len(names)}")
    rng = np.random.default_rng(seed)
    dlon = (box["max_lon"] - box["min_lon"]) / cols
    dlat = (box["max_lat"] - box["min_lat"]) / rows

    def lon_at(i):
        return box["max_lon"] if i == cols else box["min_lon"] + i * dlon

    def lat_at(j):  # j counts rows from the north
        return box["min_lat"] if j == rows else box["max_lat"] - j * dlat

    # Corners: (rows+1) x (cols+1); only interior ones move.
    vx = np.array([[lon_at(i) for i in range(cols + 1)] for _ in range(rows + 1)])
    vy = np.array([[lat_at(j)] * (cols + 1) for j in range(rows + 1)])
    inner = (slice(1, rows), slice(1, cols))
    vx[inner] += rng.uniform(-wobble, wobble, vx[inner].shape) * dlon
    vy[inner] += rng.uniform(-wobble, wobble, vy[inner].shape) * dlat
    # Midpoints of horizontal edges (between (j,i) and (j,i+1)) and vertical edges ((j,i)-(j+1,i)).
    hx = (vx[:, :-1] + vx[:, 1:]) / 2
    hy = (vy[:, :-1] + vy[:, 1:]) / 2
    hy[1:rows, :] += rng.uniform(-wobble, wobble, hy[1:rows, :].shape) * dlat
    ux = (vx[:-1, :] + vx[1:, :]) / 2
    uy = (vy[:-1, :] + vy[1:, :]) / 2
    ux[:, 1:cols] += rng.uniform(-wobble, wobble, ux[:, 1:cols].shape) * dlon
    # Round once so that shared vertices stay identical in the written file.
    vx, vy, hx, hy, ux, uy = (np.round(a, 7) for a in (vx, vy, hx, hy, ux, uy))

    polys, rows_out = [], []
    for r in range(rows):
        for c in range(cols):
            ring = [(vx[r, c], vy[r, c]), (hx[r, c], hy[r, c]), (vx[r, c + 1], vy[r, c + 1]),
                    (ux[r, c + 1], uy[r, c + 1]), (vx[r + 1, c + 1], vy[r + 1, c + 1]),
                    (hx[r + 1, c], hy[r + 1, c]), (vx[r + 1, c], vy[r + 1, c]), (ux[r, c], uy[r, c])]
            polys.append(orient(Polygon(ring), 1.0))
            k = r * cols + c
            rows_out.append({"ward_id": f"W{k + 1:02d}", "ward": names[k], "borough": borough["name"]})
    return gpd.GeoDataFrame(rows_out, geometry=polys, crs=WGS84)


def wards_geojson(wards) -> dict:
    """A GeoJSON FeatureCollection (RFC 7946, WGS84) of ward polygons."""
    feats = [{"type": "Feature", "properties": {k: row[k] for k in wards.columns if k != "geometry"},
              "geometry": mapping(row.geometry)} for _, row in wards.iterrows()]
    return {"type": "FeatureCollection", "features": feats}


def write_fictional_wards(borough_yaml: Path, out: Path) -> Path:
    """Write the sample borough's fictional wards (``sample_data/wards.geojson``)."""
    borough = yaml.safe_load(Path(borough_yaml).read_text(encoding="utf-8"))
    out.write_text(json.dumps(wards_geojson(fictional_wards(borough)), indent=1) + "\n", encoding="utf-8")
    return out


def read_wards(path: str | Path) -> "gpd.GeoDataFrame":
    """Ward polygons from a GeoJSON or GeoPackage file, in WGS84, with ``ward_id`` and ``ward``.

    The ward name comes from a ``ward``, ``ward_name`` or ``name`` column, or an ONS-style
    ``WDyyNM`` column; the id from ``ward_id`` or ``WDyyCD`` (else W01, W02, ...). A file with no
    CRS is taken to be WGS84, as GeoJSON requires. Raises ``ValueError`` for a file without
    polygons or without a name column.
    """
    import geopandas as gpd

    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # fiona/pyogrio raise their own types; name the file, not the stack
        raise ValueError(f"{path}: cannot read wards: {exc}") from exc
    gdf = gdf[gdf.geometry.notna() & gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if gdf.empty:
        raise ValueError(f"{path}: no ward polygons found")
    cols = {c.lower(): c for c in gdf.columns}
    name = next((cols[c] for c in _NAME_COLUMNS if c in cols), None) or next(
        (c for c in gdf.columns if re.fullmatch(r"WD\d\dNM", str(c), re.IGNORECASE)), None)
    if name is None:
        raise ValueError(f"{path}: no ward name column (ward, ward_name, name or WDyyNM)")
    code = cols.get("ward_id") or next((c for c in gdf.columns if re.fullmatch(r"WD\d\dCD", str(c), re.IGNORECASE)), None)
    if gdf.crs is None:
        gdf = gdf.set_crs(WGS84)
    elif gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(WGS84)
    names = gdf[name].astype(str).str.strip()
    dup = names.duplicated(keep=False)
    ids = gdf[code].astype(str) if code else pd.Series([f"W{i + 1:02d}" for i in range(len(gdf))], index=gdf.index)
    names = names.where(~dup, names + " (" + ids + ")")  # a ward name must name one ward
    return gpd.GeoDataFrame({"ward_id": ids.to_numpy(), "ward": names.to_numpy()},
                            geometry=gdf.geometry.to_numpy(), crs=WGS84).reset_index(drop=True)


def ward_of_places(places: pd.DataFrame, wards) -> pd.Series:
    """The ward each mapped place lies in (by location_id; NaN when off the map or outside).

    Points are tested in WGS84, the CRS the wards are drawn in, so a place and the ward edges
    are compared exactly as stored. A point on a shared edge goes to the first ward listed.
    """
    import geopandas as gpd

    m = places[places["mapped"]]
    if m.empty or wards is None or len(wards) == 0:
        return pd.Series(np.nan, index=pd.Index(places["location_id"]), dtype=object)
    pts = gpd.GeoDataFrame({"location_id": m["location_id"].to_numpy()},
                           geometry=gpd.points_from_xy(m["lon"], m["lat"]), crs=WGS84)
    w = wards[["ward", "geometry"]].reset_index(drop=True)
    w["order"] = np.arange(len(w))
    j = gpd.sjoin(pts, w, how="inner", predicate="intersects").sort_values("order")
    j = j.drop_duplicates("location_id")
    return j.set_index("location_id")["ward"].reindex(places["location_id"]).astype(object)


if __name__ == "__main__":  # pragma: no cover - regenerate the sample wards
    root = Path(__file__).resolve().parents[2] / "sample_data"
    print(write_fictional_wards(root / "borough.yaml", root / "wards.geojson"))
