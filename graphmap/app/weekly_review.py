"""Weekly review: missing episodes and Merlin reports of the last 7 days; repeat and co-missing later."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from . import state


def main() -> None:
    st.title("Weekly review")
    state.marking()
    data = state.weekly_review()
    st.caption(f"For the Weekly Missing Meeting and Liaison and Diversion: the 7 days {data['start']} to "
               f"{data['end']} (ending on the as-at date, whatever the window).")
    rows = data["records"]
    st.subheader(f"Missing episodes and Merlin reports ({len(rows)})")
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="weekly_records")
    else:
        st.caption("None started in these 7 days.")
    for what, analysis in data["awaiting"].items():
        state.awaiting(what.capitalize(), analysis)
