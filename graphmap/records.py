"""Canonical record files: reading, validating and writing them.

A *batch* is what one load writes: for each record type (``people``, ``incidents``, ...) a
DataFrame of validated rows, every column a clean string (dates ISO 8601, gradings canonical)
plus ``props``, a JSON object of the columns the contract does not name. Validation is done a
column at a time with pandas, so a borough-sized load is checked in seconds, and every failure
becomes a :class:`Reject` naming the file, row, field, value and reason. A row with any
reject is not loaded; all other rows are.

Row numbers are the line numbers a spreadsheet shows: the header is row 1, the first record
row 2.
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from . import schema
from .safe import check_input_size, write_csv
from .schema import RecordSpec

REJECT_COLUMNS = ["file", "row", "field", "value", "reason"]

# A UK postcode (outward + inward code), spaces optional; validates shape, not existence.
_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$", re.IGNORECASE)
_TZ_SUFFIX = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")


class InputError(Exception):
    """A file cannot be read at all (missing, unreadable, wrong header). Nothing is loaded."""


@dataclass
class Reject:
    file: str
    row: int
    field: str
    value: str
    reason: str


@dataclass
class FileSummary:
    file: str
    record: str
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    notes: list[str] = field(default_factory=list)  # e.g. "read as cp1252", "3 locations without a point"
    sha256: str = ""
    skipped_since: str = ""  # the load whose identical file is still what the store holds

    @property
    def skipped(self) -> bool:
        """True when the file was not re-read: unchanged, and nothing has written its records since."""
        return bool(self.skipped_since)


@dataclass
class Batch:
    """Validated rows ready for a store, with the rejects and per-file summary."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(len(df) for df in self.tables.values())

    def rejects_frame(self) -> pd.DataFrame:
        return pd.DataFrame([r.__dict__ for r in self.rejects], columns=REJECT_COLUMNS)


def load_order() -> list[str]:
    """Record types ordered so that every referenced record comes before its referrers."""
    specs = schema.record_specs()
    done: list[str] = []
    pending = list(specs)
    while pending:
        for name in pending:
            refs = {c.ref for c in specs[name].columns if c.ref and c.ref != name}
            if refs <= set(done):
                done.append(name)
                pending.remove(name)
                break
        else:  # pragma: no cover - a cycle in records.yaml
            raise schema.SchemaError(f"records.yaml: reference cycle among {pending}")
    return done


def stored_columns(spec: RecordSpec) -> list[str]:
    """The columns a store keeps for a record type: every defined column, then ``props``."""
    return [*spec.all_columns, "props"]


# --- reading ---------------------------------------------------------------------------------

