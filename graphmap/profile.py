"""A young person's profile: what graphmap holds about them, each item with its record.

The app's person page and ``graphmap profile`` show this: the timeline of every record naming
the person (with source, grading and fact/opinion), their ties with the records behind each,
their places, their groups, their risk-matrix assessments (current agreed, past, drafts), the
levels proposed from the records (never scores), repeat-referral flags and open actions.

Inputs are tables as :meth:`Store.tables` returns them; the peer groups and hotspots from the
network and place analyses come in as parameters.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, Mapping

import networkx as nx
import pandas as pd

from . import proposals as _proposals
from .reviews import referral_flags
from .risk import framework, frameworks, score_assessments
from .window import Window

PROVENANCE = ("source", "source_ref", "recorded", "fact_or_opinion")


def _prov(row: Mapping) -> dict:
    return {k: row.get(k, "") for k in (*PROVENANCE, "grading") if k in row}


def _upto(df: pd.DataFrame, col: str, as_at: date | None) -> pd.DataFrame:
    if as_at is None or df.empty:
        return df
    return df[(df[col] == "") | (df[col].str[:10] <= as_at.isoformat())]


def timeline(tables: Mapping[str, pd.DataFrame], person_id: str, *, as_at: date | None = None) -> list[dict]:
    """Every record naming the person, oldest first (undated records last).

    Each item: ``{date, record, id, what, ...provenance}`` where ``record`` is the record type
    and ``id`` its key (joined with ``|`` for link records).
    """
    items: list[dict] = []
    inv = tables["involvements"]
    mine = inv[inv["person_id"] == person_id]
    inc = _upto(tables["incidents"], "start", as_at).set_index("incident_id")
    for r in mine.to_dict("records"):
        if r["incident_id"] not in inc.index:
            continue
        i = inc.loc[r["incident_id"]].to_dict()
        items.append({"date": i["start"], "record": "incidents", "id": r["incident_id"], "what": i["type"],
                      "role": r["role"], "end": i["end"], "location_id": i["location_id"], "summary": i["summary"],
                      **_prov(i)})
    a = _upto(tables["associations"], "first_seen", as_at)
    a = a[(a["person_id_a"] == person_id) | (a["person_id_b"] == person_id)]
    for r in a.to_dict("records"):
        other = r["person_id_b"] if r["person_id_a"] == person_id else r["person_id_a"]
        items.append({"date": r["first_seen"] or r.get("recorded", ""), "record": "associations",
                      "id": "|".join([r["person_id_a"], r["person_id_b"], r["kind"], r["source"]]),
                      "what": r["kind"], "other_person_id": other, "direction": "a" if r["person_id_a"] == person_id else "b",
                      "first_seen": r["first_seen"], "last_seen": r["last_seen"], **_prov(r)})
    simple = (("presence", "location_id", "kind"), ("memberships", "group_id", None),
              ("identifier_uses", "identifier_id", None))
    for name, other_col, what_col in simple:
        df = tables.get(name)
        if df is None:
            continue
        df = _upto(df[df["person_id"] == person_id], "first_seen", as_at)
        for r in df.to_dict("records"):
            items.append({"date": r["first_seen"] or r.get("recorded", ""), "record": name,
                          "id": "|".join([person_id, r[other_col], *( [r[what_col]] if what_col else []), r["source"]]),
                          "what": r[what_col] if what_col else name, other_col: r[other_col],
                          "first_seen": r["first_seen"], "last_seen": r["last_seen"], **_prov(r)})
    asm = tables.get("assessments")
    if asm is not None:
        for r in _upto(asm[asm["person_id"] == person_id], "assessed_on", as_at).to_dict("records"):
            items.append({"date": r["assessed_on"], "record": "assessments", "id": r["assessment_id"],
                          "what": f"risk matrix ({r['status']})", "assessor": r["assessor"], **_prov(r)})
    act = tables.get("actions")
    if act is not None:
        for r in _upto(act[act["person_id"] == person_id], "raised_on", as_at).to_dict("records"):
            items.append({"date": r["raised_on"], "record": "actions", "id": r["action_id"],
                          "what": f"action: {r['heading']} ({r['status']})", "text": r["text"], **_prov(r)})
    items.sort(key=lambda x: (x["date"] == "", x["date"], x["record"], x["id"]))
    return items


def ties(G: nx.Graph, person_id: str, people: pd.DataFrame | None = None) -> list[dict]:
    """The person's ties in ``G`` with the evidence on each edge, strongest evidence first."""
    if person_id not in G:
        return []
    roles = dict(zip(people["person_id"], people["role"])) if people is not None else {}
    out = [{"person_id": q, "role": roles.get(q, ""), "evidence": G.edges[person_id, q].get("evidence", [])}
           for q in G[person_id]]
    out.sort(key=lambda t: (-len(t["evidence"]), t["person_id"]))
    return out


def places(tables: Mapping[str, pd.DataFrame], person_id: str, *, window: Window,
           hotspots: Iterable[str] = ()) -> list[dict]:
    """Places linked to the person in the window (presence, incidents naming them), each with
    its records and whether the place analyses call it a hotspot."""
    hot = set(hotspots)
    locs = tables["locations"].set_index("location_id")
    ev: dict[str, list[dict]] = {}
    pr = tables["presence"]
    pr = pr[(pr["person_id"] == person_id) & window.overlaps(pr["first_seen"], pr["last_seen"])]
    for r in pr.to_dict("records"):
        ev.setdefault(r["location_id"], []).append({"record": "presence", "kind": r["kind"],
                                                    "first_seen": r["first_seen"], "last_seen": r["last_seen"],
                                                    **_prov(r)})
    inc = _proposals._person_incidents(tables, person_id, window)
    for r in inc[inc["location_id"] != ""].to_dict("records"):
        ev.setdefault(r["location_id"], []).append(_proposals._incident_evidence(r, r["role"]))
    out = []
    for lid, items in ev.items():
        loc = locs.loc[lid] if lid in locs.index else None
        out.append({"location_id": lid, "name": "" if loc is None else loc["name"],
                    "type": "" if loc is None else loc["type"], "ward": "" if loc is None else loc["ward"],
                    "hotspot": lid in hot, "evidence": items})
    out.sort(key=lambda p: (-len(p["evidence"]), p["location_id"]))
    return out


