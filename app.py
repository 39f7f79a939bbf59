"""Streamlit entry point: `streamlit run app.py [-- --db URL]` (or `graphmap app`). Routes only.

Pages live in graphmap/app/, one module with a main() each; graphmap/app/state.py holds the
caches, who the user is (sign-in, role), the sidebar (as-at date, window, redaction level) and
the OFFICIAL-SENSITIVE marking. A page appears only when the user's role may do what it shows
(state.PAGE_ACTIONS); a packs-only role (panel_member) sees only the packs given to it.
"""

import streamlit as st

from graphmap.app import (complex_strategy, data, locations_board, network, overview, peer_groups,
                          person_profile, shared_packs, state, weekly_review)

st.set_page_config(page_title="graphmap · OFFICIAL-SENSITIVE", layout="wide")
state.actor()  # signs the user in (or says single-user) before anything is shown
PAGES = [
    (overview.main, "Overview", "overview"),
    (data.main, "Data", "data"),
    (network.main, "Network", "network"),
    (peer_groups.main, "Peer group assessment", "peer-groups"),
    (locations_board.main, "Locations Board", "locations-board"),
    (person_profile.main, "Person profile", "person"),
    (complex_strategy.main, "Complex strategy", "complex-strategy"),
    (weekly_review.main, "Weekly review", "weekly-review"),
    (shared_packs.main, "Packs given to you", "packs"),
]
allowed = [(fn, title, path) for fn, title, path in PAGES if state.page_allowed(path)]
page = st.navigation([st.Page(fn, title=title, url_path=path, default=i == 0)
                      for i, (fn, title, path) in enumerate(allowed)])
state.sidebar()
state.run_page(page.run, {title: path for _, title, path in allowed}[page.title])
