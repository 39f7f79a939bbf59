"""Person profile: timeline, ties with evidence, places, groups, the risk matrix and proposals."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import views
from . import components, state
from .people_picker import pick_person


def _evidence(items: list[dict]) -> str:
    """One line per record; evidence about a linked person lists that person's ties in brackets."""
    def one(e: dict) -> str:
        text = " ".join(str(e[k]) for k in ("record", "id", "kind", "type", "start", "first_seen", "source",
                                             "grading") if e.get(k))
        if e.get("person_id"):
            text = f"{e['person_id']}" + (f" ({_evidence(e['ties'])})" if e.get("ties") else "") + \
                   (f" {text}" if text else "")
        return text
    return "; ".join(one(e) for e in items)


def main() -> None:
    st.title("Person profile")
    state.marking()
    person = pick_person("profile_person")
    if not person:
        st.caption("Choose a person.")
        return
    prof = state.person_profile(person)
    row = prof["person"]
    w = state.window()
    age = views.age_on(row["date_of_birth"], w.as_at)
    st.subheader(state.md(prof["name"]))
    st.markdown(f"**Role:** {row['role'].replace('_', ' ')} · **Age at {w.as_at.isoformat()}:** "
                f"{age if age is not None else 'not recorded'} · **Id:** {state.md(person)}"
                + (f" · **Flags:** {state.md(row['flags'].replace(';', ', '))}" if row.get("flags") else ""))
    if prof["referrals_flag"]:
        f = prof["referrals_flag"]
        st.warning(f"{f['count']} referrals since {f['since']}: " + state.md(", ".join(r["id"] for r in f["referrals"])))

    st.subheader("Risk matrix")
    cur = prof["matrix"]["current"]
    if cur:
        c = st.columns(4)
        c[0].metric("Combined", f"{cur['combined_total']} ({cur['combined_band']})")
        c[1].metric("Harm", f"{cur['harm_total']} ({cur['harm_band']})")
        c[2].metric("Context", f"{cur['context_total']} ({cur['context_band']})")
        c[3].metric("Next review", cur["next_review"])
        st.caption(f"Agreed assessment {state.md(cur['assessment_id'])} of {cur['assessed_on']}: "
                   f"{state.md(cur['response'])}.")
    else:
        st.caption("No agreed assessment on or before the as-at date.")
    if prof["matrix"]["past"] or prof["matrix"]["drafts"]:
        hist = prof["matrix"]["past"] + prof["matrix"]["drafts"]
        st.dataframe(pd.DataFrame([{k: h.get(k) for k in ("assessment_id", "assessed_on", "status", "combined_total",
                                                          "combined_band", "next_review")} for h in hist]),
                     hide_index=True, key="profile_matrix_history")
    if prof["proposals"]:
        st.markdown("**Proposed from the records** (a proposal, never a score: the assessor decides)")
        st.dataframe(pd.DataFrame([{"domain": p["label"], "proposed level": p["level_label"],
                                    "would score": p["would_score"], "override": p["override"],
                                    "records": "; ".join(f"{r['rule']}: " + _evidence(r["evidence"])
                                                         for r in p["reasons"])} for p in prof["proposals"]]),
                     hide_index=True, key="profile_proposals")
    state.awaiting("Entering or reviewing an assessment here (use `graphmap assess` meanwhile)", "app")

    st.subheader("Ties in the window")
    view = state.ego_network(person, 1)
    page, message = components.network_html(view, height=380)
    if message:
        st.warning(message)
    st.iframe(page, height=400)
    if prof["ties"]:
        st.dataframe(pd.DataFrame([{"person": t["name"], "id": t["person_id"], "role": t["role"].replace("_", " "),
                                    "evidence": len(t["evidence"]), "records": _evidence(t["evidence"])}
                                   for t in prof["ties"]]), hide_index=True, key="profile_ties")
    st.subheader("Places")
    if prof["places"]:
        st.dataframe(pd.DataFrame([{"place": p["name"], "id": p["location_id"], "type": p["type"], "ward": p["ward"],
                                    "records": _evidence(p["evidence"])} for p in prof["places"]]),
                     hide_index=True, key="profile_places")
    st.subheader("Groups")
    if prof["groups"]:
        st.dataframe(pd.DataFrame(prof["groups"]), hide_index=True, key="profile_groups")
    st.subheader("Open actions")
    if prof["open_actions"]:
        st.dataframe(pd.DataFrame(prof["open_actions"]), hide_index=True, key="profile_actions")
    else:
        st.caption("None recorded.")
    st.subheader("Timeline")
    st.dataframe(pd.DataFrame(prof["timeline"]), hide_index=True, key="profile_timeline")
    for what, analysis in prof["awaiting"].items():
        state.awaiting(what.capitalize(), analysis)
