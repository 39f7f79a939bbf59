"""Complex strategy: adults of concern and places linked to three or more young people, with the
evidence behind each link, its grading and whether it was recorded as fact or opinion."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from . import packs_ui, state


def main() -> None:
    st.title("Complex strategy")
    state.marking()
    data = state.complex_strategy()
    least = data["min_young_people"]
    st.caption(f"Adults of concern and places each linked to {least} or more young people in the window: every "
               "young person linked, how, since when, and each record behind the link with its grading and "
               "basis (fact, opinion, intelligence, derived by analysis). Being linked is a reason to look, "
               "not a finding that anyone caused harm.")
    st.caption(state.md(data["redaction_note"]))
    cands = data["candidates"]
    if not cands:
        st.caption(f"No adult of concern or place is linked to {least} or more young people in the window.")
        return
    adults = sum(1 for c in cands if c["subject_type"] == "person")
    st.subheader(f"{adults} adult(s) of concern and {len(cands) - adults} place(s)")
    state.show_table(pd.DataFrame([{"subject": c["label"], "id": c["subject_id"],
                                    "what": "adult of concern" if c["subject_type"] == "person"
                                    else f"place ({str(c['location_type']).replace('_', ' ')})",
                                    "young people": c["count"], "earliest link": c["since"]} for c in cands]),
                     hide_index=True, key="complex_candidates")
    if data["network"]["nodes"]:
        state.show_network(data["network"], height=420,
                           caption="Adults of concern and the young people linked to them.")
    ids = [c["subject_id"] for c in cands]
    by_id = {c["subject_id"]: c for c in cands}
    chosen = st.selectbox("Adult of concern or place", ids, index=None, key="complex_subject",
                          format_func=lambda i: f"{by_id[i]['label']} ({i}): {by_id[i]['count']} young people",
                          placeholder="Choose one to see every link and its evidence")
    if chosen:
        c = by_id[chosen]
        st.subheader(state.md(f"{c['label']} ({chosen})"))
        st.caption(f"Linked to {c['count']} young people; the earliest link in the window is from "
                   f"{c['since'] or 'an undated record'}.")
        state.show_table(pd.DataFrame([{"young person": lk["name"], "age": lk["age"], "how linked": lk["how"],
                                        "since": lk["since"], "last": lk["last"], "gradings": ", ".join(lk["gradings"]),
                                        "basis": lk["basis"]} for lk in c["links"]]),
                         hide_index=True, key="complex_links")
        st.markdown("**The evidence** (every record behind each link)")
        state.show_table(pd.DataFrame([{"young person": lk["name"], **e} for lk in c["links"] for e in lk["evidence"]]),
                         hide_index=True, key="complex_evidence")
    packs_ui.downloads("complex-strategy", subject_id=chosen)
