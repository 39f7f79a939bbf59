"""The faster and more scalable code paths of the network analyses give the results they replace.

Checked on small classic graphs (exact values) and on the eval data; every path seeded.
"""

from __future__ import annotations

import leidenalg
import networkx as nx
import pytest

from graphmap.network._igraph import to_igraph
import numpy as np

from graphmap.network.peer_groups import _leiden, communities


def ring_of_cliques(n_cliques=30, size=5):
    """Fortunato & Barthélemy's ring of cliques: modularity merges neighbouring cliques."""
    G = nx.ring_of_cliques(n_cliques, size)
    truth = [set(range(i * size, (i + 1) * size)) for i in range(n_cliques)]
    return G, truth


def test_splitting_again_recovers_cliques_modularity_merges():
    G, truth = ring_of_cliques()
    merged = communities(G, weight=None, seed=0)
    split = communities(G, weight=None, seed=0, split_min_modularity=0.3, split_min_size=6)
    assert len(merged) < 30  # the resolution limit: pairs of cliques merge
    assert sorted(map(sorted, split)) == sorted(map(sorted, truth))


def test_a_dense_group_is_not_split_again():
    G = nx.complete_graph(12)
    assert len(communities(G, weight=None, seed=0, split_min_modularity=0.3)) == 1


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_potts_vertex_weights_are_modularity_exactly(seed):
    # The split by level rests on this: a constant Potts model whose vertex weights are degree
    # over sqrt(2m) is modularity; with the same seed Leiden takes the same steps.
    g, _ = to_igraph(nx.les_miserables_graph(), "weight")
    deg = np.asarray(g.strength(weights="weight"))
    as_potts = _leiden(g, weights="weight", seed=seed, resolution=1.0, quality="cpm", iterations=2,
                       node_weights=(deg / np.sqrt(deg.sum())).tolist())
    assert as_potts == _leiden(g, weights="weight", seed=seed, resolution=1.0, quality="modularity", iterations=2)


def test_communities_split_together_are_each_split_on_their_own():
    # Two rings of cliques and a dense group side by side, split in one run per depth: every
    # clique comes back and the dense group (best split below the threshold) stays whole.
    rings = [ring_of_cliques(12, 5), ring_of_cliques(8, 6)]
    G = nx.disjoint_union_all([r[0] for r in rings] + [nx.complete_graph(12)])
    truth, offset = [], 0
    for R, parts in rings:
        truth += [{v + offset for v in p} for p in parts]
        offset += R.number_of_nodes()
    truth.append(set(range(offset, offset + 12)))
    for seed in (0, 1):
        found = communities(G, weight=None, seed=seed, split_min_modularity=0.3, split_min_size=6)
        assert sorted(map(sorted, found)) == sorted(map(sorted, truth))


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_communities_repeat_with_the_same_seed(seed):
    G = nx.les_miserables_graph()
    a = communities(G, seed=seed, split_min_modularity=0.3)
    b = communities(G, seed=seed, split_min_modularity=0.3)
    assert a == b


def test_igraph_leiden_as_good_as_leidenalg_on_karate_and_les_miserables():
    for G in (nx.karate_club_graph(), nx.les_miserables_graph()):
        ours = communities(G, seed=0)
        g, nodes = to_igraph(G, "weight")
        theirs = leidenalg.find_partition(g, leidenalg.RBConfigurationVertexPartition, weights="weight", seed=0)
        q_ours = nx.community.modularity(G, ours, weight="weight")
        assert q_ours >= theirs.modularity - 0.01


# --- brokerage (ego-network betweenness) ------------------------------------------------------
def nx_ego_betweenness(G):
    return {v: nx.betweenness_centrality(nx.ego_graph(G, v), normalized=False)[v] for v in G}


@pytest.mark.parametrize("G", [nx.karate_club_graph(), nx.florentine_families_graph(), nx.les_miserables_graph()],
                         ids=["karate", "florentine", "les_miserables"])
def test_ego_betweenness_equals_networkx_on_ego_graphs(G):
    from graphmap.network.bridges import ego_betweenness

    ours, theirs = ego_betweenness(G), nx_ego_betweenness(G)
    assert max(abs(ours[v] - theirs[v]) for v in G) < 1e-9
    top = ego_betweenness(G, top=5)  # pruned search: the same five highest values, exactly
    assert sorted(top.values())[-5:] == pytest.approx(sorted(theirs.values())[-5:])


def test_bridges_rank_by_brokerage_finds_the_child_between_two_groups():
    from graphmap.network.bridges import bridges

    # Two small cliques joined only through "Y", inside a larger network a hub dominates.
    G = nx.Graph()
    G.add_edges_from((f"a{i}", f"a{j}") for i in range(4) for j in range(i + 1, 4))
    G.add_edges_from((f"b{i}", f"b{j}") for i in range(4) for j in range(i + 1, 4))
    G.add_edges_from([("Y", "a0"), ("Y", "a1"), ("Y", "b0"), ("Y", "b1")])
    G.add_edges_from(("H", f"s{i}") for i in range(30))  # a hub on many routes
    G.add_edges_from(("s0", f"t{i}") for i in range(30))
    G.add_edge("H", "a2")
    by_bc = [r["person_id"] for r in bridges(G)]
    by_broker = bridges(G, rank_by="brokerage")
    ids = [r["person_id"] for r in by_broker]
    assert by_bc.index("a2") < by_bc.index("Y")  # the hub's way in carries more whole-network routes
    assert ids.index("Y") < ids.index("a2")  # but Y alone joins its two groups
    assert by_broker[ids.index("Y")]["brokerage"] == 4.0  # a0/a1 x b0/b1, no one else joins them
    assert all(r["score"] == r["brokerage"] and r["rank_by"] == "brokerage" for r in by_broker)


