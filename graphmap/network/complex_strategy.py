"""Complex strategy candidates: an adult of concern or a place linked to several young people.

A complex strategy meeting is called when one adult or one place harms several children; the
pack needs every child linked to it, how, since when, and the evidence with its grading.
"""

from __future__ import annotations

import networkx as nx

from .. import schema
from .graphs import edge_evidence


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


def complex_strategy(G: nx.Graph, B: nx.Graph | None = None, *, min_young_people: int | None = None) -> list[dict]:
    """Adults of concern (in ``G``) and places (in ``B``) linked to ``min_young_people`` or more
    young people.

    Parameters
    ----------
    G : networkx.Graph
        A person graph.
    B : networkx.Graph, optional
        A person–location graph (:func:`graphmap.network.graphs.person_location_graph`), built
        with the presence kinds that link a place to a child (``network.complex_strategy``).
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
    if B is not None:
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
