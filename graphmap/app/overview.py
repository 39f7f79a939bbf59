"""Overview: what is loaded (counts, sources, date range, last load) and what needs attention."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from . import state


def main() -> None:
    st.title("Overview")
    state.marking()
    data = state.overview()
    counts = data["counts"]
    if not counts.get("people"):
        st.warning("The store is empty. Load files on the **Data** page, or run `graphmap demo`.")
    cols = st.columns(4)
    for col, (label, key) in zip(cols, [("People", "people"), ("Places", "locations"),
                                         ("Incidents", "incidents"), ("Associations", "associations")]):
        col.metric(label, f"{counts.get(key, 0):,}")
    left, right = st.columns(2)
    with left:
        st.subheader("Records held")
        state.show_table(pd.DataFrame({"record": list(counts), "rows": list(counts.values())}),
                         hide_index=True, key="overview_counts")
        st.subheader("Incidents by type")
        by_type = data["incidents_by_type"]
        if by_type:
            state.show_table(pd.DataFrame({"type": list(by_type), "incidents": list(by_type.values())}),
                             hide_index=True, key="overview_types")
        else:
            st.caption("No incidents loaded.")
    with right:
        st.subheader("Sources")
        src = data["sources"]
        state.show_table(pd.DataFrame({"source": list(src), "rows": list(src.values())}), hide_index=True,
                         key="overview_sources")
        dr = data["date_range"]
        st.markdown(f"**Incident dates:** {dr['first'] or '-'} to {dr['last'] or '-'}")
        st.markdown(f"**Last load:** {data['last_load'] or 'never'}")
        st.markdown(f"**Store:** `{data['store']}` ({data['engine']})")
    st.subheader("Recent loads")
    loads = data["loads"]
    if len(loads):
        state.show_table(loads, hide_index=True, key="overview_loads")
    else:
        st.caption("Nothing loaded yet.")
    st.subheader("Needs attention")
    st.markdown("**Risk matrix reviews** (latest agreed assessment on or before the as-at date)")
    rv = state.reviews_due()
    c = st.columns(4)
    for col, status in zip(c, ["overdue", "due", "scheduled", "no agreed assessment"]):
        col.metric(f"Reviews {status}" if status != "no agreed assessment" else "Only drafts", rv["counts"][status])
    late = [r for r in rv["reviews"] if r["status"] in ("overdue", "due")]
    if late:
        state.show_table(pd.DataFrame(late)[["name", "person_id", "status", "next_review", "days_overdue",
                                             "combined_band", "response", "referrals_flag"]],
                         hide_index=True, key="overview_reviews")
    if rv["referral_flags"]:
        st.caption(f"{len(rv['referral_flags'])} young people with repeat referrals in the last six months "
                   "(see Person profile).")
    new_links()
    rising_places()


def new_links() -> None:
    """Ties between young people and adults of concern first seen since the last meeting."""
    data = state.new_adult_links()
    st.markdown(f"**New links to adults of concern since the last meeting** ({len(data['links'])})")
    st.caption(state.md("New: " + data["definition"] + ". Each tie with the records behind it."))
    if data["links"]:
        state.show_table(pd.DataFrame([{
            "young person": f"{x['young_person_name']} ({x['young_person']})" if x["young_person_name"] != x["young_person"]
            else x["young_person"],
            "adult of concern": f"{x['adult_name']} ({x['adult']})" if x["adult_name"] != x["adult"] else x["adult"],
            "first seen": x["first"], "evidence": len(x["evidence"]),
            "how": "; ".join(sorted({e["tie"].replace("_", " ") for e in x["evidence"]})),
            "records": ", ".join(x["records"])} for x in data["links"]]),
            hide_index=True, key="overview_new_links")
    else:
        st.caption(f"None since {data['since']}.")


def rising_places() -> None:
    """Places with more incidents in the window than in the window before (the places trend)."""
    data = state.rising_places()
    prev = data["previous_window"]
    st.markdown(f"**Rising places** ({len(data['places'])})")
    st.caption(state.md(f"Incidents in the window against the window before ({prev['start']} to {prev['end']}), "
                        "by the trend rule in settings (places.trend); new places only with at least the minimum "
                        "change. See the Locations Board for a place's profile."))
    if data["places"]:
        state.show_table(pd.DataFrame([{
            "place": p["name"] or p["location_id"], "id": p["location_id"], "type": p["type"].replace("_", " "),
            "ward": p["ward"], "incidents": p["incidents"], "before": p["previous"], "trend": p["trend"],
            "why": p["reason"], "records": ", ".join(p["incident_ids"])} for p in data["places"]]),
            hide_index=True, key="overview_rising")
    else:
        st.caption("No place rose against the window before.")
