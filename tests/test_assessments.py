"""Assessments as history in a real store, reviews due/overdue, repeat referrals, actions."""

from __future__ import annotations

from datetime import date

import pytest

from graphmap import assessments, records, risk
from graphmap.reviews import referral_flags, review_report, reviews
from tests.conftest import DEMO, write_csv

FW = risk.framework()
ALL_NONE = {d: "none" for d in FW.domains}


def row(aid, pid, on, status="agreed", **levels):
    return {"assessment_id": aid, "person_id": pid, "assessed_on": on, "assessor": "SW Team A",
            "status": status, **(ALL_NONE if status == "agreed" else {}), **levels}


def record(store, rows, file="form"):
    batch = assessments.assessment_batch(rows, file=file, lookup=store.existing_ids, stored=store.get)
    store.load_batch(batch)
    return batch


@pytest.fixture
def loaded(sqlite_store):
    sqlite_store.load([DEMO])
    return sqlite_store


def test_assessments_are_history_never_overwritten(loaded):
    b = record(loaded, [row("A1", "P002", "2026-01-10", missing="moderate", why_missing="two nights")])
    assert not b.rejects and loaded.counts()["assessments"] == 1
    # The identical row again: accepted, nothing changes (loads stay repeatable).
    b = record(loaded, [row("A1", "P002", "2026-01-10", missing="moderate", why_missing="two nights")])
    assert not b.rejects
    # The same id with a changed level: rejected, the stored judgement stands.
    b = record(loaded, [row("A1", "P002", "2026-01-10", missing="significant", why_missing="two nights")])
    assert len(b.rejects) == 1 and "never overwritten (differs in missing)" in b.rejects[0].reason
    stored = loaded.table("assessments").set_index("assessment_id")
    assert stored.at["A1", "missing"] == "moderate" and stored.at["A1", "why_missing"] == "two nights"
    # A new judgement is a new assessment: both are kept.
    record(loaded, [row("A2", "P002", "2026-03-01", missing="significant")])
    assert sorted(loaded.table("assessments")["assessment_id"]) == ["A1", "A2"]


def test_history_also_protected_on_canonical_load(loaded, tmp_path):
    record(loaded, [row("A1", "P002", "2026-01-10")])
    out = tmp_path / "out"
    loaded.export(out)
    assert loaded.load([out / "assessments.csv"]).batch.rejects == []   # export -> load: a fixed point
    text = (out / "assessments.csv").read_text().replace("SW Team A", "Someone else")
    write_csv(out / "assessments.csv", text)
    res = loaded.load([out / "assessments.csv"])
    assert [r.field for r in res.batch.rejects] == ["assessment_id"]
    assert loaded.table("assessments").at[0, "assessor"] == "SW Team A"


def test_form_checks(loaded):
    rows = [
        row("", "P002", "2026-02-01", "draft", missing="Positive", peer_group="No concern"),   # aliases, fresh id
        row("B2", "P002", "2026-02-01", "agreed", missing=""),            # agreed but missing not rated
        row("B3", "P999", "2026-02-01", "draft", missing="moderate"),     # unknown person
        row("B4", "P002", "2026-02-01", "final"),                         # unknown status
        row("B5", "P002", "2026-02-01", "draft", missing="high"),         # unknown level
        {**row("B6", "P002", "2026-02-01", "draft"), "framework": "nowhere-2030"},
    ]
    b = assessments.assessment_batch(rows, file="form.csv", lookup=loaded.existing_ids, stored=loaded.get)
    got = {(r.row, r.field) for r in b.rejects}
    assert {(3, "missing"), (4, "person_id"), (5, "status"), (6, "missing"), (7, "framework")} <= got
    ok = b.tables["assessments"]
    assert len(ok) == 1 and ok.at[0, "missing"] == "none" and ok.at[0, "peer_group"] == "none"
    assert ok.at[0, "assessment_id"].startswith("A-20260201-") and ok.at[0, "framework"] == "merton-2020"
    with pytest.raises(records.InputError, match="unknown column.*coersion_control"):
        assessments.assessment_batch([{**row("B7", "P002", "2026-02-01", "draft"), "coersion_control": "moderate"}],
                                     file="form.csv")


def test_yaml_form(tmp_path, loaded):
    p = tmp_path / "a.yaml"
    p.write_text("person_id: P003\nassessed_on: 2026-02-02\nassessor: SW\nstatus: draft\n"
                 "levels: {missing: emerging, places_spaces: moderate}\nwhy: {missing: one night}\n")
    rows = assessments.rows_from_file(p)
    assert rows[0]["missing"] == "emerging" and rows[0]["why_missing"] == "one night"
    b = record(loaded, rows)
    assert not b.rejects and loaded.table("assessments").at[0, "places_spaces"] == "moderate"


