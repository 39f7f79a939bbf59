"""Square grid cells in British National Grid, aligned to the grid's own origin.

A cell is named by its south-west corner in metres, e.g. ``E525750N169250`` for a 250 m cell,
so the same place falls in the same cell in every run, every window and every partnership
using the same cell size, and a cell can be found again on an Ordnance Survey map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from shapely import Polygon

from .crs import to_wgs84


def cell_names(ix: np.ndarray, iy: np.ndarray, size: float) -> np.ndarray:
    """Cell ids from integer cell indices.

    >>> list(cell_names(np.array([2103]), np.array([677]), 250))
    ['E525750N169250']
    """
    s = float(size)
    # Corners as plain ints first (int() of each numpy scalar cost 0.3 s for a borough's lattice).
    east = (np.asarray(ix) * s).astype(np.int64).tolist()
    north = (np.asarray(iy) * s).astype(np.int64).tolist()
    return np.array([f"E{a}N{b}" for a, b in zip(east, north)], dtype=object)


def cell_of(x: np.ndarray, y: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """Integer cell indices of BNG points (NaN coordinates give -1 and must be masked)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    ix = np.full(len(x), -1, dtype=np.int64)
    iy = np.full(len(y), -1, dtype=np.int64)
    ix[ok] = np.floor(x[ok] / size).astype(np.int64)
    iy[ok] = np.floor(y[ok] / size).astype(np.int64)
    return ix, iy


@dataclass
class Lattice:
    """Every cell of a rectangle of cells, in row-major order from the south-west corner.

    Row-major order from the south-west is the order of ``libpysal.weights.lat2W``, so its
    contiguity weights line up with ``cells`` without any relabelling.
    """

    size: float
    ix0: int
    iy0: int
    ncols: int
    nrows: int

    @classmethod
    def covering(cls, x: np.ndarray, y: np.ndarray, size: float) -> "Lattice | None":
        ok = np.isfinite(x) & np.isfinite(y)
        if not ok.any():
            return None
        ix, iy = cell_of(np.asarray(x)[ok], np.asarray(y)[ok], size)
        return cls(float(size), int(ix.min()), int(iy.min()), int(ix.max() - ix.min() + 1),
                   int(iy.max() - iy.min() + 1))

    @property
    def n(self) -> int:
        return self.ncols * self.nrows

    def index(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Row-major position of each point's cell (-1 outside the lattice or unmapped)."""
        ix, iy = cell_of(x, y, self.size)
        c, r = ix - self.ix0, iy - self.iy0
        inside = (ix >= 0) & (c >= 0) & (c < self.ncols) & (r >= 0) & (r < self.nrows)
        return np.where(inside, r * self.ncols + c, -1)

    def cells(self) -> pd.DataFrame:
        """One row per cell: ``cell_id, row, col, x0, y0`` (south-west corner, BNG metres)."""
        r, c = np.divmod(np.arange(self.n), self.ncols)
        ix, iy = c + self.ix0, r + self.iy0
        return pd.DataFrame({"cell_id": cell_names(ix, iy, self.size), "row": r, "col": c,
                             "x0": ix * self.size, "y0": iy * self.size})

    def polygons_wgs84(self, positions: np.ndarray) -> list[Polygon]:
        """The cells at ``positions`` as WGS84 polygons (corners converted from BNG)."""
        r, c = np.divmod(np.asarray(positions, dtype=np.int64), self.ncols)
        x0 = (c + self.ix0) * self.size
        y0 = (r + self.iy0) * self.size
        s = self.size
        xs = np.stack([x0, x0 + s, x0 + s, x0, x0], axis=1)
        ys = np.stack([y0, y0, y0 + s, y0 + s, y0], axis=1)
        lon, lat = to_wgs84(xs.ravel(), ys.ravel())
        lon, lat = lon.reshape(xs.shape), lat.reshape(ys.shape)
        return [Polygon(np.stack([lon[i], lat[i]], axis=1)) for i in range(len(x0))]
