"""Data: load files (upload or a path on this machine) with a mapping, check them, see and
download the rejects, load; then decide identity-resolution candidates.

Everything here calls the library functions the CLI calls, so a load or a decision made in the
app is the same, and audited the same, as one made with ``graphmap load`` / ``graphmap
identities``:

- reading: :func:`graphmap.ingest.read_for_load` (canonical files, or a source mapping from
  ``schema/sources/`` with an encoding), then :meth:`Store.load_batch` (one transaction,
  audited as ``load``);
- identities: :func:`graphmap.identity.resolve`, :func:`~graphmap.identity.decide` and
  :func:`~graphmap.identity.undo` (audited as ``merge`` / ``unmerge``, reason required).

An upload is written only into a fresh temporary folder, under a name cleaned by
:func:`graphmap.safe.safe_filename` and checked with :func:`graphmap.safe.inside`, and the
folder is removed once the files are read: an upload's name can never choose where it lands.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from .. import access, identity, ingest, records, safe, schema, views
from . import state

CANONICAL = "Canonical CSV files (people.csv, incidents.csv, ...)"
ENCODINGS = ["auto", "utf-8", "cp1252", "latin-1", "utf-16"]


def canonical_file_names() -> set[str]:
    return {spec.file for spec in schema.record_specs().values()}


def mapping_choices() -> list[str]:
    """Canonical files first, then every source mapping in ``schema/sources/``."""
    return [CANONICAL, *ingest.available_sources()]


def mapping_label(choice: str) -> str:
    if choice == CANONICAL:
        return choice
    m = ingest.load_mapping(choice)
    return f"{choice}: {m.description or m.source} (schema/sources/{choice}.yaml)"


def _source(choice: str | None) -> str | None:
    return None if not choice or choice == CANONICAL else choice


def _encoding(source: str | None, encoding: str | None) -> str | None:
    """The ``--encoding`` the CLI would get: none for canonical files or for ``auto``."""
    return encoding if source and encoding and encoding != "auto" else None


def _plain_names(batch: records.Batch, folder: str) -> None:
    """Uploaded files are named as uploaded, not by the temporary folder they were read from."""
    def name(f: str) -> str:
        return Path(f).name if str(f).startswith(folder) else f
    for fs in batch.files:
        fs.file = name(fs.file)
    for r in batch.rejects:
        r.file = name(r.file)
    for df in batch.tables.values():
        if "_file" in df:
            df["_file"] = df["_file"].map(name)


def check_uploads(uploads, source: str | None = None, encoding: str | None = None
                  ) -> tuple[records.Batch | None, list[str]]:
    """Validate uploaded files against the store, as ``graphmap load [--source NAME]`` would.

    Canonical files must carry a canonical file name; exports may be CSV or XLSX. Nothing is
    written outside a fresh temporary folder, which is removed before returning.
    """
    known = canonical_file_names()
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="graphmap-upload-") as tmp:
        paths = []
        for up in uploads:
            name = safe.safe_filename(up.name)  # an upload cannot choose where it is written
            if source is None and name not in known:
                problems.append(f"{name}: not a canonical file name (expected one of {', '.join(sorted(known))})")
                continue
            if source is not None and Path(name).suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
                problems.append(f"{name}: an export must be a .csv or .xlsx file")
                continue
            target = safe.inside(tmp, name)
            if target.exists():
                problems.append(f"{name}: uploaded twice; only the first is used")
                continue
            target.write_bytes(up.getvalue())
            paths.append(target)
        if not paths:
            return None, problems
        try:
            batch = ingest.read_for_load(state.store(), [tmp] if source is None else paths,
                                         source=source, encoding=encoding)
        except records.InputError as exc:
            return None, problems + [str(exc).replace(str(Path(tmp).resolve()) + "/", "").replace(tmp + "/", "")]
        _plain_names(batch, str(Path(tmp).resolve()))
        _plain_names(batch, tmp)
        return batch, problems


def check_path(path: str, source: str | None = None, encoding: str | None = None
               ) -> tuple[records.Batch | None, list[str]]:
    """Validate files or a folder on the machine running the app (as the CLI reads them)."""
    p = Path(path.strip()).expanduser()
    if not path.strip() or not p.exists():
        return None, [f"{path}: no such file or folder"]
    if source is not None and p.is_dir():
        paths = sorted(x for x in p.iterdir() if x.suffix.lower() in (".csv", ".xlsx", ".xlsm"))
        if not paths:
            return None, [f"{path}: no .csv or .xlsx exports in this folder"]
    else:
        paths = [p]
    try:
        return ingest.read_for_load(state.store(), paths, source=source, encoding=encoding), []
    except records.InputError as exc:
        return None, [str(exc)]


def summary_frame(batch: records.Batch) -> pd.DataFrame:
    return pd.DataFrame([{"file": Path(f.file).name, "record": f.record, "rows read": f.read,
                          "valid": f.loaded, "rejected": f.rejected,
                          "note": ("unchanged since load " + f.skipped_since + ": skipped") if f.skipped
                          else "; ".join(f.notes)} for f in batch.files])


def rejects_frame(batch: records.Batch) -> pd.DataFrame:
    rej = batch.rejects_frame()
    rej["file"] = rej["file"].map(lambda f: Path(f).name)
    return rej


def show_batch(batch: records.Batch) -> None:
    st.subheader("Validation summary")
    state.show_table(summary_frame(batch), hide_index=True, key="data_summary")
    rej = rejects_frame(batch)
    if len(rej):
        rows = rej[["file", "row"]].drop_duplicates()
        st.subheader(f"Rejects ({len(rej)} problem(s) in {len(rows)} row(s))")
        st.caption("Row 1 is the header. Rejected rows are not loaded; every other row is "
                   "(with a source mapping, nothing from a rejected export row is loaded).")
        state.show_table(rej, hide_index=True, key="data_rejects")
        # Formula-neutralised, as `graphmap load --rejects` writes it: a value such as
        # =HYPERLINK(...) opens as text in a spreadsheet.
        st.download_button("Download the rejects (CSV)", safe.csv_text(rej), file_name="rejects.csv",
                           mime="text/csv", key="download_rejects", on_click="ignore")
    else:
        st.success("Every row passed the checks.")


def load_section() -> None:
    ss = st.session_state
    st.selectbox("Mapping", mapping_choices(), key="load_mapping", format_func=mapping_label,
                 help="Canonical files as graphmap writes them, or a system export read through one of the "
                      "source mappings in schema/sources/ (as `graphmap load --source NAME`).")
    source = _source(ss.get("load_mapping"))
    st.selectbox("Encoding", ENCODINGS, key="load_encoding", disabled=source is None,
                 help="For source exports (CSV): 'auto' detects UTF-8 or Windows-1252 as the mapping says. "
                      "Canonical files are always UTF-8.")
    encoding = _encoding(source, ss.get("load_encoding"))
    up_tab, path_tab = st.tabs(["Upload files", "Files on this machine"])
    with up_tab:
        uploads = st.file_uploader("Files to load", type=["csv", "xlsx", "xlsm"], accept_multiple_files=True,
                                   key="upload_files",
                                   help="Canonical files by their own names; exports with any name.")
        if st.button("Check uploaded files", key="check_uploads", disabled=not uploads):
            ss["batch"], ss["batch_problems"] = check_uploads(uploads, source, encoding)
            ss["batch_source"], ss["last_result"] = source, None
    with path_tab:
        st.text_input("Folder or file path", key="load_path",
                      help="A folder of canonical CSV files (or of exports), or one file, on the machine running "
                           "the app.")
        if st.button("Check files", key="check_path"):
            ss["batch"], ss["batch_problems"] = check_path(ss.get("load_path", ""), source, encoding)
            ss["batch_source"], ss["last_result"] = source, None
    for problem in ss.get("batch_problems") or []:
        st.error(state.md(problem))
    batch: records.Batch | None = ss.get("batch")
    if batch is not None:
        if ss.get("batch_source"):
            st.caption(f"Read with the source mapping **{state.md(ss['batch_source'])}**.")
        show_batch(batch)
        strict = st.checkbox("Load nothing if any row is rejected", key="strict")
        valid = sum(f.loaded for f in batch.files if not f.skipped)
        if st.button(f"Load the {valid} valid row(s)", key="load_batch", type="primary",
                     disabled=batch.rows == 0 or (strict and bool(batch.rejects))):
            actor = state.acting("load")
            if actor is None:
                return
            with state.write_lock(state.store_url()):
                result = state.store().load_batch(batch, strict=strict, actor=actor)
            state.clear_after_write()
            ss["batch"], ss["batch_problems"] = None, []
            ss["last_result"] = (f"Loaded {result.loaded_rows} row(s) (load {result.load_id}); "
                                 f"{result.rejected_rows} row(s) rejected. Recorded in the audit log as a load by "
                                 f"{actor.user}. New people? 'Find matches now' below looks for the same child "
                                 "under other ids.")
            st.rerun()
    if ss.get("last_result"):
        st.success(state.md(ss["last_result"]))


def _pair_label(r: dict) -> str:
    return f"{r['person_id']} ~ {r['same_as']} (match weight p={float(r['score'] or 0):.3f})"


def identity_section() -> None:
    """Candidates with their evidence; accept / reject / undo through graphmap.identity."""
    ss = st.session_state
    st.subheader("Identity resolution")
    st.caption("The same child under different ids and spellings across sources. Sure matches merge "
               "automatically; the rest wait here for a person to decide. Nothing is deleted: every decision "
               "is a record with who, when and why, and a merge can be undone (as `graphmap identities`).")
    if ss.get("identity_result"):
        st.success(state.md(ss.pop("identity_result")))
    if ss.get("identity_problem"):
        st.error(state.md(ss.pop("identity_problem")))
    if st.button("Find matches now", key="identity_resolve",
                 help="Score everyone; record automatic merges and new candidates (audited as merges)."):
        _act(lambda actor: identity.resolve(state.store(), actor=actor),
             lambda out: f"{out['auto']} merged automatically; {out['candidates']} candidate(s) waiting; "
                         f"{out['people']} person records are {out['after_merging']} people.")
    if ss.pop("identity_clear", False):
        ss["identity_reason"] = ""  # a reason is for one decision
    st.text_input("Reason for a decision (required)", key="identity_reason",
                  help="Why: what you checked (recorded with the decision and in the audit log).")
    cands = identity.candidates(state.store())
    # People named as on every other page: the role's view and the sidebar's redaction level.
    shown = _as_seen(cands)
    st.markdown(f"**Candidates waiting for a decision: {len(cands)}**")
    if len(cands):
        state.show_table(shown[["link_id", "person_id", "person", "same_as", "same_as_person", "score", "reason"]]
                         .rename(columns={"reason": "evidence", "score": "match probability"}),
                         hide_index=True, key="identity_candidates")
        rows = {r["link_id"]: r for r in cands.to_dict("records")}  # the stored ids, for the decision
        seen = {r["link_id"]: r for r in shown.to_dict("records")}
        chosen = st.selectbox("Candidate", [lid for lid in rows if lid in seen], key="identity_candidate",
                              format_func=lambda lid: _pair_label(seen[lid]))
        if chosen:
            r, v = rows[chosen], seen[chosen]
            st.markdown(state.md(f"{v['person_id']}: {v['person']}") + "  \n"
                        + state.md(f"{v['same_as']}: {v['same_as_person']}") + "  \n"
                        + "*Evidence:* " + state.md(v["reason"]))
            left, right = st.columns(2)
            if left.button("Accept: one person", key="identity_accept"):
                _decide(r, "accepted")
            if right.button("Reject: different people", key="identity_reject"):
                _decide(r, "rejected")
    merges = identity.merges_in_force(state.store())
    with st.expander(f"Merges in force ({len(merges)}): undo one"):
        if len(merges):
            shown_m = _as_seen(merges)
            state.show_table(shown_m[["link_id", "status", "person_id", "person", "same_as", "same_as_person",
                                      "decided_by", "decided_at", "reason"]], hide_index=True, key="identity_merges")
            rows_m = {r["link_id"]: r for r in shown_m.to_dict("records")}
            undo_id = st.selectbox("Merge to undo", list(rows_m), key="identity_undo_link", index=None,
                                   format_func=lambda lid: f"{lid}: {rows_m[lid]['person_id']} = "
                                                           f"{rows_m[lid]['same_as']} ({rows_m[lid]['status']})")
            if st.button("Undo this merge", key="identity_undo", disabled=not undo_id):
                _act(lambda actor: identity.undo(state.store(), undo_id, by=actor.user,
                                                 reason=ss.get("identity_reason", ""), actor=actor),
                     lambda link: f"Merge {undo_id} undone ({link}).", action="unmerge")
        else:
            st.caption("No merges recorded.")


def _as_seen(links):
    """Identity pairs with people labelled as the user's role and redaction level allow."""
    return views.identity_pairs(links, state.store(), state.actor().role, state.redaction())


def _decide(r: dict, status: str) -> None:
    ss = st.session_state
    _act(lambda actor: identity.decide(state.store(), r["person_id"], r["same_as"], status, by=actor.user,
                                       reason=ss.get("identity_reason", ""), actor=actor),
         lambda link: f"{r['person_id']} and {r['same_as']}: {status} ({link}).")


def _act(do, say, action: str = "merge") -> None:
    """Run one identity write as this session's user, under the app's write lock, and report."""
    ss = st.session_state
    try:
        actor = state.actor()
        access.require(actor, action)
        with state.write_lock(state.store_url()):
            out = do(actor)
    except (identity.IdentityError, access.AccessDenied) as exc:
        ss["identity_problem"] = str(exc).replace("(--by)", "").replace("(--reason)", "(the reason box)")
    else:
        ss["identity_result"] = say(out)
        ss["identity_clear"] = True
        state.clear_after_write()
    st.rerun()


def main() -> None:
    st.title("Data")
    state.marking()
    load_section()
    identity_section()
