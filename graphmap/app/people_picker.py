"""Choosing a person by name or id (names shown as the redaction level allows)."""

from __future__ import annotations

import streamlit as st

from .. import views
from . import state


def pick_person(key: str, label: str = "Person") -> str | None:
    """A select box of everyone held; ``?person=ID`` in the address preselects one."""
    people = state.people()
    ids = [p["person_id"] for p in people]
    by_id = {p["person_id"]: p for p in people}
    wanted = st.query_params.get("person")
    if key not in st.session_state and wanted in by_id:
        st.session_state[key] = wanted
    redaction = state.redaction()
    return st.selectbox(label, ids, key=key, index=None, placeholder="Choose a person",
                        format_func=lambda pid: f"{views.person_label(by_id[pid], redaction)} ({pid})"
                        if views.person_label(by_id[pid], redaction) != pid else pid)
