"""The GDS path against NetworkX, on a real Neo4j with GDS (skipped unless GRAPHMAP_TEST_NEO4J_URI)."""

from __future__ import annotations

import networkx as nx
import pytest

from tests.conftest import DEMO, NEO4J_URI

pytestmark = [pytest.mark.neo4j, pytest.mark.skipif(
    not NEO4J_URI, reason="set GRAPHMAP_TEST_NEO4J_URI (a Neo4j server with GDS) to run the GDS path")]


@pytest.fixture
def neo4j_store(tmp_path):
    from tests.conftest import make_store

    s = make_store("neo4j", tmp_path)
    s.load([DEMO])
    yield s
    s.close()


def nx_people_graph(store) -> nx.Graph:
    """The graph the GDS projection describes, built in NetworkX from the same store."""
    G = nx.Graph()
    G.add_nodes_from(store.table("people")["person_id"])
    a = store.table("associations")
    G.add_edges_from(zip(a["person_id_a"], a["person_id_b"]))
    v = store.table("involvements")
    v = v[v["role"] != "reporting"]
    for _, people in v.groupby("incident_id")["person_id"]:
        ps = sorted(set(people))
        G.add_edges_from((p, q) for i, p in enumerate(ps) for q in ps[i + 1:])
    return G


def test_gds_betweenness_matches_networkx(neo4j_store):
    from graphmap.store import gds

    got = gds.betweenness_centrality(neo4j_store)
    want = nx.betweenness_centrality(nx_people_graph(neo4j_store))
    assert set(got) == set(want)
    for p in want:
        assert got[p] == pytest.approx(want[p], abs=1e-9), p


def test_gds_louvain_covers_every_person_once(neo4j_store):
    from graphmap.store import gds

    parts = gds.louvain_communities(neo4j_store, seed=1)
    people = set(neo4j_store.table("people")["person_id"])
    assert sorted(p for g in parts for p in g) == sorted(people)
    G = nx_people_graph(neo4j_store)
    assert nx.community.modularity(G, parts) >= nx.community.modularity(G, [people]) - 1e-9
