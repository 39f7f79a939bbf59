"""Complex strategy candidates: an adult of concern or a place linked to several young people.

A complex strategy meeting is called when one adult or one place harms several children; the
pack needs every child linked to it, how, since when, and the evidence with its grading.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac

from .. import schema
from ._gc import gc_paused
from .graphs import Frames, edge_evidence, person_graph, tie_evidence


def adults_ties_graph(frames: Frames, evidence: pd.DataFrame | None = None) -> nx.Graph:
    """The person graph (:func:`graphmap.network.graphs.person_graph`) with only the ties of
    adults of concern: every person with their role, and each adult's ties with the same
    evidence as in the whole graph. All :func:`complex_strategy` reads of a person graph, built
    in a fifth of the time at borough size (the complex strategy view builds it for each
    redaction level). ``evidence``: the window's :func:`~graphmap.network.graphs.tie_evidence`.
    """
    ev = tie_evidence(frames) if evidence is None else evidence
    adults = set(frames.people["person_id"][frames.people["role"] == "adult_of_concern"].tolist())
    # A tie's evidence is kept or dropped whole, so each kept tie is built as in the whole graph.
    return person_graph(frames, evidence=ev[ev["a"].isin(adults) | ev["b"].isin(adults)])


def _evidence_lists(G: nx.Graph) -> dict | None:
    """``G``'s evidence columns as Python lists (slicing lists is cheaper than object arrays)."""
    cols = G.graph.get("evidence")
    if cols is None:
        return None
    cache = G.graph.get("_evidence_lists")
    if cache is None or cache[0] is not cols:
        cache = (cols, {k: list(v) for k, v in cols.items() if k in ("records", "grading", "fact_or_opinion")})
        G.graph["_evidence_lists"] = cache
    return cache[1]


def _child_links(G: nx.Graph, subject, ys: list) -> list[dict]:
    """Each child's link to ``subject``: ties, dates, records, gradings, whether only opinion.

    Reads the evidence columns of ``G`` by each tie's row span (no dict per piece of evidence):
    a borough has thousands of candidates and tens of thousands of links.
    """
    cols = _evidence_lists(G)
    out = []
    for y in ys:
        d = G[subject][y]
        if cols is None or "ev" not in d:  # a graph built by hand: evidence as dicts on the tie
            ev = edge_evidence(G, subject, y)
            records = sorted({r for e in ev for r in e["records"]})
            gradings = sorted({e["grading"] for e in ev if e.get("grading")})
            opinion_only = bool(ev) and all(e.get("fact_or_opinion") == "opinion" for e in ev)
        else:
            s, e = d["ev"]
            records = sorted({r for recs in cols["records"][s:e] for r in recs})
            gradings = sorted({g for g in cols["grading"][s:e] if g})
            fo = cols["fact_or_opinion"][s:e]
            opinion_only = e > s and all(f == "opinion" for f in fo)
        out.append({"young_person": y[1] if isinstance(y, tuple) else y, "ties": d.get("ties", {}),
                    "since": d.get("first", ""), "last": d.get("last", ""), "records": records,
                    "gradings": gradings, "opinion_only": bool(opinion_only)})
    return out


