"""Cross-borough links: young people tied across boroughs with no natural reason to know each other.

Practice guidance flags friends across boroughs with no shared school and no family link.
"""

from __future__ import annotations

import networkx as nx

from .. import schema
from .graphs import edge_records


def schools_attended(frames) -> dict:
    """``{person_id: {school location ids}}`` from ``attends`` presence at places of type school."""
    pres = frames.presence.merge(frames.locations[["location_id", "type"]], on="location_id")
    pres = pres[(pres["kind"] == "attends") & (pres["type"] == "school")]
    out: dict = {}
    for p, loc in zip(pres["person_id"], pres["location_id"]):  # plain loop: no frame per person
        out.setdefault(p, set()).add(loc)
    return out


def family_pairs(frames) -> set:
    """Unordered pairs recorded as family (``network.family_kinds``) in any association."""
    kinds = set(schema.setting("network.family_kinds"))
    a = frames.associations
    a = a[a["kind"].isin(kinds)]
    return {frozenset(p) for p in zip(a["person_id_a"], a["person_id_b"])}


def cross_borough_links(G: nx.Graph, *, schools: dict | None = None, family: set | None = None) -> list[dict]:
    """Ties between young people of different boroughs with no shared school or family link.

    Parameters
    ----------
    G : networkx.Graph
        A person graph (nodes carry ``borough``).
    schools : dict, optional
        ``{person_id: set of school ids}`` (:func:`schools_attended`).
    family : set, optional
        Pairs (frozensets) that are family (:func:`family_pairs`); family tie types on the edge
        count too.

    Returns
    -------
    list of dict
        Strongest tie first: ``person_a, person_b, borough_a, borough_b, weight, ties, records``.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("Y1", role="young_person", borough="Merton")
    >>> G.add_node("Y2", role="young_person", borough="Sutton")
    >>> G.add_edge("Y1", "Y2", weight=1.0, ties={"friend": 1})
    >>> [r["borough_b"] for r in cross_borough_links(G)]
    ['Sutton']
    """
    schools = schools or {}
    family = family or set()
    kinds = set(schema.setting("network.family_kinds"))
    # Only young people with a borough can be in a pair: look each node up once, not per tie.
    borough = {n: d.get("borough") or "" for n, d in G.nodes(data=True) if d.get("role") == "young_person"}
    borough = {n: b for n, b in borough.items() if b}
    out = []
    for u, v, d in G.edges(borough, data=True):
        bu, bv = borough[u], borough.get(v)
        if bv is None or bu == bv:
            continue
        if kinds & set(d.get("ties", {})) or frozenset((u, v)) in family:
            continue
        if schools.get(u, set()) & schools.get(v, set()):
            continue
        a, b = sorted((u, v))
        out.append({"person_a": a, "person_b": b, "borough_a": G.nodes[a].get("borough"),
                    "borough_b": G.nodes[b].get("borough"), "weight": round(d.get("weight", 1.0), 4),
                    "ties": d.get("ties", {}),
                    "records": edge_records(G, u, v)})
    return sorted(out, key=lambda r: (-r["weight"], r["person_a"], r["person_b"]))
