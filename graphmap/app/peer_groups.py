"""Peer group assessment: pick a group (found in the data or recorded) and see its members,
network, shared places, timeline, adults of concern and bridges with reasons, cohort flags and
suggested actions (:func:`graphmap.views.peer_group`; the pack shows the same)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from .. import schema
from . import packs_ui, state

#: The tabs of the assessment: key -> label.
TABS = {"members": "Members and network", "places": "Places", "timeline": "Timeline",
        "adults": "Adults of concern and bridges", "actions": "Cohorts and actions"}


def _parts(parts: dict) -> str:
    return " + ".join(f"{k.replace('_', ' ')} {p['count']} x {p['weight']:g}" for k, p in parts.items())


def main() -> None:
    st.title("Peer group assessment")
    state.marking()
    state.start_second_core()  # co-missing, cross-borough, stability, disruption: worked out meanwhile
    groups = state.group_choices()
    if not groups:
        st.caption("No peer groups were found in the window and none are recorded (groups.csv / memberships.csv).")
        return
    gid = state.pick_group("group", groups)  # ?group=ID links here
    st.caption(f"{sum(g['kind'] == 'found' for g in groups)} peer groups found in the records of the window "
               f"(PG..., ids hold for this window), {sum(g['kind'] == 'recorded' for g in groups)} recorded groups.")
    if not gid:
        return
    # Drawn first without the two slowest parts of the window (the groups' stability re-runs and
    # the disruption targets: seconds each at borough size); the two places that show them (the
    # "how it was found" line and the adults' disruption steps) are filled in at the end.
    group = state.peer_group(gid, first=True)
    st.subheader(state.md(group["name"] if group["kind"] == "found" else f"{group['name'] or gid} ({gid})"))
    how = st.empty()
    how.caption(state.md(group["how"]) if group["kind"] != "found" else
                "How the group was found: working out its stability across re-runs...")
    m = group["metrics"]
    cols = st.columns(6)
    cols[0].metric("Members", m["members"])
    cols[1].metric("Adults of concern tied", m["adults_of_concern"])
    cols[2].metric("Shared places", m["shared_places"])
    cols[3].metric("Incidents in window", m["incidents"])
    cols[4].metric("Missing episodes", m["missing_episodes"])
    cols[5].metric("Highest matrix band", group["matrix"]["highest"] or "none", help="Of members' latest agreed assessments")

    # Each part of the assessment in a tab, made and sent only when open (a rerun when another is
    # chosen): the whole page took a new tab of the demo's found group 2.1 s to draw, its map,
    # six tables and forty elements (session 9). ``app.lazy_tabs: false`` sends every tab.
    lazy = bool(schema.setting("app.lazy_tabs"))
    tabs = st.tabs(list(TABS.values()), key="group_tab" if lazy else None, on_change="rerun" if lazy else "ignore")
    draws = {"members": _members, "places": _places, "timeline": _timeline, "adults": _adults_tab, "actions": _actions}
    made = {}
    for key, tab in zip(TABS, tabs):
        if tab.open is not False:  # the chosen tab (None: not lazy, every tab)
            with tab:
                made[key] = draws[key](group)
    # The pack from the data on screen (the same builder as `graphmap pack peer-group`), cached.
    packs_ui.buttons("peer-group", state.window().as_at.isoformat(), lambda: state.peer_group_pack(gid)[0],
                     lambda: state.peer_group_pack(gid)[1], group_id=gid)
    whole = state.peer_group(gid)  # the late parts: the page is complete when this run ends
    how.caption(state.md(whole["how"]))
    if "adults" in made:  # the adults' slot, with their disruption steps now
        _adults(made["adults"], whole)


def _members(group: dict) -> None:
    """The members' table and the network picture."""
    st.subheader("Members")
    state.show_table(pd.DataFrame([{"name": r["name"], "person_id": r["person_id"], "age": r["age"], "role": r["role"],
                                    "matrix band": r["matrix_band"], "matrix total": r["matrix_total"],
                                    "next review": r["next_review"], "cohorts": ", ".join(r["cohorts"]),
                                    "flags": r["flags"], "found group": r["found_group"], "bridge": r["bridge"]}
                                   for r in group["members"]]), hide_index=True, key="group_members")
    st.caption("Matrix: the latest agreed assessment on or before the as-at date. Cohorts: schema/cohorts.yaml.")

    st.subheader("Network")
    net = group["network"]
    if net["message"]:
        st.warning(net["message"])
    st.caption(f"Members and the adults of concern tied to them: {len(net['nodes'])} people, {len(net['edges'])} ties. "
               "Hover a tie for its records.")
    if net["nodes"]:
        page, _ = state.network_page(net, height=460, cap=max(len(net["nodes"]), 1))
        st.iframe(page, height=480)


