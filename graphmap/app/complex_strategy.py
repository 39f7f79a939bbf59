"""Complex strategy: adults of concern and places linked to three or more young people."""

from __future__ import annotations

import streamlit as st

from . import state


def main() -> None:
    st.title("Complex strategy")
    state.marking()
    result = state.analysis("complex_strategy")
    if result is None:
        state.awaiting("Adults of concern and places linked to three or more young people, with evidence "
                       "and gradings", "network")