# --- igraph conversion of subgraph views --------------------------------------------------------
@pytest.mark.parametrize("cut", [slice(0, 30), slice(5, None), slice(10, 40)])
def test_subgraph_views_convert_to_the_same_graph(cut):
    from graphmap.network._igraph import _convert, to_igraph

    G = nx.les_miserables_graph()
    view = G.subgraph(list(G)[cut])
    g, nodes = to_igraph(view, "weight")  # cut from the whole graph's conversion
    h, plain = _convert(view, "weight")  # walked edge by edge
    assert nodes == plain == list(view)

    def edges(graph, names):
        return sorted((min(names[a], names[b]), max(names[a], names[b]), w)
                      for (a, b), w in zip(graph.get_edgelist(), graph.es["weight"]))
    assert edges(g, nodes) == edges(h, plain)


def test_one_conversion_per_graph_reused_as_copies_and_redone_when_the_graph_grows():
    from graphmap.network import _igraph

    G = nx.les_miserables_graph()
    g1, n1 = to_igraph(G, "weight")
    g2, n2 = to_igraph(G)  # unweighted: the weighted conversion without its weights
    assert G in _igraph._CACHE and {k for k in _igraph._CACHE[G] if k[0] == "conv"} == {("conv", "weight"), ("conv", None)}
    assert n1 == n2 == list(G) and g1.get_edgelist() == g2.get_edgelist() and "weight" not in g2.es.attributes()
    g1.delete_vertices([0])  # a caller may cut its copy (disruption does): the next one is whole
    assert to_igraph(G, "weight")[0].vcount() == G.number_of_nodes()
    G.add_edge("Valjean", "Someone new", weight=2.0)
    g3, n3 = to_igraph(G, "weight")
    assert n3 == list(G) and g3.ecount() == G.number_of_edges()
    h, plain = _igraph._convert(G, "weight")
    assert g3.get_edgelist() == h.get_edgelist() and g3.es["weight"] == h.es["weight"]


def test_a_reader_may_take_the_remembered_conversion_itself():
    G = nx.les_miserables_graph()
    shared, _ = to_igraph(G, "weight", copy=False)
    assert to_igraph(G, "weight", copy=False)[0] is shared
    own, _ = to_igraph(G, "weight")
    assert own is not shared and own.get_edgelist() == shared.get_edgelist()


def test_a_change_that_keeps_the_counts_still_renews_the_conversion():
    # Drop one tie and add another: the same number of nodes and edges, a different graph.
    G = nx.les_miserables_graph()
    before, _ = to_igraph(G, "weight")
    G.remove_edge("Valjean", "Javert")
    G.add_edge("Napoleon", "Cosette", weight=7.0)
    after, nodes = to_igraph(G, "weight")
    assert (after.vcount(), after.ecount()) == (before.vcount(), before.ecount())
    i = {v: k for k, v in enumerate(nodes)}
    assert after.are_adjacent(i["Napoleon"], i["Cosette"]) and not after.are_adjacent(i["Valjean"], i["Javert"])


@pytest.fixture(scope="module")
def demo_frames(tmp_path_factory):
    from graphmap.network.graphs import load_frames
    from graphmap.store import open_store
    from graphmap.window import Window
    from tests.conftest import SAMPLE_DEMO

    with open_store(tmp_path_factory.mktemp("demo") / "g.db") as store:
        store.load([SAMPLE_DEMO])
        return load_frames(store, Window.ending("2026-10-31", 365))


def test_the_person_graph_comes_with_the_same_conversion_the_walk_makes(demo_frames):
    from graphmap.network import _igraph
    from graphmap.network.graphs import person_graph

    G = person_graph(demo_frames)
    primed = _igraph._CACHE[G][("conv", "weight")]  # made by the build, before any analysis asks
    walked, nodes = _igraph._convert(G, "weight")
    assert primed[1] == nodes == list(G) and G.number_of_edges() > 500
    assert primed[0].get_edgelist() == walked.get_edgelist()  # same edges, same order, same ends first
    assert primed[0].es["weight"] == walked.es["weight"]


def test_peer_group_stability_timed_apart_gives_the_same_groups():
    from graphmap.network.peer_groups import group_stability, peer_groups

    G = nx.les_miserables_graph()
    nx.set_node_attributes(G, "young_person", "role")
    together = peer_groups(G, seed=3, stability_runs=2, min_size=2)
    apart = group_stability(G, peer_groups(G, seed=3, stability_runs=0, min_size=2), runs=2, seed=3)
    assert together == apart
    assert all(0 < g["stability"] <= 1 for g in apart) and apart[0]["partition_ari_reruns"] is not None


# --- two processes ------------------------------------------------------------------------------
def test_analyse_on_two_processes_writes_the_same_document(tmp_path):
    import json

    from graphmap.network.analyse import RUN_KEYS, analyse_frames
    from graphmap.network.graphs import load_frames
    from graphmap.store import open_store
    from graphmap.window import Window
    from tests.conftest import SAMPLE_DEMO

    with open_store(tmp_path / "g.db") as store:
        store.load([SAMPLE_DEMO])
        frames = load_frames(store, Window.ending("2026-10-31", 365))
    one = analyse_frames(frames, seed=0, workers=1)
    two = analyse_frames(frames, seed=0, workers=2)
    assert (one["workers"], two["workers"]) == (1, 2)
    assert set(one["timings_s"]) == set(two["timings_s"])  # every analysis timed either way

    def strip(d):
        return json.dumps({k: v for k, v in d.items() if k not in RUN_KEYS},
                          sort_keys=True, default=str)
    assert strip(one) == strip(two)
    assert all(g["stability"] is not None for g in two["peer_groups"])