def _spans(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of each run of equal values in sorted ``keys``."""
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return starts, np.r_[starts[1:], len(keys)]


def _place_candidates(G: nx.Graph, places: pd.DataFrame, locations: pd.DataFrame, least: int) -> list[dict]:
    """Places linked to ``least`` or more young people, from person–place evidence rows.

    The same candidates and links as reading a person–location graph built from ``places``,
    computed with column operations: a borough has thousands of places and tens of thousands
    of links, and building the bipartite graph only to read it back cost seconds.
    """
    # Codes for people and places (sorted ids: the order the candidates list them in); roles and
    # known places are looked up once per distinct id.
    pc, p_ids = pd.factorize(places["p"], sort=True)
    lc, l_ids = pd.factorize(places["l"], sort=True)
    p_ids, l_ids = np.asarray(p_ids, dtype=object), np.asarray(l_ids, dtype=object)
    role = dict(G.nodes(data="role"))  # one dict: a node view's lookup per id cost 0.1 s
    young = np.fromiter((role.get(p) == "young_person" for p in p_ids.tolist()), dtype=bool, count=len(p_ids))
    loc_ids = locations["location_id"].to_numpy(object)
    known = pd.Index(loc_ids).get_indexer(l_ids) >= 0
    rows = np.flatnonzero((pc >= 0) & (lc >= 0) & young[pc] & known[lc])  # -1: a missing id
    lc, pc = lc[rows], pc[rows]
    # Young people per place (distinct): keep the places with at least ``least``.
    pairs = np.sort(lc.astype(np.int64) * len(p_ids) + pc)
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    enough = np.bincount(pairs // len(p_ids), minlength=len(l_ids)) >= least
    sel = enough[lc]
    rows, lc, pc = rows[sel], lc[sel], pc[sel]
    if not len(rows):
        return []
    # Only the kept rows become Python objects.
    col = {c: places[c].iloc[rows].to_numpy(object) for c in ("date", "fact_or_opinion", "grading", "tie")}
    # Evidence of one link in date order (ties: the rows' order), as the graph keeps it.
    dc, d_vals = pd.factorize(np.where(pd.isna(col["date"]), "", col["date"]), sort=True)
    order = np.lexsort((dc, pc, lc))
    lc, pc, dc, rows = lc[order], pc[order], dc[order], rows[order]
    col = {c: v[order] for c, v in col.items()}
    starts, ends = _spans(lc.astype(np.int64) * len(p_ids) + pc)
    link_no = np.repeat(np.arange(len(starts)), ends - starts)
    # Earliest and latest dates (empty dates ignored); for a place, its earliest link.
    empty = d_vals.astype(object)[dc] == ""
    none = len(d_vals)
    first = np.minimum.reduceat(np.where(empty, none, dc), starts)
    last = np.maximum.reduceat(np.where(empty, -1, dc), starts)
    d_ext = np.r_[d_vals.astype(object), np.array([""], dtype=object)]
    loc_starts, loc_ends = _spans(lc[starts])
    loc_first = d_ext[np.minimum.reduceat(first, loc_starts)].tolist()
    first, last = d_ext[first].tolist(), d_ext[np.where(last < 0, none, last)].tolist()
    opinion_only = np.logical_and.reduceat(col["fact_or_opinion"] == "opinion", starts).tolist()
    # Records and gradings: sorted, distinct, one flat list sliced per link.
    r_flat, (r_s, r_e) = _distinct_sorted(link_no, pa.array(places["record"].iloc[rows]), len(starts))
    g = np.where(pd.isna(col["grading"]), "", col["grading"])
    g_flat, (g_s, g_e) = _distinct_sorted(link_no[g != ""], pa.array(g[g != ""], type=pa.string()), len(starts))
    # Count per tie type, in the order each type first appears on the link.
    tc, t_vals = pd.factorize(col["tie"])
    nt = len(t_vals)
    key, first_at, count = np.unique(link_no * nt + tc, return_index=True, return_counts=True)
    by_first = np.lexsort((first_at, key // nt))
    t_names = list(t_vals)
    with gc_paused():
        ties: list[dict] = [{} for _ in range(len(starts))]
        for k, c in zip(key[by_first].tolist(), count[by_first].tolist()):
            ties[k // nt][t_names[k % nt]] = c
    young_ids = p_ids.astype(object)[pc[starts]].tolist()
    with gc_paused():
        links = [{"young_person": y, "ties": t, "since": f, "last": la, "records": r_flat[rs:re],
                  "gradings": g_flat[gs:ge], "opinion_only": o}
                 for y, t, f, la, rs, re, gs, ge, o in zip(young_ids, ties, first, last, r_s.tolist(), r_e.tolist(),
                                                          g_s.tolist(), g_e.tolist(), opinion_only)]
    names = dict(zip(loc_ids, locations["name"].to_numpy(object)))
    types = dict(zip(loc_ids, locations["type"].to_numpy(object)))
    out = []
    with gc_paused():  # the collector re-scanned the links just built at every few hundred places
        for lid, s, e, since in zip(l_ids.astype(object)[lc[starts[loc_starts]]].tolist(), loc_starts.tolist(),
                                    loc_ends.tolist(), loc_first):
            out.append({"subject_id": lid, "subject_type": "location", "name": names.get(lid, ""),
                        "location_type": types.get(lid, ""), "young_people": young_ids[s:e], "count": e - s,
                        "since": since, "links": links[s:e]})
    return out


def _distinct_sorted(k: np.ndarray, values: pa.Array, n: int) -> tuple[list, tuple[np.ndarray, np.ndarray]]:
    """The distinct ``values`` (strings) of each group ``k`` (0..n-1), sorted, as one flat list
    and each group's (start, end) in it."""
    if not len(k):
        return [], (np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64))
    # Arrow sorts strings in C++ (UTF-8 byte order, which is Python's code-point order).
    t = pa.table({"k": k, "v": values})
    t = t.take(pac.sort_indices(t, sort_keys=[("k", "ascending"), ("v", "ascending")]))
    k, v = t["k"].to_numpy(), t["v"]
    new = np.r_[True, (k[1:] != k[:-1]) | ~pac.equal(v[1:], v[:-1]).to_numpy(zero_copy_only=False)]
    k = k[new]
    return v.filter(pa.array(new)).to_pylist(), (np.searchsorted(k, np.arange(n), "left"),
                                                  np.searchsorted(k, np.arange(n), "right"))


