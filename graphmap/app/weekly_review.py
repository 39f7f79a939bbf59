"""Weekly review: the week's missing episodes and Merlin reports, repeat missing, young people
missing at the same time, and new ties to known groups and adults of concern."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from . import packs_ui, state


def main() -> None:
    st.title("Weekly review")
    state.marking()
    data = state.weekly_review()
    st.caption(f"For the Weekly Missing Meeting and Liaison and Diversion: the {data['days']} days {data['start']} "
               f"to {data['end']} (ending on the as-at date, whatever the window).")
    st.caption(state.md(data["redaction_note"]))
    rows = data["records"]
    st.subheader(f"Missing episodes and Merlin reports ({len(rows)})")
    if rows:
        state.show_table(pd.DataFrame(rows).drop(columns=["location_id"]), hide_index=True, key="weekly_records")
    else:
        st.caption(f"None started in these {data['days']} days.")
    if data["places"]:
        st.iframe(state.map_page([{"latitude": p["latitude"], "longitude": p["longitude"],
                                   "label": f"{p['name']} ({p['location_id']}): {p['incidents']} record(s)",
                                   "radius": 4 + min(p["incidents"], 10)} for p in data["places"]], height=360),
                  height=380)
        st.caption("Where this week's records happened (a missing episode: where the young person was found).")

    st.subheader(f"Repeat missing ({len(data['repeat_missing'])})")
    st.caption(f"Repeat missing here means: {data['repeat_definition']}.")
    if data["repeat_missing"]:
        state.show_table(pd.DataFrame([{"young person": r["name"], "episodes in the period": r["episodes"],
                                        "this week": r["this_week"], "longest (hours)": r["longest_hours"],
                                        "first": r["first"], "latest": r["last"], "records": ", ".join(r["records"])}
                                       for r in data["repeat_missing"]]), hide_index=True, key="weekly_repeat")

    st.subheader(f"Missing at the same time ({len(data['co_missing'])})")
    st.caption(f"Young people whose missing episodes overlapped this week; overlaps counted over the "
               f"{data['co_missing_period_days']} days up to the as-at date (a pattern: repeated more often than the two young people's own missing histories would give by chance).")
    if data["co_missing"]:
        state.show_table(pd.DataFrame([{"young person": p["name_a"], "with": p["name_b"],
                                        "overlaps this week": ", ".join(p["this_week"]),
                                        "overlapping episodes in the period": p["overlapping_episodes"],
                                        "hours": p["overlap_hours"], "pattern": p["pattern"],
                                        "records": "; ".join(" + ".join(x) for x in p["records"])}
                                       for p in data["co_missing"]]), hide_index=True, key="weekly_co_missing")

    st.subheader(f"New ties to known groups and adults of concern ({len(data['new_ties'])})")
    st.caption(f"Ties first seen this week (nothing tied the two in the {data['new_ties_lookback_days']} days "
               "before) to a member of a recorded group, or between a young person and an adult of concern.")
    if data["new_ties"]:
        state.show_table(pd.DataFrame([{"person": t["name_a"], "tied to": t["name_b"], "first seen": t["first"],
                                        "why it matters": t["known"], "basis": t["basis"]} for t in data["new_ties"]]),
                         hide_index=True, key="weekly_new_ties")
        state.show_table(pd.DataFrame([{"person": t["name_a"], "tied to": t["name_b"], **e}
                                       for t in data["new_ties"] for e in t["evidence"]]),
                         hide_index=True, key="weekly_new_tie_evidence")
    if data["network"]["nodes"]:
        state.show_network(data["network"], height=380, caption="Young people missing at the same time this week, "
                           "and new ties (adults of concern as diamonds).")
    packs_ui.downloads("weekly-review")
