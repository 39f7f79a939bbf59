"""Download buttons for a page's pack (HTML and DOCX, the same content as `graphmap pack`)."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from ..packs import render_docx, render_html
from ..packs.build import build_pack
from . import state


def downloads(kind: str, **ids) -> None:
    """Two buttons; each pack is built only when its button is clicked (Streamlit's deferred
    download), so a page does not spend seconds building packs nobody asked for on every run."""
    w = state.window()
    store, redaction = state.store(), state.redaction()  # read now: the click runs outside the script

    def pack():
        return build_pack(kind, store, w, redaction=redaction, **ids)

    buttons(kind, w.as_at.isoformat(), lambda: render_html(pack()), lambda: render_docx(pack()))


def buttons(kind: str, as_at: str, html: str | Callable[[], str], docx: bytes | Callable[[], bytes]) -> None:
    """The two download buttons for a pack: rendered already (pages that cache their pack) or
    a function that renders it on click."""
    stem = f"{kind}-{as_at}"
    left, right = st.columns(2)
    left.download_button("Pack (HTML)", html, file_name=f"{stem}.html", mime="text/html",
                         key=f"pack_html_{kind}", on_click="ignore")
    right.download_button("Pack (Word)", docx, file_name=f"{stem}.docx", key=f"pack_docx_{kind}",
                          mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          on_click="ignore")
