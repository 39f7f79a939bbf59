"""Disruption targets: whose removal separates the most young people from adults of concern.

Sequential (adaptive) betweenness removal: remove the person with the highest betweenness,
recompute, repeat, recording the effect of every step. This is the strategy Cavallaro et al.
(2020) found most damaging on the Sicilian Mafia networks (we reproduce their published curve
step for step); restricted to paths between young people and adults of concern it answers the
key-player question (Borgatti 2006): which few people, if disrupted, cut children off from the
adults around them.
"""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np

from .. import schema
from ._brandes import Searcher
from ._igraph import to_igraph


def _components(g: ig.Graph) -> np.ndarray:
    """Each vertex's connected component (the plain membership list: no clustering object)."""
    return np.asarray(ig.GraphBase.connected_components(g), dtype=np.int64)


def _separation(memb: np.ndarray, young: np.ndarray, adult: np.ndarray) -> tuple[int, np.ndarray]:
    """(largest component size, which young people share a component with an adult), from the
    component ``memb``ership of each vertex."""
    if not len(memb):
        return 0, np.zeros(0, dtype=bool)
    k = int(memb.max()) + 1
    has_adult = np.bincount(memb[adult], minlength=k) > 0
    return int(np.bincount(memb, minlength=k).max()), young & has_adult[memb]


def sequential_removal(G: nx.Graph, *, steps: int | None = None, until: int | None = None, candidates=None,
                       sources=None, targets=None, young_people=None, adults=None,
                       endpoints: bool = False, tie_break: str = "last", tie_order=None,
                       max_sources: int | None = None, seed: int = 0) -> list[dict]:
    """Remove people one at a time by highest (recomputed) betweenness; report each step's effect.

    Parameters
    ----------
    G : networkx.Graph
    steps : int, optional
        How many people to remove (default ``network.disruption.steps``; with ``until``, no limit).
    until : int, optional
        Stop when this many nodes remain (Cavallaro et al. stop at 5).
    candidates : iterable, optional
        Who may be removed (default: everyone). Others still carry paths.
    sources, targets : iterable, optional
        Count only shortest paths between these sets (e.g. young people and adults of concern);
        default all pairs (Freeman betweenness).
    young_people, adults : iterable, optional
        Whose separation to report (default: roles ``young_person`` / ``adult_of_concern``).
    endpoints : bool
        With ``sources`` / ``targets``, also count the paths that *end* at a node (as
        NetworkX's ``endpoints=True``): an adult of concern then scores for every young person
        who can reach them, so removing the adult is weighed against removing a go-between.
    tie_break : {"last", "first"}
        Among equal scores remove the node added to ``G`` last (the ``"last"`` of a stable
        ascending sort, as Cavallaro et al.) or first.
    max_sources : int, optional
        With ``sources``, estimate each step's betweenness from this many sampled sources
        (scaled by ``len(sources) / max_sources``; Brandes & Pich 2007) when there are more.
    seed : int
        Seed for that sample.
    tie_order : sequence, optional
        The order that decides ties instead of ``G``'s node order (e.g. the order people first
        appear in a source file, to reproduce a published run).

    Returns
    -------
    list of dict
        In removal order: ``step, person_id, betweenness, largest_component,
        largest_component_fraction`` (of the starting largest component),
        ``young_people_separated`` (young people who shared a component with an adult of
        concern before this step and no longer do), ``cumulative_young_people_separated``,
        ``young_people_still_reachable``, ``young_people_within_hops`` (of an adult of
        concern, ``network.exposure.max_hops``) and ``within_hops_reduced_by`` (this step's
        effect on it: in one connected network removing one person rarely separates anyone,
        but it can lengthen every route), ``separated`` (their ids).

    References
    ----------
    .. [1] L. Cavallaro et al., "Disrupting resilient criminal networks through data analysis:
       the case of Sicilian Mafia", PLOS ONE 15(8), e0236476 (2020).
    .. [2] S. P. Borgatti, "Identifying sets of key players in a social network", Comput. Math.
       Organiz. Theory 12, 21–34 (2006).
    .. [3] U. Brandes, "A faster algorithm for betweenness centrality", J. Math. Sociol. 25,
       163–177 (2001).

    Examples
    --------
    >>> G = nx.path_graph(["Y", "X", "A"])
    >>> nx.set_node_attributes(G, {"Y": "young_person", "X": "associate", "A": "adult_of_concern"}, "role")
    >>> sequential_removal(G, steps=1)[0]["person_id"], sequential_removal(G, steps=1)[0]["young_people_separated"]
    ('X', 1)
    """
    if tie_order is not None:
        rank = {v: i for i, v in enumerate(tie_order)}
        H = nx.Graph()
        H.add_nodes_from(sorted(G.nodes(data=True), key=lambda x: rank.get(x[0], len(rank))))
        H.add_edges_from(G.edges())
        G = H
    g, nodes = to_igraph(G)
    role = dict(G.nodes(data="role"))
    return _removal(g, nodes, role, steps=steps, until=until, candidates=candidates, sources=sources,
                    targets=targets, young_people=young_people, adults=adults, endpoints=endpoints,
                    tie_break=tie_break, max_sources=max_sources, seed=seed)


