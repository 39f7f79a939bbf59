"""Download buttons for a page's pack (HTML and DOCX, the same content as `graphmap report`).

The pack is built from the store as the user's role may see it (the cached views read through
the role's redaction), at a redaction level the role may choose, and only when a button is
clicked (Streamlit's deferred download), so a page does not spend seconds on packs nobody
asked for. A download needs a reason (who it is for and why) when settings say so, and each
one is audited as an export with that reason.
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

from .. import access, audit
from . import state


def _downloaded(kind: str, fmt: str, file_name: str, ids: dict) -> None:
    w = state.window()
    audit.record(state.store(), "export", actor=state.actor(), subject=f"pack:{kind}",
                 reason=str(st.session_state.get(f"pack_reason_{kind}", "")).strip(),
                 detail={"format": fmt, "file": file_name, "redaction": state.redaction(),
                         "as_at": w.as_at.isoformat(), "days": w.days,
                         **{k: v for k, v in ids.items() if v}})


def downloads(kind: str, **ids) -> None:
    """A reason box and HTML and Word buttons for the page's pack at the sidebar's as-at date,
    window and redaction level (kinds: :data:`graphmap.packs.KINDS`; ids as
    :func:`~graphmap.packs.build.build_pack`)."""
    if not state.may("export"):
        return
    access.check_redaction(state.actor().role, state.redaction())
    make = state.pack_files(kind, **ids)  # built on click, not on every run of the page
    buttons(kind, state.window().as_at.isoformat(), lambda: make()[0], lambda: make()[1], **ids)


def buttons(kind: str, as_at: str, html: str | Callable[[], str], docx: bytes | Callable[[], bytes], **ids) -> None:
    """The reason box and the two download buttons for a pack, rendered already or as functions
    that render it on click."""
    if not state.may("export"):
        return
    stem = f"{kind}-{as_at}-{state.redaction()}"
    reason = st.text_input("Reason for the pack (who it is for and why; recorded in the audit log)",
                           key=f"pack_reason_{kind}", placeholder="e.g. MACE 2026-12-03")
    try:
        access.check_export_reason(reason)
        missing = False
    except access.AccessDenied:
        missing = True
    left, right = st.columns(2)
    left.download_button("Pack (HTML)", html, file_name=f"{stem}.html", mime="text/html",
                         key=f"pack_html_{kind}", disabled=missing, on_click=_downloaded,
                         args=(kind, "html", f"{stem}.html", ids))
    right.download_button("Pack (Word)", docx, file_name=f"{stem}.docx", key=f"pack_docx_{kind}",
                          mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          disabled=missing, on_click=_downloaded, args=(kind, "docx", f"{stem}.docx", ids))
