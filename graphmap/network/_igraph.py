"""Converting a NetworkX graph to python-igraph, for the algorithms that are faster there.

igraph computes the same quantities (same definitions) in C; the functions that use it give
the same numbers as their NetworkX counterparts (checked in tests/test_network_eval.py).
"""

from __future__ import annotations

import weakref

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

# One conversion per graph, shared by every analysis of it (peer groups, their stability re-runs,
# bridges, exposure and disruption each converted the same person graph: 0.2-0.3 s apiece on a
# borough). Keyed weakly on the graph object, so a graph that is dropped takes its copy with it.
# An entry is used only while the graph has not changed since: NetworkX clears a graph's
# ``__networkx_cache__`` on every change of its nodes or edges (its own backends' converted
# graphs live there), so the entry's token is kept in it and checked. Counting the edges
# instead walked every node's adjacency on each call: 10-30 ms on a borough, tens of calls per
# analysis. A view, or a graph without that cache, is checked by its size.
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_TOKEN = "graphmap.igraph"


def _stamp(G: nx.Graph) -> object:
    """What an entry for ``G`` was made under: the token in NetworkX's cache (a fresh one when
    there is none), or the graph's size where the graph keeps no such cache."""
    nx_cache = getattr(G, "__networkx_cache__", None)
    # A view's own cache is not cleared when the graph it looks into changes.
    if not isinstance(nx_cache, dict) or hasattr(G, "_graph"):
        return (G.number_of_nodes(), G.number_of_edges())
    return nx_cache.setdefault(_TOKEN, object())


def _entries(G: nx.Graph) -> dict | None:
    """The cache entries of ``G`` still valid (emptied when ``G`` has changed), or None when
    ``G`` cannot be cached: ``("conv", weight)``: a conversion and its node list; ``"index"``:
    that node list as an index; ``"stamp"``: see :func:`_stamp`."""
    try:
        entries = _CACHE.setdefault(G, {})
    except TypeError:  # not weak-referenceable
        return None
    stamp = (_stamp(G), G.number_of_nodes())
    if entries.get("stamp") != stamp:
        entries.clear()
        entries["stamp"] = stamp
    return entries


def _cached_convert(G: nx.Graph, weight: str | None, *, copy: bool = True) -> tuple[ig.Graph, list]:
    """:func:`_convert`, remembered per (graph, weight); callers get their own copy (some delete
    vertices from it) unless ``copy=False`` (the caller only reads it)."""
    entries = _entries(G)
    if entries is None:
        return _convert(G, weight)
    hit = entries.get(("conv", weight))
    if hit is None:
        weighted = entries.get(("conv", "weight"))
        if weight is None and weighted is not None:
            # The same edges in the same order as the weighted copy; only the attribute differs.
            g = weighted[0].copy()
            del g.es["weight"]
            hit = (g, weighted[1])
        else:
            hit = _convert(G, weight)
        entries[("conv", weight)] = hit
    return (hit[0].copy(), list(hit[1])) if copy else hit


def _node_index(G: nx.Graph, nodes: list) -> pd.Index:
    """``nodes`` (the node list of ``G``'s conversion) as an index, made once per conversion."""
    entries = _entries(G)
    index = None if entries is None else entries.get("index")
    if index is None:
        index = pd.Index(nodes, dtype=object, tupleize_cols=False)
        if entries is not None:
            entries["index"] = index
    return index


def prime(G: nx.Graph, us, vs, weights) -> None:
    """Give :func:`to_igraph` the weighted conversion of a graph just built from these edges.

    ``us``, ``vs`` (node arrays) and ``weights`` are ``G``'s edges in the order they were added
    to a graph that had nodes but no edges. A build holds them as arrays already, so the
    conversion is made with numpy instead of walking the adjacency dicts (0.1-0.2 s on a
    borough): the same vertices, edges, edge order and weights as :func:`_convert` gives.
    """
    entries = _entries(G)
    if entries is None or G.is_directed() or G.is_multigraph():
        return
    nodes = list(G)
    index = pd.Index(nodes, dtype=object, tupleize_cols=False)
    pu = index.get_indexer(pd.Index(np.asarray(us, dtype=object), dtype=object, tupleize_cols=False))
    pv = index.get_indexer(pd.Index(np.asarray(vs, dtype=object), dtype=object, tupleize_cols=False))
    if len(pu) and min(pu.min(), pv.min()) < 0:
        raise ValueError("prime: an edge's end is not a node of the graph")
    # _convert's order: from each node in node order, its ties to later nodes in the order they
    # were added (each tie is met first at its end that comes first); loops left out, as there.
    lo, hi = np.minimum(pu, pv), np.maximum(pu, pv)
    order = np.argsort(lo, kind="stable")
    order = order[lo[order] != hi[order]]
    g = ig.Graph(n=len(nodes), edges=np.column_stack([lo[order], hi[order]]).tolist(), directed=False)
    g.es["weight"] = np.asarray(weights, dtype=float)[order].tolist()
    entries[("conv", "weight")] = (g, nodes)
    entries["index"] = index
    entries.pop(("conv", None), None)


