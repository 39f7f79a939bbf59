"""Download buttons for a page's pack (HTML and DOCX, the same content as `graphmap report`)."""

from __future__ import annotations

import streamlit as st

from . import state


def downloads(kind: str, **ids) -> None:
    """HTML and Word buttons for the page's pack at the sidebar's as-at date, window and
    redaction level (kinds: :data:`graphmap.packs.KINDS`; ids as :func:`~graphmap.packs.build.build_pack`)."""
    w = state.window()
    make = state.pack_files(kind, **ids)  # built on click, not on every run of the page
    stem = f"{kind}-{w.as_at.isoformat()}-{state.redaction()}"
    left, right = st.columns(2)
    left.download_button("Pack (HTML)", lambda: make()[0], file_name=f"{stem}.html", mime="text/html",
                         key=f"pack_html_{kind}", on_click="ignore")
    right.download_button("Pack (Word)", lambda: make()[1], file_name=f"{stem}.docx", key=f"pack_docx_{kind}",
                          mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          on_click="ignore")
