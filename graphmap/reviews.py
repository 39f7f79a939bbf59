"""Reviews due and overdue across the cohort, and repeat referrals.

The review date of an agreed assessment follows from its combined band's cadence in the
framework (e.g. significant: every 6 weeks; moderate: every 3 months). A young person's review
is **overdue** when the latest agreed assessment made on or before the as-at date has a review
date before it, and **due** when the review date falls within ``risk.due_soon_days`` after it.
Drafts never set a review date; a draft newer than the latest agreed assessment is shown so
nobody mistakes it for the agreed score.

Repeat referrals: the guidance asks for consideration of "multiple referrals within a 6 month
period"; referrals are incidents of the framework's referral type (``referral``) naming the
child, counted over the months before the as-at date.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, Mapping

import pandas as pd

from . import schema
from .risk import Framework, add_months, framework, frameworks, score_assessments


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def reviews(assessments: pd.DataFrame, *, as_at: date | str, due_within_days: int | None = None,
            registry: Mapping[str, Framework] | None = None) -> list[dict]:
    """One row per young person with an assessment made on or before ``as_at``.

    Returns
    -------
    list of dict
        ``{person_id, status, assessment_id, assessed_on, combined_total, combined_band,
        response, next_review, days_overdue, draft_pending}``, overdue first (most overdue
        first), then due, then scheduled, then people with only drafts. ``status`` is one of
        ``overdue``, ``due``, ``scheduled``, ``no agreed assessment``.
    """
    as_at = _as_date(as_at)
    soon = int(due_within_days if due_within_days is not None else schema.setting("risk.due_soon_days", 14))
    df = assessments[assessments["assessed_on"] <= as_at.isoformat()]
    if df.empty:
        return []
    by_person: dict[str, list[dict]] = {}
    for s in score_assessments(df, registry):
        by_person.setdefault(s["person_id"], []).append(s)
    out = []
    for pid in sorted(by_person):
        items = sorted(by_person[pid], key=lambda s: (s["assessed_on"], s["assessment_id"]))
        agreed = [s for s in items if s["status"] == "agreed"]
        drafts = [s for s in items if s["status"] != "agreed"]
        if not agreed:
            out.append({"person_id": pid, "status": "no agreed assessment", "assessment_id": None,
                        "assessed_on": None, "combined_total": None, "combined_band": None, "response": None,
                        "next_review": None, "days_overdue": None, "draft_pending": drafts[-1]["assessment_id"]})
            continue
        cur = agreed[-1]
        review = date.fromisoformat(cur["next_review"])
        days = (as_at - review).days
        status = "overdue" if days > 0 else ("due" if -days <= soon else "scheduled")
        newer = [s for s in drafts if s["assessed_on"] >= cur["assessed_on"]]
        out.append({"person_id": pid, "status": status, "assessment_id": cur["assessment_id"],
                    "assessed_on": cur["assessed_on"], "combined_total": int(cur["combined_total"]),
                    "combined_band": cur["combined_band"], "response": cur["response"],
                    "next_review": review.isoformat(), "days_overdue": max(days, 0),
                    "draft_pending": newer[-1]["assessment_id"] if newer else None})
    order = {"overdue": 0, "due": 1, "scheduled": 2, "no agreed assessment": 3}
    out.sort(key=lambda r: (order[r["status"]], -(r["days_overdue"] or 0), r["next_review"] or "", r["person_id"]))
    return out


def referral_flags(incidents: pd.DataFrame, involvements: pd.DataFrame, *, as_at: date | str,
                   fw: Framework | None = None, person_ids: set[str] | None = None) -> list[dict]:
    """Young people with several referrals in the months before ``as_at`` (framework
    ``referrals``: incident type, months, minimum count), each with the referrals behind it.

    Returns
    -------
    list of dict
        ``{person_id, count, since, referrals: [{id, start, source, summary}]}``, most first.
    """
    fw = fw or framework()
    cfg = fw.referrals
    as_at = _as_date(as_at)
    since = add_months(as_at, -int(cfg["months"]))
    inc = incidents[(incidents["type"] == cfg["incident_type"])
                    & (incidents["start"].str[:10] > since.isoformat())
                    & (incidents["start"].str[:10] <= as_at.isoformat())]
    if person_ids is not None:
        involvements = involvements[involvements["person_id"].isin(person_ids)]
    from .views import isin  # Arrow's is_in (pandas' isin of a large set is slow)

    inv = involvements[isin(involvements["incident_id"], inc["incident_id"]) & (involvements["role"] != "reporting")]
    by = inc.set_index("incident_id")
    out = []
    for pid, grp in inv.groupby("person_id"):
        ids = sorted(set(grp["incident_id"]), key=lambda i: (by.at[i, "start"], i))
        if len(ids) >= int(cfg["min_count"]):
            out.append({"person_id": pid, "count": len(ids), "since": since.isoformat(),
                        "referrals": [{"id": i, "start": by.at[i, "start"], "source": by.at[i, "source"],
                                       "summary": by.at[i, "summary"]} for i in ids]})
    out.sort(key=lambda r: (-r["count"], r["person_id"]))
    return out


def review_report(tables: Mapping[str, pd.DataFrame], *, as_at: date | str,
                  due_within_days: int | None = None) -> dict:
    """Reviews and referral flags together, as the ``graphmap reviews`` JSON."""
    fw = framework()
    rv = reviews(tables["assessments"], as_at=as_at, due_within_days=due_within_days, registry=frameworks())
    flags = referral_flags(tables["incidents"], tables["involvements"], as_at=as_at, fw=fw)
    flagged = {f["person_id"]: f["count"] for f in flags}
    for r in rv:
        r["referrals_flag"] = flagged.get(r["person_id"], 0)
    return {"as_at": _as_date(as_at).isoformat(), "framework": fw.id,
            "due_within_days": int(due_within_days if due_within_days is not None
                                   else schema.setting("risk.due_soon_days", 14)),
            "reviews": rv, "referral_flags": flags}


def group_risk(assessments: pd.DataFrame, members: Iterable[str], *, as_at: date | str,
               registry: Mapping[str, Framework] | None = None) -> dict:
    """A group's members weighed by their current agreed matrix scores (for the peer-group
    assessment): each member's latest agreed assessment on or before ``as_at``, how many
    members are in each combined band, the highest, and who has no agreed assessment.

    Parameters
    ----------
    members : iterable of str
        The group's person ids (a recorded group, or one found by the peer-group analysis).

    Returns
    -------
    dict
        ``{members: [{person_id, assessment_id, assessed_on, combined_total, combined_band,
        next_review, review_status}], bands: {band: count}, highest: band or None,
        not_assessed: [ids]}``.
    """
    as_at = _as_date(as_at)
    fw = framework()
    ids = sorted(set(members))
    df = assessments[assessments["person_id"].isin(ids)]
    by = {r["person_id"]: r for r in reviews(df, as_at=as_at, registry=registry)}
    rows, bands = [], {lv: 0 for lv in fw.levels}
    for pid in ids:
        r = by.get(pid)
        if r is None or r["assessment_id"] is None:
            continue
        bands[r["combined_band"]] = bands.get(r["combined_band"], 0) + 1
        rows.append({"person_id": pid, "assessment_id": r["assessment_id"], "assessed_on": r["assessed_on"],
                     "combined_total": r["combined_total"], "combined_band": r["combined_band"],
                     "next_review": r["next_review"], "review_status": r["status"]})
    rows.sort(key=lambda r: (-r["combined_total"], r["person_id"]))
    present = [lv for lv in fw.levels if bands.get(lv)]
    return {"as_at": as_at.isoformat(), "members": rows, "bands": bands,
            "highest": present[-1] if present else None,
            "not_assessed": [p for p in ids if p not in {r["person_id"] for r in rows}]}
