"""Peer groups: communities among young people, with how stable each one is.

Leiden (Traag, Waltman & van Eck 2019) optimising modularity is the default: on the Davis
Southern Women and the synthetic borough it finds the same or better splits than Louvain
(Blondel et al. 2008) and, unlike Louvain, guarantees every community is connected (a "peer
group" whose members have no path between them inside the group would mislead a meeting).
NetworkX's ``leiden_communities`` default metric (CPM, resolution 1) gives near-singletons on
weighted graphs, so we use modularity, in igraph's C implementation of Leiden (about 10x
faster than leidenalg on the synthetic borough; the same splits on the eval data). Each
community is then split again on its own subgraph where that split is clearly real (Ruan &
Zhang 2008), because modularity over a whole borough merges small neighbouring groups.

How the choice was made (borough: 19,329 young people, 1,720 planted groups; Davis: the two
consensus groups, at most one woman differing; ``benchmarks/peer_group_choice.py``):
modularity ARI 0.15 / Davis ok; modularity resolution 2-20 ARI 0.23-0.59 / Davis 14-18 groups;
CPM 0.2 ARI 0.94 / Davis one group; surprise ARI 0.79-0.93 / Davis 2 groups with 4 wrong, or
6 groups; modularity split again while the split has modularity >= 0.3: ARI 0.94 / Davis ok
(0.2: 0.92, 0.4: 0.93; each Davis group's best split has modularity 0.03).
"""

from __future__ import annotations

from collections import Counter

import random
import threading

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from .. import schema
from ._gc import gc_paused
from ._igraph import to_igraph
from .graphs import adults_of_concern, edge_records, young_people


_RNG_LOCK = threading.Lock()  # igraph's random generator is process-wide: one seeded run at a time


def _leiden(g: ig.Graph, *, weights, seed: int, resolution: float, quality: str, iterations: int,
            node_weights=None) -> list[int]:
    """One seeded run of igraph's Leiden (C) on ``g``: the membership list (``node_weights``:
    the constant Potts model with these vertex weights; see :func:`_split_by_level`)."""
    objective = {"modularity": "modularity", "cpm": "CPM"}[quality]
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            cl = g.community_leiden(objective_function=objective, weights=weights, resolution=resolution,
                                    n_iterations=iterations, node_weights=node_weights)
        finally:
            ig.set_random_number_generator(random)
    return cl.membership


