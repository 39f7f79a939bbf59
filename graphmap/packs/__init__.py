"""Meeting packs: one content model, written as HTML and as DOCX with the same content.

A :class:`Pack` holds sections of paragraphs, tables and pictures; :func:`write_pack` writes it
as ``.html`` (Jinja2, autoescaped: record text is never markup) or ``.docx`` (python-docx;
meetings run on Word). Every page carries the OFFICIAL-SENSITIVE marking, the as-at date,
the window and the redaction level. Builders for each meeting live beside this module
(``locations_board``, ``peer_group``) and take plain dicts from :mod:`graphmap.views`.
"""

from .pack import Image, Pack, Section, Table, render_docx, render_html, write_pack

__all__ = ["Pack", "Section", "Table", "Image", "render_html", "render_docx", "write_pack", "KINDS"]

#: Pack kinds the CLI and the app make.
KINDS = ("peer-group", "locations-board", "complex-strategy", "weekly-review", "person")
