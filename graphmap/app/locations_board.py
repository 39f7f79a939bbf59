"""Locations Board: places on a map, ranked, and one place's profile; people only as counts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from . import components, packs_ui, state


def main() -> None:
    st.title("Locations Board")
    state.marking()
    st.caption("People appear here only as counts, never by name.")
    data = state.places()
    places = data["places"]
    points = [{"latitude": p["latitude"], "longitude": p["longitude"],
               "label": f"{p['name'] or p['location_id']}: {p['incidents']} incident(s)",
               "popup": f"{p['name']} ({p['location_id']})\n{p['type'].replace('_', ' ')}"
                        + (f", {p['ward']} ward" if p["ward"] else "")
                        + f"\n{p['incidents']} incident(s) in the window",
               "radius": 6 + min(p["incidents"], 20)} for p in places]
    st.iframe(components.map_html(points, height=460), height=480)
    if data["unmapped"]:
        st.caption(f"{data['unmapped']} place(s) have no coordinates and are not on the map.")
    st.subheader("Places by incidents in the window")
    table = pd.DataFrame([{"place": p["name"], "id": p["location_id"], "type": p["type"].replace("_", " "),
                           "ward": p["ward"], "incidents": p["incidents"]} for p in places])
    st.dataframe(table, hide_index=True, key="board_places")
    state.awaiting("Hotspot score, trend, hour x day profile, groups using each place, suggested actions", "places")
    names = {p["location_id"]: p["name"] or p["location_id"] for p in places}
    chosen = st.selectbox("Place profile", list(names), index=None, key="board_place",
                          format_func=lambda lid: f"{names[lid]} ({lid})", placeholder="Choose a place")
    board = state.locations_board(chosen)
    if board["profile"]:
        prof = board["profile"]
        st.subheader(state.md(f"{prof['name']} ({prof['location_id']})"))
        c = st.columns(3)
        c[0].metric("Incidents in window", prof["incidents"])
        c[1].metric("Young people named", prof["young_people"])
        c[2].metric("Adults of concern named", prof["adults_of_concern"])
        if prof["by_type"]:
            st.dataframe(pd.DataFrame({"incident type": list(prof["by_type"]), "incidents": list(prof["by_type"].values())}),
                         hide_index=True, key="board_by_type")
        st.caption("Incident records: " + state.md(", ".join(prof["incident_ids"]) or "none"))
    packs_ui.downloads("locations-board", location_id=chosen)