def _split_by_level(g: ig.Graph, *, weights, seed: int, resolution: float, quality: str, iterations: int,
                    min_modularity: float | None, min_split: int) -> np.ndarray:
    """Leiden on ``g``, then on each community's own subgraph while splitting it is worth it.

    A community is split again when Leiden divides its subgraph with modularity at least
    ``min_modularity`` (Ruan & Zhang 2008); ``None`` stops after the first level.

    Every community still to be split at one depth is split in *one* Leiden run, on the graph
    of the ties inside those communities (none between them): Leiden never joins vertices with
    no path between them, so each community is split on its own. For modularity, each vertex
    weighs its degree in its community over sqrt(2 m_c) (m_c: the community's total tie
    weight) in a constant Potts model, whose quality is then, community by community, the
    modularity of that community's own subgraph times 2 m_c (Traag, Van Dooren & Nesterov
    2011): the same objective as a run per community. One run per depth instead of one per
    community (1,800 at borough size, ~50,000 in a region, each paying Python's call and copy
    costs); the splits differ only as two seeds' do (borough ARI against the planted groups
    0.9417 per community, 0.9413 by level; the two partitions agree at ARI 0.994-0.997).
    """
    memb = np.asarray(_leiden(g, weights=weights, seed=seed, resolution=resolution, quality=quality,
                              iterations=iterations), dtype=np.int64)
    if min_modularity is None or g.ecount() == 0:
        return memb
    ends = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    u, v = ends[:, 0], ends[:, 1]
    w = np.asarray(g.es[weights], dtype=float) if weights else np.ones(len(ends))
    final = np.bincount(memb)[memb] < min_split
    while not final.all():
        act = np.flatnonzero(~final)  # the vertices of the communities being split
        comm, ci = np.unique(memb[act], return_inverse=True)
        pos = np.full(g.vcount(), -1, dtype=np.int64)
        pos[act] = np.arange(len(act))
        inside = ~final[u] & ~final[v] & (memb[u] == memb[v])
        a, b, ew = pos[u[inside]], pos[v[inside]], w[inside]
        m_c = np.bincount(ci[a], weights=ew, minlength=len(comm))
        deg = np.bincount(a, weights=ew, minlength=len(act)) + np.bincount(b, weights=ew, minlength=len(act))
        h = ig.Graph(n=len(act), edges=np.column_stack([a, b]).tolist())
        h.es["weight"] = ew.tolist()
        has_ties = m_c > 0
        node_w = None
        if quality == "modularity":
            node_w = (deg / np.sqrt(2 * np.where(has_ties, m_c, 1.0))[ci]).tolist()
        sub = np.asarray(_leiden(h, weights="weight", seed=seed, resolution=resolution, quality="cpm",
                                 iterations=iterations, node_weights=node_w), dtype=np.int64)
        # The parts of each community, and the modularity of its split (resolution 1, as
        # igraph's Graph.modularity of the community's own subgraph).
        keys, si = np.unique(ci * len(act) + sub, return_inverse=True)
        of = keys // len(act)  # the community each part is of
        same = si[a] == si[b]
        w_in = np.bincount(si[a[same]], weights=ew[same], minlength=len(keys))
        k_s = np.bincount(si, weights=deg, minlength=len(keys))
        m_s = np.where(has_ties, m_c, 1.0)[of]
        q = np.bincount(of, weights=w_in / m_s - (k_s / (2 * m_s)) ** 2, minlength=len(comm))
        split = has_ties & (np.bincount(of, minlength=len(comm)) > 1) & (q >= min_modularity)
        # A split community's parts become communities (split again if large enough); the
        # others stay as they are. No ties inside: each person alone.
        lone = ~has_ties[ci]
        new = np.where(split[ci] | lone, memb.max() + 1 + np.where(lone, len(keys) + np.arange(len(act)), si),
                       memb[act])
        memb[act] = new
        final[act] = ~split[ci] | lone | (np.bincount(si, minlength=len(keys))[si] < min_split)
    return memb


def communities(G: nx.Graph, *, weight: str | None = "weight", seed: int = 0, resolution: float = 1.0,
                algorithm: str = "leiden", iterations: int = 2, quality: str = "modularity",
                split_min_modularity: float | None = None, split_min_size: int = 6,
                _converted=None) -> list[set]:
    """Partition the nodes of ``G`` into communities (largest first).

    Parameters
    ----------
    G : networkx.Graph
    weight : str or None
        Edge attribute used as weight (``None``: unweighted).
    seed : int
        Random seed; the same seed gives the same partition.
    resolution : float
        Modularity resolution (1.0 is Newman–Girvan modularity).
    algorithm : {"leiden", "louvain"}
        ``leiden``: igraph's Leiden (C); ``louvain``: NetworkX.
    quality : {"modularity", "cpm"}
        Leiden's quality function: modularity (with ``resolution``) or the constant Potts
        model (Traag, Van Dooren & Nesterov 2011; ``resolution`` is then the density a group
        must exceed, in weight units, so it does not carry from one data set to another).
    iterations : int
        Leiden iterations (2 by default; -1 runs until no improvement).
    split_min_modularity : float, optional
        Split each community again, on its own subgraph, while Leiden finds a split of it with
        at least this modularity (Ruan & Zhang 2008). Modularity on a whole borough cannot see
        groups of a handful of young people (its resolution limit: Fortunato & Barthélemy
        2007) and merges neighbouring groups; splitting again only where the split is clearly
        real recovers them (synthetic borough ARI 0.14 -> 0.94) and leaves a group that is one
        dense whole (each Davis Southern Women group: best split 0.03) as it is.
    split_min_size : int
        Communities smaller than this are not split again.

    Returns
    -------
    list of set

    References
    ----------
    .. [1] V. A. Traag, L. Waltman, N. J. van Eck, "From Louvain to Leiden: guaranteeing
       well-connected communities", Scientific Reports 9, 5233 (2019).
    .. [2] V. D. Blondel, J.-L. Guillaume, R. Lambiotte, E. Lefebvre, "Fast unfolding of
       communities in large networks", J. Stat. Mech. P10008 (2008).
    .. [3] J. Ruan, W. Zhang, "Identifying network communities with a high resolution",
       Phys. Rev. E 77, 016104 (2008).
    .. [4] S. Fortunato, M. Barthélemy, "Resolution limit in community detection", PNAS 104,
       36–41 (2007).

    Examples
    --------
    >>> G = nx.barbell_graph(5, 0)
    >>> sorted(map(sorted, communities(G, seed=1)))
    [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    """
    if next(iter(G), None) is None:  # (a view counts its nodes one by one)
        return []
    with gc_paused():  # thousands of new sets while a large graph is alive: collections walked it
        return _communities(G, weight=weight, seed=seed, resolution=resolution, algorithm=algorithm,
                            iterations=iterations, quality=quality, split_min_modularity=split_min_modularity,
                            split_min_size=split_min_size, _converted=_converted)