def complex_strategy(G: nx.Graph, B: nx.Graph | None = None, *, places: pd.DataFrame | None = None,
                     locations: pd.DataFrame | None = None, min_young_people: int | None = None) -> list[dict]:
    """Adults of concern (in ``G``) and places (in ``B``, or in the ``places`` evidence) linked
    to ``min_young_people`` or more young people.

    Parameters
    ----------
    G : networkx.Graph
        A person graph.
    B : networkx.Graph, optional
        A person–location graph (:func:`graphmap.network.graphs.person_location_graph`), built
        with the presence kinds that link a place to a child (``network.complex_strategy``).
    places : DataFrame, optional
        Instead of ``B``: the person–place evidence it would be built from
        (:func:`graphmap.network.graphs.place_evidence`), with ``locations`` (the frames'
        ``location_id, name, type``). Same result, without building the graph.
    locations : DataFrame, optional
        The places ``places`` may name (others are left out, as a graph would have no such node).
    min_young_people : int, optional
        Default ``network.complex_strategy.min_young_people`` (3).

    Returns
    -------
    list of dict
        Most young people first: ``subject_id, subject_type`` (``person`` / ``location``),
        ``young_people, count, since`` (earliest link), ``links`` (per child: ties, since,
        records, gradings, whether only opinion).

    Examples
    --------
    >>> G = nx.star_graph(["A", "Y1", "Y2", "Y3"])
    >>> nx.set_node_attributes(G, "young_person", "role"); G.nodes["A"]["role"] = "adult_of_concern"
    >>> complex_strategy(G)[0]["young_people"]
    ['Y1', 'Y2', 'Y3']
    """
    least = int(schema.setting("network.complex_strategy.min_young_people")
                if min_young_people is None else min_young_people)
    out = []
    for a, role in G.nodes(data="role"):
        if role != "adult_of_concern":
            continue
        ys = sorted(y for y in G[a] if G.nodes[y].get("role") == "young_person")
        if len(ys) >= least:
            links = _child_links(G, a, ys)
            out.append({"subject_id": a, "subject_type": "person", "young_people": ys, "count": len(ys),
                        "since": min((lk["since"] for lk in links if lk["since"]), default=""), "links": links})
    if places is not None:
        if locations is None:
            raise ValueError("places needs locations (the frames' location_id, name, type)")
        out.extend(_place_candidates(G, places, locations, least))
    elif B is not None:
        for node, data in B.nodes(data=True):
            if data.get("bipartite") != 1:
                continue
            ys = sorted((p for p in B[node] if B.nodes[p].get("role") == "young_person"), key=lambda p: p[1])
            if len(ys) >= least:
                links = _child_links(B, node, ys)
                out.append({"subject_id": node[1], "subject_type": "location", "name": data.get("name", ""),
                            "location_type": data.get("type", ""), "young_people": [p[1] for p in ys],
                            "count": len(ys),
                            "since": min((lk["since"] for lk in links if lk["since"]), default=""), "links": links})
    return sorted(out, key=lambda r: (-r["count"], r["subject_type"], str(r["subject_id"])))
