"""Locations Board: hotspots on a map and ranked, one place's profile; people only as counts."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from .. import schema
from . import packs_ui, state


def hotspot_table(hotspots: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{"rank": h["rank"], "place": h["name"], "id": h["location_id"],
                          "type": str(h["type"]).replace("_", " "), "ward": h["ward"], "score": h["score"],
                          "incidents": h["incidents"], "trend": h["trend"]["label"],
                          "young people": h["young_people"], "groups": h["groups"],
                          "adults of concern": h["adults_of_concern"], "found when missing": h["found_missing"]}
                         for h in hotspots])


def show_profile(prof: dict) -> None:
    st.subheader(state.md(f"{prof['name']} ({prof['location_id']})"))
    st.caption(state.md(f"{str(prof['type']).replace('_', ' ')}" + (f", {prof['ward']} ward" if prof["ward"] else "")))
    c = prof["counts"]
    cols = st.columns(5)
    cols[0].metric("Incidents in window", c["incidents"], delta=c["incidents"] - c["previous"], delta_color="inverse")
    cols[1].metric("Young people", c["young_people"])
    cols[2].metric("Groups", c["groups"])
    cols[3].metric("Adults of concern", c["adults_of_concern"])
    cols[4].metric("Found here when missing", c["found_missing"])
    st.caption(state.md(f"Trend: {prof['trend']['label']}: {prof['trend']['reason']}. Score {prof['score']:g} = "
                        + " + ".join(f"{k.replace('_', ' ')} {v['value']} x {v['weight']:g}"
                                     for k, v in prof["parts"].items()) + "."))
    tp = prof["time_profile"]
    grid = pd.DataFrame(tp["counts"], index=tp["days"], columns=[f"{h:02d}" for h in tp["hours"]])
    st.markdown("**When: hour of day x day of week** (incidents starting in the window)")
    state.show_table(grid.style.background_gradient(cmap="Reds", axis=None), key="board_time_profile")
    if prof["groups"]:
        st.markdown("**Groups using the place** (counts of young people, no names)")
        state.show_table(pd.DataFrame(prof["groups"]), hide_index=True, key="board_groups")
    st.markdown("**Suggested actions** (drawn from schema/place_actions.yaml; the board decides)")
    for heading, actions in prof["actions"].items():
        for a in actions:
            st.markdown(f"- **{state.md(heading)}**: {state.md(a['action'])}. *Why:* {state.md(a['reason'])}")
    if prof["nearby"]:
        st.markdown("**Nearby places**")
        state.show_table(pd.DataFrame(prof["nearby"]), hide_index=True, key="board_nearby")
    st.caption("Incident records: " + state.md(", ".join(prof["evidence"]["incident_ids"]) or "none"))


def _place_choices(names: dict[str, str], ranked: list[str]) -> list[str]:
    """The places the profile picker offers: the ranked hotspots, or the places whose name or id
    contains what is typed in "Find a place" (at most ``app.place_picker_matches``, hotspots
    first), and always the place already chosen.

    Every held place in one select box was 5,700 options on a borough, drawn again by the
    browser after each window change (their order follows the ranks): about 0.5 s in a trace
    (session 10).
    """
    find = st.text_input("Find a place (name or id)", key="board_find",
                         placeholder=f"any of the {len(names)} places held; the ranked hotspots are listed below")
    if find.strip():
        # One pattern, matched case-insensitively; typed text is literal, never a pattern.
        pattern = re.compile(re.escape(find.strip()), re.IGNORECASE)
        limit = int(schema.setting("app.place_picker_matches"))
        first = {lid: i for i, lid in enumerate(ranked)}
        found = sorted((lid for lid, name in names.items() if pattern.search(name) or pattern.search(lid)),
                       key=lambda lid: (first.get(lid, len(first)), names[lid], lid))
        if len(found) > limit:
            st.caption(f"{len(found)} places match; the first {limit} are listed. Type more to narrow them.")
        elif not found:
            st.caption("No place held matches.")
        order = found[:limit]
    else:
        order = list(ranked)
    chosen = st.session_state.get("board_place")
    if chosen in names and chosen not in order:
        order.insert(0, chosen)
    return order


def main() -> None:
    st.title("Locations Board")
    state.marking()
    st.caption("People appear here only as counts, never by name.")
    board = state.locations_board(None)
    rank = {h["location_id"]: h for h in board["hotspots"]}
    points = [{"latitude": p["latitude"], "longitude": p["longitude"],
               "label": f"{p['name'] or p['location_id']}: {p['incidents']} incident(s)"
                        + (f", hotspot #{rank[p['location_id']]['rank']}" if p["location_id"] in rank else ""),
               "popup": f"{p['name']} ({p['location_id']})\n{p['type'].replace('_', ' ')}"
                        + (f", {p['ward']} ward" if p["ward"] else "")
                        + f"\n{p['incidents']} incident(s) in the window"
                        + (f"\nhotspot #{rank[p['location_id']]['rank']}, score {rank[p['location_id']]['score']:g}, "
                           f"{rank[p['location_id']]['trend']['label']}" if p["location_id"] in rank else ""),
               "colour": "#d62728" if p["location_id"] in rank else "#7f7f7f",
               "radius": 4 + min(p["incidents"], 20) // 2} for p in board["places"] if p["incidents"] or p["location_id"] in rank]
    cells = board.get("cells") or []
    top = max((c["score"] for c in cells), default=0) or 1
    areas = [{"outline": c["outline"], "colour": "#ff7f0e", "opacity": 0.15 + 0.45 * c["score"] / top,
              "label": f"cell {c['cell_id']}: hotspot cell #{c['rank']}, {c['incidents']} incident(s)",
              "popup": f"grid cell {c['cell_id']} (hotspot cell #{c['rank']}, score {c['score']:g})\n"
                       f"{c['places']} place(s), {c['incidents']} incident(s) in the window, {c['trend']['label']}\n"
                       f"{c['young_people']} young people, {c['groups']} group(s), "
                       f"{c['adults_of_concern']} adult(s) of concern"} for c in cells]
    st.iframe(state.map_page(points, height=460, areas=areas), height=480)
    st.caption(f"Places with incidents in the window; red: the ranked hotspot places; orange squares: the ranked "
               f"hotspot grid cells (darker scores higher). {board['unmapped']} place(s) have no coordinates and "
               "are not on the map.")
    st.subheader("Hotspots")
    if board["hotspots"]:
        state.show_table(hotspot_table(board["hotspots"]), hide_index=True, key="board_places")
    else:
        st.caption("No incidents in the window.")
    if cells:
        st.markdown("**Hotspot grid cells** (incidents counted by the square they fall in, so a cluster of "
                    "small places shows even when no single place stands out)")
        state.show_table(pd.DataFrame([{"rank": c["rank"], "cell": c["cell_id"], "places": c["places"],
                                        "score": c["score"], "incidents": c["incidents"], "trend": c["trend"]["label"],
                                        "young people": c["young_people"], "groups": c["groups"],
                                        "adults of concern": c["adults_of_concern"],
                                        "found when missing": c["found_missing"]} for c in cells]),
                         hide_index=True, key="board_cells")
    names = {p["location_id"]: p["name"] or p["location_id"] for p in board["places"]}
    chosen = st.selectbox("Place profile", _place_choices(names, list(rank)), index=None, key="board_place",
                          format_func=lambda lid: f"{names[lid]} ({lid})", placeholder="Choose a place")
    if chosen:
        with st.spinner("Profiling the place..."):
            show_profile(state.locations_board(chosen)["profile"])
    packs_ui.downloads("locations-board", location_id=chosen)
