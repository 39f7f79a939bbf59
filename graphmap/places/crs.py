"""Coordinate systems: store and show WGS84, measure in British National Grid.

Distances, areas and grid cells are worked in British National Grid (EPSG:27700, metres).
Records and every output (GeoJSON, maps) are WGS84 longitude/latitude (EPSG:4326).

PROJ converts between them with the OSTN15 grid when its file is installed; the PROJ data
bundled with pyproj does not include it, so PROJ falls back to a 7-parameter Helmert
transformation, accurate to about 2 m. That is well inside a 250 m cell or a ward boundary;
it is not good enough for surveying, and graphmap never claims it is.
"""

from __future__ import annotations

import functools

import numpy as np
from pyproj import Transformer

WGS84 = "EPSG:4326"
BNG = "EPSG:27700"


@functools.cache
def _to_bng() -> Transformer:
    return Transformer.from_crs(WGS84, BNG, always_xy=True)


@functools.cache
def _to_wgs84() -> Transformer:
    return Transformer.from_crs(BNG, WGS84, always_xy=True)


def to_bng(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Easting and northing (m) for WGS84 longitudes and latitudes.

    >>> x, y = to_bng([-0.1276], [51.5072])   # Charing Cross, about TQ 300 804
    >>> round(float(x[0]) / 1000), round(float(y[0]) / 1000)
    (530, 180)
    """
    x, y = _to_bng().transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def to_wgs84(x, y) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitudes and latitudes for BNG eastings and northings."""
    lon, lat = _to_wgs84().transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
