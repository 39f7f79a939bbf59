"""The faster and more scalable code paths of the network analyses give the results they replace.

Checked on small classic graphs (exact values) and on the eval data; every path seeded.
"""

from __future__ import annotations

import leidenalg
import networkx as nx
import pytest

from graphmap.network._igraph import to_igraph
from graphmap.network.peer_groups import communities


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
