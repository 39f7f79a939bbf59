"""New ties to known groups: what counts as first seen this week."""

from __future__ import annotations

import pandas as pd

from graphmap.network.new_ties import new_ties


def evidence(rows):
    cols = ["a", "b", "tie", "records", "date", "since", "grading", "fact_or_opinion", "source"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)


def test_a_tie_with_undated_evidence_is_not_new_and_old_evidence_makes_it_old():
    ev = evidence([
        ("Y1", "Y2", "same_incident", ("I1",), "2026-10-28", "", "", "fact", "police"),  # new
        ("Y1", "Y3", "same_incident", ("I2",), "2026-10-28", "", "", "fact", "police"),
        ("Y1", "Y3", "association", ("A1",), "", "", "", "opinion", "csc"),  # undated: may be old
        ("Y1", "Y4", "same_incident", ("I3",), "2026-10-29", "", "", "fact", "police"),
        ("Y1", "Y4", "association", ("A2",), "2026-10-29", "2025-02-01", "", "fact", "csc"),  # known since 2025
        ("A1", "Y5", "same_incident", ("I4",), "2026-10-30", "", "", "fact", "police"),  # adult and child
        ("Y6", "Y7", "same_incident", ("I5",), "2026-10-30", "", "", "fact", "police"),  # no group, no adult
    ])
    members = {"G1": {"Y2", "Y3", "Y4"}}
    roles = {"A1": "adult_of_concern", "Y5": "young_person"}
    got = new_ties(ev, since="2026-10-25", members=members, roles=roles)
    assert [(t["person_a"], t["person_b"]) for t in got] == [("A1", "Y5"), ("Y1", "Y2")]
    assert got[0]["adult_of_concern"] == "A1" and got[0]["groups"] == []
    assert got[1]["groups"] == [{"group_id": "G1", "member": "Y2", "joined_by": "Y1"}]
    assert got[1]["evidence"][0]["records"] == ["I1"] and got[1]["first"] == "2026-10-28"