def _removal(g: ig.Graph, nodes: list, role: dict, *, steps=None, until=None, candidates=None, sources=None,
             targets=None, young_people=None, adults=None, endpoints=False, tie_break="last", max_sources=None,
             seed=0) -> list[dict]:
    """:func:`sequential_removal` on igraph graph ``g`` (vertex i is ``nodes[i]``; ``g`` is changed)."""
    if until is None and steps is None:
        steps = int(schema.setting("network.disruption.steps"))
    names = np.asarray(nodes, dtype=object)
    ys = set(young_people) if young_people is not None else {v for v in nodes if role.get(v) == "young_person"}
    ad = set(adults) if adults is not None else {v for v in nodes if role.get(v) == "adult_of_concern"}
    young = np.array([v in ys for v in nodes], dtype=bool)
    adult = np.array([v in ad for v in nodes], dtype=bool)

    def mask(members):
        members = set(members)
        return np.array([v in members for v in nodes], dtype=bool)

    cand = np.ones(len(nodes), dtype=bool) if candidates is None else mask(candidates)
    src = mask(sources) if sources is not None else None
    tgt = mask(targets) if targets is not None else None
    hops = int(schema.setting("network.exposure.max_hops"))
    rng = np.random.default_rng(seed)
    # Searches run on the starting graph with removed people masked out (vertex ids stay those
    # of the start: orig[i] is the current vertex i's); components on g, which shrinks.
    search = Searcher(g)
    orig = np.arange(len(nodes))
    memb = _components(g)  # kept up to date after each removal

    def exposed_now() -> int:
        """Young people within ``hops`` of an adult of concern (one search from all adults)."""
        near = search.within(orig[adult], hops)[orig]
        return int((young & near).sum())

    lcc0, reach = _separation(memb, young, adult)
    exposed = exposed_now()
    out = []
    while g.vcount() > 0:
        if steps is not None and len(out) >= steps:
            break
        if until is not None and g.vcount() <= until:
            break
        n = g.vcount()
        if src is None and tgt is None:
            b = search.counts(orig)[orig] / 2  # igraph's (unordered pairs)
            b = b * (2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0)
        else:
            s = np.flatnonzero(src) if src is not None else None
            t = np.flatnonzero(tgt) if tgt is not None else None
            if (s is not None and not len(s)) or (t is not None and not len(t)):
                break
            scale = 1.0
            if s is not None and max_sources and len(s) > max_sources:
                scale = len(s) / max_sources
                s = np.sort(rng.choice(s, size=max_sources, replace=False))
            tmask = None
            if t is not None:
                tmask = np.zeros(len(search.alive), dtype=bool)
                tmask[orig[t]] = True
            # Ordered pairs halved (igraph's undirected figure, as NetworkX's subset) and halved
            # again: the scale the endpoint term below has always been weighed against.
            b = search.counts(orig if s is None else orig[s], tmask)[orig] / 4 * scale
            if endpoints:
                sm = src if src is not None else np.ones(n, dtype=bool)
                tm = tgt if tgt is not None else np.ones(n, dtype=bool)
                s_in = np.bincount(memb[sm], minlength=memb.max() + 1)
                t_in = np.bincount(memb[tm], minlength=memb.max() + 1)
                b = b + np.where(sm, t_in[memb] - tm, 0) + np.where(tm, s_in[memb] - sm, 0)
        b = np.where(cand, b, -np.inf)
        if not np.isfinite(b).any():
            break
        top = b.max()
        tied = np.flatnonzero(np.isclose(b, top, rtol=1e-9, atol=1e-12))
        i = int(tied[-1] if tie_break == "last" else tied[0])
        who = names[i]
        keep = np.ones(n, dtype=bool)
        keep[i] = False
        g.delete_vertices([i])
        search.remove(orig[i])
        orig = orig[keep]
        names, young, adult, cand = names[keep], young[keep], adult[keep], cand[keep]
        src = src[keep] if src is not None else None
        tgt = tgt[keep] if tgt is not None else None
        memb = _components(g)
        lcc, now = _separation(memb, young, adult)
        lost = sorted(names[reach[keep] & ~now].tolist())  # reachable before this step, not after
        reach = now
        within = exposed_now()
        out.append({"step": len(out) + 1, "person_id": who, "role": role.get(who),
                    "betweenness": round(float(top), 6), "largest_component": lcc,
                    "largest_component_fraction": lcc / lcc0 if lcc0 else 0.0,
                    "young_people_separated": len(lost),
                    "cumulative_young_people_separated": len(lost) + (
                        out[-1]["cumulative_young_people_separated"] if out else 0),
                    "young_people_still_reachable": int(now.sum()),
                    "young_people_within_hops": within, "within_hops_reduced_by": exposed - within,
                    "separated": lost})
        exposed = within
    return out


