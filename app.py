"""Streamlit entry point: `streamlit run app.py [-- --db URL]` (or `graphmap app`). Routes only.

Pages live in graphmap/app/, one module with a main() each; graphmap/app/state.py holds the
caches, the sidebar (as-at date, window, redaction level) and the OFFICIAL-SENSITIVE marking.
"""

import streamlit as st

from graphmap.app import (complex_strategy, data, locations_board, network, overview, peer_groups,
                          person_profile, state, weekly_review)

st.set_page_config(page_title="graphmap · OFFICIAL-SENSITIVE", layout="wide")
page = st.navigation([
    st.Page(overview.main, title="Overview", url_path="overview", default=True),
    st.Page(data.main, title="Data", url_path="data"),
    st.Page(network.main, title="Network", url_path="network"),
    st.Page(peer_groups.main, title="Peer group assessment", url_path="peer-groups"),
    st.Page(locations_board.main, title="Locations Board", url_path="locations-board"),
    st.Page(person_profile.main, title="Person profile", url_path="person"),
    st.Page(complex_strategy.main, title="Complex strategy", url_path="complex-strategy"),
    st.Page(weekly_review.main, title="Weekly review", url_path="weekly-review"),
])
state.sidebar()
page.run()
