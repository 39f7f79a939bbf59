"""Network: a person's network (N hops) now; a group's and the whole window's with the analyses."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from . import components, state
from .people_picker import pick_person


def main() -> None:
    st.title("Network")
    state.marking()
    mode = st.radio("Show", ["A person's network", "A peer group", "The whole window"], key="network_mode",
                    horizontal=True)
    if mode != "A person's network":
        state.awaiting(f"{mode}, filters, colour by group and size by measure", "network")
        return
    left, right = st.columns([3, 1])
    with left:
        person = pick_person("network_person")
    with right:
        hops = st.slider("Hops", 1, 3, 1, key="network_hops")
    if not person:
        st.caption("Choose a person to see who they are linked to in the window, and the evidence.")
        return
    view = state.ego_network(person, hops)
    st.caption(f"{len(view['nodes'])} people, {len(view['edges'])} ties in the window. "
               "Hover a person or a tie for its evidence. The layout is seeded: the same data gives the same picture.")
    page, message = components.network_html(view, height=560)
    if message:
        st.warning(message)
    st.iframe(page, height=580)
    if view["edges"]:
        st.subheader("Ties and their evidence")
        labels = {n["id"]: n["label"] for n in view["nodes"]}
        st.dataframe(pd.DataFrame([{"person": labels[e["source"]], "linked to": labels[e["target"]],
                                    "evidence": e["weight"], "records": "; ".join(e["evidence"])}
                                   for e in view["edges"]]), hide_index=True, key="network_ties")
    for what, analysis in view["awaiting"].items():
        state.awaiting(what.capitalize(), analysis)