def _places(group: dict) -> None:
    """The places two or more members are linked to: a map and a table."""
    st.subheader("Places the group shares")
    places = group["places"]
    if places:
        points = [{"latitude": p["latitude"], "longitude": p["longitude"], "radius": 5 + 2 * p["members"],
                   "label": f"{p['name']} ({p['location_id']}): {p['members']} members",
                   "popup": f"{p['name']} ({p['location_id']})\n{p['members']} members linked, {p['incidents']} "
                            f"incidents in the window\n" + ", ".join(p["incident_ids"][:20])} for p in places]
        st.iframe(state.map_page(points, height=420), height=440)
        state.show_table(pd.DataFrame([{"place": p["name"], "id": p["location_id"], "type": p["type"], "ward": p["ward"],
                                        "members": p["members"], "incidents": p["incidents"],
                                        "hotspot rank": p["hotspot_rank"], "records": ", ".join(p["incident_ids"]),
                                        "presence": "; ".join(p["presence"])} for p in places]),
                         hide_index=True, key="group_places")
        unmapped = sum(1 for p in places if p["latitude"] is None)
        if unmapped:
            st.caption(f"{unmapped} shared place(s) have no coordinates and are not on the map.")
    else:
        st.caption("No place is linked to two or more members in the window.")


def _timeline(group: dict) -> None:
    """The incidents in the window that name members."""
    st.subheader("Timeline")
    if group["timeline"]:
        state.show_table(pd.DataFrame([{"date": t["date"], "end": t["end"], "type": t["type"].replace("_", " "),
                                        "id": t["incident_id"], "place": t["place"], "members named": t["people"],
                                        "grading": t["grading"], "source": t["source"]} for t in group["timeline"]]),
                         hide_index=True, key="group_timeline")
    else:
        st.caption("No incidents naming members in the window.")


def _adults_tab(group: dict) -> Any:
    """The adults of concern (a slot, filled again once the disruption steps are known), the
    bridges and who went missing together."""
    st.subheader("Adults of concern around the group")
    adults = st.empty()
    _adults(adults, group, late=True)

    st.subheader("Bridges")
    if group["bridges"]:
        state.show_table(pd.DataFrame([{
            "name": b["name"], "id": b["person_id"], "role": b["role"], "member": b["member"],
            "betweenness": b["score"], "cut point": b["articulation_point"],
            "groups connected": ", ".join(b["groups_connected"]),
            "ties into groups (records)": "; ".join(f"{t['group_id']} via {t['via']}: {', '.join(t['records'])}"
                                                    for t in b["ties_into_groups"])} for b in group["bridges"]]),
            hide_index=True, key="group_bridges")
        st.caption("A young person who bridges groups is a safeguarding signal: they may be used to recruit, "
                   "and may be a victim themselves.")
    else:
        st.caption("No one ties this group to another peer group in the window.")
    if group["co_missing"]:
        st.markdown("**Missing at the same time**")
        state.show_table(pd.DataFrame([{"person": c["person_a"], "with": c["person_b"],
                                        "overlapping episodes": c["overlapping_episodes"], "pattern": c.get("pattern"),
                                        "dates": ", ".join(d[:10] for d in c.get("dates", [])),
                                        "records": "; ".join(" & ".join(r) for r in c.get("records", []))}
                                       for c in group["co_missing"]]), hide_index=True, key="group_co_missing")
    return adults


def _actions(group: dict) -> None:
    """The cohort flags and the suggested actions."""
    st.subheader("Cohort flags")
    state.show_table(pd.DataFrame([{"cohort": c["label"], "members": c["count"], "ids": ", ".join(c["members"])}
                                   for c in group["cohorts"]]), hide_index=True, key="group_cohorts")

    st.subheader("Suggested actions")
    st.caption("Prompts for the meeting from schema/group_actions.yaml, each with the numbers that raised it: "
               "the meeting decides.")
    rows = [{"heading": h, "suggested action": a["action"], "why": a["reason"]}
            for h, acts in group["actions"].items() for a in acts]
    if rows:
        state.show_table(pd.DataFrame(rows), hide_index=True, key="group_actions")
    else:
        st.caption("No rule suggests an action for this group.")


def _adults(slot, group: dict, *, late: bool = False) -> None:
    """The adults of concern table; ``late``: drawn before the disruption steps are known."""
    if not group["adults_of_concern"]:
        slot.caption("No adult of concern is tied to a member in the window.")
        return
    state.show_table(where=slot, data=pd.DataFrame([{
        "name": a["name"], "id": a["person_id"], "age": a["age"], "members tied": a["members_tied"],
        "likely-recruiter rank": (a["recruiter"] or {}).get("rank"),
        "score": (a["recruiter"] or {}).get("score"),
        "score parts": _parts(a["recruiter"]["parts"]) if a["recruiter"] else "",
        "disruption step": "working out..." if late else a["disruption_step"],
        "ties (records)": "; ".join(f"{t['name']}: {', '.join(t['records'])}" for t in a["ties"])}
        for a in group["adults_of_concern"]]), hide_index=True, key="group_adults_first" if late else "group_adults")