def _convert(G: nx.Graph, weight: str | None) -> tuple[ig.Graph, list]:
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    if G.is_directed() or G.is_multigraph():
        edges = [(index[u], index[v]) for u, v in G.edges() if u != v]
        if weight is None:
            return ig.Graph(n=len(nodes), edges=edges, directed=False), nodes
        g = ig.Graph(n=len(nodes), edges=edges, directed=False)
        g.es["weight"] = [float(w) for u, v, w in G.edges(data=weight, default=1.0) if u != v]
        return g, nodes
    # The edges in G.edges() order (each from the first of its ends met, loops left out), read
    # from the adjacency dicts directly: the edge views cost most of a borough's conversion.
    edges: list = []
    weights: list = []
    seen: set = set()
    for u, nbrs in G._adj.items():
        iu = index[u]
        for v, d in nbrs.items():
            if v not in seen and v != u:
                edges.append((iu, index[v]))
                if weight is not None:
                    weights.append(float(d.get(weight, 1.0)))
        seen.add(u)
    g = ig.Graph(n=len(nodes), edges=edges, directed=False)
    if weight is not None:
        g.es["weight"] = weights
    return g, nodes


def _root_of_node_view(G: nx.Graph):
    """The graph a node-induced subgraph view (``G.subgraph(nodes)``) looks into, else None."""
    root = G
    while hasattr(root, "_graph") and getattr(root, "_EDGE_OK", None) is nx.filters.no_filter:
        root = root._graph
    return None if root is G or hasattr(root, "_graph") else root


def to_igraph(G: nx.Graph, weight: str | None = None, *, copy: bool = True) -> tuple[ig.Graph, list]:
    """An undirected igraph copy of ``G`` and the node list (igraph vertex i is ``nodes[i]``).

    Node order is ``list(G)``, so ties between equal scores break the same way as NetworkX's
    iteration order. A subgraph view (``G.subgraph(nodes)``) is cut from a conversion of the
    graph it views, in C: walking a view's filtered edges in Python costs several times more.
    The conversion of a graph is made once and reused until its nodes or edges change (change a
    graph's weights in place and the old copy would be served: build a new graph instead); each
    call returns a fresh copy, free to modify, unless ``copy=False``: then the graph may be the
    remembered one itself, which the caller must only read.
    """
    root = _root_of_node_view(G)
    if root is None or root.is_directed() or root.is_multigraph():
        return _cached_convert(G, weight, copy=copy) if root is None and not G.is_directed() \
            and not G.is_multigraph() else _convert(G, weight)
    g_root, root_nodes = _cached_convert(root, weight, copy=False)  # only read: the cut is new
    nodes = list(G)
    # Where each node sits in the root's conversion (hashed in bulk). induced_subgraph keeps the
    # root's order, so vertex k of the cut is nodes[order[k]]; permuting it there (in C; edges
    # and weights keep their order) makes vertex i be nodes[i]. A view of more than half the
    # graph lists its nodes in the root's order already, and needs no permuting.
    pos = _node_index(root, root_nodes).get_indexer(pd.Index(nodes, dtype=object, tupleize_cols=False))
    if (np.diff(pos) > 0).all():
        return g_root.induced_subgraph(pos.tolist()), nodes
    order = np.argsort(pos, kind="stable")
    sub = g_root.induced_subgraph(pos[order].tolist())
    return sub.permute_vertices(_permutation(order).tolist()), nodes


def _permutation(new_id: np.ndarray) -> np.ndarray:
    """The argument ``permute_vertices`` needs to move vertex k to ``new_id[k]``: igraph 0.10
    read it as "vertex k goes to perm[k]", igraph 1.0 as "new vertex k is old perm[k]" (probed
    once on a two-vertex edge, so both behave)."""
    global _MAPS_OLD_TO_NEW
    if _MAPS_OLD_TO_NEW is None:
        probe = ig.Graph(n=3, edges=[(0, 1)]).permute_vertices([1, 2, 0])
        _MAPS_OLD_TO_NEW = sorted(probe.get_edgelist()[0]) == [1, 2]
    return new_id if _MAPS_OLD_TO_NEW else np.argsort(new_id)


_MAPS_OLD_TO_NEW: bool | None = None


def adjacency(g: ig.Graph):
    """The 0/1 adjacency matrix of an igraph graph as scipy CSR (no self-loops)."""
    import scipy.sparse as sp

    e = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    e = e[e[:, 0] != e[:, 1]]
    n = g.vcount()
    A = sp.coo_array((np.ones(2 * len(e)), (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])), shape=(n, n)).tocsr()
    A.data[:] = 1.0  # parallel edges count once
    return A
