"""The peer-group assessment: everything a contextual safeguarding meeting needs about one group.

A group is either found in the data by the network analyses (``PG001``... from
:func:`graphmap.network.peer_groups.peer_groups`: ids hold for one window and seed) or recorded
by practitioners (groups.csv / memberships.csv). For it, for the window: members with ages,
roles, cohorts and matrix levels; the group's network; the places members share; a timeline of
their incidents and missing episodes; the adults of concern and bridges around it with the
reasons (score parts, records); cohort counts; and suggested actions under Identify / Prevent /
Support / Protect / Disrupt from ``schema/group_actions.yaml``. Every figure carries the
record ids behind it. Plain data: the app page and the pack both show this.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from . import schema
from .network_picture import canonical, evidence_lines, marked_bridges, network_view, roles_of, tie_graph
from .store import Store
from .window import Window


def group_choices(store: Store, window: Window, analysis: dict) -> list[dict]:
    """Every group the page can open: found peer groups (largest first), then recorded groups.

    Each: ``group_id, kind ("found" | "recorded"), name, size``.
    """
    from .views import recorded_groups

    found = [{"group_id": g["group_id"], "kind": "found", "size": g["size"],
              "name": f"Peer group {g['group_id']} (found in the data)"} for g in analysis.get("peer_groups", [])]
    recorded = [{"group_id": g["group_id"], "kind": "recorded", "size": len(g["members"]),
                 "name": g["name"] or g["group_id"]} for g in recorded_groups(store, window)]
    return found + recorded


def find_group(store: Store, window: Window, group_id: str, analysis: dict, source: dict) -> dict:
    """A found (``analysis``) or recorded group by id: kind, name, source, members (canonical
    ids), how it was found; ``KeyError`` when there is none."""
    from .views import recorded_groups

    for g in analysis.get("peer_groups", []):
        if g["group_id"] == group_id:
            return {"group_id": group_id, "kind": "found", "name": f"Peer group {group_id} (found in the data)",
                    "source": "network analysis", "members": list(g["members"]), "how": _how_found(g),
                    "incident_mix": g.get("incident_mix", {})}
    for g in recorded_groups(store, window):
        if g["group_id"] == group_id:
            return {"group_id": group_id, "kind": "recorded", "name": g["name"], "source": g["source"],
                    "members": canonical(source, g["members"]),
                    "how": f"Recorded by {g['source'] or 'unknown'}: members whose recorded membership overlaps the window.",
                    "incident_mix": {}}
    raise KeyError(f"no group with id {group_id!r}")


def _how_found(g: dict) -> str:
    ages = {k: (round(v, 1) if isinstance(v, float) else v) for k, v in (g.get("ages") or {}).items()}
    return (f"Found in the records of the window by {g.get('algorithm', 'community detection')} "
            f"(seed {g.get('seed')}); stability across re-runs {g.get('stability')}; "
            f"{g.get('internal_ties', 0)} ties among members; ages {ages.get('min')} to {ages.get('max')} "
            f"(median {ages.get('median')}). Group ids hold for this window only.")


#: What an assessment can be shown without and have filled in after (:func:`with_late_parts`):
#: the peer groups' stability re-runs and the disruption targets, the slowest analyses of a
#: window (seconds each at borough size) and shown in two places only: the "how it was found"
#: line and the adults of concern's "disruption step".
LATE_KEYS = ("stability", "disruption_targets")


def with_late_parts(data: dict, analysis: dict) -> dict:
    """``data`` (:func:`group_assessment` of an analysis whose groups have no stability re-runs
    and with no disruption targets) with those filled from ``analysis`` (the stable
    ``peer_groups`` and ``disruption_targets``): the same dict as :func:`group_assessment` of the
    whole analysis (tested). Nothing else an assessment holds reads them: its members, network,
    metrics and suggested actions are the same."""
    out = dict(data)
    if data["kind"] == "found":
        out["how"] = _how_found(next(g for g in analysis["peer_groups"] if g["group_id"] == data["group_id"]))
    disruption = {d["person_id"]: d["step"] for d in analysis.get("disruption_targets", []) if "person_id" in d}
    out["adults_of_concern"] = [{**a, "disruption_step": disruption.get(a["person_id"])}
                                for a in data["adults_of_concern"]]
    return out


def group_assessment(store: Store, window: Window, group_id: str, *, redaction: str = "professionals-only",
                     analysis: dict | None = None, source: dict | None = None) -> dict:
    """One group's assessment for the window.

    Parameters
    ----------
    analysis : dict, optional
        :func:`graphmap.network.analyse.analyse` for the window (run when not given).
    source : dict, optional
        :func:`graphmap.network_picture.network_source` for the window (built when not given).

    Returns
    -------
    dict
        ``group_id, kind, name, source, how, members [{person_id, name, age, role, flags,
        cohorts, matrix_band, matrix_total, next_review, found_group, bridge}], network (a
        network view), matrix (:func:`graphmap.reviews.group_risk`), places [{location_id,
        name, type, ward, latitude, longitude, members, people, incidents, incident_ids,
        presence, hotspot_rank}], timeline [{date, end, type, incident_id, place, people,
        grading, source}], adults_of_concern [{person_id, name, age, members_tied, ties
        [{person_id, name, pieces, kinds, records}], recruiter {rank, score, parts} or None,
        disruption_step}], bridges [{person_id, name, role, member, score, articulation_point,
        groups_connected, ties_into_groups}], co_missing [...], cohorts [{key, label, count,
        members}], metrics, actions {heading: [{id, action, reason, rule}]}``.
    """
    from .cohorts import cohort_definitions, cohort_members
    from .places.location_profile import suggested_actions
    from .reviews import group_risk
    from .views import age_on, isin, person_label, row_dicts

    if analysis is None:
        from .network.analyse import analyse

        analysis = analyse(store, window)
    if source is None:
        from .network_picture import network_source

        source = network_source(store, window)
    g = find_group(store, window, group_id, analysis, source)
    members = sorted(g["members"])
    mset = set(members)
    tables = store.tables()
    to_canon = {p: c for c, ps in source.get("source_ids", {}).items() for p in ps}
    people = tables["people"].set_index("person_id")
    rows_of = {r["person_id"]: r for r in row_dicts(tables["people"])}  # not to_dict: 1 s CPU at borough size

    def name(pid: str) -> str:
        return person_label(rows_of.get(pid, {"person_id": pid}), redaction)

    def age(pid: str):
        return age_on(str(rows_of[pid]["date_of_birth"]), window.as_at) if pid in rows_of else None

    # --- members, matrix, cohorts ---
    matrix = group_risk(tables["assessments"], members, as_at=window.as_at)
    by_matrix = {m["person_id"]: m for m in matrix["members"]}
    _, cohort_sets = cohort_members(tables, window=window)
    defs = cohort_definitions()["cohorts"]
    gof = {m: pg["group_id"] for pg in analysis.get("peer_groups", []) for m in pg["members"]}
    bridges = marked_bridges(analysis)
    member_rows = []
    for pid in members:
        role = str(people.at[pid, "role"]) if pid in people.index else ""
        m = by_matrix.get(pid, {})
        member_rows.append({
            "person_id": pid, "name": name(pid), "age": age(pid), "role": role.replace("_", " "),
            "flags": str(people.at[pid, "flags"]).replace(";", ", ") if pid in people.index else "",
            "cohorts": [defs[k].get("label", k) for k in defs if pid in cohort_sets.get(k, set())],
            "matrix_band": m.get("combined_band") or "not assessed", "matrix_total": m.get("combined_total"),
            "next_review": m.get("next_review") or "", "found_group": gof.get(pid, ""), "bridge": pid in bridges})
    cohorts = [{"key": k, "label": defs[k].get("label", k), "count": len(cohort_sets.get(k, set()) & mset),
                "members": sorted(cohort_sets.get(k, set()) & mset)} for k in defs]

    # --- timeline and places (records naming members, never as the one reporting) ---
    inc = tables["incidents"]
    inc = inc[window.contains(inc["start"])]
    inv = tables["involvements"]
    # The window's involvements first, then canonical ids (not every involvement of the store).
    inv = inv[(inv["role"] != "reporting") & isin(inv["incident_id"], inc["incident_id"])]
    if to_canon:
        inv = inv.assign(person_id=inv["person_id"].map(lambda p: to_canon.get(p, p)))
    inv = inv[isin(inv["person_id"], mset)]
    locs = tables["locations"].set_index("location_id")
    place_name = {lid: (str(n) or lid) for lid, n in zip(locs.index.tolist(), locs["name"].tolist())}
    named = inv.groupby("incident_id").apply(lambda d: sorted(zip(d["person_id"], d["role"])), include_groups=False) \
        if len(inv) else pd.Series(dtype=object)
    timeline = []
    for r in inc[isin(inc["incident_id"], inv["incident_id"])].sort_values(["start", "incident_id"]).to_dict("records"):
        timeline.append({"date": r["start"], "end": r["end"], "type": r["type"], "incident_id": r["incident_id"],
                         "place": place_name.get(r["location_id"], r["location_id"]) if r["location_id"] else "",
                         "location_id": r["location_id"],
                         "people": "; ".join(f"{name(p)} ({role.replace('_', ' ')})" for p, role in named[r["incident_id"]]),
                         "grading": r["grading"], "source": r["source"]})
    pres = tables["presence"]
    pres = pres[window.overlaps(pres["first_seen"], pres["last_seen"])]
    if to_canon:
        pres = pres.assign(person_id=pres["person_id"].map(lambda p: to_canon.get(p, p)))
    pres = pres[isin(pres["person_id"], mset)]
    at_place: dict[str, dict] = defaultdict(lambda: {"people": set(), "incident_ids": set(), "presence": []})
    for t in timeline:
        if t["location_id"]:
            p = at_place[t["location_id"]]
            p["incident_ids"].add(t["incident_id"])
            p["people"].update(pid for pid, _ in named[t["incident_id"]])
    for r in pres.to_dict("records"):
        p = at_place[r["location_id"]]
        p["people"].add(r["person_id"])
        p["presence"].append(f"{r['person_id']} {r['kind']}".replace("_", " "))
    hot_rank = {h["location_id"]: h["rank"] for h in analysis.get("hotspots", []) if "rank" in h}
    least = int(schema.setting("app.peer_group_shared_place_members"))
    places = []
    for lid, p in at_place.items():
        if len(p["people"]) < least:
            continue
        loc = locs.loc[lid] if lid in locs.index else None
        lat = float(loc["latitude"]) if loc is not None and loc["latitude"] else None
        lon = float(loc["longitude"]) if loc is not None and loc["longitude"] else None
        places.append({"location_id": lid, "name": place_name.get(lid, lid),
                       "type": str(loc["type"]) if loc is not None else "", "ward": str(loc["ward"]) if loc is not None else "",
                       "latitude": lat, "longitude": lon, "members": len(p["people"]),
                       "people": sorted(p["people"]), "incidents": len(p["incident_ids"]),
                       "incident_ids": sorted(p["incident_ids"]), "presence": sorted(p["presence"]),
                       "hotspot_rank": hot_rank.get(lid)})
    places.sort(key=lambda p: (-p["members"], -p["incidents"], p["location_id"]))

    # --- adults of concern and bridges, with reasons ---
    ev = source["evidence"]
    G = tie_graph(source, ev[ev["a"].isin(mset) | ev["b"].isin(mset)])  # only the members' ties
    role_of = roles_of(source)
    recruiters = {r["person_id"]: (i, r) for i, r in enumerate(analysis.get("recruiters", []), 1)}
    disruption = {d["person_id"]: d["step"] for d in analysis.get("disruption_targets", []) if "person_id" in d}
    adults: dict[str, list] = defaultdict(list)
    found_with: set[str] = set()
    for m in members:
        if m not in G:
            continue
        for a in G[m]:
            if role_of.get(a) != "adult_of_concern" or a in mset:
                continue
            d = G[m][a]
            rows = d["rows"]
            kinds = pd.Series(G.graph["tie"][rows.start:rows.stop]).value_counts().sort_index().to_dict()
            recs = sorted({r for rs in G.graph["records"][rows.start:rows.stop] for r in rs})
            for t, rs in zip(G.graph["tie"][rows.start:rows.stop], G.graph["records"][rows.start:rows.stop]):
                if t == "found_together":
                    found_with.update(rs)
            adults[a].append({"person_id": m, "name": name(m), "pieces": d["count"],
                              "kinds": {str(k): int(v) for k, v in kinds.items()}, "records": recs,
                              "evidence": evidence_lines(G, rows)})
    adult_rows = []
    for a, ties in adults.items():
        rank, rec = recruiters.get(a, (None, None))
        adult_rows.append({"person_id": a, "name": name(a), "age": age(a), "members_tied": len(ties),
                           "ties": sorted(ties, key=lambda t: (-t["pieces"], t["person_id"])),
                           "recruiter": {"rank": rank, "score": rec["score"], "parts": rec["parts"],
                                         "young_people": len(rec.get("young_people", []))} if rec else None,
                           "disruption_step": disruption.get(a)})
    adult_rows.sort(key=lambda r: (-r["members_tied"], -(r["recruiter"] or {}).get("score", 0), r["person_id"]))
    bridge_rows = []
    for b in analysis.get("bridges", []):
        if not b.get("bridges_groups"):
            continue
        via_members = [t for t in b.get("ties_into_groups", []) if t["via"] in mset]
        if b["person_id"] in mset or (g["kind"] == "found" and group_id in b.get("groups_connected", [])) or via_members:
            bridge_rows.append({"person_id": b["person_id"], "name": name(b["person_id"]),
                                "role": str(b.get("role") or "").replace("_", " "), "member": b["person_id"] in mset,
                                "score": b["score"], "articulation_point": b.get("articulation_point", False),
                                "groups_connected": b.get("groups_connected", []),
                                "participation": b.get("participation"),
                                "ties_into_groups": b.get("ties_into_groups", [])})
    co_missing = [c for c in analysis.get("co_missing", []) if c["person_a"] in mset and c["person_b"] in mset]
    cross = [c for c in analysis.get("cross_borough", []) if c["person_a"] in mset or c["person_b"] in mset]

    # --- suggested actions (schema/group_actions.yaml) ---
    young = [m for m in members if role_of.get(m) == "young_person"]
    bands = [r["matrix_band"] for r in member_rows]
    metrics = {
        "members": len(members), "young_people": len(young), "incidents": len(timeline),
        "missing_episodes": sum(1 for t in timeline if t["type"] == "missing"),
        "co_missing_patterns": sum(1 for c in co_missing if c.get("pattern")),
        "found_with_adult": len(found_with), "adults_of_concern": len(adult_rows),
        "recruiters": sum(1 for a in adult_rows if a["recruiter"]),
        "bridges": sum(1 for m in members if m in bridges),
        "young_person_bridges": sum(1 for b in bridge_rows if b["member"] and b["role"] == "young person"),
        "shared_places": len(places), "hotspot_places": sum(1 for p in places if p["hotspot_rank"]),
        "cross_borough": len(cross), "not_assessed": len(matrix["not_assessed"]),
        "significant": bands.count("significant"), "moderate": bands.count("moderate"),
        "aged_12_or_under": sum(1 for r in member_rows if r["age"] is not None and r["age"] <= 12),
        **{f"n_{c['key']}": c["count"] for c in cohorts},
    }
    return {
        "group_id": group_id, "kind": g["kind"], "name": g["name"], "source": g["source"], "how": g["how"],
        "incident_mix": g["incident_mix"], "members": member_rows, "matrix": matrix,
        "network": network_view(source, analysis, mode="group", members=members, redaction=redaction),
        "places": places, "timeline": timeline, "adults_of_concern": adult_rows, "bridges": bridge_rows,
        "co_missing": co_missing, "cross_borough": cross, "cohorts": cohorts, "metrics": metrics,
        "actions": suggested_actions(metrics, "group_actions.yaml"),
    }
