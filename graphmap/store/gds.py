"""Graph algorithms run inside Neo4j Graph Data Science (GDS), for graphs too big for NetworkX.

The same questions as the NetworkX path (who clusters together, who sits between groups),
answered where the data already is: the people graph is *projected* into GDS's in-memory
catalogue with a Cypher projection (people linked by an association, or by being named on the
same incident other than as its reporter), the algorithm runs in the server on all its cores,
and only the per-person results come back over Bolt. Results are the same plain data the
NetworkX functions return: a list of sets of person ids (like
``networkx.community.louvain_communities``) and a dict person id -> normalised score (like
``networkx.betweenness_centrality``).

Labels and relationship types come from ``schema/neo4j/model.yaml`` (never from input); every
value is a parameter. Needs a Neo4j server with the GDS plugin (Aura Graph Analytics / AuraDS,
or GDS on a self-managed server); tested whenever ``GRAPHMAP_TEST_NEO4J_URI`` is set.

References
----------
.. [1] Blondel, Guillaume, Lambiotte, Lefebvre (2008). Fast unfolding of communities in large
   networks. J. Stat. Mech. P10008. GDS: https://neo4j.com/docs/graph-data-science/current/algorithms/louvain/
.. [2] Brandes (2001). A faster algorithm for betweenness centrality. J. Math. Sociol. 25(2);
   Brandes and Pich (2007), Centrality estimation in large networks (sampling). GDS:
   https://neo4j.com/docs/graph-data-science/current/algorithms/betweenness-centrality/
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterator

from .cypher import _q


def person_graph_projection(store) -> str:
    """The Cypher projection of the people graph (associations + shared incidents, undirected).

    ``gds.graph.project`` as an aggregation (GDS 2.4+): one row per pair of linked people.
    """
    m = store.model
    person = m.node("people")
    inv = m.records["involvements"]
    assoc = m.records["associations"]
    incident = m.node("incidents")
    return (
        f"CALL {{ MATCH (a:{_q(person.label)})-[:{_q(assoc.type)}]-(b:{_q(person.label)}) RETURN a, b "
        f"UNION MATCH (a:{_q(person.label)})-[r1:{_q(inv.type)}]->(:{_q(incident.label)})"
        f"<-[r2:{_q(inv.type)}]-(b:{_q(person.label)}) "
        "WHERE a <> b AND r1.role <> 'reporting' AND r2.role <> 'reporting' RETURN a, b "
        f"UNION MATCH (a:{_q(person.label)}) RETURN a, null AS b }} "
        "WITH gds.graph.project($name, a, b, {}, {undirectedRelationshipTypes: ['*']}) AS g "
        "RETURN g.graphName AS name, g.nodeCount AS nodes, g.relationshipCount AS relationships"
    )


@contextmanager
def projected(store) -> Iterator[str]:
    """Project the people graph under a fresh name; drop it afterwards (even on error)."""
    name = f"graphmap-{uuid.uuid4().hex[:12]}"
    with store._session() as session:
        session.run(person_graph_projection(store), name=name).consume()
    try:
        yield name
    finally:
        with store._session() as session:
            session.run("CALL gds.graph.drop($name, false) YIELD graphName RETURN graphName", name=name).consume()


def _person_key(store) -> str:
    return _q(store.model.node("people").key)


def louvain_communities(store, *, seed: int | None = None, max_levels: int = 10) -> list[set[str]]:
    """Louvain communities of the people graph, computed in GDS [1]_.

    Parameters
    ----------
    store : Neo4jStore
        A store on a Neo4j server with the GDS plugin.
    seed : int, optional
        Not a GDS Louvain option (its result depends on thread scheduling); accepted so calls
        match the NetworkX signature, and ignored. GDS runs with ``concurrency: 1`` when a seed
        is given so that runs repeat.
    max_levels : int
        Louvain's ``maxLevels``.

    Returns
    -------
    list of set of str
        Person ids per community, largest first (ties by smallest id), like NetworkX.
    """
    config = {"maxLevels": int(max_levels)}
    if seed is not None:
        config["concurrency"] = 1
    with projected(store) as name, store._session() as session:
        rows = session.run(
            "CALL gds.louvain.stream($name, $config) YIELD nodeId, communityId "
            f"RETURN gds.util.asNode(nodeId).{_person_key(store)} AS id, communityId AS c",
            name=name, config=config).data()
    groups: dict[int, set[str]] = {}
    for r in rows:
        groups.setdefault(r["c"], set()).add(r["id"])
    return sorted(groups.values(), key=lambda g: (-len(g), min(g)))


def betweenness_centrality(store, *, k: int | None = None, seed: int | None = None) -> dict[str, float]:
    """Betweenness of each person, computed in GDS [2]_, normalised as NetworkX does.

    Parameters
    ----------
    k : int, optional
        Sample this many source nodes (GDS ``samplingSize``) instead of all: approximate, and
        far faster on a region-sized graph. Measure its error before relying on it.
    seed : int, optional
        GDS ``samplingSeed`` (used with ``k``).

    Returns
    -------
    dict of str to float
        Person id -> betweenness, scaled by ``2 / ((n - 1)(n - 2))`` for this undirected
        graph (NetworkX's ``normalized=True``); GDS counts each unordered pair once on an
        undirected projection, so its raw score matches NetworkX's unnormalised one.
    """
    config: dict = {}
    if k is not None:
        config["samplingSize"] = int(k)
        if seed is not None:
            config["samplingSeed"] = int(seed)
    with projected(store) as name, store._session() as session:
        rows = session.run(
            "CALL gds.betweenness.stream($name, $config) YIELD nodeId, score "
            f"RETURN gds.util.asNode(nodeId).{_person_key(store)} AS id, score",
            name=name, config=config).data()
    n = len(rows)
    scale = 2 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    return {r["id"]: float(r["score"]) * scale for r in rows}
