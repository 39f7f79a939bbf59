"""The pack content model and its two renderings (HTML and DOCX)."""

from __future__ import annotations

import base64
import io
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jinja2

from ..safe import atomic_write

MARKING = "OFFICIAL-SENSITIVE"

#: How to read the basis column of a pack's evidence tables (graphmap.provenance).
BASIS_KEY = ("Basis of each piece of evidence: Fact (recorded as fact by the source); Opinion (a practitioner's "
             "or officer's view, recorded as such); Intelligence (police intelligence, with its 3x5x2 grading: "
             "source 1-3, assessment A-E, handling P or C); Derived by analysis (graphmap worked it out from the "
             "records named, e.g. missing at the same time); Not stated (the source did not say). Counts and "
             "rankings in this pack are derived by analysis from the records listed beside them.")


@dataclass
class Table:
    columns: list[str]
    rows: list[list]
    caption: str = ""


@dataclass
class Image:
    png: bytes
    caption: str = ""

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    awaiting: list[str] = field(default_factory=list)  # parts an analysis will fill, said plainly

    def table_or(self, empty: str, columns: list[str], rows: list[list], caption: str = "") -> "Section":
        """Add a table of ``rows``, or, when there are none, the sentence ``empty`` saying so
        (a pack says plainly that nothing was found rather than showing an empty table)."""
        if rows:
            self.tables.append(Table(columns, rows, caption))
        else:
            self.paragraphs.append(empty)
        return self


@dataclass
class Pack:
    kind: str
    title: str
    as_at: date
    window_days: int
    window_start: date
    redaction: str
    sections: list[Section] = field(default_factory=list)
    marking: str = MARKING
    notes: list[str] = field(default_factory=list)  # under the title: what the redaction withheld, how to read

    @property
    def header_line(self) -> str:
        return (f"{self.marking} · as at {self.as_at.isoformat()} · window {self.window_days} days "
                f"({self.window_start.isoformat()} to {self.as_at.isoformat()}) · redaction: {self.redaction}")


_ENV = jinja2.Environment(loader=jinja2.PackageLoader("graphmap.packs", "templates"),
                          autoescape=True, undefined=jinja2.StrictUndefined)


def render_html(pack: Pack) -> str:
    """The pack as one self-contained HTML page (pictures inline, no outside requests)."""
    return _ENV.get_template("pack.html").render(pack=pack)


def render_docx(pack: Pack) -> bytes:
    """The pack as a Word document; the marking line is in every page's header and footer."""
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    for part in (section.header, section.footer):
        p = part.paragraphs[0]
        run = p.add_run(pack.header_line)
        run.bold = True
        run.font.size = Pt(9)
    doc.add_heading(pack.title, level=0)
    doc.add_paragraph(pack.header_line)
    for text in pack.notes:
        doc.add_paragraph(text, style="Intense Quote")
    for s in pack.sections:
        doc.add_heading(s.heading, level=1)
        for text in s.paragraphs:
            doc.add_paragraph(text)
        for img in s.images:
            doc.add_picture(io.BytesIO(img.png), width=Cm(16))
            if img.caption:
                doc.add_paragraph(img.caption, style="Caption")
        for t in s.tables:
            if t.caption:
                doc.add_paragraph(t.caption, style="Caption")
            # All rows at once and one pass over the cells: add_row per row is quadratic in python-docx.
            table = doc.add_table(rows=len(t.rows) + 1, cols=len(t.columns))
            table.style = "Table Grid"
            cells = table._cells
            width = len(t.columns)
            for i, value in enumerate([*t.columns, *(v for row in t.rows for v in
                                                      (list(row) + [None] * width)[:width])]):
                if value is not None and value != "":
                    cells[i].text = str(value)
        for text in s.awaiting:
            doc.add_paragraph(f"Not yet in this pack: {text}.", style="Intense Quote")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_pack(pack: Pack, path: str | os.PathLike) -> Path:
    """Write ``pack`` as .html or .docx by the file's suffix.

    Written to a temporary file beside the target, flushed to disk and renamed into place
    (:func:`graphmap.safe.atomic_write`), so a failure (a full disk) never leaves a
    half-written pack where the real one goes.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        data = render_html(pack).encode("utf-8")
    elif suffix == ".docx":
        data = render_docx(pack)
    else:
        raise ValueError(f"{path}: a pack is written as .html or .docx")
    with atomic_write(path, "wb") as f:
        f.write(data)
    return path
