"""Bridges: people who connect groups (betweenness, participation across groups, cut points).

A young person who bridges two peer groups is a safeguarding signal in themselves; an adult
who bridges several is a likely route between them.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np

from .. import schema
from ._brandes import Searcher
from ._igraph import adjacency, to_igraph
from .graphs import edge_records


def betweenness(G: nx.Graph, *, k: int | None = None, seed: int | None = 0, sources=None,
                targets=None) -> dict:
    """Normalised shortest-path betweenness of every node (unweighted), as NetworkX defines it.

    Brandes' algorithm, compiled (:mod:`graphmap.network._brandes`): exact values equal
    ``nx.betweenness_centrality(G)``. With ``k`` pivots the value is estimated from ``k``
    sampled sources (Brandes & Pich 2007) and scaled by ``n / k``; with ``sources`` /
    ``targets`` only paths between those sets count (normalised as NetworkX's
    ``betweenness_centrality_subset``: raw, halved for undirected graphs).

    Parameters
    ----------
    G : networkx.Graph
    k : int, optional
        Number of sampled pivots (exact when ``None`` or ``k >= n``).
    seed : int, optional
        Seed for the pivot sample.
    sources, targets : iterable, optional
        Subset betweenness.

    Returns
    -------
    dict
        ``{node: betweenness}``.

    References
    ----------
    .. [1] L. C. Freeman, "A set of measures of centrality based on betweenness",
       Sociometry 40, 35–41 (1977).
    .. [2] U. Brandes, "A faster algorithm for betweenness centrality", J. Math. Sociol. 25,
       163–177 (2001).
    .. [3] U. Brandes, C. Pich, "Centrality estimation in large networks", Int. J. Bifurcation
       and Chaos 17, 2303–2318 (2007).

    Examples
    --------
    >>> round(betweenness(nx.path_graph(3))[1], 3)
    1.0
    """
    n = G.number_of_nodes()
    if n == 0:
        return {}
    g, nodes = to_igraph(G)
    search = Searcher(g)  # compiled Brandes: igraph's values, 2.5-3x faster (see _brandes)
    index = {v: i for i, v in enumerate(nodes)}
    if sources is not None or targets is not None:
        s = [index[v] for v in sources] if sources is not None else range(n)
        t = None
        if targets is not None:
            t = np.zeros(n, dtype=bool)
            t[[index[v] for v in targets]] = True
        # Ordered pairs halved: NetworkX's betweenness_centrality_subset (and igraph's figure).
        # Until session 5 this path halved igraph's figure again (half NetworkX's; no caller used it).
        raw = search.counts(s, t) / 2
        return {v: float(b) for v, b in zip(nodes, raw)}
    if k is None or k >= n:
        raw = search.counts(np.arange(n)) / 2
        scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    else:
        rng = np.random.default_rng(seed)
        piv = sorted(rng.choice(n, size=k, replace=False).tolist())
        raw = search.counts(piv) / 2
        scale = (n / k) * 2.0 / ((n - 1) * (n - 2))
    return {v: float(b) * scale for v, b in zip(nodes, raw)}


def ego_betweenness(G: nx.Graph, *, top: int | None = None) -> dict:
    """Betweenness of each node inside its own ego network (Everett & Borgatti 2005).

    For a node, every pair of its contacts not tied to each other counts ``1 / (1 + c)``, where
    ``c`` is how many of its other contacts also join that pair: the share of the pair's
    shortest routes (all of length two) running through the node. It is local, so a young
    person who is the only link between two small groups scores as high as a hub of the whole
    network, and it costs the sum of squared degrees, not a search from every node.

    Parameters
    ----------
    G : networkx.Graph
    top : int, optional
        Only the ``top`` highest values are needed: nodes are taken in order of their open
        pairs of contacts (an upper bound) and the search stops once no remaining node can
        enter the top; the values returned are exact.

    Returns
    -------
    dict
        ``{node: ego betweenness}`` (unnormalised: pairs of contacts brokered); with ``top``,
        only the nodes computed.

    References
    ----------
    .. [1] M. Everett, S. P. Borgatti, "Ego network betweenness", Social Networks 27, 31–38
       (2005).

    Examples
    --------
    >>> ego_betweenness(nx.star_graph(3))[0]
    3.0
    """
    if G.number_of_nodes() == 0:
        return {}
    g, nodes = to_igraph(G)
    A = adjacency(g)
    ptr, ind = A.indptr, A.indices
    deg = np.diff(ptr)
    tri = np.asarray((A @ A).multiply(A).sum(axis=1)).ravel() / 2  # triangles at each node
    bound = deg * (deg - 1) / 2 - tri  # pairs of contacts not tied: each counts at most 1
    order = np.lexsort((np.arange(len(nodes)), -bound))
    pos = np.full(len(nodes), -1, dtype=np.int64)
    out: dict = {}
    best: list[float] = []  # the top values so far (min-heap)
    import heapq

    for i in order:
        if top is not None and len(best) >= top and bound[i] < best[0]:
            break
        nb = ind[ptr[i]:ptr[i + 1]]
        k = len(nb)
        value = 0.0
        if k >= 2 and bound[i] > 0:
            pos[nb] = np.arange(k)
            sub = np.zeros((k, k))
            for r, j in enumerate(nb):  # the ties among the contacts
                row = pos[ind[ptr[j]:ptr[j + 1]]]
                sub[r, row[row >= 0]] = 1.0
            pos[nb] = -1
            via = sub @ sub  # contacts joining each pair besides the ego
            iu = np.triu_indices(k, 1)
            open_ = sub[iu] == 0
            value = float((1.0 / (1.0 + via[iu][open_])).sum())
        out[nodes[i]] = value
        if top is not None:
            (heapq.heappush if len(best) < top else heapq.heappushpop)(best, value)
    return out


def participation(G: nx.Graph, group_of: dict, node) -> float:
    """Participation coefficient of ``node`` across groups: 1 − Σ_s (k_s / k)², over the
    neighbours that are in a group (Guimerà & Amaral 2005). 0 when all are in one group.

    >>> G = nx.star_graph(4)
    >>> participation(G, {1: "a", 2: "a", 3: "b", 4: "b"}, 0)
    0.5
    """
    c = Counter(group_of[n] for n in G[node] if n in group_of)
    k = sum(c.values())
    return 0.0 if k == 0 else float(1 - sum((x / k) ** 2 for x in c.values()))


def bridge_betweenness(G: nx.Graph, *, k: int | None = None, seed: int = 0) -> tuple[dict, str]:
    """The betweenness :func:`bridges` reports: exact up to ``network.bridges.exact_max_nodes``
    nodes, else from ``k`` (default ``network.bridges.pivots``) sampled pivots.

    Returns ``({node: betweenness}, method)`` with ``method`` ``"exact"`` or ``"sampled (k
    pivots)"``. A function of its own so that ``graphmap analyse`` can run it on the second core
    while the peer groups are found (it needs only the graph).
    """
    n = G.number_of_nodes()
    if k is None and n > int(schema.setting("network.bridges.exact_max_nodes")):
        k = int(schema.setting("network.bridges.pivots"))
    method = "exact" if k is None or k >= n else f"sampled ({k} pivots)"
    return betweenness(G, k=k, seed=seed), method


def bridges(G: nx.Graph, *, groups: list[dict] | None = None, k: int | None = None, seed: int = 0,
            max_listed: int | None = None, rank_by: str = "betweenness",
            scores: tuple[dict, str] | None = None) -> list[dict]:
    """Rank people by how much they bridge the network, with the groups they connect.

    ``betweenness`` is normalised betweenness (Freeman 1977) on the unweighted person graph: a
    tie is a route whatever its weight. It is exact up to ``network.bridges.exact_max_nodes``
    nodes, else estimated from ``network.bridges.pivots`` sampled sources (``method`` says
    which). ``brokerage`` is ego-network betweenness (:func:`ego_betweenness`): pairs of one's
    own contacts joined only through one. ``score`` is the one ranked by (``rank_by``).

    Global betweenness answers "who lies on the routes across the whole network" and, in a
    borough, is dominated by the hubs of its one large component; a young person who is the
    only link between two small peer groups carries few of those routes (the planted bridges
    of the synthetic borough rank 15th-60th of 340 by it) but brokers between their own two
    groups of contacts, which brokerage sees (they rank 2nd-23rd). ``graphmap analyse`` ranks
    by ``network.bridges.rank_by``.

    Parameters
    ----------
    G : networkx.Graph
        A person graph.
    groups : list of dict, optional
        Peer groups (:func:`graphmap.network.peer_groups.peer_groups`).
    k : int, optional
        Pivots; default from settings when the graph is large.
    seed : int
    max_listed : int, optional
    rank_by : {"betweenness", "brokerage"}
    scores : tuple, optional
        ``bridge_betweenness(G, k=k, seed=seed)`` when the caller has already computed it.

    Returns
    -------
    list of dict
        Highest score first: ``person_id, score, rank_by, betweenness, brokerage, role,
        articulation_point, groups_connected,
        participation, bridges_groups`` (a person tied into two or more groups),
        ``young_person_bridging_groups``, ``method``, and ``ties_into_groups`` (for each group
        the strongest tie into it, with its records).

    References
    ----------
    .. [1] Freeman (1977); Brandes (2001); Brandes & Pich (2007): see :func:`betweenness`.
    .. [2] R. Guimerà, L. A. N. Amaral, "Functional cartography of complex metabolic
       networks", Nature 433, 895–900 (2005).
    .. [3] J. Hopcroft, R. Tarjan, "Algorithm 447: efficient algorithms for graph
       manipulation", Comm. ACM 16, 372–378 (1973) (articulation points).
    .. [4] Everett & Borgatti (2005): see :func:`ego_betweenness`.
    """
    if rank_by not in ("betweenness", "brokerage"):
        raise ValueError(f"rank_by must be betweenness or brokerage, not {rank_by!r}")
    cfg = schema.setting("network.bridges")
    max_listed = int(cfg["max_listed"] if max_listed is None else max_listed)
    bc, method = bridge_betweenness(G, k=k, seed=seed) if scores is None else scores
    g_cut, names = to_igraph(G, copy=False)
    cut = {names[i] for i in g_cut.articulation_points()}  # Hopcroft-Tarjan in C, as NetworkX's
    gof = {m: g["group_id"] for g in (groups or []) for m in g["members"]}
    # Brokerage for the people who can be listed (exact; only the top needs computing).
    ego = ego_betweenness(G, top=max_listed)
    score = bc if rank_by == "betweenness" else ego
    ranked = sorted(score, key=lambda v: (-score.get(v, 0.0), str(v)))
    out = []
    for v in ranked:
        if len(out) >= max_listed or (score.get(v, 0.0) <= 0 and v not in cut):
            break
        connected = sorted({gof[x] for x in G[v] if x in gof} | ({gof[v]} if v in gof else set()))
        into = {}
        for x in G[v]:
            if x in gof:
                d = G[v][x]
                best = into.get(gof[x])
                if best is None or d.get("weight", 1.0) > best["weight"]:
                    into[gof[x]] = {"group_id": gof[x], "via": x, "weight": round(d.get("weight", 1.0), 4),
                                    "ties": d.get("ties", {}),
                                    "records": edge_records(G, v, x)}
        role = G.nodes[v].get("role")
        eb = ego[v] if v in ego else ego_betweenness(G.subgraph([v, *G[v]]))[v]
        out.append({"person_id": v, "score": round(score.get(v, 0.0), 6), "rank_by": rank_by,
                    "betweenness": round(bc.get(v, 0.0), 6), "brokerage": round(eb, 4), "role": role,
                    "articulation_point": v in cut, "groups_connected": connected,
                    "participation": round(participation(G, gof, v), 4),
                    "bridges_groups": len(connected) >= 2,
                    "young_person_bridging_groups": role == "young_person" and len(connected) >= 2,
                    "method": method, "ties_into_groups": sorted(into.values(), key=lambda d: d["group_id"])})
    return out
