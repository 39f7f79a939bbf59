"""Peer group assessment: pick a group, see its members; the analyses fill in the rest."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from . import components, packs_ui, state


def main() -> None:
    st.title("Peer group assessment")
    state.marking()
    groups = state.recorded_groups()
    state.awaiting("Peer groups found in the data (communities), with bridges and adults of concern", "network")
    if not groups:
        st.caption("No groups are recorded in the store (groups.csv / memberships.csv).")
        return
    names = {g["group_id"]: g for g in groups}
    if "group" not in st.session_state and st.query_params.get("group") in names:
        st.session_state["group"] = st.query_params["group"]  # ?group=ID links here
    gid = st.selectbox("Recorded group", list(names), index=None, key="group",
                       format_func=lambda g: f"{names[g]['name'] or g} ({g}, {len(names[g]['members'])} members)",
                       placeholder="Choose a group")
    if not gid:
        return
    group = state.peer_group(gid)
    st.subheader(state.md(f"{group['name'] or gid} ({gid})"))
    st.caption(f"Recorded by {state.md(group['source'])}; members whose membership overlaps the window.")
    matrix = {m["person_id"]: m for m in group["matrix"]["members"]}
    members = pd.DataFrame([{**m, "matrix band": matrix.get(m["person_id"], {}).get("combined_band", "not assessed"),
                             "matrix total": matrix.get(m["person_id"], {}).get("combined_total"),
                             "next review": matrix.get(m["person_id"], {}).get("next_review")}
                            for m in group["members"]])
    st.dataframe(members, hide_index=True, key="group_members")
    if group["matrix"]["highest"]:
        st.caption(f"Highest current matrix band in the group: {group['matrix']['highest']}.")
    net = group["network"]
    st.caption(f"Ties between members in the window: {len(net['edges'])}.")
    if net["nodes"]:
        page, message = components.network_html(net, height=420)
        if message:
            st.warning(message)
        st.iframe(page, height=440)
    for what, analysis in group["awaiting"].items():
        state.awaiting(what.capitalize(), analysis)
    packs_ui.downloads("peer-group", group_id=gid)
