"""Person profile: who a person is and who they are linked to; timeline and matrix with issue 6."""

from __future__ import annotations

import streamlit as st

from .. import views
from . import components, state
from .people_picker import pick_person


def main() -> None:
    st.title("Person profile")
    state.marking()
    person = pick_person("profile_person")
    if not person:
        st.caption("Choose a person.")
        return
    row = next(p for p in state.people() if p["person_id"] == person)
    w = state.window()
    age = views.age_on(row["date_of_birth"], w.as_at)
    st.subheader(state.md(views.person_label(row, state.redaction(), centre=person)))
    st.markdown(f"**Role:** {row['role'].replace('_', ' ')} · **Age at {w.as_at.isoformat()}:** "
                f"{age if age is not None else 'not recorded'} · **Id:** {state.md(person)}")
    view = state.ego_network(person, 1)
    st.caption(f"Directly linked in the window: {len(view['nodes']) - 1} people, {len(view['edges'])} ties.")
    page, message = components.network_html(view, height=380)
    if message:
        st.warning(message)
    st.iframe(page, height=400)
    for what in ["Timeline of every record (with source and grading), places, groups",
                 "Risk matrix form: levels, score, band and next review"]:
        state.awaiting(what, "risk")
