"""Download buttons for a page's pack (HTML and DOCX, the same content as `graphmap pack`)."""

from __future__ import annotations

import streamlit as st

from ..packs import render_docx, render_html
from ..packs.build import build_pack
from . import state


def downloads(kind: str, **ids) -> None:
    w = state.window()
    pack = build_pack(kind, state.store(), w, redaction=state.redaction(), **ids)
    buttons(kind, w.as_at.isoformat(), render_html(pack), render_docx(pack))


def buttons(kind: str, as_at: str, html: str, docx: bytes) -> None:
    """The two download buttons for a pack already rendered (pages that cache their pack)."""
    stem = f"{kind}-{as_at}"
    left, right = st.columns(2)
    left.download_button("Pack (HTML)", html, file_name=f"{stem}.html", mime="text/html",
                         key=f"pack_html_{kind}", on_click="ignore")
    right.download_button("Pack (Word)", docx, file_name=f"{stem}.docx", key=f"pack_docx_{kind}",
                          mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          on_click="ignore")
