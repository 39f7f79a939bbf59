"""The peer-group assessment pack: the same content as the app's Peer group assessment page."""

from __future__ import annotations

from ..window import Window
from .figures import network_png, places_png
from .pack import Image, Pack, Section, Table


def _parts(parts: dict) -> str:
    return " + ".join(f"{k.replace('_', ' ')} {p['count']} x {p['weight']:g}" for k, p in parts.items())


def peer_group_pack(group: dict, *, window: Window, redaction: str) -> Pack:
    """Build the pack from :func:`graphmap.views.peer_group` output (a plain dict)."""
    title = f"Peer group assessment: {group.get('name') or group['group_id']}"
    pack = Pack("peer-group", title, window.as_at, window.days, window.start, redaction)
    m = group["metrics"]
    members = Section("Members", paragraphs=[
        f"Group {group['group_id']}: {group['how']}",
        f"{m['members']} member(s); {m['adults_of_concern']} adult(s) of concern tied to them; "
        f"{m['incidents']} incident(s) naming members in the window, {m['missing_episodes']} of them missing episodes; "
        f"{m['shared_places']} shared place(s). Highest current matrix band: {group['matrix']['highest'] or 'none agreed'}."])
    members.tables.append(Table(
        ["person", "id", "age", "role", "matrix band (total)", "next review", "cohorts", "flags", "found group"],
        [[r["name"], r["person_id"], r["age"], r["role"],
          f"{r['matrix_band']} ({r['matrix_total']})" if r["matrix_total"] is not None else r["matrix_band"],
          r["next_review"], ", ".join(r["cohorts"]), r["flags"], r["found_group"]] for r in group["members"]],
        caption="Matrix: the latest agreed assessment on or before the as-at date. Cohorts: schema/cohorts.yaml."))
    pack.sections.append(members)

    net = group["network"]
    ties = Section("Network")
    if net["nodes"]:
        ties.images.append(Image(network_png(net), "Members and the adults of concern tied to them in the window "
                                                   "(seeded layout; diamonds: adults of concern; colour: peer group "
                                                   "found in the data)."))
    if net.get("message"):
        ties.paragraphs.append(net["message"])
    labels = {n["id"]: n["label"] for n in net["nodes"]}
    if net["edges"]:
        ties.tables.append(Table(["person", "linked to", "pieces of evidence", "evidence (kind · records · date · source · grading)"],
                                 [[labels[e["source"]], labels[e["target"]], e["count"], "; ".join(e["evidence"])]
                                  for e in sorted(net["edges"], key=lambda e: (-e["weight"], e["source"], e["target"]))]))
    else:
        ties.paragraphs.append("No ties between members were recorded in the window.")
    pack.sections.append(ties)

    places = Section("Places the group shares")
    if group["places"]:
        if any(p["latitude"] is not None for p in group["places"]):
            places.images.append(Image(places_png([{**p, "incidents": p["members"]} for p in group["places"]]),
                                       "Places linked to two or more members, sized by members (labels: place id "
                                       "and members)."))
        places.tables.append(Table(["place", "id", "type", "ward", "members", "incidents", "hotspot rank", "records"],
                                   [[p["name"], p["location_id"], p["type"], p["ward"], p["members"], p["incidents"],
                                     p["hotspot_rank"] or "", ", ".join(p["incident_ids"])] for p in group["places"]]))
    else:
        places.paragraphs.append("No place is linked to two or more members in the window.")
    pack.sections.append(places)

    pack.sections.append(Section("Timeline").table_or(
        "No incidents naming members in the window.",
        ["date", "type", "id", "place", "members named", "grading", "source"],
        [[t["date"][:16], t["type"].replace("_", " "), t["incident_id"], t["place"], t["people"], t["grading"],
          t["source"]] for t in group["timeline"]]))

    around = Section("Adults of concern and bridges").table_or(
        "No adult of concern is tied to a member in the window.",
        ["adult of concern", "id", "age", "members tied", "likely-recruiter rank (score)", "score parts", "ties (records)"],
        [[a["name"], a["person_id"], a["age"], a["members_tied"],
          f"{a['recruiter']['rank']} ({a['recruiter']['score']:g})" if a["recruiter"] else "",
          _parts(a["recruiter"]["parts"]) if a["recruiter"] else "",
          "; ".join(f"{t['name']}: {', '.join(t['records'])}" for t in a["ties"])] for a in group["adults_of_concern"]],
        caption="Adults of concern tied to members; the likely-recruiter score's parts are counts x weights "
                "(settings network.recruiters).")
    if group["bridges"]:
        around.tables.append(Table(
            ["person", "id", "role", "member", "betweenness", "cut point", "groups connected", "ties into groups (records)"],
            [[b["name"], b["person_id"], b["role"], "yes" if b["member"] else "no", b["score"],
              "yes" if b["articulation_point"] else "no", ", ".join(b["groups_connected"]),
              "; ".join(f"{t['group_id']} via {t['via']}: {', '.join(t['records'])}" for t in b["ties_into_groups"])]
             for b in group["bridges"]],
            caption="People tied into two or more peer groups. A young person who bridges groups may be used to "
                    "recruit, and may be a victim themselves."))
    if group["co_missing"]:
        around.tables.append(Table(["person", "with", "overlapping episodes", "dates", "records"],
                                   [[c["person_a"], c["person_b"], c["overlapping_episodes"],
                                     ", ".join(d[:10] for d in c.get("dates", [])),
                                     "; ".join(" & ".join(r) for r in c.get("records", []))] for c in group["co_missing"]],
                                   caption="Members missing at the same time"))
    pack.sections.append(around)

    cohorts = Section("Cohort flags")
    cohorts.tables.append(Table(["cohort", "members", "ids"],
                                [[c["label"], c["count"], ", ".join(c["members"])] for c in group["cohorts"]]))
    pack.sections.append(cohorts)

    actions = Section("Suggested actions", paragraphs=[
        "Prompts for the meeting from schema/group_actions.yaml, each with the numbers that raised it: the meeting decides."])
    rows = [[h, a["action"], a["reason"]] for h, acts in group["actions"].items() for a in acts]
    if rows:
        actions.tables.append(Table(["heading", "suggested action", "why"], rows))
    else:
        actions.paragraphs.append("No rule suggests an action for this group.")
    pack.sections.append(actions)
    return pack
