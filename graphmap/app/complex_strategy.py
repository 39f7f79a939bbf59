"""Complex strategy: adults of concern and places linked to three or more young people."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import views
from . import state


def main() -> None:
    st.title("Complex strategy")
    state.marking()
    st.caption("Adults of concern and places linked to three or more young people in the window, "
               "with the records and gradings behind each link (graphmap.network).")
    result = state.analysis("network")
    cands = result["complex_strategy"] if result else []
    if not cands:
        st.caption("None in the window.")
        return
    people = {p["person_id"]: p for p in state.people()}
    places = {p["location_id"]: p["name"] or p["location_id"] for p in state.places()["places"]}
    red = state.redaction()

    def name(subject_id: str, kind: str) -> str:
        if kind == "location":
            return places.get(subject_id, subject_id)
        return views.person_label(people[subject_id], red) if subject_id in people else subject_id

    st.dataframe(pd.DataFrame([{"subject": name(c["subject_id"], c["subject_type"]), "id": c["subject_id"],
                                "type": c["subject_type"], "young people": c["count"], "since": c.get("since")}
                               for c in cands]), hide_index=True, key="complex_candidates")
    for c in cands:
        with st.expander(f"{name(c['subject_id'], c['subject_type'])} ({c['subject_id']}): {c['count']} young people"):
            st.dataframe(pd.DataFrame([{k: (", ".join(map(str, v)) if isinstance(v, list) else v)
                                        for k, v in link.items()} for link in c.get("links", [])]),
                         hide_index=True)
