"""Exposure: for each young person, the shortest routes to adults of concern, and how many."""

from __future__ import annotations

from collections import deque

import networkx as nx
import numpy as np

from .. import schema
from ._gc import gc_paused
from ._igraph import to_igraph
from .graphs import adults_of_concern, edge_records, young_people


def exposure(G: nx.Graph, *, max_hops: int | None = None, sources=None, targets=None) -> list[dict]:
    """How close each young person is to adults of concern (unweighted hops).

    Parameters
    ----------
    G : networkx.Graph
        A person graph.
    max_hops : int, optional
        Adults within this many hops are counted (default ``network.exposure.max_hops``).
    sources : iterable, optional
        The young people (default: role ``young_person``).
    targets : iterable, optional
        The adults of concern (default: role ``adult_of_concern``).

    Returns
    -------
    list of dict
        One per young person with a route to an adult of concern, most exposed first (fewest
        hops, then most adults within ``max_hops``): ``person_id, nearest_adult, hops,
        adults_within, within_hops, path`` (one shortest path, young person first) and
        ``path_evidence`` (the ties and records on each hop). Paths that share their last
        hops share those hops' entries (the same dicts): treat the result as read-only.

    References
    ----------
    .. [1] E. F. Moore, "The shortest path through a maze", Proc. Int. Symp. Theory of
       Switching (1959) (breadth-first search).

    Examples
    --------
    >>> G = nx.path_graph(["Y", "X", "A"])
    >>> nx.set_node_attributes(G, {"Y": "young_person", "X": "associate", "A": "adult_of_concern"}, "role")
    >>> exposure(G)[0]["path"]
    ['Y', 'X', 'A']
    """
    max_hops = int(schema.setting("network.exposure.max_hops") if max_hops is None else max_hops)
    ys = young_people(G) if sources is None else list(sources)
    adults = adults_of_concern(G) if targets is None else list(targets)
    if not ys or not adults:
        return []
    with gc_paused():  # tens of thousands of small dicts and lists, no cycles among them
        # One multi-source BFS from all adults gives every node's nearest adult and a path to it.
        parent = {a: None for a in adults}
        dist = {a: 0 for a in adults}
        queue = deque(adults)
        adj = G._adj  # the adjacency dicts themselves: no view object per node visited
        while queue:
            u = queue.popleft()
            du = dist[u] + 1
            for v in adj[u]:
                if v not in dist:
                    dist[v] = du
                    parent[v] = u
                    queue.append(v)
        reached = [y for y in ys if y in dist]
        # Adults within max_hops of each young person: how many adults' max_hops neighbourhoods
        # (igraph, in C) hold them; only what lies within reach is ever listed.
        g, nodes = to_igraph(G)
        index = {v: i for i, v in enumerate(nodes)}
        yi = np.array([index[y] for y in reached], dtype=np.int64)
        adult_idx = [index[a] for a in adults]
        counts = np.zeros(len(nodes), dtype=np.int64)
        for i in range(0, len(adult_idx), 200):
            near = g.neighborhood(adult_idx[i:i + 200], order=max_hops)
            counts += np.bincount(np.concatenate([np.asarray(n, dtype=np.int64) for n in near]), minlength=len(nodes))
        within = counts[yi].tolist()
        # Every path follows the BFS tree: a person's path is their hop to their parent, then
        # the parent's path. Each hop's entry (and each path's tail) is built once and shared by
        # the paths through it (read-only plain data: the JSON is the same as with copies).
        paths: dict = {a: ([a], []) for a in adults}

        def route(u):
            r = paths.get(u)
            if r is None:
                chain = [u]
                while u not in paths and (p := parent[u]) is not None:  # walk up to a known route
                    chain.append(p)
                    u = p
                tail = chain.pop()  # has a known route (an adult at least)
                path, evidence = paths[tail]
                for x in reversed(chain):
                    v = path[0]
                    hop = {"a": x, "b": v, "ties": G[x][v].get("ties", {}), "records": edge_records(G, x, v)}
                    path, evidence = [x, *path], [hop, *evidence]
                    paths[x] = (path, evidence)
                r = paths[chain[0]] if chain else paths[tail]
            return r

        out = []
        for y, w in zip(reached, within):
            path, evidence = route(y)
            out.append({"person_id": y, "nearest_adult": path[-1], "hops": dist[y], "adults_within": w,
                        "within_hops": max_hops, "path": path, "path_evidence": evidence})
        return sorted(out, key=lambda r: (r["hops"], -r["adults_within"], str(r["person_id"])))
