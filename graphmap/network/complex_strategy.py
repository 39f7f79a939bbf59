"""Complex strategy candidates: an adult of concern or a place linked to several young people.

A complex strategy meeting is called when one adult or one place harms several children; the
pack needs every child linked to it, how, since when, and the evidence with its grading.
"""

from __future__ import annotations

import networkx as nx

from .. import schema
from .graphs import edge_evidence


def _child_links(G: nx.Graph, subject, ys: list) -> list[dict]:
    out = []
    for y in ys:
        d = G[subject][y]
        ev = edge_evidence(G, subject, y)
        out.append({"young_person": y[1] if isinstance(y, tuple) else y, "ties": d.get("ties", {}),
                    "since": d.get("first", ""), "last": d.get("last", ""),
                    "records": sorted({r for e in ev for r in e["records"]}),
                    "gradings": sorted({e["grading"] for e in ev if e.get("grading")}),
                    "opinion_only": bool(ev) and all(e.get("fact_or_opinion") == "opinion" for e in ev)})
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
