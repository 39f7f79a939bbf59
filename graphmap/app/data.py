"""Data: load canonical files (upload or a folder on this machine), check them, see the rejects."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from .. import records, schema
from . import state


def canonical_file_names() -> set[str]:
    return {spec.file for spec in schema.record_specs().values()}


def check_uploads(uploads) -> tuple[records.Batch | None, list[str]]:
    """Validate uploaded files against the store; only known canonical names, never a path."""
    known = canonical_file_names()
    problems = []
    with tempfile.TemporaryDirectory(prefix="graphmap-upload-") as tmp:
        saved = 0
        for up in uploads:
            name = Path(up.name).name  # an upload cannot choose where it is written
            if name not in known:
                problems.append(f"{name}: not a canonical file name (expected one of {', '.join(sorted(known))})")
                continue
            (Path(tmp) / name).write_bytes(up.getvalue())
            saved += 1
        if not saved:
            return None, problems
        try:
            return state.store().read_files([tmp]), problems
        except records.InputError as exc:
            return None, problems + [str(exc).replace(tmp + "/", "")]


def check_path(path: str) -> tuple[records.Batch | None, list[str]]:
    p = Path(path.strip()).expanduser()
    if not path.strip() or not p.exists():
        return None, [f"{path}: no such file or folder"]
    try:
        return state.store().read_files([p]), []
    except records.InputError as exc:
        return None, [str(exc)]


def summary_frame(batch: records.Batch) -> pd.DataFrame:
    return pd.DataFrame([{"file": Path(f.file).name, "record": f.record, "rows read": f.read,
                          "valid": f.loaded, "rejected": f.rejected} for f in batch.files])


def show_batch(batch: records.Batch) -> None:
    st.subheader("Validation summary")
    st.dataframe(summary_frame(batch), hide_index=True, key="data_summary")
    rej = batch.rejects_frame()
    rej["file"] = rej["file"].map(lambda f: Path(f).name)
    if len(rej):
        st.subheader(f"Rejects ({len(rej)} problem(s))")
        st.caption("Row 1 is the header. Rejected rows are not loaded; every other row is.")
        st.dataframe(rej, hide_index=True, key="data_rejects")
    else:
        st.success("Every row passed the checks.")


def main() -> None:
    st.title("Data")
    state.marking()
    ss = st.session_state
    up_tab, path_tab = st.tabs(["Upload files", "Folder on this machine"])
    with up_tab:
        uploads = st.file_uploader("Canonical CSV files (people.csv, incidents.csv, ...)", type=["csv"],
                                   accept_multiple_files=True, key="upload_files")
        if st.button("Check uploaded files", key="check_uploads", disabled=not uploads):
            ss["batch"], ss["batch_problems"] = check_uploads(uploads)
    with path_tab:
        st.text_input("Folder or file path", key="load_path",
                      help="A folder of canonical CSV files, or one file, on the machine running the app.")
        if st.button("Check files", key="check_path"):
            ss["batch"], ss["batch_problems"] = check_path(ss.get("load_path", ""))
    for problem in ss.get("batch_problems") or []:
        st.error(state.md(problem))
    batch: records.Batch | None = ss.get("batch")
    if batch is not None:
        show_batch(batch)
        strict = st.checkbox("Load nothing if any row is rejected", key="strict")
        valid = sum(f.loaded for f in batch.files)
        if st.button(f"Load the {valid} valid row(s)", key="load_batch", type="primary",
                     disabled=valid == 0 or (strict and bool(batch.rejects))):
            with state.write_lock(state.store_url()):
                result = state.store().load_batch(batch, strict=strict, actor=state.actor())
            state.clear_after_write()
            ss["batch"], ss["batch_problems"] = None, []
            ss["last_result"] = f"Loaded {result.loaded_rows} row(s) (load {result.load_id})."
            st.rerun()
    if ss.get("last_result"):
        st.success(ss["last_result"])
    st.subheader("Mapping other exports and resolving identities")
    state.awaiting("Source mapping choice and identity-resolution candidates to accept or reject", "ingest")