def test_reviews_due_and_overdue(loaded):
    sig = {d: "significant" for d in ("coercion_control", "missing", "sexual_health", "weapons_violence",
                                      "places_spaces", "peer_group")}  # 12+10+10+10 + 12+12 = 66: significant
    record(loaded, [
        row("R1", "P001", "2026-01-01"),                          # none: review 2026-07-01
        row("R2", "P002", "2026-03-01", **sig),                   # significant: 6 weeks -> 2026-04-12
        row("R3", "P002", "2026-04-20", "draft", missing="moderate"),  # a draft after it: shown, not used
        row("R4", "P003", "2026-02-15", missing="significant", places_spaces="significant",
            peer_group="significant"),                            # 34: moderate -> 3 months -> 2026-05-15
        row("R5", "P003", "2026-01-01", missing="moderate"),      # older: superseded by R4
        row("R6", "P001", "2026-06-01", "draft"),                 # draft on or before as-at but older agreed stays
        row("R7", "P003", "2026-06-01", **sig),                   # after the as-at date: not yet known
    ])
    rv = {r["person_id"]: r for r in reviews(loaded.table("assessments"), as_at="2026-05-10")}
    assert rv["P002"]["status"] == "overdue" and rv["P002"]["next_review"] == "2026-04-12"
    assert rv["P002"]["days_overdue"] == 28 and rv["P002"]["draft_pending"] == "R3"
    assert rv["P002"]["combined_total"] == 66 and rv["P002"]["combined_band"] == "significant"
    assert rv["P003"]["status"] == "due" and rv["P003"]["next_review"] == "2026-05-15"
    assert rv["P003"]["assessment_id"] == "R4" and rv["P003"]["combined_total"] == 34
    assert rv["P001"]["status"] == "scheduled" and rv["P001"]["next_review"] == "2026-07-01"
    order = [r["person_id"] for r in reviews(loaded.table("assessments"), as_at="2026-05-10")]
    assert order == ["P002", "P003", "P001"]
    # With a window of 4 days P003's review (5 days ahead) is not yet due.
    rv = {r["person_id"]: r for r in reviews(loaded.table("assessments"), as_at="2026-05-10", due_within_days=4)}
    assert rv["P003"]["status"] == "scheduled"
    # Drafts only: listed as having no agreed assessment.
    record(loaded, [row("R8", "P005", "2026-05-01", "draft")])
    rv = {r["person_id"]: r for r in reviews(loaded.table("assessments"), as_at="2026-05-10")}
    assert rv["P005"]["status"] == "no agreed assessment" and rv["P005"]["draft_pending"] == "R8"


def _referrals(tmp_path, dates, pid="P001"):
    inc = "incident_id,type,start,end,location_id,summary,source,grading\n" + "".join(
        f"REF{i},referral,{d},,,referral {i},school,\n" for i, d in enumerate(dates))
    inv = "incident_id,person_id,role\n" + "".join(f"REF{i},{pid},subject\n" for i in range(len(dates)))
    write_csv(tmp_path / "r" / "incidents.csv", inc)
    write_csv(tmp_path / "r" / "involvements.csv", inv)
    return tmp_path / "r"


def test_repeat_referrals_flagged(loaded, tmp_path):
    loaded.load([_referrals(tmp_path, ["2025-12-15", "2026-03-01", "2026-05-20"])])
    t = loaded.tables()
    # 6 months before 2026-06-10 starts after 2025-12-10: all three count.
    f = referral_flags(t["incidents"], t["involvements"], as_at="2026-06-10")
    assert [(x["person_id"], x["count"]) for x in f] == [("P001", 3)]
    assert [r["id"] for r in f[0]["referrals"]] == ["REF0", "REF1", "REF2"]
    # As at 2026-06-16, 2025-12-15 is more than six months back: two remain (still "multiple").
    assert referral_flags(t["incidents"], t["involvements"], as_at="2026-06-16")[0]["count"] == 2
    # As at 2026-04-01 only two had happened; as at 2026-02-01 only one: no flag.
    assert referral_flags(t["incidents"], t["involvements"], as_at="2026-04-01")[0]["count"] == 2
    assert referral_flags(t["incidents"], t["involvements"], as_at="2026-02-01") == []
    rep = review_report(t, as_at="2026-06-10")
    assert rep["referral_flags"][0]["person_id"] == "P001"


def test_actions_with_future_due_dates(loaded, tmp_path):
    hdr = "action_id,person_id,group_id,location_id,heading,text,owner,raised_on,due,status,source\n"
    far = date(date.today().year + 1, 1, 15).isoformat()
    write_csv(tmp_path / "a" / "actions.csv", hdr +
              f"X1,P002,,,disrupt,CAWN for adult of concern,Police,2026-05-01,{far},open,panel\n"
              f"X2,,,L001,protect,Lighting in the park,Safer Merton,2026-05-01,{far},open,panel\n"
              "X3,P002,,,pursue_harder,??,Police,2026-05-01,,open,panel\n"
              "X4,P002,,,support,Youth worker,YS,2026-05-01,2200-01-01,open,panel\n"
              "X5,,,,support,About nobody,YS,2026-05-01,,open,panel\n")
    res = loaded.load([tmp_path / "a"])
    assert {(r.row, r.field) for r in res.batch.rejects} == {(4, "heading"), (5, "due"),
                                                            (6, "person_id/group_id/location_id")}
    assert sorted(loaded.table("actions")["action_id"]) == ["X1", "X2"]


def test_group_weighed_by_members_levels(loaded):
    from graphmap.reviews import group_risk

    sig = {d: "significant" for d in ("coercion_control", "missing", "sexual_health", "weapons_violence",
                                      "places_spaces", "peer_group")}   # 66: significant
    record(loaded, [row("G1", "P001", "2026-01-01", missing="moderate"),     # 6: little or no concern
                    row("G2", "P002", "2026-03-01", **sig),
                    row("G3", "P002", "2026-05-01", "draft"),                # a draft never counts
                    row("G4", "P003", "2026-07-01", **sig)])                 # after the as-at date
    g = group_risk(loaded.table("assessments"), ["P001", "P002", "P003"], as_at="2026-06-01")
    assert [(m["person_id"], m["combined_total"], m["combined_band"]) for m in g["members"]] == \
        [("P002", 66, "significant"), ("P001", 6, "none")]
    assert g["bands"] == {"none": 1, "emerging": 0, "moderate": 0, "significant": 1}
    assert g["highest"] == "significant" and g["not_assessed"] == ["P003"]
    assert g["members"][0]["review_status"] == "overdue"   # 6 weeks from 1 March: 12 April