def groups_of(tables: Mapping[str, pd.DataFrame], person_id: str, *, window: Window,
              groups: Mapping[str, str | Iterable[str]] | None = None) -> list[dict]:
    """Recorded group memberships overlapping the window, and derived peer groups.

    Parameters
    ----------
    groups : mapping, optional
        ``person_id -> group id(s)`` from the peer-group analysis (``basis: "derived"``).
    """
    out = []
    m = tables.get("memberships")
    names = dict(zip(tables["groups"]["group_id"], tables["groups"]["name"])) if "groups" in tables else {}
    if m is not None:
        m = m[(m["person_id"] == person_id) & window.overlaps(m["first_seen"], m["last_seen"])]
        for r in m.to_dict("records"):
            out.append({"group_id": r["group_id"], "name": names.get(r["group_id"], ""), "basis": "recorded",
                        "first_seen": r["first_seen"], "last_seen": r["last_seen"], **_prov(r)})
    derived = (groups or {}).get(person_id)
    if derived is not None:
        for g in ([derived] if isinstance(derived, (str, int)) else derived):
            out.append({"group_id": str(g), "name": names.get(str(g), ""), "basis": "derived"})
    return out


def open_actions(tables: Mapping[str, pd.DataFrame], person_id: str, group_ids: Iterable[str] = ()) -> list[dict]:
    """Open actions about the person or one of their groups, soonest due first."""
    act = tables.get("actions")
    if act is None or act.empty:
        return []
    gids = set(group_ids)
    mine = act[(act["status"] == "open") & ((act["person_id"] == person_id) | act["group_id"].isin(gids))]
    out = [{"action_id": r["action_id"], "about": "person" if r["person_id"] == person_id else f"group {r['group_id']}",
            "heading": r["heading"], "text": r["text"], "owner": r["owner"], "raised_on": r["raised_on"],
            "due": r["due"], "source": r["source"]} for r in mine.to_dict("records")]
    out.sort(key=lambda a: (a["due"] == "", a["due"], a["action_id"]))
    return out


def matrix_history(tables: Mapping[str, pd.DataFrame], person_id: str, *, as_at: date | None = None) -> dict:
    """The person's assessments, scored: ``{current, past, drafts}`` (current = latest agreed)."""
    asm = tables.get("assessments")
    if asm is None:
        return {"current": None, "past": [], "drafts": []}
    asm = _upto(asm[asm["person_id"] == person_id], "assessed_on", as_at)
    scored = sorted(score_assessments(asm, frameworks()) if len(asm) else [],
                    key=lambda s: (s["assessed_on"], s["assessment_id"]), reverse=True)
    agreed = [s for s in scored if s["status"] == "agreed"]
    return {"current": agreed[0] if agreed else None, "past": agreed[1:],
            "drafts": [s for s in scored if s["status"] != "agreed"]}


def person_profile(tables: Mapping[str, pd.DataFrame], person_id: str, *, window: Window,
                   hotspots: Iterable[str] = (), groups: Mapping[str, str | Iterable[str]] | None = None,
                   G: nx.Graph | None = None) -> dict:
    """Everything graphmap holds about one person, as at the window's end.

    Parameters
    ----------
    tables : mapping of DataFrames
        As :meth:`Store.tables` returns them.
    window : Window
        Ties, places, groups and proposals are for this window; the timeline and the matrix
        history run to its as-at date.
    hotspots : iterable of str
        Location ids the place analyses call hotspots.
    groups : mapping, optional
        ``person_id -> group id(s)`` from the peer-group analysis.
    G : networkx.Graph, optional
        Ties with an ``evidence`` list per edge (default: :func:`proposals.tie_graph`).

    Raises
    ------
    KeyError
        When ``person_id`` is not in the store.
    """
    people = tables["people"]
    row = people[people["person_id"] == person_id]
    if row.empty:
        raise KeyError(f"no person {person_id!r} in the store")
    hot = set(hotspots)
    G = _proposals.tie_graph(tables, window=window, around=person_id, hops=2) if G is None else G
    grp = groups_of(tables, person_id, window=window, groups=groups)
    flags = referral_flags(tables["incidents"], tables["involvements"], as_at=window.as_at, person_ids={person_id})
    return {
        "as_at": window.as_at.isoformat(), "window": {"start": window.start_iso, "end": window.as_at.isoformat()},
        "framework": framework().id,
        "person": row.iloc[0].to_dict(),
        "timeline": timeline(tables, person_id, as_at=window.as_at),
        "ties": ties(G, person_id, people),
        "places": places(tables, person_id, window=window, hotspots=hot),
        "groups": grp,
        "matrix": matrix_history(tables, person_id, as_at=window.as_at),
        "proposals": _proposals.propose_levels(tables, person_id, window=window, hotspots=hot, G=G),
        "referrals_flag": flags[0] if flags else None,
        "open_actions": open_actions(tables, person_id, [g["group_id"] for g in grp]),
    }
