"""The network picture: who is drawn, how, and what was left out, as plain data.

The Network page, the peer-group page and the peer-group pack draw from here (through
:mod:`graphmap.views`), so the screen and the pack agree. The picture is built from the
window's tie evidence (:func:`graphmap.network.graphs.tie_evidence`: asserted associations and
derived ties, each piece with its records, date, grading and source) and coloured with the
network analyses (:func:`graphmap.network.analyse.analyse`: peer groups, bridges).

Three scopes: a group (found or recorded), a person's ego network (N hops), the whole window.
Filters act on the evidence before ties are formed: incident types (a piece of evidence stands
only if every incident behind it is of a chosen type; associations have none), link kinds,
grading (graded intelligence kept only when its source evaluation and assessment are chosen;
ungraded records are not intelligence and always stay) and a minimum number of pieces of
evidence per tie.

A browser drawing thousands of people freezes, so a picture larger than
``app.network_node_cap`` keeps the people on the strongest ties (or, for the whole window,
can be drawn as one node per peer group) and says what it left out.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
import numpy as np
import pandas as pd

from . import schema
from .store import Store
from .window import Window

#: Colours of peer groups in the picture (matplotlib's tab20 without its two reds, which mark
#: adults of concern, then tab20b): presentation only.
GROUP_COLOURS = ["#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#9467bd", "#c5b0d5",
                 "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#c7c7c7", "#bcbd22", "#dbdb8d",
                 "#17becf", "#9edae5", "#393b79", "#5254a3", "#6b6ecf", "#9c9ede", "#637939", "#8ca252",
                 "#b5cf6b", "#cedb9c", "#8c6d31", "#bd9e39", "#e7ba52", "#e7cb94", "#7b4173", "#a55194"]
NO_GROUP = "#b0b0b0"
PLURAL = {"young_person": "young people", "adult_of_concern": "adults of concern", "associate": "associates",
          "professional": "professionals"}
ADULT_COLOUR = "#d62728"
BRIDGE_BORDER = "#ff7f0e"
CENTRE_BORDER = "#111111"

MEASURES = {"degree": "ties shown", "evidence": "pieces of evidence on the ties shown",
            "weight": "tie strength (evidence weighted by type and recency)",
            "betweenness": "betweenness within the picture"}
MODES = ("group", "person", "window")
SOURCE_EVALUATIONS = ("1", "2", "3")
ASSESSMENTS = ("A", "B", "C", "D", "E")
#: Hover text lists at most this many pieces of evidence per tie (the rest are counted).
EVIDENCE_LINES = 12


# --- the data behind every picture --------------------------------------------------------------
def network_source(store: Store, window: Window, *, frames=None, evidence: pd.DataFrame | None = None) -> dict:
    """Everything a picture of the window is drawn from: the tie evidence and the people.

    ``frames`` (:func:`graphmap.network.graphs.load_frames`) and ``evidence``
    (:func:`~graphmap.network.graphs.tie_evidence` of them) when the caller already has them.

    Returns
    -------
    dict
        ``evidence`` (DataFrame: ``a, b, tie, records, date, grading, fact_or_opinion, source,
        weight, types`` = incident types behind the piece), ``people`` (DataFrame: person_id,
        forename, surname, role, date_of_birth, flags), ``source_ids`` (canonical id -> the ids
        it stands for), ``incident_types`` and ``link_kinds`` found in the window.
    """
    from .network.graphs import load_frames, tie_evidence

    frames = frames if frames is not None else load_frames(store, window)
    ev = evidence if evidence is not None else tie_evidence(frames)
    # Columns as lists, and each records tuple's types worked out once: iterating Arrow-backed
    # columns value by value was half of this at borough size (0.9 s CPU -> 0.4 s).
    inc_type = dict(zip(frames.incidents["incident_id"].tolist(), frames.incidents["type"].tolist()))
    types: dict[tuple, tuple] = {}

    def types_of(recs) -> tuple:
        key = tuple(recs)
        if key not in types:
            types[key] = tuple(sorted({inc_type[r] for r in key if r in inc_type}))
        return types[key]

    ev = ev.assign(types=[types_of(recs) for recs in ev["records"].tolist()] if len(ev) else ev["records"].map(types_of))
    people = frames.people[["person_id", "forename", "surname", "role", "date_of_birth", "flags"]].reset_index(drop=True)
    return {"as_at": window.as_at.isoformat(), "window_days": window.days, "evidence": ev, "people": people,
            "source_ids": frames.source_ids,
            "incident_types": sorted(set(frames.incidents["type"].tolist())),
            "link_kinds": sorted(set(ev["tie"].tolist())) if len(ev) else []}


def canonical(source: dict, ids) -> list[str]:
    """``ids`` as the picture knows them (identity resolution: a merged person's canonical id)."""
    to = {p: c for c, ps in source.get("source_ids", {}).items() for p in ps}
    return sorted({to.get(p, p) for p in ids})


def filter_evidence(ev: pd.DataFrame, *, incident_types=None, link_kinds=None, source_evaluations=None,
                    assessments=None) -> pd.DataFrame:
    """The pieces of evidence that pass the filters (``None`` = no filter on that part).

    >>> ev = pd.DataFrame({"a": ["A", "A", "B"], "b": ["B", "C", "C"], "tie": ["friend", "same_incident", "same_place"],
    ...     "grading": ["", "3E P", ""], "types": [(), ("merlin",), ("asb", "merlin")]})
    >>> list(filter_evidence(ev, incident_types={"merlin"})["tie"])
    ['friend', 'same_incident']
    >>> list(filter_evidence(ev, assessments={"A", "B", "C", "D"})["tie"])
    ['friend', 'same_place']
    """
    keep = np.ones(len(ev), dtype=bool)
    if incident_types is not None:
        chosen = set(incident_types)
        keep &= ev["types"].map(lambda ts: set(ts) <= chosen).to_numpy(bool)
    if link_kinds is not None:
        keep &= ev["tie"].isin(list(link_kinds)).to_numpy(bool)
    graded = ev["grading"].fillna("").astype(str).str.len() >= 2
    if source_evaluations is not None:
        keep &= (~graded | ev["grading"].astype(str).str[0].isin(list(source_evaluations))).to_numpy(bool)
    if assessments is not None:
        keep &= (~graded | ev["grading"].astype(str).str[1].isin(list(assessments))).to_numpy(bool)
    return ev[keep]


def tie_graph(source: dict, ev: pd.DataFrame, *, min_evidence: int = 1) -> nx.Graph:
    """Every person of the window as a node; a tie per pair with ``count`` pieces of evidence
    (at least ``min_evidence``) and ``weight`` (their summed weights), ``rows`` = the range of
    their rows in ``G.graph["evidence"]`` (``ev`` sorted by tie, then oldest first)."""
    G = nx.Graph()
    people = source["people"]
    G.add_nodes_from(people["person_id"].tolist())  # a list: iterating an Arrow column value by value is slow
    if len(ev) == 0:
        return G
    # Pieces of one tie sit together (sorted), so each tie is a slice of rows: built in bulk.
    ev = ev.sort_values(["a", "b", "date"], kind="stable").reset_index(drop=True)
    key = (ev["a"].astype(str) + "\x00" + ev["b"].astype(str)).to_numpy(object)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    ends = np.r_[starts[1:], len(ev)]
    weight = np.add.reduceat(ev["weight"].to_numpy(float), starts)
    a, b = ev["a"].to_numpy(object)[starts], ev["b"].to_numpy(object)[starts]
    G.add_edges_from((u, v, {"count": int(e - s), "weight": float(w), "rows": range(int(s), int(e))})
                     for u, v, s, e, w in zip(a, b, starts, ends, weight) if e - s >= min_evidence)
    G.graph["evidence"] = ev
    # Columns as arrays: a tie's evidence is a slice, its text is written only when drawn.
    for col in ("tie", "records", "date", "source", "grading", "fact_or_opinion"):
        G.graph[col] = ev[col].fillna("").to_numpy(object)
    return G


def roles_of(source: dict) -> dict[str, str]:
    """Each person's role in the window (:func:`network_source`'s people), from whole columns."""
    people = source["people"]
    return dict(zip(people["person_id"].tolist(), people["role"].tolist()))


def _picture_graph(source: dict, *, min_evidence: int, **filters) -> nx.Graph:
    """:func:`tie_graph` of the evidence that passes ``filters``, each person's ``role`` on their
    node and ``G.graph["people_without_ties"]``. With no filter the graph is kept in ``source``
    (one per ``min_evidence``) and shared by every later picture of the window: building it was
    0.6-0.9 of a borough person picture's 1.0-1.3 s CPU (session 7). Callers only read it."""
    unfiltered = all(v is None for v in filters.values())
    memo = source.setdefault("_tie_graphs", {}) if unfiltered else {}
    G = memo.get(min_evidence)
    if G is None:
        from .network._gc import gc_paused

        ev = source["evidence"] if unfiltered else filter_evidence(source["evidence"], **filters)
        with gc_paused():  # a dict per tie (tens of thousands), no cycles among them
            G = tie_graph(source, ev, min_evidence=min_evidence)
        nx.set_node_attributes(G, roles_of(source), "role")
        G.graph["people_without_ties"] = sum(1 for _, k in G.degree() if k == 0)
        memo[min_evidence] = G  # last: a picture drawn meanwhile in another session builds its own
    return G


def _group_graph(source: dict, members: list, *, min_evidence: int) -> nx.Graph:
    """What a group's unfiltered picture reads of :func:`_picture_graph`, built from only the
    evidence among the people it draws: the members and the adults of concern tied to them.

    The first picture of a window used to build the whole window's tie graph to draw a group of
    a dozen: on a borough 0.33 s CPU and 0.01 s for the picture, against 0.17 s this way
    (session 9). The ties found here, their evidence and its order, the people's roles and
    ``people_without_ties`` are the whole graph's (tested equal, picture for picture); once the
    whole graph is built, pictures use it.
    """
    from .network._gc import gc_paused

    ev, roles = source["evidence"], roles_of(source)

    def among(keep: set, *, both: bool) -> nx.Graph:
        a_in, b_in = ev["a"].isin(keep).to_numpy(bool), ev["b"].isin(keep).to_numpy(bool)
        with gc_paused():
            H = tie_graph(source, ev[(a_in & b_in) if both else (a_in | b_in)], min_evidence=min_evidence)
        nx.set_node_attributes(H, roles, "role")
        return H

    inside = set(canonical(source, members))
    chosen, _ = _scope(among(inside, both=False), "group", members=sorted(inside), person_id=None, hops=1)
    G = among(set(chosen), both=True)
    # People with no tie of ``min_evidence`` pieces in the whole window (as its graph counts
    # them): the same for every group of the window, so counted once and kept in ``source``.
    untied = source.setdefault("_people_without_ties", {})
    if min_evidence not in untied:
        pieces = Counter(zip(ev["a"].tolist(), ev["b"].tolist()))
        tied = {x for pair, n in pieces.items() if n >= min_evidence for x in pair}
        untied[min_evidence] = sum(1 for n in set(roles) if n not in tied)
    G.graph["people_without_ties"] = untied[min_evidence]
    G.graph["evidence_kept"] = len(ev)  # no filter: every piece of the window's evidence
    return G


def evidence_lines(G: nx.Graph, rows: range) -> list[str]:
    """One line of text per piece of evidence behind a tie: kind · records · date · source ·
    grading (· opinion)."""
    out = []
    for i in rows:
        parts = [str(G.graph["tie"][i]).replace("_", " "), ", ".join(map(str, G.graph["records"][i])),
                 str(G.graph["date"][i])[:10], str(G.graph["source"][i]),
                 f"grading {G.graph['grading'][i]}" if G.graph["grading"][i] else "",
                 "opinion" if G.graph["fact_or_opinion"][i] == "opinion" else ""]
        out.append(" · ".join(p for p in parts if p))
    return out


def edges_within(G: nx.Graph, nodes) -> list[tuple]:
    """The ties of ``G`` among ``nodes`` as ``(u, v, data)`` with ``u < v`` (faster than a subgraph
    view), in ``G.edges()``'s order."""
    keep = set(nodes)
    if 4 * len(keep) < len(G):
        # A person's or a group's picture: only the chosen people's ties are walked. Taken in
        # the graph's own node order, each tie is met first at the same end as G.edges() meets it.
        order = {n: i for i, n in enumerate(G)}  # (a few ms on a borough; never kept on G, which may change)
        ties = G.edges(sorted((n for n in keep if n in order), key=order.__getitem__), data=True)
    else:
        ties = G.edges(data=True)
    return [(min(u, v), max(u, v), d) for u, v, d in ties if u in keep and v in keep]


# --- choosing who is drawn ------------------------------------------------------------------------
def strongest_ties(G: nx.Graph, cap: int, *, keep=(), nodes=None, edges=None) -> list:
    """At most ``cap`` nodes of ``G`` (or of ``nodes``, whose ties are ``edges``): ``keep``
    first, then the ends of the strongest ties in turn.

    >>> G = nx.Graph([("a", "b", {"weight": 5}), ("b", "c", {"weight": 1}), ("c", "d", {"weight": 3})])
    >>> sorted(strongest_ties(G, 2)), sorted(strongest_ties(G, 3, keep=["c"]))
    (['a', 'b'], ['a', 'b', 'c'])
    """
    nodes = list(G) if nodes is None else list(nodes)
    edges = edges_within(G, nodes) if edges is None else edges
    inside = set(nodes)
    chosen = list(dict.fromkeys(k for k in keep if k in inside))[:cap]
    seen = set(chosen)
    ranked = sorted(((u, v, d.get("weight", 1.0)) for u, v, d in edges), key=lambda e: (-e[2], str(e[0]), str(e[1])))
    for u, v, _ in ranked:
        if len(seen) >= cap:
            break
        need = [x for x in (u, v) if x not in seen]
        if need and len(seen) + len(need) <= cap:
            chosen += need
            seen.update(need)
    for n in sorted(nodes, key=str):  # room left: people with no tie (a group's quiet members)
        if len(seen) >= cap:
            break
        if n not in seen:
            chosen.append(n)
            seen.add(n)
    return chosen


def _scope(G: nx.Graph, mode: str, *, members: list[str], person_id: str | None, hops: int) -> tuple[list, dict]:
    """The people a mode draws, and each one's hops from the person (person mode)."""
    if mode == "person":
        if person_id not in G:
            return [person_id], {person_id: 0}
        dist = nx.single_source_shortest_path_length(G, person_id, cutoff=hops)
        return sorted(dist, key=lambda n: (dist[n], str(n))), dist
    if mode == "group":
        inside = [m for m in members if m in G]
        adults = sorted({n for m in inside for n in G[m] if G.nodes[n].get("role") == "adult_of_concern"} - set(inside))
        return inside + adults, {}
    return sorted((n for n in G if G.degree(n) > 0), key=str), {}


# --- the view -------------------------------------------------------------------------------------
def _group_colours(analysis: dict | None) -> dict[str, str]:
    groups = (analysis or {}).get("peer_groups", [])
    return {g["group_id"]: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, g in enumerate(groups)}


def marked_bridges(analysis: dict | None, *, top: int | None = None) -> dict[str, dict]:
    """The bridges the picture marks: the ``app.bridges_marked`` highest-scoring people tied
    into two or more peer groups (:func:`graphmap.network.bridges.bridges`)."""
    top = int(schema.setting("app.bridges_marked")) if top is None else top
    out = [b for b in (analysis or {}).get("bridges", []) if b.get("bridges_groups")][:top]
    return {b["person_id"]: b for b in out}


def _measure(H: nx.Graph, measure: str) -> dict:
    if measure == "degree":
        return dict(H.degree())
    if measure == "evidence":
        return dict(H.degree(weight="count"))
    if measure == "weight":
        return {n: round(v, 3) for n, v in H.degree(weight="weight")}
    if measure == "betweenness":
        return {n: round(v, 4) for n, v in nx.betweenness_centrality(H).items()}
    raise ValueError(f"unknown measure {measure!r} (one of {', '.join(MEASURES)})")


def network_view(source: dict, analysis: dict | None, *, mode: str = "window", members=(), group_label: str = "",
                 person_id: str | None = None, hops: int = 1, incident_types=None, link_kinds=None,
                 source_evaluations=None, assessments=None, min_evidence: int = 1, size_by: str = "degree",
                 cap: int | None = None, aggregate: bool = False, redaction: str = "professionals-only") -> dict:
    """The picture of a group, a person's network or the whole window, with what was left out.

    Parameters
    ----------
    source : dict
        :func:`network_source` for the window.
    analysis : dict or None
        :func:`graphmap.network.analyse.analyse` for the same window (peer groups colour the
        people, bridges are marked); ``None`` draws without them.
    mode : {"group", "person", "window"}
    members : list of str
        The group's people (group mode); adults of concern tied to them are drawn too.
    person_id, hops
        The centre and how far out (person mode).
    incident_types, link_kinds, source_evaluations, assessments, min_evidence
        Filters (see the module docstring); ``None`` keeps everything.
    size_by : {"degree", "evidence", "weight", "betweenness"}
        What a person's size shows (measured on the picture drawn).
    cap : int, optional
        Most people drawn (default ``app.network_node_cap``).
    aggregate : bool
        Whole window only: one node per peer group (adults of concern kept as people).

    Returns
    -------
    dict
        ``nodes`` (id, label, role, group, colour, shape, size, measure, border, border_width,
        centre, bridge, title), ``edges`` (source, target, weight, count, ties, records,
        evidence lines, title), ``legend`` [(label, colour)], ``marks`` [(symbol, meaning)],
        ``message`` (what was left out, or None), ``counts`` and ``filters``.
    """
    from .views import age_on, person_label

    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} (one of {', '.join(MODES)})")
    if size_by not in MEASURES:
        raise ValueError(f"unknown measure {size_by!r} (one of {', '.join(MEASURES)})")
    cap = int(schema.setting("app.network_node_cap")) if cap is None else int(cap)
    filtered = any(f is not None for f in (incident_types, link_kinds, source_evaluations, assessments))
    least = max(1, int(min_evidence))
    if mode == "group" and not filtered and least not in source.get("_tie_graphs", {}):
        G = _group_graph(source, members, min_evidence=least)
    else:
        G = _picture_graph(source, incident_types=incident_types, link_kinds=link_kinds,
                           source_evaluations=source_evaluations, assessments=assessments, min_evidence=least)
    ev = G.graph.get("evidence", source["evidence"].iloc[:0])
    people = source["people"].set_index("person_id")
    members = canonical(source, members)
    if person_id is not None:
        [person_id] = canonical(source, [person_id])  # a merged identity is drawn as its canonical person
    chosen, dist = _scope(G, mode, members=members, person_id=person_id, hops=hops)
    filters = {"incident_types": sorted(incident_types) if incident_types is not None else "all",
               "link_kinds": sorted(link_kinds) if link_kinds is not None else "all",
               "source_evaluations": sorted(source_evaluations) if source_evaluations is not None else "all",
               "assessments": sorted(assessments) if assessments is not None else "all",
               "min_evidence": int(min_evidence), "size_by": size_by, "cap": cap}
    scope_edges = edges_within(G, chosen)
    counts = {"people_in_scope": len(chosen), "ties_in_scope": len(scope_edges),
              "evidence_kept": G.graph.get("evidence_kept", len(ev)), "evidence_in_window": len(source["evidence"]),
              "people_without_ties": G.graph["people_without_ties"]}
    gof = {m: g["group_id"] for g in (analysis or {}).get("peer_groups", []) for m in g["members"]}
    colours = _group_colours(analysis)
    if aggregate and mode == "window":
        view = _aggregate(G, chosen, scope_edges, analysis, gof, colours, people, cap=cap, redaction=redaction)
        view.update(counts={**counts, "drawn_nodes": len(view["nodes"]), "drawn_ties": len(view["edges"])},
                    filters=filters, mode=mode)
        return view
    message = None
    if len(chosen) > cap:
        keep_first = [person_id] if mode == "person" else [m for m in members if m in G]
        kept = strongest_ties(G, cap, keep=keep_first, nodes=chosen, edges=scope_edges)
        message = _left_out_message(G, chosen, scope_edges, kept, cap)
        chosen = kept
        kept_set = set(kept)
        scope_edges = [e for e in scope_edges if e[0] in kept_set and e[1] in kept_set]
    H = nx.Graph()
    H.add_nodes_from(chosen)
    H.add_edges_from(scope_edges)
    size = _measure(H, size_by)
    top = max(size.values(), default=0) or 0
    bridges = marked_bridges(analysis)
    label = {}
    nodes = []
    as_at = pd.Timestamp(source["as_at"]).date()
    for pid in chosen:
        row = {"person_id": pid, **(people.loc[pid].to_dict() if pid in people.index else {})}
        lab = person_label(row, redaction, centre=person_id if mode == "person" else None)
        label[pid] = lab
        role = str(row.get("role", "") or "")
        group = gof.get(pid, "")
        age = age_on(str(row.get("date_of_birth", "") or ""), as_at)
        is_bridge = pid in bridges
        centre = mode == "person" and pid == person_id
        lines = [lab if lab == pid else f"{lab} ({pid})",
                 role.replace("_", " ") + (f", age {age}" if age is not None else "")]
        if group:
            lines.append(f"peer group {group} (found in the data)")
        if row.get("flags"):
            lines.append("flags: " + str(row["flags"]).replace(";", ", "))
        lines.append(f"{MEASURES[size_by]}: {size.get(pid, 0)}")
        if is_bridge:
            b = bridges[pid]
            # The score is whichever measure the bridges were ranked by (settings: brokerage).
            lines.append(f"bridge between {', '.join(b['groups_connected'])} ({b.get('rank_by', 'betweenness')} "
                         f"{b['score']:.3f}"
                         + (", a cut point" if b.get("articulation_point") else "") + ")")
        if mode == "person":
            lines.append(f"{dist.get(pid, 0)} hop(s) from {label.get(person_id, person_id)}")
        nodes.append({
            "id": pid, "label": lab, "role": role, "group": group, "centre": centre, "bridge": is_bridge,
            "colour": ADULT_COLOUR if role == "adult_of_concern" else colours.get(group, NO_GROUP),
            "shape": "diamond" if role == "adult_of_concern" else "dot",
            "measure": size.get(pid, 0), "size": round(10 + 25 * (size.get(pid, 0) / top), 1) if top else 14,
            "border": CENTRE_BORDER if centre else BRIDGE_BORDER if is_bridge else None,
            "border_width": 5 if (centre or is_bridge) else 1, "hops": dist.get(pid),
            "title": "\n".join(lines)})
    edges = []
    for u, v, d in sorted(scope_edges, key=lambda e: (str(e[0]), str(e[1]))):
        lines = evidence_lines(G, d["rows"])
        kinds = Counter(G.graph["tie"][d["rows"].start:d["rows"].stop])
        records = sorted({r for recs in G.graph["records"][d["rows"].start:d["rows"].stop] for r in recs})
        title = (f"{label[u]} – {label[v]}: {d['count']} piece(s) of evidence (weight {d['weight']:.2f})\n"
                 + "\n".join(lines[:EVIDENCE_LINES])
                 + (f"\n... and {len(lines) - EVIDENCE_LINES} more" if len(lines) > EVIDENCE_LINES else ""))
        edges.append({"source": u, "target": v, "weight": round(d["weight"], 4), "count": d["count"],
                      "ties": dict(sorted(kinds.items())), "records": records, "evidence": lines, "title": title})
    shown_groups = sorted({n["group"] for n in nodes if n["group"]})
    legend = _legend(shown_groups, colours, any(not n["group"] and n["role"] != "adult_of_concern" for n in nodes))
    marks = [("◆", "diamond: adult of concern"), ("◯", "orange border: bridge between peer groups")]
    if mode == "person":
        marks.append(("◉", "black border: the person at the centre"))
    marks += [("●", f"size: {MEASURES[size_by]}"), ("━", "thicker line: stronger tie (more, more recent evidence)")]
    return {"mode": mode, "nodes": nodes, "edges": edges, "legend": legend, "marks": marks, "message": message,
            "centre": person_id if mode == "person" else None, "group_label": group_label,
            "counts": {**counts, "drawn_nodes": len(nodes), "drawn_ties": len(edges)}, "filters": filters}


