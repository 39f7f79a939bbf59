"""Likely recruiters: adults (or much older young people) tied to several young people.

The score is a plain weighted sum of counts, every part shown, so a meeting can see *why*
someone is high on the list and challenge it. Family ties (``network.family_kinds``: siblings,
family) never count: a young person someone is family to is left out of all their parts.
A person who only *reported* incidents is never tied to the children in them (see
:mod:`graphmap.network.graphs`), so reporting cannot push anyone up either.
"""

from __future__ import annotations

import networkx as nx

from .. import schema
from ._gc import gc_paused
from .graphs import edge_records


def likely_recruiters(G: nx.Graph, *, groups: list[dict] | None = None, first_incident: dict | None = None,
                      weights: dict | None = None, age_gap_years: float | None = None,
                      min_young_people: int | None = None) -> list[dict]:
    """Rank people by a transparent likely-recruiter score.

    For a candidate, the *counted* young people are their neighbours with role
    ``young_person`` who are not family to them and, when the candidate is a young person
    too, at least ``age_gap_years`` younger. The parts (each a count, times its weight from
    ``network.recruiters.score_weights``):

    - ``young_people``: counted young people;
    - ``much_younger``: of those, at least ``age_gap_years`` younger (ages known);
    - ``groups_spanned``: peer groups among them, minus one;
    - ``found_with``: of those, ones they were found with after going missing;
    - ``tie_precedes_first_incident``: of those, ones whose tie to the candidate was first
      seen before the child's first incident.

    Parameters
    ----------
    G : networkx.Graph
        A person graph (edges carry ``ties`` and ``first``).
    groups : list of dict, optional
        Peer groups.
    first_incident : dict, optional
        ``{person_id: first incident date (ISO)}`` (:attr:`Frames.first_incident`).
    weights : dict, optional
        Part weights (default from settings).
    age_gap_years, min_young_people : optional
        Defaults from settings.

    Returns
    -------
    list of dict
        Highest score first: ``person_id, role, age, score, parts {part: {count, weight,
        points}}, young_people, groups, evidence [{young_person, ties, first, records}]``.

    References
    ----------
    .. [1] L. C. Freeman, "Centrality in social networks: conceptual clarification", Social
       Networks 1, 215–239 (1978) (degree as a count of ties).
    .. [2] C. Morselli, "Inside Criminal Networks", Springer (2009), ch. 2 (brokers and
       recruiters tying otherwise separate clusters).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from([("A", {"role": "adult_of_concern", "age": 30}),
    ...                   ("Y1", {"role": "young_person", "age": 15}),
    ...                   ("Y2", {"role": "young_person", "age": 14})])
    >>> G.add_edge("A", "Y1", ties={"olders": 1}, first="2026-01-01")
    >>> G.add_edge("A", "Y2", ties={"sibling": 1}, first="2026-01-01")
    >>> likely_recruiters(G, min_young_people=1)[0]["young_people"]
    ['Y1']
    """
    cfg = schema.setting("network.recruiters")
    weights = dict(cfg["score_weights"], **(weights or {}))
    gap = float(cfg["age_gap_years"] if age_gap_years is None else age_gap_years)
    least = int(cfg["min_young_people"] if min_young_people is None else min_young_people)
    family = set(schema.setting("network.family_kinds"))
    gof = {m: g["group_id"] for g in (groups or []) for m in g["members"]}
    first_incident = first_incident or {}
    # Roles and ages looked up once, not through G.nodes per tie (a borough has ~100,000 tie ends).
    roles = dict(G.nodes(data="role"))
    ages = dict(G.nodes(data="age"))
    with gc_paused():  # thousands of small dicts and lists, no cycles among them
        out = _candidates(G, roles, ages, family=family, gap=gap, least=least, gof=gof,
                          first_incident=first_incident, weights=weights)
    return sorted(out, key=lambda r: (-r["score"], str(r["person_id"])))


def _candidates(G, roles, ages, *, family, gap, least, gof, first_incident, weights) -> list[dict]:
    """Every person with ``least`` or more counted young people, scored (unsorted)."""
    out = []
    for c, nbrs in G.adjacency():
        role = roles[c]
        age = ages[c]
        counted = []
        for y, d in nbrs.items():
            if roles[y] != "young_person":
                continue
            if not family.isdisjoint(d.get("ties", ())):
                continue
            yage = ages[y]
            older = age is not None and yage is not None and age - yage >= gap
            if role == "young_person" and not older:
                continue
            counted.append((y, d, older))
        if len(counted) < least:
            continue
        ys = sorted(y for y, _, _ in counted)
        grp = sorted({gof[y] for y in ys if y in gof})
        found = [y for y, d, _ in counted if d.get("ties", {}).get("found_together")]
        precedes = [y for y, d, _ in counted
                    if d.get("first") and first_incident.get(y) and d["first"] < first_incident[y]]
        counts = {"young_people": len(counted), "much_younger": sum(o for _, _, o in counted),
                  "groups_spanned": max(len(grp) - 1, 0), "found_with": len(found),
                  "tie_precedes_first_incident": len(precedes)}
        parts = {k: {"count": v, "weight": float(weights[k]), "points": round(v * float(weights[k]), 4)}
                 for k, v in counts.items()}
        out.append({"person_id": c, "role": role, "age": age,
                    "score": round(sum(p["points"] for p in parts.values()), 4), "parts": parts,
                    "young_people": ys, "groups": grp,
                    "evidence": [{"young_person": y, "ties": d.get("ties", {}), "first": d.get("first", ""),
                                  "first_incident_of_young_person": first_incident.get(y, ""),
                                  "records": edge_records(G, c, y)}
                                 for y, d, _ in sorted(counted, key=lambda t: t[0])]})
    return out
