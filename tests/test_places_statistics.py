"""Gi* and local Moran against published / independently reproduced values (eval-data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from graphmap.places import area_weights, distance_weights, gi_star, lattice_weights, local_moran
from tests.conftest import EVAL_DATA

COLUMBUS = EVAL_DATA / "columbus-crime"
GRID = EVAL_DATA / "getis-ord-1996-grid"


@pytest.fixture(scope="module")
def columbus():
    if not COLUMBUS.exists():
        pytest.fail(f"eval-data not found at {EVAL_DATA} (set GRAPHMAP_EVAL_DATA)")
    import geopandas as gpd

    g = gpd.read_file(COLUMBUS / "columbus.geojson").sort_values("POLYID").reset_index(drop=True)
    ref = pd.read_csv(COLUMBUS / "columbus_esda_results.csv").sort_values("POLYID").reset_index(drop=True)
    return g, ref, area_weights(g, rule="queen")


def test_columbus_queen_weights_match_the_listed_neighbours(columbus):
    g, _, w = columbus
    pairs = pd.read_csv(COLUMBUS / "columbus_queen_neighbors.csv")
    ids = g["POLYID"].to_numpy()
    ours = {(int(ids[i]), int(ids[j])) for i, nbrs in w.neighbors.items() for j in nbrs}
    assert ours == set(map(tuple, pairs[["POLYID", "NEIGHBOR_POLYID"]].to_numpy().tolist()))
    assert len(ours) == 236 and not w.islands


def test_columbus_gi_star_z_and_hot_cold_spots(columbus):
    g, ref, w = columbus
    res = gi_star(g["CRIME"].to_numpy(), w, alpha=0.05)
    # the reference is printed to 6 decimals; esda and spdep agree to 4.6e-7
    np.testing.assert_allclose(res["gi_z"], ref["GiStar_z_B"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(res["gi_p"], ref["p2_norm_B"], rtol=0, atol=1e-6)  # two-sided, not esda's p_norm
    hot = sorted(g.loc[res["gi_class"] == "hot", "POLYID"])
    cold = sorted(g.loc[res["gi_class"] == "cold", "POLYID"])
    assert hot == [11, 15, 16, 18, 24, 25, 26, 28, 29, 30, 37]
    assert cold == [23, 31, 32, 36, 39, 40, 46]


@pytest.mark.slow
def test_columbus_permutations_and_local_moran(columbus):
    g, ref, w = columbus
    y = g["CRIME"].to_numpy()
    gi = gi_star(y, w, permutations=9999, seed=12345)
    np.testing.assert_allclose(gi["gi_p_sim"], ref["p_sim_B"], atol=2e-3)
    lm = local_moran(y, w, permutations=9999, seed=12345, alpha=0.05)
    np.testing.assert_allclose(lm["moran_i"], ref["LISA_Ii"], rtol=0, atol=1e-6)  # esda's (n-1)/n scaling
    np.testing.assert_allclose(lm["moran_p_sim"], ref["LISA_p_sim"], atol=2e-3)
    assert sorted(g.loc[lm["moran_class"] == "HH", "POLYID"]) == [11, 15, 16, 18, 24, 25, 26, 28, 29, 30, 37]
    assert sorted(g.loc[lm["moran_class"] == "LL", "POLYID"]) == [32, 36, 39, 40]
    assert not lm["moran_class"].isin(["HL", "LH"]).any()
    q = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
    assert lm["moran_q"].tolist() == [q[v] for v in ref["LISA_q"]]


@pytest.mark.parametrize("d, expected", [(30, 1.450780), (60, 1.900559), (90, 2.096939),
                                         (120, 1.981907), (150, 1.306698)])
def test_getis_ord_1996_grid_cell_136(d, expected):
    if not GRID.exists():
        pytest.fail(f"eval-data not found at {EVAL_DATA} (set GRAPHMAP_EVAL_DATA)")
    go = pd.read_csv(GRID / "go_xyz.csv")
    z = gi_star(go["val"].to_numpy(), distance_weights(go["x"], go["y"], d))["gi_z"]
    assert abs(z.iloc[119] - expected) < 1e-6
    if d == 30:
        assert round(z.iloc[119], 2) == 1.45  # Getis & Ord (1996), p. 267


def test_lattice_weights_order_matches_the_grid():
    """Row-major from the south-west: rook contiguity on the 16 x 16 lattice = 30 m distance band."""
    if not GRID.exists():
        pytest.fail(f"eval-data not found at {EVAL_DATA} (set GRAPHMAP_EVAL_DATA)")
    go = pd.read_csv(GRID / "go_xyz.csv")
    z = gi_star(go["val"].to_numpy(), lattice_weights(16, 16, rule="rook"))["gi_z"]
    assert abs(z.iloc[119] - 1.450780) < 1e-6


def test_flat_values_give_no_class():
    res = gi_star(np.zeros(9), lattice_weights(3, 3))
    assert res["gi_z"].isna().all() and (res["gi_class"] == "").all()
    assert (local_moran(np.ones(9), lattice_weights(3, 3))["moran_class"] == "").all()
