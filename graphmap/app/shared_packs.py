"""Packs given to you: the meeting packs an analyst has given this user (all a panel member sees)."""

from __future__ import annotations

import streamlit as st

from .. import access, audit
from . import state


def _opened(path) -> None:
    audit.record(state.store(), "view_pack", actor=state.actor(), subject=f"pack:{path.name}",
                 detail={"bytes": path.stat().st_size, "downloaded": True})


def main() -> None:
    st.title("Packs given to you")
    state.marking()
    who = state.actor()
    packs = access.given_packs(who)
    if not packs:
        st.caption("No packs have been given to you. The analyst preparing the meeting puts them in "
                   f"`{state.md(access.shared_packs_dir())}/{state.md(who.user.lower())}/`.")
        return
    names = {p.name: p for p in packs}
    chosen = st.selectbox("Pack", list(names), key="given_pack")
    path = names[chosen]
    data = path.read_bytes()
    st.download_button("Download", data, file_name=path.name, key="given_pack_download",
                       on_click=_opened, args=(path,))
    if path.suffix.lower() == ".html":
        state.audit_view("view_pack", f"pack:{path.name}", bytes=len(data))
        st.iframe(data.decode("utf-8", errors="replace"), height=900)