def _legend(groups: list[str], colours: dict, others: bool, *, most: int = 12) -> list[tuple[str, str]]:
    out = [(f"peer group {g}", colours[g]) for g in groups[:most]]
    if len(groups) > most:
        out.append((f"... and {len(groups) - most} more groups (hover a person)", "#ffffff"))
    if others:
        out.append(("not in a found peer group", NO_GROUP))
    out.append(("adult of concern", ADULT_COLOUR))
    return out


def _left_out_message(G: nx.Graph, chosen: list, edges: list, kept: list, cap: int) -> str:
    kept_set = set(kept)
    left = [n for n in chosen if n not in kept_set]
    roles = Counter(G.nodes[n].get("role", "") for n in left)
    all_ties = len(edges)
    dropped = [d["weight"] for u, v, d in edges if not (u in kept_set and v in kept_set)]
    kept_ties = all_ties - len(dropped)
    who = ", ".join(f"{n} {PLURAL.get(r, r.replace('_', ' '))}" for r, n in sorted(roles.items()) if r)
    return (f"Large network: showing {len(kept)} of {len(chosen)} people and {kept_ties} of {all_ties} ties "
            f"(the limit is {cap} people, setting app.network_node_cap). The people on the strongest ties were kept. "
            f"Left out: {len(left)} people ({who or 'no role recorded'}) and {all_ties - kept_ties} ties"
            + (f", the strongest of them weighing {max(dropped):.2f}" if dropped else "")
            + ". Narrow the window or the filters, raise the minimum evidence, or draw one node per peer group.")