def read_csv_text(path: Path) -> pd.DataFrame:
    """Read a CSV as text, every cell a string; UTF-8 with or without BOM.

    Raises :class:`InputError` with a clear message for files that are not UTF-8 (e.g. cp1252
    from Excel): guessing the encoding could silently change a child's name.
    """
    try:
        check_input_size(path)  # refuse a huge file before reading it into memory
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read file ({exc.strerror})") from exc
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}: row {line}: not UTF-8 (byte 0x{raw[exc.start]:02x}); save it as 'CSV UTF-8' "
            "or load it with a source mapping that names its encoding"
        ) from exc
    if not text.strip():
        raise InputError(f"{path}: empty file (a header row is required)")
    max_cols = int(schema.setting("limits.max_columns"))
    first = text.split("\n", 1)[0]
    if first.count(",") >= max_cols:
        raise InputError(f"{path}: row 1: {first.count(',') + 1} columns, over the {max_cols} limit "
                         "(limits.max_columns in settings.yaml)")
    import io

    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False,
                         skipinitialspace=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InputError(f"{path}: not a readable CSV: {str(exc)[:200]}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    for col in df.columns:  # undo graphmap's own formula neutralisation (see safe.restore_cell)
        if df[col].str.startswith("'").any():
            df[col] = df[col].str.replace(r"^'(?=[=+\-@\t\r])", "", regex=True)
    return df


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (read in 1 MiB blocks)."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def find_record_files(paths: Iterable[str | os.PathLike]) -> list[tuple[str, Path]]:
    """Resolve files and folders to ``(record type, path)`` pairs, in load order.

    A folder contributes every canonical file it holds; a file must carry a canonical name.
    """
    by_file = {spec.file: name for name, spec in schema.record_specs().items()}
    found: list[tuple[str, Path]] = []
    for p in map(Path, paths):
        if p.is_dir():
            hits = [(by_file[f.name], f) for f in sorted(p.iterdir()) if f.name in by_file]
            if not hits:
                raise InputError(f"{p}: no canonical files ({', '.join(sorted(by_file))}) in this folder")
            found.extend(hits)
        elif p.is_file():
            if p.name not in by_file:
                raise InputError(
                    f"{p}: not a canonical file name (expected one of {', '.join(sorted(by_file))}); "
                    "use --source NAME for a system export"
                )
            found.append((by_file[p.name], p))
        else:
            raise InputError(f"{p}: no such file or folder")
    order = {name: i for i, name in enumerate(load_order())}
    seen: dict[str, Path] = {}
    for name, path in found:
        if name in seen:
            raise InputError(f"{path}: a second {schema.record_specs()[name].file} in one load ({seen[name]})")
        seen[name] = path
    return sorted(found, key=lambda t: order[t[0]])


# --- validation ------------------------------------------------------------------------------

RefLookup = Callable[[str, set[str]], set[str]]
"""``lookup(record, ids) -> the subset of ids already in the store``."""


class Validator:
    """Checks frames of raw text against the record definitions, a column at a time."""

    def __init__(self, today: date | None = None):
        self.vocabs = schema.vocabularies()
        v = schema.setting("validation")
        self.bounds = v["uk_bounds"]
        self.earliest = pd.Timestamp(v["earliest_date"])
        self.latest = pd.Timestamp((today or date.today()) + timedelta(days=int(v["max_future_days"])))
        self.latest_plan = pd.Timestamp((today or date.today()) + timedelta(days=int(v.get("max_plan_days", 3650))))

    def check_header(self, spec: RecordSpec, columns: list[str], file: str) -> None:
        missing = [c for c in spec.header if c not in columns]
        if missing:
            raise InputError(
                f"{file}: row 1: header lacks required column(s) {', '.join(missing)} "
                f"(expected {', '.join(spec.header)})"
            )
        dupes = sorted({c for c in columns if columns.count(c) > 1})
        if dupes:
            raise InputError(f"{file}: row 1: column(s) named twice: {', '.join(dupes)}")

    def validate(self, spec: RecordSpec, raw: pd.DataFrame, file: str,
                 row_numbers: np.ndarray | None = None,
                 check_duplicates: bool = True) -> tuple[pd.DataFrame, list[Reject], np.ndarray]:
        """Validate one file's rows (references are checked later, across files).

        Returns the clean frame (all rows, bad ones included), the rejects, and a boolean mask
        of rows that passed. ``check_duplicates=False`` leaves repeated keys to the caller (a
        source mapping names the same person on many rows; see :mod:`graphmap.ingest`).
        """
        self.check_header(spec, list(raw.columns), file)
        n = len(raw)
        rows = row_numbers if row_numbers is not None else np.arange(2, n + 2)
        bad = np.zeros(n, dtype=bool)
        rejects: list[Reject] = []
        out = pd.DataFrame(index=raw.index)

        def fail(mask: np.ndarray, col: str, values: pd.Series, reason: str | pd.Series) -> None:
            idx = np.flatnonzero(mask)
            if not len(idx):
                return
            bad[idx] = True
            vals = values.to_numpy()[idx]
            reasons = reason.to_numpy()[idx] if isinstance(reason, pd.Series) else [reason] * len(idx)
            rejects.extend(Reject(file, int(rows[i]), col, str(v), str(r)) for i, v, r in zip(idx, vals, reasons))

        for col in spec.columns:
            if col.name not in raw.columns:
                out[col.name] = ""
                continue
            s = raw[col.name].astype(str).str.strip()
            empty = (s == "").to_numpy()
            if col.required:
                fail(empty, col.name, s, "required value is empty")
            clean, problems = self._check_type(col, s)
            for mask, reason in problems:
                fail(mask & ~empty, col.name, s, reason)
            out[col.name] = clean.where(~empty, "")

        # Row-level rules: periods must not end before they start; coordinates come in pairs.
        for a, b in (("start", "end"), ("first_seen", "last_seen")):
            if a in out and b in out:
                both = (out[a] != "") & (out[b] != "")
                # A bare date covers its whole day: it starts at 00:00 and ends at 23:59:59.
                lo = out[a].str[:19].where(out[a].str.len() > 10, out[a] + "T00:00:00")
                hi = out[b].str[:19].where(out[b].str.len() > 10, out[b] + "T23:59:59")
                before = both & (hi < lo)
                fail(before.to_numpy(), b, out[b], f"{b} is before {a} ({a}: " + out[a] + ")")
        for group in spec.one_of:  # e.g. an action is about a person, a group or a place
            none_given = np.logical_and.reduce([(out[c] == "").to_numpy() for c in group])
            fail(none_given, "/".join(group), pd.Series([""] * n, index=out.index),
                 f"give at least one of {', '.join(group)}")
        if "latitude" in out and "longitude" in out:
            half = (out["latitude"] == "") != (out["longitude"] == "")
            fail(half.to_numpy(), "latitude/longitude", out["latitude"] + "," + out["longitude"],
                 "latitude and longitude must be given together")

        # Duplicate keys in one file: the first occurrence wins, later ones are rejects.
        key = list(spec.key)
        dup = out.duplicated(subset=key, keep="first").to_numpy() if check_duplicates else np.zeros(n, dtype=bool)
        if dup.any():
            first_row = pd.Series(rows, index=out.index).groupby([out[k] for k in key]).transform("first")
            fail(dup, "+".join(key), out[key].astype(str).agg("|".join, axis=1),
                 "duplicate key; first given at row " + first_row.astype(str))

        extras = [c for c in raw.columns if c not in spec.all_columns]
        if extras:
            ex = raw[extras].astype(str)
            out["props"] = [json.dumps({k: v for k, v in r.items() if v != ""}, ensure_ascii=False, sort_keys=True)
                            if any(r.values()) else "{}" for r in ex.to_dict("records")]
        else:
            out["props"] = "{}"
        return out, rejects, ~bad

    def _check_type(self, col: schema.Column, s: pd.Series) -> tuple[pd.Series, list[tuple[np.ndarray, str]]]:
        t = col.type
        if t in ("str",) or col.ref:
            return s, []
        if t == "date":
            d = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
            nat = d.isna().to_numpy()
            rng = ((d < self.earliest) | (d > self.latest)).to_numpy()
            return s, [(nat, "not a valid date (YYYY-MM-DD)"),
                       (rng & ~nat, f"date outside {self.earliest.date()} .. {self.latest.date()}")]
        if t == "plan_date":  # a due date: may lie in the future, up to validation.max_plan_days
            d = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
            nat = d.isna().to_numpy()
            rng = ((d < self.earliest) | (d > self.latest_plan)).to_numpy()
            return s, [(nat, "not a valid date (YYYY-MM-DD)"),
                       (rng & ~nat, f"date outside {self.earliest.date()} .. {self.latest_plan.date()}")]
        if t == "datetime":
            return self._check_datetime(s)
        if t in ("float", "latitude", "longitude"):
            x = pd.to_numeric(s, errors="coerce")
            nan = x.isna().to_numpy()
            problems = [(nan, "not a number")]
            if t != "float":
                lo, hi = ((self.bounds["min_lat"], self.bounds["max_lat"]) if t == "latitude"
                          else (self.bounds["min_lon"], self.bounds["max_lon"]))
                problems.append((((x < lo) | (x > hi)).to_numpy() & ~nan, f"{t} outside the UK ({lo} .. {hi})"))
            return s, problems
        if t == "grading":
            m = s.str.extract(r"^\s*([123])\s*([A-Ea-e])\s*[-/ ]?\s*([PCpc])\s*$")
            ok = m[0].notna().to_numpy()
            clean = (m[0] + m[1].str.upper() + " " + m[2].str.upper()).where(ok, s)
            return clean, [(~ok, "not a 3x5x2 grading (source 1-3, assessment A-E, handling P or C, e.g. '2B P')")]
        if t == "postcode":
            ok = s.str.match(_POSTCODE).fillna(False).to_numpy()
            return s.str.upper(), [(~ok, "not a UK postcode")]
        if t == "flags":
            known = set(self.vocabs["flag"])
            parts = s.str.split(";")
            unknown = parts.map(lambda ps: [p.strip() for p in ps if p.strip() and p.strip() not in known])
            has = unknown.map(bool).to_numpy()
            clean = parts.map(lambda ps: ";".join(p.strip() for p in ps if p.strip()))
            reason = "unknown flag(s) " + unknown.map(", ".join) + f" (known: {', '.join(sorted(known))})"
            return clean, [(has, reason)]  # type: ignore[list-item]
        if col.vocab:
            allowed = self.vocabs[col.vocab]
            ok = s.isin(list(allowed)).to_numpy()
            shown = ", ".join(list(allowed)[:12]) + (", ..." if len(allowed) > 12 else "")
            return s, [(~ok, f"unknown {col.vocab} (expected one of: {shown})")]
        raise schema.SchemaError(f"unhandled column type {t}")  # pragma: no cover

    @staticmethod
    def _check_datetime(s: pd.Series) -> tuple[pd.Series, list[tuple[np.ndarray, str]]]:
        # Naive times are UK local time; an explicit offset is converted to UK local time.
        tz = s.str.contains(_TZ_SUFFIX)
        parsed = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        if (~tz).any():
            parsed[~tz] = pd.to_datetime(s[~tz], format="ISO8601", errors="coerce")
        if tz.any():
            aware = pd.to_datetime(s[tz], format="ISO8601", errors="coerce", utc=True)
            parsed[tz] = aware.dt.tz_convert("Europe/London").dt.tz_localize(None)
        nat = parsed.isna().to_numpy()
        # Values already written as YYYY-MM-DDTHH:MM[:SS] (no zone) only need ":00" added:
        # formatting 200,000 parsed times back with strftime was a third of date checking.
        plain = ~tz & s.str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?") & ~parsed.isna()
        # A date with no time stays a bare date: "time not recorded" is not midnight.
        date_only = s.str.fullmatch(r"\d{4}-\d{2}-\d{2}") & ~parsed.isna()
        clean = s.where(s.str.len() != 16, s + ":00").where(plain | date_only, None)
        rest = ~plain & ~date_only & ~parsed.isna()
        if rest.any():
            clean[rest] = parsed[rest].dt.strftime("%Y-%m-%dT%H:%M:%S")
        clean = clean.where(~parsed.isna(), s)
        return clean, [(nat, "not a valid date/time (ISO 8601, e.g. 2026-03-04T21:30)")]


def check_references(batch: Batch, lookup: RefLookup | None) -> None:
    """Reject rows whose references name nothing in the batch or the store (in load order).

    A row rejected here may in turn orphan later rows; those are rejected too, each with its
    own reason, so nothing disappears without a line in the report.
    """
    specs = schema.record_specs()
    for name in load_order():
        df = batch.tables.get(name)
        if df is None or df.empty:
            continue
        spec = specs[name]
        keep = np.ones(len(df), dtype=bool)
        for col in spec.columns:
            if not col.ref:
                continue
            target = specs[col.ref]
            # Python sets over plain lists: Series.isin on Arrow-backed strings was half of a
            # borough load (profiled: 52 s of 97 s validating); a set lookup per row is ~50x faster.
            vals = df[col.name].tolist()
            known = set(batch.tables[col.ref][target.key[0]].tolist()) if col.ref in batch.tables else set()
            missing_vals = {v for v in vals if v != "" and v not in known}
            if missing_vals and lookup is not None:
                missing_vals -= lookup(col.ref, missing_vals)
            bad = (np.fromiter((v in missing_vals for v in vals), dtype=bool, count=len(vals))
                   if missing_vals else np.zeros(len(df), bool))
            # Rows mapped from a system export carry their own file and original column name.
            files = df["_file"] if "_file" in df else None
            fields = df[f"_field:{col.name}"] if f"_field:{col.name}" in df else None
            for i in np.flatnonzero(bad):
                batch.rejects.append(Reject(df.attrs["file"] if files is None else files.iat[i],
                                            int(df["_row"].iat[i]),
                                            col.name if fields is None else fields.iat[i], vals[i],
                                            f"{col.name} {vals[i]!r} is not in {target.file} or the store"))
            keep &= ~bad
        if not keep.all():
            batch.tables[name] = _keep(df, keep)


def _keep(df: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    attrs = dict(df.attrs)
    out = df[mask].reset_index(drop=True)
    out.attrs.update(attrs)
    return out


def read_batch(paths: Iterable[str | os.PathLike], lookup: RefLookup | None = None,
               today: date | None = None,
               stored: Callable[[str, set[str]], pd.DataFrame] | None = None,
               lookup_source: Callable[[set[str]], dict[str, str]] | None = None) -> Batch:
    """Read and validate canonical files or folders into a :class:`Batch`.

    ``lookup`` finds referenced ids already stored; ``stored`` (``Store.get``) gives stored rows
    so that ``append_only`` record types (assessments) are never overwritten.

    Raises
    ------
    InputError
        When a file cannot be used at all (missing, unreadable, not UTF-8, wrong header).
    """
    specs = schema.record_specs()
    v = Validator(today)
    batch = Batch()
    for name, path in find_record_files(paths):
        raw = read_csv_text(path)
        clean, rejects, ok = v.validate(specs[name], raw, str(path))
        clean["_row"] = np.arange(2, len(raw) + 2)
        clean.attrs["file"] = str(path)
        batch.rejects.extend(rejects)
        batch.tables[name] = _keep(clean, ok)
        batch.files.append(FileSummary(str(path), name, read=len(raw)))
    check_references(batch, lookup)
    if stored is not None:
        protect_history(batch, stored)
    inherit_involvement_source(batch, lookup_source=lookup_source)
    finish(batch)
    return batch


def protect_history(batch: Batch, stored: Callable[[str, set[str]], pd.DataFrame]) -> None:
    """Reject rows that would change a stored row of an ``append_only`` record type.

    Assessments are history: a changed judgement is a new assessment, never an edit of an old
    one. Re-loading an identical row is allowed (and changes nothing), so loads stay repeatable.
    ``stored(record, ids)`` returns the stored rows with those ids (``Store.get``).
    """
    specs = schema.record_specs()
    for name, df in list(batch.tables.items()):
        spec = specs[name]
        if not spec.append_only or df.empty:
            continue
        key = spec.key[0]
        old = stored(name, set(df[key]))
        if old is None or not len(old):
            continue
        old = old.set_index(key)
        cols = [c for c in stored_columns(spec) if c != key and c in old.columns]
        keep = np.ones(len(df), dtype=bool)
        for i, row in enumerate(df.itertuples(index=False)):
            rid = getattr(row, key)
            if rid not in old.index:
                continue
            changed = [c for c in cols if str(getattr(row, c)) != str(old.at[rid, c])]
            if changed:
                keep[i] = False
                batch.rejects.append(Reject(df.attrs["file"], int(df["_row"].iat[i]), key, rid,
                                            f"{spec.file[:-4]} {rid!r} is already recorded and history is never "
                                            f"overwritten (differs in {', '.join(changed[:5])}); record a new one "
                                            "with a new id"))
        if not keep.all():
            batch.tables[name] = _keep(df, keep)


def inherit_involvement_source(batch: Batch, lookup_source: Callable[[set[str]], dict[str, str]] | None) -> None:
    """Give each involvement the source of its incident when the file did not state one."""
    inv = batch.tables.get("involvements")
    if inv is None or inv.empty or "source" not in inv:
        return
    empty = inv["source"] == ""
    if not empty.any():
        return
    # Matched by hashing plain object arrays: ``isin``/``map`` on the Arrow-backed strings cost
    # 2-3 s of a borough's 17 s load.
    ids = inv.loc[empty, "incident_id"].to_numpy(object)
    out = np.full(len(ids), "", dtype=object)
    found = np.zeros(len(ids), dtype=bool)
    if "incidents" in batch.tables:
        inc = batch.tables["incidents"]
        known = pd.Index(inc["incident_id"].to_numpy(object), dtype=object)
        first = ~known.duplicated()  # (ids are unique once validated; the first one counts)
        pos = known[first].get_indexer(ids)
        found = pos >= 0
        out[found] = inc["source"].to_numpy(object)[first][pos[found]]
    if lookup_source is not None and not found.all():
        rest = ids[~found]
        looked = lookup_source(set(rest.tolist()))
        out[~found] = [looked.get(i) or "" for i in rest.tolist()]
    inv.loc[empty, "source"] = out


def finish(batch: Batch) -> None:
    """Fill the per-file summary and drop helper columns."""
    loaded = {name: len(df) for name, df in batch.tables.items()}
    rejected_rows: dict[str, set[int]] = {}
    for r in batch.rejects:
        rejected_rows.setdefault(r.file, set()).add(r.row)
    for fs in batch.files:
        fs.loaded = loaded.get(fs.record, 0)
        fs.rejected = len(rejected_rows.get(fs.file, set()))
    for name, df in batch.tables.items():
        batch.tables[name] = df.drop(columns=[c for c in ("_row",) if c in df.columns])


# --- writing ---------------------------------------------------------------------------------

def write_rejects(rejects: list[Reject], path: Path) -> Path:
    """Write the rejects report (formula-safe) and return its path."""
    df = pd.DataFrame([r.__dict__ for r in rejects], columns=REJECT_COLUMNS)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(df, path)
    return path


def write_canonical(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Write store tables as canonical CSV files (contract columns first, then provenance,
    then the extra properties a source carried). Loading the result gives the same store."""
    out_dir.mkdir(parents=True, exist_ok=True)
    specs = schema.record_specs()
    written = []
    for name in load_order():
        df = tables.get(name)
        if df is None:
            continue
        spec = specs[name]
        cols = list(spec.header)
        cols += [c for c in spec.all_columns if c not in cols and (df[c] != "").any()]
        frame = df[cols].copy()
        props = df["props"].map(json.loads) if "props" in df else pd.Series([{}] * len(df))
        extra_keys = sorted({k for p in props for k in p if k not in cols})
        for k in extra_keys:
            frame[k] = props.map(lambda p, k=k: p.get(k, ""))
        path = out_dir / spec.file
        write_csv(frame, path)  # formula-safe; atomic, so a full disk leaves no half-written file
        written.append(path)
    return written
