"""Download buttons for a page's pack (HTML and DOCX, the same content as `graphmap pack`).

The pack is built from the store as the user's role may see it (``state.reader()``), at a
redaction level the role may choose; a download needs a reason (who it is for and why) when
settings say so, and each download is audited as an export with that reason.
"""

from __future__ import annotations

import streamlit as st

from .. import access, audit
from ..packs import render_docx, render_html
from ..packs.build import build_pack
from . import state


def _downloaded(kind: str, fmt: str, file_name: str, ids: dict) -> None:
    w = state.window()
    audit.record(state.store(), "export", actor=state.actor(), subject=f"pack:{kind}",
                 reason=str(st.session_state.get(f"pack_reason_{kind}", "")).strip(),
                 detail={"format": fmt, "file": file_name, "redaction": state.redaction(),
                         "as_at": w.as_at.isoformat(), "days": w.days,
                         **{k: v for k, v in ids.items() if v}})


def downloads(kind: str, **ids) -> None:
    if not state.may("export"):
        return
    w = state.window()
    level = access.check_redaction(state.actor().role, state.redaction())
    pack = build_pack(kind, state.reader(), w, redaction=level, **ids)
    stem = f"{kind}-{w.as_at.isoformat()}"
    reason = st.text_input("Reason for the pack (who it is for and why; recorded in the audit log)",
                           key=f"pack_reason_{kind}", placeholder="e.g. MACE 2026-12-03")
    try:
        access.check_export_reason(reason)
        missing = False
    except access.AccessDenied:
        missing = True
    left, right = st.columns(2)
    left.download_button("Pack (HTML)", render_html(pack), file_name=f"{stem}.html", mime="text/html",
                         key=f"pack_html_{kind}", disabled=missing, on_click=_downloaded,
                         args=(kind, "html", f"{stem}.html", ids))
    right.download_button("Pack (Word)", render_docx(pack), file_name=f"{stem}.docx", key=f"pack_docx_{kind}",
                          mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          disabled=missing, on_click=_downloaded, args=(kind, "docx", f"{stem}.docx", ids))
