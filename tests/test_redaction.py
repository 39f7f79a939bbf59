"""Pack redaction levels, the marking on every page, and fact vs opinion."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from graphmap import provenance, redaction
from graphmap.store import open_store
from tests.conftest import DEMO


@pytest.fixture
def pack(tmp_path):
    with open_store(tmp_path / "g.db") as s:
        s.load([DEMO])
        sg = s.subgraph("P002", hops=1)
        people = s.table("people")
    incidents = pd.concat([sg.incidents, pd.DataFrame([{
        "incident_id": "I009", "type": "merlin", "start": "2026-05-02T10:00:00", "end": "", "location_id": "L001",
        "summary": "Seen with Liam Doyle", "source": "police", "grading": "2B C", "source_ref": "", "recorded": "",
        "fact_or_opinion": "", "props": "{}"}])], ignore_index=True)
    data = {
        "title": "Peer group assessment",
        "subject": "P002",
        "people": sg.people,
        "incidents": incidents,
        "associations": sg.associations,
        "members": sorted(sg.person_ids),
        "links": [{"person_id_a": "P002", "person_id_b": "P004", "kind": "olders", "grading": "3C P",
                   "why": "named together"},
                  {"person_id_a": "P001", "person_id_b": "P002", "kind": "friend", "fact_or_opinion": "fact"}],
        "scores": {"P004": 0.8, "P002": 0.4},
    }
    return data, people


def test_full_changes_nothing_but_says_so(pack):
    data, people = pack
    out = redaction.apply_level(data, "full", people=people, as_at="2026-11-30")
    pd.testing.assert_frame_equal(out["people"], data["people"].reset_index(drop=True))
    assert out["links"] == data["links"] and out["redaction"]["withheld"] == {}
    assert out["redaction"]["marking"].startswith("OFFICIAL-SENSITIVE · Redaction: full")
    assert out["redaction"]["marking"].endswith("As at 2026-11-30")


def test_professionals_only_withholds_handling_code_c(pack):
    data, people = pack
    out = redaction.apply_level(data, "professionals_only", people=people)
    assert "I009" not in set(out["incidents"]["incident_id"])  # 2B C
    assert "I004" in set(out["incidents"]["incident_id"]) or "I004" not in set(data["incidents"]["incident_id"])
    assert out["redaction"]["withheld"] == {"intelligence (handling code C)": 1}
    assert "Jayden" in set(out["people"]["forename"]) and "Liam" in set(out["people"]["forename"])


def test_family_present_keeps_only_what_the_family_knows(pack):
    data, people = pack
    out = redaction.apply_level(data, "family_present", subject_ids={"P002"}, people=people)
    text = json.dumps({k: (v.to_dict("records") if isinstance(v, pd.DataFrame) else v)
                       for k, v in out.items()}, default=str)
    # The family's own child is named; no other child or adult is, by name, id or date of birth.
    assert "Jayden" in text
    for other in ("Amara", "Okafor", "Kofi", "Mensah", "Liam", "Doyle", "P001", "P003", "P004", "1996-02-02",
                  "2010-05-14"):
        assert other not in text, other
    # Intelligence and graded links withheld; free text withheld.
    assert set(out["incidents"]["type"]) <= {"merlin", "missing"} and "I009" not in set(out["incidents"]["incident_id"])
    assert set(out["incidents"]["summary"]) == {redaction.WITHHELD_TEXT}
    assert [link["kind"] for link in out["links"]] == ["friend"]
    assert out["redaction"]["withheld"]["intelligence"] >= 2
    # Others appear as stable role labels, the same in every part of the pack.
    label4 = out["scores"]
    p = out["people"].set_index("person_id")
    assert set(p.index) >= {"Adult of concern C", "Young person A"}
    assert "Adult of concern C" in label4 and p.loc["Adult of concern C", "forename"] == "Adult of concern C"
    assert p.loc["Adult of concern C", "date_of_birth"] == "" and p.loc["Adult of concern C", "surname"] == ""
    assert out["links"][0]["person_id_a"] == "Young person A" and out["links"][0]["person_id_b"] == "P002"
    assert "Young person A" in out["members"] and "P002" in out["members"]


def test_marking_on_every_page(tmp_path):
    from docx import Document

    doc = Document()
    doc.add_paragraph("page one")
    doc.add_page_break()
    doc.add_section()
    doc.add_paragraph("section two")
    redaction.docx_marking(doc, "family_present", as_at="2026-11-30")
    doc.save(tmp_path / "p.docx")
    again = Document(tmp_path / "p.docx")
    for section in again.sections:
        for part in (section.header, section.footer):
            assert part.paragraphs[0].text.startswith("OFFICIAL-SENSITIVE · Redaction: family present")
    html = redaction.marking_html("professionals_only", as_at="2026-11-30")
    assert html.count("OFFICIAL-SENSITIVE · Redaction: professionals only") == 2 and "position:fixed" in html
    with pytest.raises(ValueError):
        redaction.marking("everything")


def test_fact_or_opinion_helpers():
    df = pd.DataFrame([{"fact_or_opinion": "fact", "grading": ""}, {"fact_or_opinion": "opinion", "grading": ""},
                       {"fact_or_opinion": "", "grading": "2B P"}, {"fact_or_opinion": "", "grading": ""}])
    out = provenance.with_basis(df)
    assert list(out["basis"]) == ["fact", "opinion", "intelligence", "not stated"]
    assert list(out["basis_label"]) == ["Fact", "Opinion", "Intelligence (2B P)", "Not stated"]
    assert provenance.basis({"evidence": ["I001", "I002"]}) == "derived"


def test_withholding_store_reads_every_window_through_its_own_filter(demo_db):
    """An engine's faster read (SQLite's ``window_records`` in SQL) must not bypass a redaction
    level: every Store workflow on the view reads through the view's filtered tables."""
    from graphmap.store.base import Store
    from graphmap.window import Window

    w = Window.ending("2026-10-31", 365)
    with open_store(demo_db) as s:
        full_inc, _, _ = s.window_records(w.start_iso, w.end_iso)
        assert (full_inc["grading"].str[-1:] == "C").any()  # the demo has handling code C records
        for level in ("professionals-only", "family-present"):
            view = redaction.WithholdingStore(s, level)
            inc, inv, first = view.window_records(w.start_iso, w.end_iso, exclude_roles={"reporting"})
            kept = set(view.table("incidents")["incident_id"])
            assert set(inc["incident_id"]) <= kept and set(inv["incident_id"]) <= kept
            assert len(inc) < len(full_inc), level
            if level == "professionals-only":
                assert not (inc["grading"].str[-1:] == "C").any()
            else:
                assert (inc["grading"] == "").all() and not (inc["type"] == "intelligence").any()
            # Every concrete Store workflow is bound to the view, not to the engine underneath.
            for name in ("window_records", "subgraph", "info", "tables"):
                assert getattr(view, name).__self__ is view, name
        assert view.url == s.url and isinstance(s, Store)
