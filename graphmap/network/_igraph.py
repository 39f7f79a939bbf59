"""Converting a NetworkX graph to python-igraph, for the algorithms that are faster there.

igraph computes the same quantities (same definitions) in C; the functions that use it give
the same numbers as their NetworkX counterparts (checked in tests/test_network_eval.py).
"""

from __future__ import annotations

import igraph as ig
import networkx as nx


def to_igraph(G: nx.Graph, weight: str | None = None) -> tuple[ig.Graph, list]:
    """An undirected igraph copy of ``G`` and the node list (igraph vertex i is ``nodes[i]``).

    Node order is ``list(G)``, so ties between equal scores break the same way as NetworkX's
    iteration order.
    """
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    if weight is None:
        edges = [(index[u], index[v]) for u, v in G.edges() if u != v]
        return ig.Graph(n=len(nodes), edges=edges, directed=False), nodes
    triples = [(index[u], index[v], float(d.get(weight, 1.0))) for u, v, d in G.edges(data=True) if u != v]
    g = ig.Graph(n=len(nodes), edges=[(a, b) for a, b, _ in triples], directed=False)
    g.es["weight"] = [w for _, _, w in triples]
    return g, nodes