def disruption_targets(G: nx.Graph, *, steps: int | None = None, include_young_people: bool = False,
                       seed: int = 0) -> list[dict]:
    """Who to disrupt to cut the most young people off from adults of concern.

    Sequential removal (:func:`sequential_removal`) counting only shortest paths between young
    people and adults of concern (paths ending at an adult count for that adult), run on the
    components that hold both (sampled sources above ``network.disruption.max_sources`` adults).
    Young people are not
    offered as targets unless ``include_young_people`` (a child who recruits is also a victim).

    Returns
    -------
    list of dict
        As :func:`sequential_removal`, in removal order (the first is the best single target).
    """
    role = dict(G.nodes(data="role"))
    ys = {v for v in G if role.get(v) == "young_person"}
    ad = {v for v in G if role.get(v) == "adult_of_concern"}
    # The components holding both young people and adults of concern, cut in C from one
    # conversion of G (vertices stay in G's order, which breaks ties).
    g, nodes = to_igraph(G)
    memb = _components(g)
    young = np.fromiter((v in ys for v in nodes), dtype=bool, count=len(nodes))
    adult = np.fromiter((v in ad for v in nodes), dtype=bool, count=len(nodes))
    both = (np.bincount(memb, weights=young, minlength=memb.max() + 1 if len(memb) else 0) > 0) & \
        (np.bincount(memb, weights=adult, minlength=memb.max() + 1 if len(memb) else 0) > 0)
    sel = np.flatnonzero(both[memb]) if len(memb) else np.array([], dtype=np.int64)
    h = g.induced_subgraph(sel.tolist())
    kept = [nodes[i] for i in sel]
    cand = None if include_young_people else [v for v in kept if v not in ys]
    return _removal(h, kept, role, steps=steps, candidates=cand, sources=[v for v in kept if v in ad],
                    targets=[v for v in kept if v in ys], young_people=ys, adults=ad, endpoints=True,
                    max_sources=int(schema.setting("network.disruption.max_sources")), seed=seed)
