"""Statistical hot spots: Getis-Ord Gi* and local Moran's I, through PySAL (esda, libpysal).

The weights are a stated choice, reported with every result:

* grid cells: **queen contiguity** on the lattice (the 8 surrounding cells), binary, built with
  ``libpysal.weights.lat2W(rook=False)``;
* wards or other areas: **queen contiguity** of the polygons (``libpysal.weights.Queen``);
* points (e.g. a published test grid): a binary **distance band** (neighbours within ``d``,
  inclusive, ``libpysal.weights.DistanceBand``).

Gi* uses binary weights with the area itself included (self-weight 1, ``star=True``), the
form of Getis & Ord (1996) and of R ``spdep::localG(x, nb2listw(include.self(nb), style="B"))``;
the z-score is the analytic one, matching spdep. esda's ``p_norm`` is one-sided; we report the
two-sided normal p-value ``2 * sf(|z|)`` and classify hot (z > 0) and cold (z < 0) spots at
``places.statistics.alpha`` (0.05: |z| > 1.96). Many cells are tested at once and no correction
is made for that; treat a lone significant cell with care.

Local Moran uses row-standardised weights and conditional permutation pseudo p-values
(``places.statistics.permutations``, fixed ``seed`` so results repeat). esda's :math:`I_i` is
:math:`(n-1)/n` times spdep's (a scaling convention; quadrants and p-values are the same).

References
----------
Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
statistics. Geographical Analysis 24(3), 189-206.
Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional issues
and an application. Geographical Analysis 27(4), 286-306.
Getis, A. & Ord, J. K. (1996). Local spatial statistics: an overview. In Longley & Batty (eds),
Spatial Analysis: Modelling in a GIS Environment, 261-277.
Anselin, L. (1995). Local indicators of spatial association - LISA. Geographical Analysis 27(2),
93-115.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .place_records import setting

QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


def lattice_weights(nrows: int, ncols: int, *, rule: str = "queen"):
    """Contiguity weights for a rectangle of cells in row-major order from the south-west."""
    from libpysal.weights import lat2W

    return lat2W(nrows, ncols, rook=(rule == "rook"))


def area_weights(areas, *, rule: str = "queen"):
    """Contiguity weights for polygons (a GeoDataFrame), in the frame's row order."""
    from libpysal.weights import Queen, Rook

    cls = Rook if rule == "rook" else Queen
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands are reported by the caller, not as a warning
        return cls.from_dataframe(areas, use_index=False)


def distance_weights(x, y, threshold: float):
    """Binary distance-band weights: neighbours within ``threshold`` (inclusive)."""
    from libpysal.weights import DistanceBand

    pts = np.column_stack([np.asarray(x, float), np.asarray(y, float)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return DistanceBand(pts, threshold=threshold, binary=True, silence_warnings=True)


def _flat(y) -> bool:
    y = np.asarray(y, float)
    return len(y) < 3 or not np.isfinite(y).all() or float(np.std(y)) == 0.0


def gi_star(y, w, *, alpha: float | None = None, permutations: int = 0, seed: int | None = None) -> pd.DataFrame:
    """Getis-Ord Gi* with binary weights and the area itself included.

    Parameters
    ----------
    y : array of values (e.g. incidents per cell), in the order of ``w``.
    w : libpysal W, binary (it is transformed to binary here in any case).
    alpha : two-sided significance level; default ``places.statistics.alpha``.
    permutations : conditional permutations for a pseudo p-value (0: none).
    seed : random seed for the permutations.

    Returns
    -------
    DataFrame with ``gi_z`` (analytic z), ``gi_p`` (two-sided normal p), ``gi_p_sim`` (NaN
    without permutations) and ``gi_class`` ("hot", "cold" or ""), one row per area. Flat data
    (fewer than 3 areas, or every value equal, e.g. an empty window) give NaN and no class.

    Examples
    --------
    The toy example of esda's ``G_Local`` docstring (distance band 15 on six points):

    >>> import numpy as np
    >>> x = np.array([10, 20, 40, 15, 30, 30]); yy = np.array([10, 10, 10, 20, 20, 30])
    >>> w = distance_weights(x, yy, 15)
    >>> gi_star(np.array([2, 3, 3.2, 5, 8, 7]), w)["gi_z"].round(4).tolist()
    [-1.3973, -0.2892, 0.6506, -0.2892, 1.2345, 2.0242]
    """
    alpha = float(setting("statistics.alpha") if alpha is None else alpha)
    y = np.asarray(y, dtype=float)
    out = pd.DataFrame({"gi_z": np.full(len(y), np.nan), "gi_p": np.full(len(y), np.nan),
                        "gi_p_sim": np.full(len(y), np.nan), "gi_class": ""})
    if _flat(y):
        return out
    from esda.getisord import G_Local
    from scipy.stats import norm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = G_Local(y, w, transform="B", star=True, permutations=permutations, seed=seed, n_jobs=1, alternative="two-sided",
                    keep_simulations=False)
    z = np.asarray(g.Zs, dtype=float)
    out["gi_z"] = z
    out["gi_p"] = 2.0 * norm.sf(np.abs(z))
    if permutations:
        out["gi_p_sim"] = np.asarray(g.p_sim, dtype=float)
    sig = out["gi_p"].to_numpy() < alpha
    out["gi_class"] = np.where(sig & (z > 0), "hot", np.where(sig & (z < 0), "cold", ""))
    return out


def local_moran(y, w, *, alpha: float | None = None, permutations: int | None = None,
                seed: int | None = None) -> pd.DataFrame:
    """Local Moran's I with row-standardised weights and permutation pseudo p-values.

    Returns a DataFrame with ``moran_i`` (esda's scaling), ``moran_q`` (HH, LH, LL, HL),
    ``moran_p_sim`` and ``moran_class`` (the quadrant when ``moran_p_sim < alpha``, else "").
    """
    alpha = float(setting("statistics.alpha") if alpha is None else alpha)
    permutations = int(setting("statistics.permutations") if permutations is None else permutations)
    seed = int(setting("statistics.seed")) if seed is None else seed
    y = np.asarray(y, dtype=float)
    out = pd.DataFrame({"moran_i": np.full(len(y), np.nan), "moran_q": "",
                        "moran_p_sim": np.full(len(y), np.nan), "moran_class": ""})
    if _flat(y):
        return out
    from esda.moran import Moran_Local

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = Moran_Local(y, w, transformation="r", permutations=max(permutations, 1), seed=seed, n_jobs=1, alternative="two-sided",
                        keep_simulations=False)
    out["moran_i"] = np.asarray(m.Is, dtype=float)
    out["moran_q"] = [QUADRANTS.get(int(q), "") for q in m.q]
    if permutations:
        out["moran_p_sim"] = np.asarray(m.p_sim, dtype=float)
        out["moran_class"] = np.where(out["moran_p_sim"].to_numpy() < alpha, out["moran_q"], "")
    return out
