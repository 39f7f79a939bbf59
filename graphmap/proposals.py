"""Proposed risk-matrix levels from the records, each with the records behind it.

A proposal is a prompt for the assessor, never a score: every result says
``status: "proposed"`` and a person decides (an agreed assessment is the only score graphmap
reports). Four domains are proposed from what the store holds, with thresholds from the
framework's ``proposals`` section:

- **missing** (running away / missing): missing episodes in the window, and the guidance's
  overrides (an episode over 48 hours; a child aged 12 or under) shown with the episode;
- **weapons_violence**: coming to police / ASB notice, arrests, incidents whose summary
  mentions a weapon or violence (a keyword match: read the record);
- **peer_group**: ties to adults of concern (direct, at two hops, found with them while missing);
- **places_spaces**: presence at or incidents at hotspot places (a set of location ids from
  the place analyses).

Every function takes the tables it needs (as :meth:`Store.tables` returns them) and a
:class:`~graphmap.window.Window`; nothing reads a store.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Iterable, Mapping

import networkx as nx
import pandas as pd

from .risk import Framework, framework
from .window import Window

PROPOSED = "proposed"  # the only status a proposal ever has


def _level_for(n: int, rule: Mapping[str, int] | None, fw: Framework) -> str:
    """The highest level whose threshold ``n`` reaches ("" if none)."""
    best = ""
    for lv in fw.levels:
        if rule and lv in rule and n >= int(rule[lv]):
            best = lv
    return best


def _rank(fw: Framework, level: str) -> int:
    return fw.levels.index(level) if level else -1


def _ts(value: str) -> datetime | None:
    return datetime.fromisoformat(value[:19]) if value else None


def _age_on(dob: str, when: date) -> int | None:
    if not dob:
        return None
    b = date.fromisoformat(dob[:10])
    return when.year - b.year - ((when.month, when.day) < (b.month, b.day))


def _incident_evidence(row: Mapping, role: str = "") -> dict:
    ev = {"record": "incidents", "id": row["incident_id"], "type": row["type"], "start": row["start"],
          "end": row.get("end", ""), "location_id": row.get("location_id", ""), "source": row.get("source", ""),
          "grading": row.get("grading", "")}
    if role:
        ev["role"] = role
    return ev


def _person_incidents(tables: Mapping[str, pd.DataFrame], person_id: str, window: Window,
                      roles: Iterable[str] | None = None) -> pd.DataFrame:
    """Incidents in the window naming the person (never as the one reporting), with their role."""
    inv = tables["involvements"]
    mine = inv[(inv["person_id"] == person_id) & (inv["role"] != "reporting")]
    if roles is not None:
        mine = mine[mine["role"].isin(list(roles))]
    inc = tables["incidents"]
    inc = inc[inc["incident_id"].isin(set(mine["incident_id"])) & window.contains(inc["start"])]
    roles_by = mine.groupby("incident_id")["role"].agg(lambda r: ";".join(sorted(set(r))))
    inc = inc.assign(role=inc["incident_id"].map(roles_by).fillna(""))
    return inc.sort_values(["start", "incident_id"]).reset_index(drop=True)


def _proposal(fw: Framework, domain: str, reasons: list[dict]) -> dict | None:
    reasons = [r for r in reasons if r["level"]]
    if not reasons:
        return None
    level = max((r["level"] for r in reasons), key=lambda lv: _rank(fw, lv))
    d = fw.domains[domain]
    return {"domain": domain, "section": d.section, "label": d.label, "level": level,
            "level_label": fw.label(domain, level), "would_score": d.scores[level], "status": PROPOSED,
            "override": any(r.get("override") and r["level"] == level for r in reasons),
            "reasons": sorted(reasons, key=lambda r: -_rank(fw, r["level"]))}


# --- missing -------------------------------------------------------------------------------------

def missing_proposal(tables: Mapping[str, pd.DataFrame], person_id: str, *, window: Window,
                     fw: Framework | None = None) -> dict | None:
    """Propose the missing domain from the person's missing episodes in the window.

    The framework's overrides (``episode_hours_over``, ``age_at_most``) apply to each episode:
    an episode with no return recorded counts its hours up to the end of the as-at date, and
    the reason says so.
    """
    fw = fw or framework()
    rules = (fw.proposals.get("missing") or {})
    eps = _person_incidents(tables, person_id, window, roles=["missing_person"])
    eps = eps[eps["type"] == "missing"]
    evidence = [_incident_evidence(r, r["role"]) for r in eps.to_dict("records")]
    reasons = []
    n = len(eps)
    lv = _level_for(n, rules.get("episodes"), fw)
    if lv:
        reasons.append({"rule": "episodes", "level": lv, "override": False, "evidence": evidence,
                        "reason": f"{n} missing episode(s) between {window.start_iso} and {window.as_at.isoformat()}"})
    people = tables["people"].set_index("person_id")
    dob = people.at[person_id, "date_of_birth"] if person_id in people.index else ""
    as_at_end = datetime.fromisoformat(window.end_iso)
    for ov in fw.overrides:
        if ov.domain != "missing":
            continue
        hits, notes = [], []
        for ev in evidence:
            start = _ts(ev["start"])
            if ov.kind == "episode_hours_over":
                end = _ts(ev["end"])
                open_ = end is None
                hours = ((end or as_at_end) - start).total_seconds() / 3600
                if hours > ov.threshold:
                    hits.append({**ev, "hours": round(hours, 1)})
                    notes.append(f"{ev['id']} lasted {hours:.0f} h" if not open_ else
                                 f"{ev['id']} has no return recorded: {hours:.0f} h by the end of the as-at date")
            elif ov.kind == "age_at_most":
                age = _age_on(dob, start.date())
                if age is not None and age <= ov.threshold:
                    hits.append({**ev, "age": age})
                    notes.append(f"aged {age} at the start of {ev['id']}")
        if hits:
            reasons.append({"rule": ov.name, "level": ov.level, "override": True, "evidence": hits,
                            "reason": f"{ov.reason}: " + "; ".join(notes)})
    return _proposal(fw, "missing", reasons)


# --- weapons / violence -------------------------------------------------------------------------

def weapons_violence_proposal(tables: Mapping[str, pd.DataFrame], person_id: str, *, window: Window,
                              fw: Framework | None = None) -> dict | None:
    """Propose the weapons / criminal activity / ASB / violence domain from incidents."""
    fw = fw or framework()
    cfg = fw.proposals.get("weapons_violence") or {}
    inc = _person_incidents(tables, person_id, window, roles=cfg.get("roles"))
    words = [str(w) for w in cfg.get("keywords", [])]
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")", re.IGNORECASE) if words else None
    matched = inc["summary"].map(lambda s: (m.group(1).lower() if (m := pattern.search(s)) else "")
                                 if pattern else "")
    reasons = []

    def add(rule: str, mask: pd.Series, what: str, with_word: bool = False) -> None:
        rows = inc[mask]
        lv = _level_for(len(rows), cfg.get(rule), fw)
        if not lv:
            return
        ev = []
        for r, w in zip(rows.to_dict("records"), matched[mask]):
            e = _incident_evidence(r, r["role"])
            if with_word:
                e["matched"] = w
            ev.append(e)
        reasons.append({"rule": rule, "level": lv, "override": False, "evidence": ev,
                        "reason": f"{len(rows)} {what} in the window"})

    add("notices", inc["type"].isin(cfg.get("notice_types", [])), "incident(s) bringing them to police / ASB notice")
    add("arrests", inc["type"].isin(cfg.get("arrest_types", [])), "arrest(s)")
    add("weapon_violence", matched != "", "incident(s) whose summary mentions a weapon or violence "
        "(keyword match: read the record)", with_word=True)
    add("weapon_at_school", (matched != "") & inc["type"].isin(cfg.get("school_types", [])),
        "school incident(s) mentioning a weapon or violence", with_word=True)
    return _proposal(fw, "weapons_violence", reasons)


# --- peer group ---------------------------------------------------------------------------------

def tie_graph(tables: Mapping[str, pd.DataFrame], *, window: Window, around: str | None = None,
              hops: int = 2) -> nx.Graph:
    """A simple tie graph for the window: associations active in it, and people named together
    on an incident in it (never through someone who only reported it). Each edge carries
    ``evidence``: the records that make it.

    With ``around``, only the ties of people fewer than ``hops`` steps from that person are
    built (enough to see everyone ``hops`` steps away), so one profile does not build the
    whole borough's graph. The network analyses build richer ties; :func:`peer_group_proposal`
    takes any graph whose edges carry an ``evidence`` list.
    """
    from .views import isin  # Arrow's is_in: pandas' isin of a large set took 1.2 s CPU per profile

    a = tables["associations"]
    a = a[window.overlaps(a["first_seen"], a["last_seen"]) & (a["person_id_a"] != a["person_id_b"])]
    inc = tables["incidents"]
    in_window = inc.loc[window.contains(inc["start"]), "incident_id"]
    inv = tables["involvements"]
    inv = inv[isin(inv["incident_id"], in_window) & (inv["role"] != "reporting")]
    if around is not None:
        inner: set[str] = set()  # people fewer than `hops` steps away: their ties are built
        frontier = {around}
        for _ in range(hops):
            inner |= frontier
            touch_a = a[isin(a["person_id_a"], frontier) | isin(a["person_id_b"], frontier)]
            touch_i = inv[isin(inv["incident_id"], inv.loc[isin(inv["person_id"], frontier), "incident_id"])]
            frontier = (set(touch_a["person_id_a"].tolist()) | set(touch_a["person_id_b"].tolist())
                        | set(touch_i["person_id"].tolist())) - inner
        a = a[isin(a["person_id_a"], inner) | isin(a["person_id_b"], inner)]
        inv = inv[isin(inv["incident_id"], inv.loc[isin(inv["person_id"], inner), "incident_id"])]
    G = nx.Graph()
    for r in a.to_dict("records"):
        G.add_edge(r["person_id_a"], r["person_id_b"])
        G.edges[r["person_id_a"], r["person_id_b"]].setdefault("evidence", []).append(
            {"record": "associations", "kind": r["kind"], "first_seen": r["first_seen"],
             "last_seen": r["last_seen"], "source": r["source"], "grading": r["grading"]})
    inc_by = inc[isin(inc["incident_id"], inv["incident_id"])].set_index("incident_id")
    for iid, grp in inv.groupby("incident_id"):
        people = sorted(set(grp["person_id"]))
        roles = dict(zip(grp["person_id"], grp["role"]))
        for i, p in enumerate(people):
            for q in people[i + 1:]:
                G.add_edge(p, q)
                G.edges[p, q].setdefault("evidence", []).append(
                    {"record": "incidents", "id": iid, "type": inc_by.at[iid, "type"],
                     "start": inc_by.at[iid, "start"], "roles": {p: roles[p], q: roles[q]},
                     "source": inc_by.at[iid, "source"], "grading": inc_by.at[iid, "grading"]})
    return G


def peer_group_proposal(tables: Mapping[str, pd.DataFrame], person_id: str, *, window: Window,
                        G: nx.Graph | None = None, fw: Framework | None = None) -> dict | None:
    """Propose the peer group context from ties to adults of concern.

    Parameters
    ----------
    G : networkx.Graph, optional
        Ties with an ``evidence`` list on each edge (default: :func:`tie_graph` for the window).
    """
    fw = fw or framework()
    cfg = fw.proposals.get("peer_group") or {}
    G = tie_graph(tables, window=window, around=person_id, hops=2) if G is None else G
    people = tables["people"].set_index("person_id")
    adults = set(people.index[people["role"].isin(cfg.get("adult_roles", ["adult_of_concern"]))])
    reasons = []
    if person_id in G:
        direct = sorted(q for q in G[person_id] if q in adults and q != person_id)
        lv = _level_for(len(direct), cfg.get("direct"), fw)
        if lv:
            reasons.append({"rule": "direct", "level": lv, "override": False,
                            "reason": f"tied directly to {len(direct)} adult(s) of concern",
                            "evidence": [{"person_id": q, "ties": G.edges[person_id, q].get("evidence", [])}
                                         for q in direct]})
        second = sorted({r for q in G[person_id] for r in G[q]
                         if r in adults and r != person_id and r not in direct})
        lv = _level_for(len(second), cfg.get("second_hop"), fw)
        if lv:
            ev = [{"person_id": r, "through": sorted(q for q in G[person_id] if r in G[q])} for r in second]
            reasons.append({"rule": "second_hop", "level": lv, "override": False, "evidence": ev,
                            "reason": f"{len(second)} adult(s) of concern two steps away (through a peer)"})
    # Found with an adult of concern while missing.
    inv = tables["involvements"]
    eps = _person_incidents(tables, person_id, window, roles=["missing_person"])
    from .views import isin

    found = inv[isin(inv["incident_id"], eps["incident_id"]) & (inv["role"] == "found_with")
                & isin(inv["person_id"], adults)]
    lv = _level_for(found["incident_id"].nunique(), cfg.get("found_with"), fw)
    if lv:
        by = eps.set_index("incident_id")
        ev = [{**_incident_evidence({"incident_id": i, **by.loc[i].to_dict()}, "missing_person"),
               "found_with": sorted(found.loc[found["incident_id"] == i, "person_id"])}
              for i in sorted(set(found["incident_id"]))]
        reasons.append({"rule": "found_with", "level": lv, "override": False, "evidence": ev,
                        "reason": f"found with an adult of concern while missing ({len(ev)} episode(s))"})
    return _proposal(fw, "peer_group", reasons)


# --- places -------------------------------------------------------------------------------------

def places_proposal(tables: Mapping[str, pd.DataFrame], person_id: str, *, window: Window,
                    hotspots: Iterable[str], fw: Framework | None = None) -> dict | None:
    """Propose the places and spaces context from links to hotspot places.

    Parameters
    ----------
    hotspots : iterable of str
        Location ids the place analyses (or the Locations Board) call hotspots.
    """
    fw = fw or framework()
    cfg = fw.proposals.get("places_spaces") or {}
    hot = set(hotspots)
    if not hot:
        return None
    pr = tables["presence"]
    pr = pr[(pr["person_id"] == person_id) & pr["location_id"].isin(hot)
            & window.overlaps(pr["first_seen"], pr["last_seen"])]
    inc = _person_incidents(tables, person_id, window)
    inc = inc[inc["location_id"].isin(hot)]
    links = ([{"record": "presence", "location_id": r["location_id"], "kind": r["kind"],
               "first_seen": r["first_seen"], "last_seen": r["last_seen"], "source": r["source"]}
              for r in pr.to_dict("records")]
             + [_incident_evidence(r, r["role"]) for r in inc.to_dict("records")])
    reasons = []
    lv = _level_for(len(links), cfg.get("hotspot_links"), fw)
    if lv:
        reasons.append({"rule": "hotspot_links", "level": lv, "override": False, "evidence": links,
                        "reason": f"{len(links)} record(s) place them at {len({l['location_id'] for l in links})} "
                                  "hotspot place(s)"})
    found = [l for l in links if l.get("kind") == "found_at"
             or (l["record"] == "incidents" and l["type"] == "missing" and "missing_person" in l.get("role", ""))]
    lv = _level_for(len(found), cfg.get("found_at_hotspot"), fw)
    if lv:
        reasons.append({"rule": "found_at_hotspot", "level": lv, "override": False, "evidence": found,
                        "reason": f"found at a hotspot place after going missing ({len(found)} record(s))"})
    return _proposal(fw, "places_spaces", reasons)


# --- all ----------------------------------------------------------------------------------------

def propose_levels(tables: Mapping[str, pd.DataFrame], person_id: str, *, window: Window,
                   hotspots: Iterable[str] = (), G: nx.Graph | None = None,
                   fw: Framework | None = None) -> list[dict]:
    """Every proposal for a person (domains with nothing to propose are left out).

    Returns
    -------
    list of dict
        ``{domain, section, label, level, level_label, would_score, status: "proposed",
        override, reasons: [{rule, level, reason, override, evidence: [...]}]}``.
    """
    fw = fw or framework()
    out = [missing_proposal(tables, person_id, window=window, fw=fw),
           weapons_violence_proposal(tables, person_id, window=window, fw=fw),
           peer_group_proposal(tables, person_id, window=window, G=G, fw=fw),
           places_proposal(tables, person_id, window=window, hotspots=hotspots, fw=fw)]
    return [p for p in out if p is not None]


def unconfirmed_overrides(levels: Mapping[str, str], proposals: list[dict], fw: Framework | None = None) -> list[str]:
    """Messages for each override the records support but the assessment does not reflect.

    The assessor decides; graphmap says what the guidance and the records suggest.
    """
    fw = fw or framework()
    out = []
    for p in proposals:
        for r in p["reasons"]:
            if r.get("override") and _rank(fw, levels.get(p["domain"], "") or "") < _rank(fw, r["level"]):
                out.append(f"{p['domain']}: the guidance sets {r['level']} ({r['reason']}); "
                           f"recorded: {levels.get(p['domain']) or 'not rated'}")
    return out