def _communities(G, *, weight, seed, resolution, algorithm, iterations, quality, split_min_modularity,
                 split_min_size, _converted) -> list[set]:
    """:func:`communities` with the collector paused."""
    if algorithm == "louvain":
        parts = nx.community.louvain_communities(G, weight=weight, resolution=resolution, seed=seed)
    elif algorithm == "leiden":
        g, nodes = _converted or to_igraph(G, weight)
        memb = _split_by_level(g, weights="weight" if weight else None, seed=seed, resolution=resolution,
                               quality=quality, iterations=iterations, min_modularity=split_min_modularity,
                               min_split=split_min_size)
        order = np.argsort(memb, kind="stable")
        cuts = (np.flatnonzero(np.diff(memb[order])) + 1).tolist()
        names = np.asarray(nodes, dtype=object)[order].tolist()
        parts = [set(names[a:b]) for a, b in zip([0, *cuts], [*cuts, len(names)])]
    else:
        raise ValueError(f"unknown community algorithm {algorithm!r} (leiden or louvain)")
    return sorted(map(set, parts), key=lambda c: (-len(c), min(map(str, c))))


def adjusted_rand_index(a: list, b: list) -> float:
    """Adjusted Rand index of two labellings of the same items (Hubert & Arabie 1985).

    >>> adjusted_rand_index([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    _, ia = np.unique(np.asarray(a, dtype=str), return_inverse=True)
    _, ib = np.unique(np.asarray(b, dtype=str), return_inverse=True)
    n = len(ia)
    # Sparse contingency table: counts of each (label a, label b) pair that occurs.
    _, cells = np.unique(ia.astype(np.int64) * (ib.max() + 1) + ib, return_counts=True)
    comb = lambda x: (x * (x - 1) / 2).sum()  # noqa: E731
    s_ij = comb(cells.astype(float))
    s_a, s_b = comb(np.bincount(ia).astype(float)), comb(np.bincount(ib).astype(float))
    expected = s_a * s_b / (n * (n - 1) / 2) if n > 1 else 0.0
    top = (s_a + s_b) / 2
    return 1.0 if top == expected else float((s_ij - expected) / (top - expected))


def _labels(parts: list[set], nodes: list) -> list:
    lab = {v: i for i, p in enumerate(parts) for v in p}
    return [lab.get(v, -1) for v in nodes]


@gc_paused()  # each group's members, ties and records as new containers while the graph is alive: 1.15-1.43 -> 0.82 s
def peer_groups(G: nx.Graph, *, weight: str | None = "weight", seed: int = 0, resolution: float | None = None,
                algorithm: str | None = None, min_size: int | None = None, nodes=None,
                stability_runs: int | None = None) -> list[dict]:
    """Peer groups among young people in a person graph, each with its members and evidence.

    Communities are found on the subgraph of young people (``nodes``, default every node with
    role ``young_person``); adults are then placed *around* the groups they are tied to.

    Parameters
    ----------
    G : networkx.Graph
        A person graph (:func:`graphmap.network.graphs.person_graph`).
    weight, seed, resolution, algorithm
        As :func:`communities` (defaults from ``network.peer_groups`` in settings).
    min_size : int, optional
        Smaller communities are not reported as groups.
    nodes : iterable, optional
        The people to group (default: the young people).
    stability_runs : int, optional
        Re-runs with seeds ``seed+1 ... seed+runs``: each group's ``stability`` is the mean best
        Jaccard match of its members in the re-runs; ``partition_ari`` is each re-run's adjusted
        Rand index against this one. The same seed always gives the same groups.

    Returns
    -------
    list of dict
        Largest first: ``group_id, members, size, ages {min, median, max, unknown},
        adults_of_concern [{person_id, members_tied}], strongest_ties [{a, b, weight, ties,
        records}], internal_ties, stability, algorithm, seed``.

    References
    ----------
    .. [1] Traag, Waltman & van Eck (2019); Blondel et al. (2008): see :func:`communities`.
    .. [2] L. Hubert, P. Arabie, "Comparing partitions", J. Classification 2, 193–218 (1985).
    """
    cfg = schema.setting("network.peer_groups")
    algorithm = algorithm or cfg["algorithm"]
    resolution = float(cfg["resolution"] if resolution is None else resolution)
    min_size = int(cfg["min_size"] if min_size is None else min_size)
    runs = int(cfg["stability_runs"] if stability_runs is None else stability_runs)
    H, opts = _grouping(G, cfg, weight=weight, resolution=resolution, algorithm=algorithm, nodes=nodes)
    parts = communities(H, seed=seed, **opts)
    adults = set(adults_of_concern(G))
    kept = [p for p in parts if len(p) >= min_size]
    gof = {v: i for i, p in enumerate(kept) for v in p}
    # Ties inside each group, strongest first, from one pass over the ties (not one view per group).
    internal: list[list] = [[] for _ in kept]
    adj = G._adj  # plain dicts: the views cost more than the work on a borough's ~50,000 ties
    for u, i in gof.items():
        for v, d in adj[u].items():
            # Each tie once (from its lower end), oriented by id: set order varies per process.
            if gof.get(v) == i and u <= v:
                internal[i].append((u, v, d))
    age_of = dict(G.nodes(data="age"))
    # Adults of concern around each group from the adults' own ties (a few thousand adults),
    # not by walking every member's ties.
    around_of: list[Counter] = [Counter() for _ in kept]
    for a in adults:
        for v in adj[a]:
            i = gof.get(v)
            if i is not None:
                around_of[i][a] += 1
    groups = []
    with gc_paused():  # thousands of small dicts and lists, no cycles among them
        for p, ties, around in zip(kept, internal, around_of):
            ages = [age_of[v] for v in p]
            known = sorted(a for a in ages if a is not None)
            ties.sort(key=lambda e: (-e[2].get("weight", 1.0), str(e[0]), str(e[1])))
            groups.append(_group_entry(G, p, ties, ages, known, around, algorithm or cfg["algorithm"], seed))
    groups = [{"group_id": f"PG{i:03d}", **g, "partition_ari_reruns": None} for i, g in enumerate(groups, 1)]
    if runs:
        group_stability(G, groups, runs=runs, seed=seed, weight=weight, resolution=resolution, algorithm=algorithm,
                        nodes=nodes)
    return groups


def _median(known: list) -> float:
    """``float(np.median(known))`` of a sorted, non-empty list (the same float, without numpy's
    per-call cost: a borough has thousands of groups)."""
    n = len(known)
    return float(known[n // 2]) if n % 2 else float((known[n // 2 - 1] + known[n // 2]) / 2)


def _group_entry(G, p, ties, ages, known, around, algorithm, seed) -> dict:
    """One group's entry (before its id): members, ages, adults around it, strongest ties."""
    return {
        "members": sorted(p),
        "size": len(p),
        "ages": {"min": known[0] if known else None, "median": _median(known) if known else None,
                 "max": known[-1] if known else None, "unknown": len(ages) - len(known)},
        "adults_of_concern": [{"person_id": a, "members_tied": n}
                              for a, n in sorted(around.items(), key=lambda x: (-x[1], x[0]))],
        "internal_ties": len(ties),
        "strongest_ties": [{"a": u, "b": v, "weight": round(d.get("weight", 1.0), 4), "ties": d.get("ties", {}),
                            "records": edge_records(G, u, v)}
                           for u, v, d in ties[:5]],
        "stability": None,
        "algorithm": algorithm, "seed": seed,
    }


