"""One place analysis for a window: places, cells and wards, counted once, asked many ways.

:class:`PlaceAnalysis` reads the records, puts every place on the map (or reports it as
unmapped), codes the incidents once (see :mod:`.activity`) and then answers: hotspots by place,
cell or ward with the parts of their score, trend, statistical hot spots. The functions in
:mod:`graphmap.places` are thin wrappers over it; build one yourself to ask several questions
of the same window without reading the store again.
"""

from __future__ import annotations

import functools
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..window import Window
from .activity import PlaceActivity
from .grid import Lattice, cell_names, cell_of
from .local_statistics import gi_star, lattice_weights, area_weights, local_moran
from .place_records import place_records, setting, unmapped_report
from .trend import trend_labels
from .wards import ward_of_places

BY = ("place", "cell", "ward")
SCORE_PARTS = ("incidents", "young_people", "groups", "adults_of_concern", "found_missing")


class PlaceAnalysis:
    """Places, cells and wards for one window.

    Parameters
    ----------
    source : a store, a :class:`~.place_records.PlaceRecords`, or a mapping of frames.
    window : Window
    cell_size : grid cell side in metres (default ``places.cell_size_m``).
    wards : GeoDataFrame of ward polygons (see :func:`.wards.read_wards`), optional.
    groups : mapping person_id -> group_id (peer groups from the network analyses), optional;
        default: ``memberships`` overlapping the window.
    """

    def __init__(self, source: Any, window: Window, *, cell_size: float | None = None, wards=None,
                 groups: Mapping[str, str] | None = None):
        self.records = place_records(source)
        self.window = window
        self.cell_size = float(cell_size or setting("cell_size_m"))
        if self.cell_size <= 0:
            raise ValueError(f"cell size must be positive, not {self.cell_size}")
        self.wards = wards
        places = self.records.located()
        ix, iy = cell_of(places["x"].to_numpy(), places["y"].to_numpy(), self.cell_size)
        places["cell_id"] = np.where(places["mapped"], cell_names(ix, iy, self.cell_size), None)
        if wards is not None:
            places["ward"] = ward_of_places(places, wards).to_numpy()
        else:
            places["ward"] = places["recorded_ward"].replace("", None)
        self.places = places
        self.unmapped = unmapped_report(places)
        self.activity = PlaceActivity(self.records, window, groups=groups)

    # --- units ----------------------------------------------------------------------------
    def unit_of_location(self, by: str) -> pd.Series | None:
        if by not in BY:
            raise ValueError(f"by must be one of {', '.join(BY)}, not {by!r}")
        if by == "place":
            return None
        col = "cell_id" if by == "cell" else "ward"
        return pd.Series(self.places[col].to_numpy(), index=self.places["location_id"].to_numpy())

    @functools.lru_cache(maxsize=None)
    def counts(self, by: str = "place") -> pd.DataFrame:
        """Counts per unit with trend (units with anything in either window)."""
        df = self.activity.counts(self.unit_of_location(by))
        df["trend"] = trend_labels(df["incidents"], df["previous"])
        return df

    # --- hotspots -------------------------------------------------------------------------
    def hotspots(self, by: str = "place", *, weights: Mapping[str, float] | None = None) -> pd.DataFrame:
        """Units with incidents in the window, ranked by score, with every part of the score.

        The score is ``sum(weight x value)`` over ``places.hotspot_weights`` (incidents, young
        people, groups, adults of concern, children found there when missing). Columns
        ``points_<part>`` hold each part's contribution. Only incidents that start in the
        window count, so a place that was busy only before the window does not rank at all.
        """
        w = {k: float(v) for k, v in (weights or setting("hotspot_weights")).items()}
        unknown = set(w) - set(SCORE_PARTS)
        if unknown:
            raise ValueError(f"unknown score part(s): {', '.join(sorted(unknown))}")
        df = self.counts(by)
        df = df[df["incidents"] > 0].copy()
        score = np.zeros(len(df))
        for part in SCORE_PARTS:
            pts = df[part].to_numpy(float) * w.get(part, 0.0)
            df[f"points_{part}"] = pts
            score += pts
        df["score"] = np.round(score, 6)
        df = df.sort_values(["score", "incidents", "unit"], ascending=[False, False, True], kind="mergesort")
        df["rank"] = np.arange(1, len(df) + 1)
        df = df.reset_index(drop=True)
        return self._describe(df, by)

    def trend(self, by: str = "place") -> pd.DataFrame:
        """Every unit with incidents in this window or the one before: counts and label."""
        df = self.counts(by)
        df = df[(df["incidents"] > 0) | (df["previous"] > 0)]
        df = df[["unit", "incidents", "previous", "trend"]].sort_values(
            ["incidents", "previous", "unit"], ascending=[False, False, True], kind="mergesort")
        return self._describe(df.reset_index(drop=True), by)

    def _describe(self, df: pd.DataFrame, by: str) -> pd.DataFrame:
        """Add the place's name, type, ward, cell and coordinates (places only)."""
        if by != "place":
            return df
        p = self.places.set_index("location_id")
        for col in ("name", "type", "ward", "cell_id", "mapped", "lon", "lat"):
            df[col] = p[col].reindex(df["unit"]).to_numpy()
        return df

    # --- statistical hot spots ------------------------------------------------------------
    def lattice(self) -> Lattice | None:
        """The rectangle of cells the statistics run over: the wards' extent when wards are
        loaded, else the extent of the mapped places."""
        if self.wards is not None and len(self.wards):
            from .crs import to_bng

            x0, y0, x1, y1 = self.wards.total_bounds
            xs, ys = to_bng([x0, x1, x0, x1], [y0, y0, y1, y1])
            return Lattice.covering(xs, ys, self.cell_size)
        return Lattice.covering(self.places["x"].to_numpy(), self.places["y"].to_numpy(), self.cell_size)

    def statistics(self, by: str = "cell", *, permutations: int | None = None) -> tuple[pd.DataFrame, dict]:
        """Gi* and local Moran over every cell of the lattice (or every ward), with the weights used.

        Returns the table (``unit, incidents, gi_z, gi_p, gi_p_sim, gi_class, moran_i, moran_q,
        moran_p_sim, moran_class``) and a note: the weights choice, the number of areas, and
        the number of incidents left out (unmapped places, or outside the lattice).
        """
        perms = int(setting("statistics.permutations") if permutations is None else permutations)
        seed = int(setting("statistics.seed"))
        counts = self.counts(by)
        total = int(self.counts("place")["incidents"].sum())
        if by == "cell":
            lat = self.lattice()
            max_cells = int(setting("max_cells"))
            if lat is None or lat.n > max_cells:
                note = {"weights": "none", "areas": 0, "incidents_in_areas": 0, "incidents_left_out": total,
                        "reason": "no mapped places" if lat is None else
                        f"{lat.n} cells exceed places.max_cells ({max_cells}); load ward polygons to set the area"}
                return pd.DataFrame(), note
            cells = lat.cells()
            y = counts.set_index("unit")["incidents"].reindex(cells["cell_id"]).fillna(0).to_numpy(float)
            # No weights are needed when every cell holds the same count (e.g. an empty window).
            w = lattice_weights(lat.nrows, lat.ncols, rule="queen") if y.std() > 0 else None
            desc = (f"queen contiguity on a {lat.nrows} x {lat.ncols} lattice of {lat.size:g} m cells "
                    "(8 neighbours); Gi*: binary with the cell itself; local Moran: row-standardised")
            table = cells[["cell_id"]].rename(columns={"cell_id": "unit"})
        elif by == "ward":
            if self.wards is None or not len(self.wards):
                return pd.DataFrame(), {"weights": "none", "areas": 0, "incidents_in_areas": 0,
                                        "incidents_left_out": total, "reason": "no ward polygons loaded"}
            y = counts.set_index("unit")["incidents"].reindex(self.wards["ward"]).fillna(0).to_numpy(float)
            w = area_weights(self.wards, rule="queen")
            desc = ("queen contiguity of the ward polygons; Gi*: binary with the ward itself; "
                    "local Moran: row-standardised")
            if w.islands:
                desc += f"; {len(w.islands)} ward(s) with no neighbour"
            table = pd.DataFrame({"unit": self.wards["ward"].to_numpy()})
        else:
            raise ValueError("statistics run over cells or wards")
        table["incidents"] = y.astype(int)
        table = pd.concat([table.reset_index(drop=True),
                           # Gi* is judged on its analytic z (as spdep); permutations are spent on
                           # local Moran, whose significance needs them.
                           gi_star(y, w, permutations=0),
                           local_moran(y, w, permutations=perms, seed=seed)], axis=1)
        note = {"weights": desc, "areas": int(len(table)), "incidents_in_areas": int(y.sum()),
                "incidents_left_out": total - int(y.sum()),
                "alpha": float(setting("statistics.alpha")), "permutations": perms, "seed": seed}
        return table, note
