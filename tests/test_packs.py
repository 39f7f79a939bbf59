"""Meeting packs: HTML and DOCX with the same content, marked on every page, record text escaped."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from docx import Document

from graphmap import views
from graphmap.cli import cli
from graphmap.packs import Pack, Section, Table, render_docx, render_html, write_pack
from graphmap.packs.build import build_pack
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