def _grouping(G, cfg, *, weight, resolution, algorithm, nodes):
    """The young people's subgraph and the community options, as :func:`peer_groups` uses them."""
    algorithm = algorithm or cfg["algorithm"]
    nodes = young_people(G) if nodes is None else list(nodes)
    H = G.subgraph(nodes)
    conv = to_igraph(H, weight) if algorithm == "leiden" else None  # convert once for all runs
    split = cfg.get("split_min_modularity")
    opts = dict(weight=weight, resolution=float(cfg["resolution"] if resolution is None else resolution),
                algorithm=algorithm, iterations=int(cfg.get("iterations", 2)),
                quality=str(cfg.get("quality", "modularity")),
                split_min_modularity=None if split is None else float(split),
                split_min_size=int(cfg.get("split_min_size", 6)), _converted=conv)
    return H, opts


def stability_reruns(G: nx.Graph, *, runs: int | None = None, seed: int = 0, weight: str | None = "weight",
                     resolution: float | None = None, algorithm: str | None = None, nodes=None,
                     part: slice = slice(None)) -> list[list[set]]:
    """The re-runs :func:`group_stability` compares with: communities with seeds ``seed+1 ...
    seed+runs`` and the options :func:`peer_groups` uses (computable before the groups are).

    ``part`` picks some of them (``slice(0, 2)``: the first two), so two processes can share the
    re-runs; the parts, concatenated in order, are the whole list."""
    cfg = schema.setting("network.peer_groups")
    runs = int(cfg["stability_runs"] if runs is None else runs)
    which = list(range(1, runs + 1))[part]
    if not which:
        return []
    H, opts = _grouping(G, cfg, weight=weight, resolution=resolution, algorithm=algorithm, nodes=nodes)
    return [communities(H, seed=seed + i, **opts) for i in which]