def _aggregate(G: nx.Graph, chosen: list, edges: list, analysis: dict | None, gof: dict, colours: dict,
               people: pd.DataFrame, *, cap: int, redaction: str) -> dict:
    """The whole window as one node per peer group, adults of concern as themselves, and one
    node for everyone else in no group."""
    from .views import person_label

    groups = {g["group_id"]: g for g in (analysis or {}).get("peer_groups", [])}
    unit = {}
    for n in chosen:
        role = G.nodes[n].get("role", "")
        unit[n] = gof[n] if n in gof else n if role == "adult_of_concern" else "OTHERS"
    members = Counter(unit.values())
    ties: dict[tuple, dict] = {}
    for u, v, d in edges:
        a, b = sorted((unit[u], unit[v]))
        if a == b:
            continue
        t = ties.setdefault((a, b), {"ties": 0, "count": 0, "weight": 0.0, "pairs": []})
        t["ties"] += 1
        t["count"] += d["count"]
        t["weight"] += d["weight"]
        t["pairs"].append((d["weight"], min(u, v), max(u, v), d["rows"]))
    nodes = []
    order = {"group": 0, "adult": 1, "others": 2}
    kind = {u: "group" if u in groups else "others" if u == "OTHERS" else "adult" for u in members}
    for uid, n in sorted(members.items(), key=lambda x: (order[kind[x[0]]], str(x[0]))):
        if uid in groups:
            g = groups[uid]
            mix = ", ".join(f"{k} {v}" for k, v in g.get("incident_mix", {}).items())
            nodes.append({"id": uid, "label": f"{uid} ({n})", "role": "group", "group": uid, "colour": colours[uid],
                          "shape": "dot", "size": round(12 + 4 * np.sqrt(n), 1), "measure": n, "border": None,
                          "border_width": 1, "centre": False, "bridge": False,
                          "title": f"peer group {uid}: {n} young people drawn ({g['size']} members), "
                                   f"{g.get('internal_ties', 0)} ties inside" + (f"\nincidents: {mix}" if mix else "")})
        elif uid == "OTHERS":
            nodes.append({"id": uid, "label": f"not in a group ({n})", "role": "others", "group": "", "colour": NO_GROUP,
                          "shape": "square", "size": round(12 + 4 * np.sqrt(n), 1), "measure": n, "border": None,
                          "border_width": 1, "centre": False, "bridge": False,
                          "title": f"{n} people with ties in the window who are in no peer group and are not adults of concern"})
        else:
            lab = person_label({"person_id": uid, **(people.loc[uid].to_dict() if uid in people.index else {})}, redaction)
            nodes.append({"id": uid, "label": lab, "role": "adult_of_concern", "group": "", "colour": ADULT_COLOUR,
                          "shape": "diamond", "size": 16, "measure": 1, "border": None, "border_width": 1,
                          "centre": False, "bridge": False,
                          "title": f"{lab if lab == uid else f'{lab} ({uid})'}: adult of concern"})
    edges = []
    for (a, b), t in sorted(ties.items(), key=lambda x: (str(x[0][0]), str(x[0][1]))):
        best = sorted(t["pairs"], key=lambda p: (-p[0], str(p[1]), str(p[2])))[:5]
        lines = [f"{p[1]} – {p[2]}: " + "; ".join(evidence_lines(G, p[3])[:3]) for p in best]
        records = sorted({r for p in t["pairs"] for recs in G.graph["records"][p[3].start:p[3].stop] for r in recs})
        edges.append({"source": a, "target": b, "weight": round(t["weight"], 4), "count": t["count"],
                      "ties": {"people tied": t["ties"]}, "records": records, "evidence": lines,
                      "title": f"{t['ties']} tie(s) between {a} and {b}, {t['count']} piece(s) of evidence; "
                               "the strongest:\n" + "\n".join(lines)})
    n_groups = sum(1 for u in members if u in groups)
    n_adults = sum(1 for u in members if u not in groups and u != "OTHERS")
    message = (f"Drawn as one node per peer group: {n_groups} groups stand for "
               f"{sum(n for u, n in members.items() if u in groups)} young people; {n_adults} adults of concern "
               f"are drawn as themselves; {members.get('OTHERS', 0)} people in no group are one node. "
               "Ties inside a group are not drawn (hover a group). Choose a group to see its people.")
    shown = sorted(u for u in members if u in groups)
    legend = _legend(shown, colours, "OTHERS" in members)
    marks = [("◆", "diamond: adult of concern"), ("■", "square: people in no peer group"),
             ("●", "size: people in the group"), ("━", "thicker line: more ties between them")]
    if len(nodes) > cap:
        H = nx.Graph()
        H.add_nodes_from(n["id"] for n in nodes)
        H.add_edges_from((e["source"], e["target"], {"weight": e["weight"]}) for e in edges)
        keep = set(strongest_ties(H, cap))
        message += f" Only the {cap} units on the strongest ties are drawn."
        nodes = [n for n in nodes if n["id"] in keep]
        edges = [e for e in edges if e["source"] in keep and e["target"] in keep]
    return {"nodes": nodes, "edges": edges, "legend": legend, "marks": marks, "message": message, "centre": None,
            "group_label": "", "aggregated": True}
