"""The compiled betweenness and reach (graphmap.network._brandes) against igraph's own."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from graphmap.network._brandes import Searcher
from graphmap.network._igraph import to_igraph
from graphmap.network.bridges import betweenness


@pytest.fixture(scope="module")
def graph():
    # Several components, leaves, cycles and many equal-length routes (ties in path counts).
    G = nx.disjoint_union_all([nx.gnm_random_graph(300, 700, seed=3), nx.grid_2d_graph(6, 7),
                               nx.path_graph(5), nx.empty_graph(3)])
    g, nodes = to_igraph(G)
    return G, g


def test_counts_are_twice_igraphs_betweenness(graph):
    _, g = graph
    n = g.vcount()
    s = Searcher(g)
    rng = np.random.default_rng(1)
    src = np.sort(rng.choice(n, 40, replace=False))
    tgt = np.zeros(n, dtype=bool)
    tgt[rng.choice(n, 150, replace=False)] = True
    assert np.allclose(s.counts(np.arange(n)) / 2, g.betweenness(directed=False), rtol=1e-12, atol=1e-9)
    assert np.allclose(s.counts(src) / 2, g.betweenness(directed=False, sources=src.tolist(), targets=None),
                       rtol=1e-12, atol=1e-9)
    sub = g.betweenness(directed=False, sources=src.tolist(), targets=np.flatnonzero(tgt).tolist())
    assert np.allclose(s.counts(src, tgt) / 2, sub, rtol=1e-12, atol=1e-9)
    assert max(sub) > 0


def test_removed_vertices_are_as_if_deleted(graph):
    _, g = graph
    n = g.vcount()
    s = Searcher(g)
    gone = [7, 11, 250]
    for v in gone:
        s.remove(v)
    h = g.copy()
    h.delete_vertices(gone)
    keep = np.setdiff1d(np.arange(n), gone)
    got = s.counts(np.arange(n))
    assert np.allclose(got[keep] / 2, h.betweenness(directed=False), rtol=1e-12, atol=1e-9)
    assert (got[gone] == 0).all()
    # Reach three hops from some seeds, through living vertices only.
    seeds = [0, 5, 301, 7]
    want = np.zeros(n, dtype=bool)
    alive_seeds = [int(np.searchsorted(keep, v)) for v in seeds if v not in gone]
    for nb in h.neighborhood(alive_seeds, order=3):
        want[keep[nb]] = True
    assert (s.within(seeds, 3) == want).all()
    assert 0 < want.sum() < n


def test_betweenness_matches_networkx_on_florentine_families():
    G = nx.florentine_families_graph()
    got = betweenness(G)
    want = nx.betweenness_centrality(G)
    assert got == pytest.approx(want, abs=1e-12)
    assert round(got["Medici"], 3) == 0.522
    sub = betweenness(G, sources=["Medici", "Strozzi"], targets=["Pazzi", "Ginori", "Lamberteschi"])
    assert sub == pytest.approx(nx.betweenness_centrality_subset(
        G, ["Medici", "Strozzi"], ["Pazzi", "Ginori", "Lamberteschi"]), abs=1e-12)


def test_empty_and_isolated():
    s = Searcher(ig.Graph(n=3))
    assert (s.counts([0, 1, 2]) == 0).all()
    assert s.within([1], 2).tolist() == [False, True, False]


def test_preload_loads_the_code_every_real_call_uses(graph):
    """``preload`` (run by the app before it forks its second core) leaves each kernel with the
    one compiled signature the searches then use: a real call compiles or loads nothing more,
    so a forked child does not load numba's code again for every window."""
    from graphmap.network import _brandes

    _brandes.preload()
    k = _brandes._KERNELS
    before = {name: list(f.signatures) for name, f in k.items()}
    assert all(len(sigs) == 1 for sigs in before.values()), before
    _, g = graph
    s = Searcher(g)
    s.remove(3)
    s.counts(np.arange(10), np.arange(g.vcount()) % 2 == 0)
    s.counts([0, 1])
    s.within([0, 5], 2)
    assert {name: list(f.signatures) for name, f in k.items()} == before