def group_stability(G: nx.Graph, groups: list[dict], *, runs: int | None = None, seed: int = 0,
                    weight: str | None = "weight", resolution: float | None = None, algorithm: str | None = None,
                    nodes=None, reruns: list | None = None) -> list[dict]:
    """Fill each group's ``stability`` and ``partition_ari_reruns`` from re-runs with other seeds.

    Re-runs use seeds ``seed+1 ... seed+runs`` with the options :func:`peer_groups` used.
    ``stability`` is the mean, over re-runs, of the best Jaccard match of the group's members
    with a re-run community; ``partition_ari_reruns`` the mean adjusted Rand index of the
    re-runs against the reported groups, over their members. Timed apart from the grouping by
    ``graphmap analyse`` (``timings_s.peer_group_stability``); ``reruns`` are
    :func:`stability_reruns` computed elsewhere (e.g. in another process).
    """
    if reruns is None:
        reruns = stability_reruns(G, runs=runs, seed=seed, weight=weight, resolution=resolution,
                                  algorithm=algorithm, nodes=nodes)
    if not reruns or not groups:
        return groups
    members = [m for g in groups for m in g["members"]]
    base = [g["group_id"] for g in groups for _ in g["members"]]
    labs = [{v: i for i, q in enumerate(r) for v in q} for r in reruns]
    sizes = [[len(q) for q in r] for r in reruns]
    ari = round(float(np.mean([adjusted_rand_index(base, [lab[m] for m in members]) for lab in labs])), 4)
    for g in groups:
        p = g["members"]
        # Best Jaccard match in each re-run, from the re-run labels of this group's members.
        stab = float(np.mean([max(c / (len(p) + sizes[i][lab] - c) for lab, c in Counter(labs[i][m] for m in p).items())
                              for i in range(len(reruns))]))
        g["stability"] = round(stab, 4)
        g["partition_ari_reruns"] = ari
    return groups


