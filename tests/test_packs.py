"""Meeting packs: HTML and DOCX with the same content, marked on every page, record text escaped."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from docx import Document

from graphmap import views
from graphmap.cli import cli
from graphmap.packs import Pack, Section, Table, render_docx, render_html, write_pack
from graphmap.packs.build import build_pack
from graphmap.safe import html_text
from graphmap.store import open_store
from graphmap.window import Window
from tests.test_app import XSS_FORENAME, XSS_PLACE, XSS_SURNAME, build_store

AS_AT = date(2026, 10, 31)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("packs") / "graphmap.db")


class _Text(HTMLParser):
    """Headings and table cells as a browser would show them (entities decoded, no tags run)."""

    def __init__(self):
        super().__init__()
        self.headings, self.cells, self.tags, self._in = [], [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("h1", "h2", "td", "th"):
            self._in, self._buf = tag, ""

    def handle_endtag(self, tag):
        if tag == self._in:
            (self.headings if tag in ("h1", "h2") else self.cells).append(self._buf)
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._buf += data


def html_content(page: str):
    p = _Text()
    p.feed(page)
    return p


def docx_content(data: bytes, tmp_path):
    path = tmp_path / "x.docx"
    path.write_bytes(data)
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return doc, headings, cells


def test_html_and_docx_carry_the_same_content_and_markings(db, tmp_path):
    window = Window.ending(AS_AT, 365)
    with open_store(db) as s:
        pack = build_pack("peer-group", s, window, redaction="professionals-only", group_id="G1")
    page = render_html(pack)
    h = html_content(page)
    doc, headings, cells = docx_content(render_docx(pack), tmp_path)
    assert h.headings == headings == ["Peer group assessment: Crew <b>bold</b> [x](javascript:alert(1))",
                                      "Members", "Network", "Places the group shares", "Timeline",
                                      "Adults of concern and bridges", "Cohort flags", "Suggested actions"]
    assert h.cells == cells
    assert f"{XSS_FORENAME} {XSS_SURNAME}" in cells  # the hostile name, as text
    line = "OFFICIAL-SENSITIVE · as at 2026-10-31 · window 365 days (2025-11-01 to 2026-10-31) · redaction: professionals-only"
    assert page.count(line) == 3  # fixed page header, under the title, page footer
    assert doc.sections[0].header.paragraphs[0].text == line == doc.sections[0].footer.paragraphs[0].text
    assert "awaits" not in page  # the network analyses fill every section
    assert "Child Abduction Warning Notices for adults of concern members were found with when missing" in cells
    assert "Not yet in this pack" not in "\n".join(p.text for p in doc.paragraphs)
    assert cells[cells.index("P002") + 3] == "moderate (40)" and cells[cells.index("P002") + 4] == "2026-04-10"


def test_html_pack_escapes_record_text(db):
    window = Window.ending(AS_AT, 365)
    with open_store(db) as s:
        page = render_html(build_pack("locations-board", s, window, redaction="full", location_id="L900"))
    assert "<script>" not in page and "<img src=x" not in page and "<b>" not in page
    assert "&lt;img src=x onerror=window.__xss=3&gt;" in page
    assert XSS_PLACE in "".join(html_content(page).cells) + "".join(html_content(page).headings)
    assert set(html_content(page).tags) <= {"html", "head", "meta", "title", "style", "body", "div", "h1", "h2", "p",
                                             "section", "table", "caption", "thead", "tbody", "tr", "th", "td",
                                             "figure", "img", "figcaption"}
    assert re.findall(r'<img src="([^"]{0,22})', page) == ["data:image/png;base64,"]  # the map picture only


def test_locations_board_pack_names_no_people(db, tmp_path):
    window = Window.ending(AS_AT, 365)
    with open_store(db) as s:
        pack = build_pack("locations-board", s, window, redaction="full", location_id="L001")
    page = render_html(pack)
    for name in ("Jayden", "Liam", "Amara", XSS_SURNAME):
        assert name not in page
    assert "1 incident(s) in the window (0 in the window before: new), 1 young people, 1 group(s), 1 adult(s) of concern" in page
    _, headings, cells = docx_content(render_docx(pack), tmp_path)
    assert headings[-1] == "Place profile: Wandle Park (L001)"
    assert cells[cells.index("merlin") + 1] == "1"


def test_pack_for_window_with_nothing_is_valid_and_says_so(db):
    window = Window.ending(date(2020, 1, 31), 30)
    with open_store(db) as s:
        page = render_html(build_pack("locations-board", s, window, redaction="full"))
    assert "0 ranked place(s) with incidents starting in the window, of 4 held" in page


def test_write_pack_is_atomic_and_refuses_other_suffixes(tmp_path):
    pack = Pack("x", "T", AS_AT, 7, date(2026, 10, 25), "full", [Section("S", tables=[Table(["a"], [["=1+1"]])])])
    out = write_pack(pack, tmp_path / "p.docx")
    assert out.exists() and [p.name for p in tmp_path.iterdir()] == ["p.docx"]
    with pytest.raises(ValueError):
        write_pack(pack, tmp_path / "p.pdf")
    assert [p.name for p in tmp_path.iterdir()] == ["p.docx"]


def test_peer_group_pack_of_a_found_group_has_the_pages_content(db, tmp_path):
    r = CliRunner().invoke(cli, ["pack", "peer-group", "--db", str(db), "--as-at", "2026-10-31", "--group", "PG001",
                                 "--reason", "MACE 3 December", "--out", str(tmp_path / "pg.docx")])
    assert r.exit_code == 0, r.output
    doc, headings, cells = docx_content((tmp_path / "pg.docx").read_bytes(), tmp_path)
    assert headings[0] == "Peer group assessment: Peer group PG001 (found in the data)"
    assert {"P001", "P002", "P003", "P900"} <= set(cells)  # members
    assert "Liam Doyle" in cells and "I001, I002" in " ".join(cells)  # the adult of concern and the records
    assert "L002" in cells and "L900" in cells  # places two members share
    assert "found together · I002 · 2026-04-10 · csc" in " ".join(cells)  # tie evidence: kind · record · date · source
    assert len(doc.inline_shapes) == 2  # the network and the places map, as pictures


def test_cli_pack_html_docx_and_clean_errors(db, tmp_path):
    run = CliRunner().invoke
    r = run(cli, ["pack", "peer-group", "--db", str(db), "--as-at", "2026-10-31", "--group", "G1",
                  "--redaction", "family-present", "--out", str(tmp_path / "g.html"), "--reason", "MACE"])
    assert r.exit_code == 0, r.output
    page = (tmp_path / "g.html").read_text()
    assert "redaction: family-present" in page and "Jayden" not in page  # pseudonyms at family-present
    r = run(cli, ["pack", "locations-board", "--db", str(db), "--as-at", "2026-10-31", "--out", str(tmp_path / "b.docx"),
                  "--reason", "Locations Board"])
    assert r.exit_code == 0 and (tmp_path / "b.docx").stat().st_size > 0
    for args, message in [(["peer-group", "--out", "x.html"], "needs --group"),
                          (["peer-group", "--group", "NOPE", "--out", "x.html"], "no group with id 'NOPE'"),
                          (["locations-board", "--out", "x.pdf"], "must end .html or .docx"),
                          (["locations-board", "--redaction", "none", "--out", "x.html"], "--redaction must be")]:
        r = run(cli, ["pack", *args[:1], "--db", str(db), *args[1:], "--reason", "MACE"])
        assert r.exit_code == 1 and message in r.output, (args, r.output)
        assert "Traceback" not in r.output


def test_views_counts_carry_their_records(db):
    with open_store(db) as s:
        board = views.locations_board(s, Window.ending("2026-05-01", 365), "L002")
    assert board["profile"]["evidence"]["incident_ids"] == ["I002", "I003"]
    assert board["profile"]["counts"]["incidents"] == 2 and board["unmapped"] == 1
    places = {p["location_id"]: p for p in board["places"]}
    assert places["L002"]["incident_ids"] == ["I002", "I003"]


def test_demo_opens_no_app_when_not_at_a_terminal(tmp_path):
    r = CliRunner().invoke(cli, ["demo", "--db", str(tmp_path / "d.db")])
    assert r.exit_code == 0 and "not opening the app: not run from a terminal" in r.output
    r = CliRunner().invoke(cli, ["demo", "--db", str(tmp_path / "d.db"), "--no-app"])
    assert r.exit_code == 0 and "not opening" not in r.output and re.search(r"people\s+\d+", r.output)


# --- every kind, built from the demo borough ------------------------------------------------------
from tests.conftest import HOSTILE_ID, HOSTILE_NAME, HOSTILE_SURNAME

WEEK_AS_AT = date(2026, 9, 19)  # a week with repeat missing, co-missing and new ties in the demo
KIND_IDS = {"peer-group": {"group_id": "G011"}, "locations-board": {"location_id": "L0007"},
            "complex-strategy": {}, "weekly-review": {}, "person": {"person_id": HOSTILE_ID}}
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "div", "h1", "h2", "p", "section", "table",
                "caption", "thead", "tbody", "tr", "th", "td", "figure", "img", "figcaption"}


@pytest.fixture(scope="module")
def demo_packs(demo_db):
    """(kind, level) -> Pack, built once from the demo store."""
    window = Window.ending(WEEK_AS_AT, 365)
    out = {}
    with open_store(demo_db) as s:
        for kind, ids in KIND_IDS.items():
            for level in ("full", "professionals-only") if kind == "complex-strategy" else ("full",):
                out[kind, level] = build_pack(kind, s, window, redaction=level, **ids)
            out[kind, "family-present"] = build_pack(kind, s, window, redaction="family-present",
                                                     **{**ids, "person_id": HOSTILE_ID})
    return out


_RENDERED: dict[int, tuple[str, bytes]] = {}


def rendered(pack) -> tuple[str, bytes]:
    """(HTML, DOCX bytes) of a module pack, rendered once."""
    if id(pack) not in _RENDERED:
        _RENDERED[id(pack)] = (render_html(pack), render_docx(pack))
    return _RENDERED[id(pack)]


def _all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("kind", list(KIND_IDS))
def test_each_kind_html_and_docx_carry_the_same_content_marked_on_every_page(demo_packs, kind, tmp_path):
    pack = demo_packs[kind, "full"]
    page = rendered(pack)[0]
    h = html_content(page)
    doc, headings, cells = docx_content(rendered(pack)[1], tmp_path)
    assert h.headings == headings and len(headings) >= 2
    assert h.cells == cells and doc.tables
    line = pack.header_line
    assert line.startswith("OFFICIAL-SENSITIVE · as at ") and "window" in line
    assert line.endswith("redaction: full")
    for section in doc.sections:  # every page of every section carries the marking line
        assert section.header.paragraphs[0].text == line == section.footer.paragraphs[0].text
    assert page.count(line) == 3
    assert pack.notes[0].startswith("Redaction full") and pack.notes[0] in unescape(page)
    assert pack.notes[0] in _all_text(doc)
    # The pictures: the same number in both, and every pack with a network or places has one.
    pictures = sum(len(s.images) for s in pack.sections)
    assert len(doc.inline_shapes) == pictures == page.count('<img src="data:image/png;base64,')
    assert pictures >= {"peer-group": 1, "locations-board": 1, "complex-strategy": 2, "weekly-review": 2,
                        "person": 2}[kind]
    assert set(h.tags) <= ALLOWED_TAGS


def test_complex_strategy_pack_gives_each_link_with_its_evidence_grading_and_basis(demo_packs, tmp_path):
    pack = demo_packs["complex-strategy", "full"]
    doc, headings, cells = docx_content(rendered(pack)[1], tmp_path)
    assert headings[:3] == ["Complex strategy: adults of concern and places linked to 3 or more young people",
                            "Summary", "Shay Baptiste (P0302): 9 young people"]
    summary = doc.tables[0]
    assert [c.text for c in summary.rows[0].cells] == ["subject", "id", "what", "young people", "earliest link",
                                                       "basis of the evidence"]
    assert [c.text for c in summary.rows[1].cells][:4] == ["Shay Baptiste", "P0302", "adult of concern", "9"]
    links, evidence = doc.tables[1], doc.tables[2]
    assert [c.text for c in evidence.rows[0].cells] == ["young person", "link", "records", "date", "grading",
                                                        "basis", "source"]
    rows = [[c.text for c in r.cells] for r in evidence.rows[1:]]
    # The graded intelligence link from the demo, shown with its grading, and the opinion recorded as such.
    assert ["olders", "association:P0045-P0302:olders", "", "2C C", "Opinion", "police"] in [r[1:] for r in rows]
    hostile = f"{HOSTILE_NAME} {HOSTILE_SURNAME}"
    assert [hostile, "olders", f"association:{HOSTILE_ID}-P0302:olders"] in [r[:3] for r in rows]
    assert any(r[0] == hostile and r[1] == "same incident" and r[2] == "I9001" and r[5] == "Fact" for r in rows)
    assert any(r[5] == "Derived by analysis" for r in rows)  # e.g. same place within hours
    assert [c.text for c in links.rows[0].cells][:3] == ["young person", "age", "how linked (pieces of evidence)"]
    assert "Fact" in pack.notes[1] and "Opinion" in pack.notes[1] and "Derived by analysis" in pack.notes[1]


def test_professionals_only_withholds_handling_code_c_from_every_count(demo_packs, tmp_path):
    full = rendered(demo_packs["complex-strategy", "full"])[0]
    prof = rendered(demo_packs["complex-strategy", "professionals-only"])[0]
    assert "association:P0045-P0302:olders" in full and "2C C" in full
    assert "association:P0045-P0302:olders" not in prof and " C</td>" not in prof
    assert "Withheld and left out of every count, picture and table:" in prof


def test_weekly_review_pack_lists_the_week_repeat_co_missing_and_new_ties(demo_packs, tmp_path):
    pack = demo_packs["weekly-review", "full"]
    assert pack.title == "Weekly review: 2026-09-13 to 2026-09-19"
    assert "window 7 days (2026-09-13 to 2026-09-19)" in pack.header_line
    doc, headings, cells = docx_content(rendered(pack)[1], tmp_path)
    assert headings == ["Weekly review: 2026-09-13 to 2026-09-19", "Missing episodes and Merlin reports",
                        "Repeat missing", "Missing at the same time (co-missing)",
                        "New ties to known groups and adults of concern"]
    text = _all_text(doc)
    assert "Repeat missing here means: missing 3 or more times in the 90 days up to 2026-09-19" in text
    records = [[c.text for c in r.cells] for r in doc.tables[0].rows[1:]]
    assert all("2026-09-13" <= r[2][:10] <= "2026-09-19" and r[1] in ("missing", "merlin") for r in records)
    assert any(r[0] == "I9001" and f"{HOSTILE_NAME} {HOSTILE_SURNAME} (subject)" in r[5] for r in records)
    tables = {tuple(c.text for c in t.rows[0].cells): t for t in doc.tables}
    repeat = tables["young person", "episodes in the period", "this week", "longest (hours)", "first", "latest", "records"]
    assert len(repeat.rows) >= 2 and int(repeat.rows[1].cells[1].text) >= 3
    co = tables["young person", "missing at the same time as", "overlaps this week",
                "overlapping episodes in the period", "hours overlapping", "pattern", "records"]
    assert len(co.rows) >= 2
    new = tables["person", "tied to", "first seen", "why it matters", "how (pieces of evidence)", "basis"]
    new_rows = [[c.text for c in r.cells] for r in new.rows[1:]]
    assert [f"{HOSTILE_NAME} {HOSTILE_SURNAME}", "Shay Baptiste", "2026-09-16",
            "Shay Baptiste is an adult of concern"] in [r[:4] for r in new_rows]
    assert any("a member of" in r[3] for r in new_rows)


def test_html_packs_escape_a_hostile_name(demo_packs):
    for kind in ("complex-strategy", "weekly-review"):
        page = rendered(demo_packs[kind, "full"])[0]
        assert HOSTILE_NAME not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        h = html_content(page)
        assert any(HOSTILE_NAME in c for c in h.cells) and set(h.tags) <= ALLOWED_TAGS


def test_family_present_names_only_the_familys_child_and_withholds_intelligence(demo_packs, demo_db, tmp_path):
    with open_store(demo_db) as s:
        people = s.table("people")
    names = {r.person_id: f"{r.forename} {r.surname}" for r in people.itertuples()}
    for kind in KIND_IDS:
        full = rendered(demo_packs[kind, "full"])[0]
        pack = demo_packs[kind, "family-present"]
        page = rendered(pack)[0]
        _, _, cells = docx_content(rendered(pack)[1], tmp_path)
        text = page + "\n".join(cells)
        shown_in_full = [pid for pid, n in names.items() if pid != HOSTILE_ID and html_text(n) in full]
        for pid in shown_in_full:
            assert html_text(names[pid]) not in page and names[pid] not in "\n".join(cells), (kind, pid)
            assert not re.search(rf"\b{pid}\b", text), (kind, pid)
        assert not re.search(r"Intelligence \([1-3][A-E]", text) and "2C C" not in text and "Stopped together" not in text
        assert pack.notes[0].startswith("Redaction family present") and "redaction: family-present" in pack.header_line
        if kind in ("complex-strategy", "weekly-review", "person"):
            assert shown_in_full  # the full pack did name other people
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the family's own child is named
            assert re.search(r"(Young person|Adult of concern) [A-Z]+\b", text)


def test_person_pack_gives_the_timeline_ties_with_their_basis_and_places(demo_packs, tmp_path):
    pack = demo_packs["person", "full"]
    assert pack.title == f"Person profile: {HOSTILE_NAME} {HOSTILE_SURNAME} ({HOSTILE_ID})"
    doc, headings, cells = docx_content(rendered(pack)[1], tmp_path)
    assert headings[1:5] == ["About", "Timeline", "Ties in the window", "Places in the window"]
    tables = {tuple(c.text for c in t.rows[0].cells): t for t in doc.tables}
    ties = [[c.text for c in r.cells] for r in tables["person", "role", "pieces of evidence", "evidence", "basis"].rows[1:]]
    assert ["Shay Baptiste", "adult of concern", "2"] == ties[0][:3] and ties[0][4] == "Fact 1, Opinion 1"
    places = [[c.text for c in r.cells] for r in tables["place", "id", "type", "ward", "hotspot", "records"].rows[1:]]
    assert places[0][:2] == ["Pike Common", "L0007"] and "I9001" in places[0][5]
    assert "Stopped together" not in rendered(demo_packs["person", "family-present"])[0]  # free text withheld


def test_complex_strategy_for_one_subject_and_an_unknown_one(demo_db):
    window = Window.ending(WEEK_AS_AT, 365)
    with open_store(demo_db) as s:
        pack = build_pack("complex-strategy", s, window, redaction="full", subject_id="P0302")
        assert pack.title == "Complex strategy: Shay Baptiste (P0302)"
        assert [sec.heading for sec in pack.sections] == ["Summary", "Shay Baptiste (P0302): 9 young people"]
        with pytest.raises(KeyError, match="not an adult of concern or place linked to 3"):
            build_pack("complex-strategy", s, window, redaction="full", subject_id="P0001")


def test_redaction_relabel_finds_ids_inside_references():
    from graphmap import redaction

    labels = {"P1": "Young person A", "P12": "Adult of concern B"}
    out = redaction.relabel({"records": "association:P1-P12:olders; P123", "person_id": "P1", "flags": "cse",
                             "summary": "said things", "P12": ["P1"]}, labels)
    assert out == {"records": "association:Young person A-Adult of concern B:olders; P123",
                   "person_id": "Young person A", "flags": "", "summary": redaction.WITHHELD_TEXT,
                   "Adult of concern B": ["Young person A"]}
    assert redaction.level_key("professionals-only") == "professionals_only"
    with pytest.raises(ValueError):
        redaction.level_key("nobody")


@pytest.mark.parametrize("kind", list(KIND_IDS))
def test_cli_report_writes_each_kind_and_audits_it(demo_db, kind, tmp_path):
    import shutil

    db = tmp_path / "g.db"
    shutil.copy(demo_db, db)  # report writes an audit entry
    ids = {"group_id": ["--group", "G011"], "location_id": [],  # the place profile is tested above
           "person_id": ["--person", HOSTILE_ID]}
    extra = [a for k in KIND_IDS[kind] for a in ids[k]]
    suffix = ".docx" if kind in ("complex-strategy", "weekly-review", "person") else ".html"
    out = tmp_path / "packs" / f"{kind}{suffix}"
    r = CliRunner().invoke(cli, ["report", kind, "--db", str(db), "--as-at", "2026-09-19", *extra,
                                 "--reason", "MACE 2026-09-20", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == str(out) and [p.name for p in out.parent.iterdir()] == [out.name]
    if suffix == ".docx":
        assert Document(str(out)).sections[0].header.paragraphs[0].text.startswith("OFFICIAL-SENSITIVE · as at 2026-09-19")
    else:
        assert "OFFICIAL-SENSITIVE · as at 2026-09-19" in out.read_text()
    with open_store(db) as s:
        entries = s.audit_entries({"action": "export"})
    assert list(entries["subject"]) == [f"pack:{kind}"] and list(entries["reason"]) == ["MACE 2026-09-20"]


def test_cli_report_refuses_an_out_outside_the_pack_folder_and_a_missing_reason(db, tmp_path, monkeypatch):
    run = CliRunner().invoke
    folder = tmp_path / "packs"
    folder.mkdir()
    monkeypatch.setenv("GRAPHMAP_PACK_DIR", str(folder))
    for out in ["../escape.html", str(tmp_path / "escape.html")]:
        r = run(cli, ["report", "weekly-review", "--db", str(db), "--reason", "x", "--out", out])
        assert r.exit_code == 1 and "outside" in r.output, r.output
    assert not (tmp_path / "escape.html").exists()
    r = run(cli, ["report", "weekly-review", "--db", str(db), "--reason", "x", "--out", "w.html"])
    assert r.exit_code == 0 and (folder / "w.html").exists()
    r = run(cli, ["report", "weekly-review", "--db", str(db), "--out", "w2.html"])
    assert r.exit_code == 1 and "needs a reason" in r.output and not (folder / "w2.html").exists()
    r = run(cli, ["report", "nothing", "--db", str(db), "--out", "w3.html"])
    assert r.exit_code == 2 and "'nothing' is not one of" in r.output
