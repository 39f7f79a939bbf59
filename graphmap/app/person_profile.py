"""Person profile: timeline, ties with evidence, places, groups, the risk matrix and proposals."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from .. import assessments, proposals, records, risk, views
from . import state
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
        state.show_table(pd.DataFrame([{k: h.get(k) for k in ("assessment_id", "assessed_on", "status", "combined_total",
                                                              "combined_band", "next_review")} for h in hist]),
                         hide_index=True, key="profile_matrix_history")
    if prof["proposals"]:
        st.markdown("**Proposed from the records** (a proposal, never a score: the assessor decides)")
        state.show_table(pd.DataFrame([{"domain": p["label"], "proposed level": p["level_label"],
                                        "would score": p["would_score"], "override": p["override"],
                                        "records": "; ".join(f"{r['rule']}: " + _evidence(r["evidence"])
                                                             for r in p["reasons"])} for p in prof["proposals"]]),
                         hide_index=True, key="profile_proposals")
    matrix_form(person, prof)

    st.subheader("Ties in the window")
    view = state.ego_network(person, 1)
    state.show_network(view, height=380)
    if prof["ties"]:
        state.show_table(pd.DataFrame([{"person": t["name"], "id": t["person_id"], "role": t["role"].replace("_", " "),
                                        "evidence": len(t["evidence"]), "records": _evidence(t["evidence"])}
                                       for t in prof["ties"]]), hide_index=True, key="profile_ties")
    st.subheader("Places")
    st.caption(f"Hotspot: among the {prof['hotspots_considered']} ranked places of the Locations Board for this "
               "window.")
    if prof["places"]:
        state.show_table(pd.DataFrame([{"place": p["name"], "id": p["location_id"], "type": p["type"], "ward": p["ward"],
                                        "hotspot": "hotspot" if p["hotspot"] else "",
                                        "records": _evidence(p["evidence"])} for p in prof["places"]]),
                         hide_index=True, key="profile_places")
    else:
        st.caption("No places linked in the window.")
    st.subheader("Groups")
    st.caption("Recorded: a group membership a practitioner or police recorded. Found: the peer group the network "
               "analyses find from the ties in the window (see Peer group assessment).")
    if prof["groups"]:
        state.show_table(pd.DataFrame([{"group": g["group_id"], "name": g.get("name", ""),
                                        "basis": "found in the data" if g["basis"] == "derived" else "recorded",
                                        "members": g.get("size"), "adults of concern tied": g.get("adults_of_concern"),
                                        "since": g.get("first_seen", ""), "source": g.get("source", ""),
                                        "grading": g.get("grading", "")} for g in prof["groups"]]),
                         hide_index=True, key="profile_groups")
    else:
        st.caption("No group recorded or found in the window.")
    st.subheader("Open actions")
    if prof["open_actions"]:
        state.show_table(pd.DataFrame(prof["open_actions"]), hide_index=True, key="profile_actions")
    else:
        st.caption("None recorded.")
    st.subheader("Timeline")
    state.show_table(pd.DataFrame(prof["timeline"]), hide_index=True, key="profile_timeline")
    for what, analysis in prof["awaiting"].items():  # none left; kept for views that add one
        state.awaiting(what.capitalize(), analysis)


# --- the risk matrix form -------------------------------------------------------------------------
BLANK, PROPOSED = "blank", "proposed"


def _level_key(domain: str) -> str:
    return f"assess_level_{domain}"


def _why_key(domain: str) -> str:
    return f"assess_why_{domain}"


def _start_from(person: str, prof: dict, fw: risk.Framework) -> None:
    """Fill the form from the chosen starting point (a callback, so before the widgets exist)."""
    ss = st.session_state
    choice = ss.get("assess_start")
    past = {a["assessment_id"]: a for a in _history(prof)}
    proposed = {p["domain"]: p["level"] for p in prof["proposals"]}
    for d in fw.domains:
        if choice in past:
            ss[_level_key(d)] = past[choice]["levels"].get(d, "")
            ss[_why_key(d)] = past[choice].get("rationales", {}).get(d, "")
        else:
            ss[_level_key(d)] = proposed.get(d, "") if choice == PROPOSED else ""
            ss[_why_key(d)] = ""
    ss["assess_form_for"] = person


def _history(prof: dict) -> list[dict]:
    m = prof["matrix"]
    return ([m["current"]] if m["current"] else []) + m["past"] + m["drafts"]


def matrix_form(person: str, prof: dict) -> None:
    """Enter a new assessment or review one: levels per domain (the framework in schema/), who,
    why; the score, bands and next review as graphmap.risk computes them, before saving; save
    as `graphmap assess` does (validated as a record, audited as ``assess``, never overwriting)."""
    ss = st.session_state
    fw = risk.framework()
    if ss.pop("assess_saved", None):
        st.success(state.md(ss.pop("assess_saved_text", "")))
    if ss.pop("assess_close", False):  # saved: closed again (set before the expander exists)
        ss["assess_form"] = False
    # What has been typed stays while the form is folded.
    state.keep_while_folded(*[k for k in ss if isinstance(k, str) and k.startswith(("assess_level_", "assess_why_"))],
                            "assess_start", "assess_on", "assess_assessor", "assess_status", "assess_summary")
    # Made and sent only when open (a rerun when opened): its 40 widgets took a new tab of the
    # profile about 0.75 s to draw, closed or not (benchmarks/bench_app_floor.py, session 9).
    form = st.expander("Enter or review an assessment", key="assess_form", on_change="rerun")
    if not form.open:
        return
    with form:
        history = {a["assessment_id"]: a for a in _history(prof)}
        starts = [BLANK, PROPOSED, *history]
        if ss.get("assess_form_for") != person:  # a new person: a blank form, never the last child's levels
            ss["assess_start"] = BLANK
            _start_from(person, prof, fw)
        st.selectbox("Start from", starts, key="assess_start", on_change=_start_from, args=(person, prof, fw),
                     format_func=lambda c: {BLANK: "a blank form", PROPOSED: "the levels proposed from the records"}
                     .get(c, f"assessment {c} of {history[c]['assessed_on'] if c in history else ''} "
                             f"({history[c]['status'] if c in history else ''})"),
                     help="Reviewing an earlier assessment saves a new one: history is never overwritten.")
        proposed = {p["domain"]: p for p in prof["proposals"]}
        options = ["", *fw.levels]
        for section, title in (("harm", "Experiences of harm / presenting needs"),
                               ("context", "Contexts of safety or harm")):
            st.markdown(f"**{title}**")
            for d in fw.section(section):
                left, right = st.columns([2, 3])
                hint = proposed.get(d.key)
                left.selectbox(
                    d.label, options, key=_level_key(d.key),
                    format_func=lambda lv, d=d: "not rated" if not lv else f"{fw.label(d.key, lv)} ({d.scores[lv]})",
                    help=(f"Proposed from the records: {hint['level_label']}" if hint else None))
                right.text_input(f"Why ({d.label})", key=_why_key(d.key), label_visibility="collapsed",
                                 placeholder=f"Why this level{': records suggest ' + hint['level_label'] if hint else ''}")
        c = st.columns(3)
        if ss.get("assess_on") is None:
            ss["assess_on"] = state.window().as_at
        c[0].date_input("Assessed on", key="assess_on", format="YYYY-MM-DD")
        c[1].text_input("Assessor", key="assess_assessor")
        c[2].radio("Status", ["draft", "agreed"], key="assess_status", horizontal=True,
                   help="A draft is never reported as the child's score; an agreed assessment rates every domain.")
        st.text_area("Reason for the assessment (summary)", key="assess_summary",
                     help="What prompted it and what it rests on: kept with the assessment.")
        levels = {d: ss.get(_level_key(d)) or "" for d in fw.domains}
        on = ss.get("assess_on") or state.window().as_at
        status = ss.get("assess_status") or "draft"
        preview = views.risk_preview(levels, on, status=status)
        st.markdown("**What this assessment scores** (computed by graphmap.risk before saving)")
        m = st.columns(4)
        m[0].metric("Form: combined", f"{preview['combined_total']} ({preview['combined_band']})")
        m[1].metric("Form: harm", f"{preview['harm_total']} ({preview['harm_band']})")
        m[2].metric("Form: context", f"{preview['context_total']} ({preview['context_band']})")
        m[3].metric("Form: next review", preview["next_review"] or f"when agreed: {preview['next_review_if_agreed']}")
        st.caption(state.md(f"Response: {preview['response']}; focus: {', '.join(preview['focus']) or '-'}"
                            + (f". Not rated yet: {len(preview['not_rated'])} domain(s), so the totals are a floor"
                               if preview["not_rated"] else "")))
        for note in proposals.unconfirmed_overrides(levels, prof["proposals"], fw):
            st.warning("Check: " + state.md(note))
        if st.button("Save the assessment", key="assess_save", type="primary"):
            save_assessment(person, fw, levels, on, status)


def save_assessment(person: str, fw: risk.Framework, levels: dict, on: date, status: str) -> None:
    """Validate and record one assessment through the path `graphmap assess` takes."""
    ss = st.session_state
    problems = []
    if not str(ss.get("assess_assessor") or "").strip():
        problems.append("Say who made the assessment (Assessor).")
    if not str(ss.get("assess_summary") or "").strip():
        problems.append("Give the reason for the assessment.")
    if not problems:
        rows = assessments.rows_from_flags(
            person_id=person, assessed_on=on.isoformat(), assessor=ss["assess_assessor"].strip(), status=status,
            levels=[f"{d}={lv}" for d, lv in levels.items() if lv],
            why=[f"{d}={ss.get(_why_key(d), '').strip()}" for d in fw.domains if ss.get(_why_key(d), "").strip()],
            summary=ss["assess_summary"].strip())
        store = state.store()
        try:
            batch = assessments.assessment_batch(rows, file="assessment form", fw=fw, lookup=store.existing_ids,
                                                 stored=store.get)
        except records.InputError as exc:
            problems.append(str(exc))
        else:
            problems += [f"{fw.domains[r.field].label if r.field in fw.domains else r.field}: {r.reason}"
                         for r in batch.rejects]
    if problems:  # the form stays open, as filled in
        for p in problems:
            st.error(state.md(p))
        return
    actor = state.acting("assess")
    if actor is None:
        return
    with state.write_lock(state.store_url()):
        state.store().load_batch(batch, strict=True, action="assess", actor=actor)
    state.clear_after_write()
    saved = risk.score_assessments(batch.tables["assessments"])[0]
    ss["assess_saved"] = True
    ss["assess_saved_text"] = (f"Saved {saved['assessment_id']} ({saved['status']}): combined {saved['combined_total']} "
                               f"{saved['combined_band']}, {saved['response']}"
                               + (f"; next review {saved['next_review']}" if saved["next_review"] else "")
                               + f". Recorded in the audit log as an assessment by {actor.user}.")
    ss["assess_close"] = True
    ss["assess_form_for"] = None  # the next visit starts from a blank form again
    st.rerun()