def group_of(groups: list[dict]) -> dict:
    """``{person_id: group_id}`` for the members of ``groups``."""
    return {m: g["group_id"] for g in groups for m in g["members"]}


def group_context(groups: list[dict], frames, *, top: int = 5) -> list[dict]:
    """Add each group's incident mix and places in the window (from the records behind it).

    Adds ``incident_mix`` ({incident type: incidents naming a member}), ``incidents`` (ids) and
    ``places`` ([{location_id, incidents}], most first).
    """
    from .graphs import linking_involvements

    inv = linking_involvements(frames)
    # On integer codes (incidents and places sorted as their ids), one group-by per result
    # column: a borough has thousands of groups and 200,000 involvements.
    index = {m: i for i, g in enumerate(groups) for m in g["members"]}
    pc, p_ids = pd.factorize(inv["person_id"])
    g = np.array([index.get(p, -1) for p in p_ids.tolist()], dtype=np.int64)[pc] if len(p_ids) else pc
    rows = np.flatnonzero(g >= 0)
    g = g[rows]
    ic, i_ids = pd.factorize(inv["incident_id"].to_numpy(object)[rows], sort=True)
    # Each incident once per group (its type and place are the incident's).
    key, first = np.unique(g * len(i_ids) + ic, return_index=True)
    rows, g, ic = rows[first], g[first], ic[first]  # ordered by group, then incident id
    tc, t_ids = pd.factorize(inv["type"].to_numpy(object)[rows], sort=True)
    mix_key, mix_n = np.unique(g * max(len(t_ids), 1) + tc, return_counts=True)
    t_names = [str(t) for t in t_ids.tolist()]
    mix: dict = {}
    for k, n in zip(mix_key.tolist(), mix_n.tolist()):
        mix.setdefault(groups[k // len(t_ids)]["group_id"], {})[t_names[k % len(t_ids)]] = n
    names = np.asarray(i_ids, dtype=object)[ic].tolist()
    bounds = np.searchsorted(g, np.arange(len(groups) + 1)).tolist()
    with gc_paused():  # a list per group, no cycles among them
        ids = {groups[i]["group_id"]: names[a:b] for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])) if b > a}
    loc = inv["location_id"].to_numpy(object)[rows]
    at = loc != ""
    lc, l_ids = pd.factorize(loc[at], sort=True)
    pl_key, pl_n = np.unique(g[at] * max(len(l_ids), 1) + lc, return_counts=True)
    pl_g, pl_l = pl_key // max(len(l_ids), 1), pl_key % max(len(l_ids), 1)
    order = np.lexsort((pl_l, -pl_n, pl_g))  # per group: most incidents first, then location id
    pl_g, pl_l, pl_n = pl_g[order], pl_l[order], pl_n[order]
    rank = np.arange(len(pl_g)) - np.searchsorted(pl_g, pl_g)
    keep = rank < top
    l_names = np.asarray(l_ids, dtype=object)
    places: dict = {}
    for gi, loc_id, n in zip(pl_g[keep].tolist(), l_names[pl_l[keep]].tolist(), pl_n[keep].tolist()):
        places.setdefault(groups[gi]["group_id"], []).append({"location_id": str(loc_id), "incidents": n})
    for g in groups:
        k = g["group_id"]
        g["incident_mix"] = dict(sorted(mix.get(k, {}).items()))
        g["incidents"] = ids.get(k, [])
        g["places"] = places.get(k, [])
    return groups
