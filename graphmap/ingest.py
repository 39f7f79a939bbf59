"""System exports (police, council, practitioners) mapped onto the canonical records.

Partnerships do not produce graphmap's canonical files: they export from Merlin, case systems
and spreadsheets, each with its own columns, date formats and habits. A *source mapping*,
``schema/sources/NAME.yaml``, says in data how one row of such an export becomes canonical
records (an incident, its place, the people named, their involvements, ...). This module
applies a mapping; it holds no knowledge of any particular system.

The mapped rows then go through the same checks as canonical files
(:class:`graphmap.records.Validator`, :func:`graphmap.records.check_references`), so one set
of rules applies. Rejects name the *original* file, the row number in that file and the
original column. One export row is all or nothing: if any record made from it is rejected,
nothing from that row is loaded, and the report says why.

A mapping file (see the README, "Adding a source") has:

``source``, ``fact_or_opinion``
    provenance written on every record (a block may override ``fact_or_opinion``).
``read``
    ``encoding`` (``auto``: UTF-8, else Windows-1252 when charset-normalizer agrees, else an
    error naming the encoding it guesses), ``sheet`` (XLSX sheet name or 0-based index),
    ``header_row`` (1-based).
``columns``
    original header -> short name used in the templates (the renames); ``optional`` lists the
    original headers that may be absent. Headers match ignoring case and outer spaces.
``formats``
    ``date`` and ``datetime``: strftime formats tried in order (ISO 8601 is always accepted).
``values``
    named value maps, e.g. ``MFH: missing``; matched ignoring case; ``"*"`` maps any other
    non-empty value (omit it and an unknown value is left for the vocabulary check to reject).
``records``
    a list of blocks, each making rows of one canonical ``record``; ``fields`` gives each
    column as a literal, a template such as ``"MER-{ref}"`` or ``"{name|surname|title}"`` (a
    template is empty when any placeholder is), or a mapping with ``value`` (a template),
    ``first`` (a list of templates, the first non-empty wins), ``parse`` (``date`` or
    ``datetime``), ``map`` (a value map name) and ``if_empty`` (a literal). ``when`` (a
    template) makes a block conditional; ``for_each`` (``col``, ``split``, ``pattern``,
    ``describe``) makes one record per item of a multi-person cell, its parts available as
    ``{item}`` / ``{item.NAME}``; ``unique: true`` rejects a repeated key (the export's own
    reference) instead of collapsing repeats of the same person or place.

Filters usable in templates: ``slug``, ``upper``, ``lower``, ``title``, ``nospace``,
``digits``, ``forename``, ``surname``, ``isodate``, ``plate``, ``phone``.
"""

from __future__ import annotations

import functools
import io
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from . import records, schema
from .records import Batch, FileSummary, InputError, Reject

SOURCES_DIR = "sources"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)((?:\|[a-z_]+)*)\}")
FILTERS = ("slug", "upper", "lower", "title", "nospace", "digits", "forename", "surname", "isodate",
           "plate", "phone")
_ISO = re.compile(r"^\d{4}-\d\d-\d\d")


# --- the mapping, as data --------------------------------------------------------------------

@dataclass(frozen=True)
class FieldSpec:
    templates: tuple[str, ...]  # the first non-empty wins
    parse: str | None = None
    map: str | None = None
    if_empty: str = ""
    age_role: dict | None = None  # {dob, at, adult_age, young, adult, unknown}

    def placeholders(self) -> list[str]:
        names = [m.group(1) for t in self.templates for m in _PLACEHOLDER.finditer(t)]
        if self.age_role:
            names += [m.group(1) for k in ("dob", "at") for m in _PLACEHOLDER.finditer(self.age_role[k])]
        return names


@dataclass(frozen=True)
class ForEach:
    col: str
    split: str = ";"
    pattern: re.Pattern | None = None
    describe: str = ""


@dataclass(frozen=True)
class Block:
    record: str
    fields: dict[str, FieldSpec]
    when: tuple[str, ...] | None = None  # the block makes a row when any of these is non-empty
    for_each: ForEach | None = None
    unique: bool = False
    fact_or_opinion: str | None = None


@dataclass(frozen=True)
class SourceMapping:
    name: str
    path: Path
    source: str
    fact_or_opinion: str
    columns: dict[str, str]  # original header -> alias
    optional: frozenset[str]
    date_formats: tuple[str, ...]
    datetime_formats: tuple[str, ...]
    values: dict[str, dict[str, str]]
    blocks: tuple[Block, ...]
    encoding: str = "auto"
    sheet: str | int = 0
    header_row: int = 1
    description: str = ""

    @property
    def original(self) -> dict[str, str]:
        """alias -> original header."""
        return {a: o for o, a in self.columns.items()}


def sources_dir() -> Path:
    return schema.SCHEMA_DIR / SOURCES_DIR


def available_sources() -> list[str]:
    """Names of the shipped and partnership source mappings (``schema/sources/*.yaml``)."""
    return sorted(p.stem for p in sources_dir().glob("*.yaml"))


@functools.cache
def load_mapping(name: str) -> SourceMapping:
    """Read and check ``schema/sources/NAME.yaml``; :class:`~graphmap.schema.SchemaError` names
    the file and key of any problem."""
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        raise schema.SchemaError(f"{name!r}: a source name is letters, digits, '_' and '-'")
    path = sources_dir() / f"{name}.yaml"
    if not path.exists():
        raise schema.SchemaError(f"{path}: no such source mapping (known: {', '.join(available_sources()) or 'none'})")
    data = schema.read_yaml(path)

    def err(msg: str) -> schema.SchemaError:
        return schema.SchemaError(f"{path}: {msg}")

    if not isinstance(data, dict):
        raise err("expected a mapping")
    for key in ("source", "columns", "records"):
        if key not in data:
            raise err(f"missing key {key!r}")
    columns = {str(k).strip(): str(v) for k, v in (data["columns"] or {}).items()}
    aliases = set(columns.values())
    if len(aliases) != len(columns):
        raise err("columns: two headers map to the same name")
    optional = frozenset(str(c).strip() for c in data.get("optional") or [])
    if not optional <= set(columns):
        raise err(f"optional: {sorted(optional - set(columns))} not under columns")
    values = {str(k): {str(a).strip().casefold(): str(b) for a, b in (v or {}).items()}
              for k, v in (data.get("values") or {}).items()}
    fmts = data.get("formats") or {}
    specs = schema.record_specs()
    vocab_fo = schema.vocabulary("fact_or_opinion")
    fo = str(data.get("fact_or_opinion", "fact"))
    if fo not in vocab_fo:
        raise err(f"fact_or_opinion: {fo!r} is not one of {list(vocab_fo)}")

    blocks = []
    for i, b in enumerate(data["records"] or []):
        where = f"records[{i}]"
        rec = b.get("record")
        if rec not in specs:
            raise err(f"{where}: unknown record {rec!r} (known: {', '.join(specs)})")
        fe = None
        if b.get("for_each"):
            f = b["for_each"]
            if f.get("col") not in aliases:
                raise err(f"{where}.for_each.col: {f.get('col')!r} is not a column name")
            try:
                pat = re.compile(f["pattern"]) if f.get("pattern") else None
            except re.error as exc:
                raise err(f"{where}.for_each.pattern: {exc}") from exc
            fe = ForEach(f["col"], str(f.get("split", ";")), pat, str(f.get("describe", "")))
        fields: dict[str, FieldSpec] = {}
        for fname, fdef in (b.get("fields") or {}).items():
            fields[fname] = _field_spec(fdef, f"{where}.fields.{fname}", err)
        extra = [f for f in fields if f not in specs[rec].all_columns]
        if extra:
            raise err(f"{where}: {rec} has no column(s) {extra} (extra data belongs in a `props` block)")
        for pname, pdef in (b.get("props") or {}).items():
            fields[str(pname)] = _field_spec(pdef, f"{where}.props.{pname}", err)
        missing = [c.name for c in specs[rec].columns if c.required and c.name not in fields
                   and c.name not in ("source",)]
        if missing:
            raise err(f"{where}: {rec} needs field(s) {missing}")
        allowed = aliases | {"item"} | ({f"item.{g}" for g in fe.pattern.groupindex} if fe and fe.pattern else set())
        for fname, fs in fields.items():
            for ph in fs.placeholders():
                if ph not in allowed:
                    raise err(f"{where}.fields.{fname}: unknown placeholder {{{ph}}} (known: {sorted(allowed)})")
            if fs.map and fs.map not in values:
                raise err(f"{where}.fields.{fname}: unknown value map {fs.map!r}")
        when = b.get("when")
        if when is not None:
            when = tuple(str(w) for w in when) if isinstance(when, list) else (str(when),)
            for m in (m for w in when for m in _PLACEHOLDER.finditer(w)):
                if m.group(1) not in allowed:
                    raise err(f"{where}.when: unknown placeholder {{{m.group(1)}}}")
        bfo = b.get("fact_or_opinion")
        if bfo is not None and bfo not in vocab_fo:
            raise err(f"{where}.fact_or_opinion: {bfo!r} is not one of {list(vocab_fo)}")
        blocks.append(Block(rec, fields, when, fe, bool(b.get("unique", False)),
                            None if bfo is None else str(bfo)))
    read = data.get("read") or {}
    return SourceMapping(
        name=name, path=path, source=str(data["source"]), fact_or_opinion=fo, columns=columns,
        optional=optional,
        date_formats=tuple(fmts.get("date") or ("%d/%m/%Y",)),
        datetime_formats=tuple(fmts.get("datetime") or ("%d/%m/%Y %H:%M", "%d/%m/%Y")),
        values=values, blocks=tuple(blocks), encoding=str(read.get("encoding", "auto")),
        sheet=read.get("sheet", 0), header_row=int(read.get("header_row", 1)),
        description=str(data.get("description", "")),
    )


def _field_spec(fdef: Any, where: str, err) -> FieldSpec:
    if isinstance(fdef, (str, int, float)):
        return FieldSpec((str(fdef),))
    if not isinstance(fdef, dict):
        raise err(f"{where}: expected a template or a mapping")
    if "age_role" in fdef:
        ar = dict(fdef["age_role"])
        for k in ("dob", "at", "young", "adult", "unknown"):
            if k not in ar:
                raise err(f"{where}.age_role: missing {k!r}")
        ar.setdefault("adult_age", 18)
        return FieldSpec((), age_role=ar)
    if "first" in fdef:
        templates = tuple(str(t) for t in fdef["first"])
    elif "value" in fdef:
        templates = (str(fdef["value"]),)
    elif "col" in fdef:
        templates = ("{" + str(fdef["col"]) + "}",)
    else:
        raise err(f"{where}: give `value`, `col` or `first`")
    parse = fdef.get("parse")
    if parse not in (None, "date", "datetime"):
        raise err(f"{where}.parse: {parse!r} (use date or datetime)")
    for t in templates:
        for m in _PLACEHOLDER.finditer(t):
            bad = [f for f in m.group(2).split("|")[1:] if f not in FILTERS]
            if bad:
                raise err(f"{where}: unknown filter(s) {bad} (known: {', '.join(FILTERS)})")
    return FieldSpec(templates, parse, fdef.get("map"), str(fdef.get("if_empty", "")))


# --- reading exports -------------------------------------------------------------------------

def decode(raw: bytes, path: Path, encoding: str = "auto") -> tuple[str, list[str]]:
    """Decode a text export. Returns the text and notes for the load summary.

    ``auto``: UTF-8 (BOM or not); else Windows-1252 (what Excel's plain "CSV" writes on UK
    machines) but only when charset-normalizer reads the bytes to the very same text; else an
    error naming what the bytes look like, so a name is never silently mangled.
    """
    if encoding and encoding.lower() not in ("auto", ""):
        enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        try:
            text = raw.decode(enc)
        except LookupError as exc:
            raise InputError(f"{path}: unknown encoding {encoding!r}") from exc
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise InputError(f"{path}: row {line}: not {encoding} (byte 0x{raw[exc.start]:02x})") from exc
        return text, ([] if enc == "utf-8-sig" else [f"read as {encoding} (as asked)"])
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    from charset_normalizer import from_bytes

    line = raw[:first_bad].count(b"\n") + 1
    best = from_bytes(raw).best()
    try:
        cp1252 = raw.decode("cp1252")
    except UnicodeDecodeError:
        cp1252 = None
    if best is not None and cp1252 is not None and str(best) == cp1252:
        return cp1252, [f"not UTF-8 (first at row {line}): read as Windows-1252 (cp1252, Excel's 'CSV'); "
                        "detected by charset-normalizer: check accented names; save as 'CSV UTF-8' to avoid this"]
    guess = f"; it looks like {best.encoding}" if best is not None else ""
    raise InputError(f"{path}: row {line}: not UTF-8 (byte 0x{raw[first_bad]:02x}){guess}; if you know the "
                     "encoding, load again with --encoding NAME (nothing was guessed)")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d") if v.time() == time(0) else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, time):
        return v.strftime("%H:%M")
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def read_export(path: Path, mapping: SourceMapping, encoding: str | None = None) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Read one CSV or XLSX export as text. Returns the frame (original headers), the row number
    of each row in the file (as a spreadsheet shows it) and notes."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    hdr = mapping.header_row
    notes: list[str] = []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # zipfile / openpyxl errors: name the file, not the stack
            raise InputError(f"{path}: not a readable XLSX workbook ({type(exc).__name__})") from exc
        try:
            sheet = mapping.sheet
            if isinstance(sheet, int):
                if sheet >= len(wb.sheetnames):
                    raise InputError(f"{path}: no sheet {sheet} (sheets: {', '.join(wb.sheetnames)})")
                ws = wb[wb.sheetnames[sheet]]
            else:
                if sheet not in wb.sheetnames:
                    raise InputError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})")
                ws = wb[sheet]
            header: list[str] | None = None
            rows, numbers = [], []
            for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if n < hdr:
                    continue
                cells = [_cell(v) for v in values]
                if n == hdr:
                    header = [c.strip() for c in cells]
                    while header and header[-1] == "":
                        header.pop()
                    continue
                if not any(c.strip() for c in cells):
                    continue  # blank spreadsheet rows are not records
                cells = (cells + [""] * len(header))[: len(header)]  # type: ignore[arg-type]
                rows.append(cells)
                numbers.append(n)
        finally:
            wb.close()
        if not header:
            raise InputError(f"{path}: empty sheet (a header row is required at row {hdr})")
        df = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header, dtype=str)
        return df, np.asarray(numbers, dtype=int), notes
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read file ({exc.strerror})") from exc
    text, notes = decode(raw, path, encoding or mapping.encoding)
    if not text.strip():
        raise InputError(f"{path}: empty file (a header row is required)")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False,
                         skiprows=hdr - 1, skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError(f"{path}: not a readable CSV: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    numbers = np.arange(hdr + 1, hdr + 1 + len(df))
    if len(df):  # blank lines are not records (pandas keeps them as all-empty rows)
        keep = (df != "").any(axis=1).to_numpy()
        df, numbers = df[keep].reset_index(drop=True), numbers[keep]
    return df, numbers, notes


# --- applying a mapping ----------------------------------------------------------------------

def _human(fmt: str) -> str:
    return (fmt.replace("%d", "dd").replace("%m", "mm").replace("%Y", "yyyy").replace("%y", "yy")
            .replace("%H", "HH").replace("%M", "MM").replace("%S", "SS"))


def parse_dates(s: pd.Series, formats: Iterable[str], kind: str) -> tuple[pd.Series, np.ndarray]:
    """Parse text with the given strftime formats (ISO 8601 always accepted).

    Returns ISO strings (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS``) and a mask of non-empty
    values that matched no format (they are kept as given, for the reject report).
    """
    s = s.astype(str).str.strip()
    parsed = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    iso = s.str.match(_ISO)
    if iso.any():
        parsed[iso] = pd.to_datetime(s[iso].str.replace(" ", "T", n=1), format="ISO8601", errors="coerce")
    for fmt in formats:
        todo = parsed.isna() & (s != "") & ~iso
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(s[todo], format=fmt, errors="coerce")
    bad = (parsed.isna() & (s != "")).to_numpy()
    out = parsed.dt.strftime("%Y-%m-%d" if kind == "date" else "%Y-%m-%dT%H:%M:%S")
    return out.where(~parsed.isna(), s), bad


# "SMITH, Jayden" | "Jayden Lee SMITH" (forename = all but the last word) | "SMITH"
_NAME = re.compile(r"^(?:(?P<s1>[^,]+),(?P<f1>.*)|(?P<f2>.*\S)\s+(?P<s2>\S+)|(?P<s3>\S+))$")


class _Renderer:
    def __init__(self, mapping: SourceMapping):
        self.m = mapping

    def filt(self, s: pd.Series, name: str) -> pd.Series:
        if name == "slug":
            return s.str.lower().str.replace(r"[^a-z0-9]+", "-", regex=True).str.strip("-")
        if name == "upper":
            return s.str.upper()
        if name == "lower":
            return s.str.lower()
        if name == "title":
            return s.str.title()
        if name == "nospace":
            return s.str.replace(r"\s+", "", regex=True)
        if name == "digits":
            return s.str.replace(r"\D+", "", regex=True)
        if name == "plate":
            return s.str.upper().str.replace(r"[^A-Z0-9]+", "", regex=True)
        if name == "phone":  # UK numbers: +44 7700 ... and 07700 ... are one phone
            d = s.str.replace(r"\D+", "", regex=True)
            return d.str.replace(r"^44(?=\d{10}$)", "0", regex=True)
        if name in ("forename", "surname"):
            parts = s.str.replace(r"\s+", " ", regex=True).str.strip().str.extract(_NAME)
            fore = parts["f1"].fillna(parts["f2"]).fillna("").str.strip()
            sur = parts["s1"].fillna(parts["s2"]).fillna(parts["s3"]).fillna("").str.strip()
            return fore if name == "forename" else sur
        if name == "isodate":
            out, _ = parse_dates(s, (*self.m.date_formats, *self.m.datetime_formats), "date")
            return out
        raise schema.SchemaError(f"unknown filter {name}")  # pragma: no cover (checked on load)

    def template(self, t: str, F: pd.DataFrame) -> pd.Series:
        pieces = _PLACEHOLDER.split(t)  # literal, name, filters, literal, ...
        if len(pieces) == 1:
            return pd.Series(t, index=F.index, dtype=object)
        out = pd.Series(pieces[0], index=F.index, dtype=object)
        empty = np.zeros(len(F), dtype=bool)
        for k in range(1, len(pieces), 3):
            s = F[pieces[k]].astype(str).str.strip()
            for f in pieces[k + 1].split("|")[1:]:
                s = self.filt(s, f)
            empty |= (s == "").to_numpy()
            out = out + s + pieces[k + 2]
        out[empty] = ""
        return out

    def value(self, fs: FieldSpec, F: pd.DataFrame) -> pd.Series:
        if fs.age_role:
            return self.age_role(fs.age_role, F)
        out = pd.Series("", index=F.index, dtype=object)
        for t in fs.templates:
            v = self.template(t, F)
            out = out.where(out != "", v)
        if fs.map:
            table = self.m.values[fs.map]
            other = table.get("*")
            key = out.str.strip().str.casefold()
            mapped = key.map(table)
            if other is not None:
                mapped = mapped.where(mapped.notna() | (key == ""), other)
            out = mapped.where(mapped.notna(), out)
        if fs.if_empty:
            out = out.where(out != "", fs.if_empty)
        return out

    def age_role(self, ar: dict, F: pd.DataFrame) -> pd.Series:
        dob, bad_d = parse_dates(self.template(ar["dob"], F), self.m.date_formats, "date")
        at, bad_a = parse_dates(self.template(ar["at"], F), self.m.datetime_formats, "datetime")
        d = pd.to_datetime(dob.where(~bad_d & (dob != "")), errors="coerce")
        a = pd.to_datetime(at.where(~bad_a & (at != "")), errors="coerce")
        # Age in whole years at the date of the record.
        age = a.dt.year - d.dt.year - ((a.dt.month * 100 + a.dt.day) < (d.dt.month * 100 + d.dt.day)).astype(int)
        out = pd.Series(str(ar["unknown"]), index=F.index, dtype=object)
        known = age.notna()
        out[known & (age < int(ar["adult_age"]))] = str(ar["young"])
        out[known & (age >= int(ar["adult_age"]))] = str(ar["adult"])
        return out


@dataclass
class _Made:
    """Rows made by one block from one file, with where each field came from."""

    record: str
    frame: pd.DataFrame  # canonical columns + props + _file, _row, _field:<col>
    unique: bool


def _origin(fs: FieldSpec, mapping: SourceMapping, fe: ForEach | None) -> str:
    orig = mapping.original
    cols: list[str] = []
    for ph in fs.placeholders():
        name = fe.col if (ph == "item" or ph.startswith("item.")) and fe else ph
        o = orig.get(name, name)
        if o not in cols:
            cols.append(o)
    return "+".join(cols) if cols else f"({mapping.name} mapping)"


def apply_mapping(mapping: SourceMapping, raw: pd.DataFrame, rows: np.ndarray, file: str,
                  validator: records.Validator) -> tuple[list[_Made], list[Reject]]:
    """Turn one export's rows into validated canonical rows (duplicates and references are
    settled later, across every file of the load)."""
    # Header: every mapped column must be there (matched ignoring case and outer spaces).
    have = {str(c).strip().casefold(): c for c in raw.columns}
    missing = [o for o in mapping.columns if o.casefold() not in have and o not in mapping.optional]
    if missing:
        raise InputError(
            f"{file}: row {mapping.header_row}: header lacks column(s) {', '.join(repr(m) for m in missing)} "
            f"that the {mapping.name!r} source mapping needs (found: {', '.join(map(repr, raw.columns)) or 'none'})")
    F = pd.DataFrame(index=raw.index)
    for o, alias in mapping.columns.items():
        F[alias] = raw[have[o.casefold()]].astype(str).str.strip() if o.casefold() in have else ""
    F["_row"] = rows
    rejects: list[Reject] = []
    limit = int(schema.setting("ingest.max_cell_chars", 32767))
    orig = mapping.original
    for alias in mapping.original:
        long = (F[alias].str.len() > limit).to_numpy()
        for i in np.flatnonzero(long):
            v = F[alias].iat[i]
            rejects.append(Reject(file, int(rows[i]), orig[alias], v[:40] + "...",
                                  f"value is {len(v):,} characters long (a spreadsheet cell holds at most {limit:,})"))
            F.loc[F.index[i], alias] = ""
    r = _Renderer(mapping)
    specs = schema.record_specs()
    made: list[_Made] = []
    for block in mapping.blocks:
        spec = specs[block.record]
        G = F
        if block.for_each:
            fe = block.for_each
            parts = F[fe.col].str.split(r"\n|" + re.escape(fe.split), regex=True)
            G = F.assign(item=parts).explode("item")
            G["item"] = G["item"].fillna("").astype(str).str.strip()
            G = G[G["item"] != ""].reset_index(drop=True)
            if fe.pattern is not None:
                ex = G["item"].str.extract(fe.pattern)
                nomatch = ex.isna().all(axis=1).to_numpy() if len(ex.columns) else np.zeros(len(G), bool)
                for g in fe.pattern.groupindex:
                    G[f"item.{g}"] = ex[g].fillna("").str.strip()
                for i in np.flatnonzero(nomatch):
                    rejects.append(Reject(file, int(G["_row"].iat[i]), orig[fe.col], G["item"].iat[i],
                                          f"cannot read {G['item'].iat[i]!r} as {fe.describe or 'an item'}"))
                G = G[~nomatch].reset_index(drop=True)  # reported once; its row is out already
        if block.when is not None:
            any_given = np.zeros(len(G), dtype=bool)
            for w in block.when:
                any_given |= (r.template(w, G) != "").to_numpy()
            G = G[any_given].reset_index(drop=True)
        if G.empty:
            continue
        out = pd.DataFrame(index=G.index)
        origins: dict[str, str] = {}
        parse_bad: set[tuple[int, str]] = set()
        for fname, fs in block.fields.items():
            v = r.value(fs, G)
            origins[fname] = _origin(fs, mapping, block.for_each)
            if fs.parse:
                formats = mapping.date_formats if fs.parse == "date" else mapping.datetime_formats
                v, bad = parse_dates(v, formats, fs.parse)
                shown = " or ".join(_human(f) for f in formats)
                for i in np.flatnonzero(bad):
                    rejects.append(Reject(file, int(G["_row"].iat[i]), origins[fname], v.iat[i],
                                          f"not a valid {'date' if fs.parse == 'date' else 'date/time'} "
                                          f"(expected {shown})"))
                    parse_bad.add((int(G["_row"].iat[i]), origins[fname]))
            out[fname] = v
        if "source" in spec.all_columns and "source" not in out:
            out["source"] = mapping.source
            origins["source"] = f"({mapping.name} mapping)"
        if "fact_or_opinion" in spec.all_columns and "fact_or_opinion" not in out:
            out["fact_or_opinion"] = block.fact_or_opinion or mapping.fact_or_opinion
            origins["fact_or_opinion"] = f"({mapping.name} mapping)"
        for c in spec.header:
            if c not in out:
                out[c] = ""
        clean, rej, ok = validator.validate(spec, out, file, row_numbers=G["_row"].to_numpy(),
                                            check_duplicates=False)
        for rj in rej:
            parts = rj.field.split("/")  # "latitude/longitude" pair checks
            rj.field = "/".join(dict.fromkeys(origins.get(p, p) for p in parts))
            if (rj.row, rj.field) not in parse_bad:
                rejects.append(rj)
        clean["_file"] = file
        clean["_row"] = G["_row"].to_numpy()
        for c in spec.all_columns:
            clean[f"_field:{c}"] = origins.get(c, c)
        made.append(_Made(block.record, clean, block.unique))
    return made, rejects


def _collapse(frames: list[_Made], record: str, bad: set[tuple[str, int]]) -> tuple[pd.DataFrame, list[Reject]]:
    """One table per record type: repeats of one key from different rows become one row
    (blanks filled from later rows); a repeat that contradicts an earlier row, or any repeat
    of a ``unique`` key (the export's own reference), is a reject of the later row."""
    spec = schema.record_specs()[record]
    key = list(spec.key)
    parts = [m.frame.assign(_unique=m.unique, _order=range(len(m.frame))) for m in frames if m.record == record]
    if not parts:
        return pd.DataFrame(), []
    df = pd.concat(parts, ignore_index=True)
    file_order = {f: i for i, f in enumerate(dict.fromkeys(df["_file"]))}
    df["_fo"] = df["_file"].map(file_order)
    df = df.sort_values(["_fo", "_row", "_order"], kind="stable").reset_index(drop=True)
    if bad:
        tag = df["_file"].astype(str) + "\x00" + df["_row"].astype(str)
        df = df[~tag.isin({f"{f}\x00{r}" for f, r in bad})].reset_index(drop=True)
    rejects: list[Reject] = []
    if df.empty:
        return df, rejects
    g = df.groupby(key, sort=False)
    first_row = g["_row"].transform("first")
    first_file = g["_file"].transform("first")
    same_origin = (df["_row"] == first_row) & (df["_file"] == first_file)
    dup = df.duplicated(subset=key, keep="first")
    uniq = dup & df["_unique"] & ~same_origin
    for i in np.flatnonzero(uniq.to_numpy()):
        where = "" if df["_file"].iat[i] == first_file.iat[i] else f" of {first_file.iat[i]}"
        rejects.append(Reject(df["_file"].iat[i], int(df["_row"].iat[i]), df[f"_field:{key[0]}"].iat[i],
                              "|".join(df[k].iat[i] for k in key),
                              f"duplicate key; first given at row {first_row.iat[i]}{where}"))
    if not spec.is_node:  # repeated sightings of one link are aggregated (see _merge_rows)
        return df, rejects
    cols = [c for c in [*spec.all_columns, "props"] if c not in key]
    for c in cols:
        if c in ("source", "fact_or_opinion"):
            continue
        vals = df[c].where(~df[c].isin(["", "{}"]))
        ref = vals.groupby([df[k] for k in key], sort=False).transform("first")
        conflict = vals.notna() & ref.notna() & (vals != ref) & ~uniq
        for i in np.flatnonzero(conflict.to_numpy()):
            rejects.append(Reject(df["_file"].iat[i], int(df["_row"].iat[i]), df[f"_field:{c}"].iat[i], vals.iat[i],
                                  f"{'|'.join(df[k].iat[i] for k in key)} is given with {c} {ref.iat[i]!r} "
                                  f"at an earlier row; one of them is wrong"))
    return df, rejects


def _merge_rows(df: pd.DataFrame, record: str) -> pd.DataFrame:
    """One row per key. A node (person, place, incident, identifier) keeps its first row's
    values, blanks filled from later rows. A link seen on several rows (a phone used by the
    same person in two pieces of intelligence) spans them: first_seen the earliest,
    last_seen the latest, other values (grading, reference) from its latest row."""
    spec = schema.record_specs()[record]
    key = list(spec.key)
    if df.empty:
        return df
    helper = [c for c in df.columns if c.startswith("_field:")]
    cols = [c for c in [*spec.all_columns, "props"] if c not in key]
    filled = df[cols].where(~df[cols].isin(["", "{}"]))
    filled[key] = df[key]
    g = filled.groupby(key, sort=False, as_index=False)
    merged = g.first() if spec.is_node else g.last()
    if not spec.is_node:
        for c, how in (("first_seen", "min"), ("last_seen", "max")):
            if c in cols:
                merged[c] = g[c].agg(how)[c].to_numpy()
    firsts = df.drop_duplicates(subset=key, keep="first").set_index(key)[["_file", "_row", *helper]]
    merged = merged.join(firsts, on=key)
    merged["props"] = merged["props"].fillna("{}")
    merged = merged.fillna("")
    merged.attrs["file"] = ""
    return merged[[*spec.all_columns, "props", "_file", "_row", *helper]].reset_index(drop=True)


def read_exports(paths: Iterable[str | os.PathLike], source: str, lookup: records.RefLookup | None = None,
                 encoding: str | None = None, today: date | None = None) -> Batch:
    """Read system exports with the ``source`` mapping into a validated :class:`Batch`.

    Parameters
    ----------
    paths : files (CSV or XLSX) exported from one system.
    source : a mapping name, ``schema/sources/<source>.yaml``.
    lookup : ``lookup(record, ids) -> ids already stored`` (``Store.existing_ids``), so records
        may refer to what an earlier load brought in.
    encoding : overrides the mapping's ``read.encoding`` for CSV files.

    Raises
    ------
    InputError
        A file cannot be used at all (missing, empty, unreadable, encoding not known, header
        lacking the mapping's columns): nothing is loaded.
    """
    try:
        mapping = load_mapping(source)
    except schema.SchemaError as exc:
        raise InputError(str(exc)) from exc
    validator = records.Validator(today)
    batch = Batch()
    made: list[_Made] = []
    bad: set[tuple[str, int]] = set()
    summaries: dict[str, FileSummary] = {}
    for p in paths:
        path = Path(p)
        raw, rows, notes = read_export(path, mapping, encoding)
        file = str(path)
        if file in summaries:
            raise InputError(f"{file}: named twice in one load")
        m, rej = apply_mapping(mapping, raw, rows, file, validator)
        made.extend(m)
        batch.rejects.extend(rej)
        bad |= {(r.file, r.row) for r in rej}
        summaries[file] = FileSummary(file, mapping.name, read=len(raw), notes=list(notes))
        batch.files.append(summaries[file])

    # Settle repeats and references across all files; a row that loses any record loses all.
    order = records.load_order()
    while True:
        new: list[Reject] = []
        tables: dict[str, pd.DataFrame] = {}
        for name in order:
            df, rej = _collapse(made, name, bad)
            new.extend(rej)
            if len(df):
                tables[name] = df
        if new:
            batch.rejects.extend(new)
            bad |= {(r.file, r.row) for r in new}
            continue
        merged = {n: _merge_rows(df, n) for n, df in tables.items()}
        # References one record type at a time, in load order: a row that names a missing
        # place is reported once, not again for each of its involvements.
        found: list[Reject] = []
        whole = Batch(tables=dict(merged))
        records.check_references(whole, lookup)
        for i, name in enumerate(order if whole.rejects else ()):
            if name not in merged:
                continue
            trial = Batch(tables={n: merged[n] for n in order[: i + 1] if n in merged})
            records.check_references(trial, lookup)
            if trial.rejects:
                found = list({(r.file, r.row, r.field, r.value, r.reason): r for r in trial.rejects}.values())
                break
        if found:
            batch.rejects.extend(found)
            bad |= {(r.file, r.row) for r in found}
            continue
        trial = whole
        break
    for name, df in trial.tables.items():
        batch.tables[name] = df[[*schema.record_specs()[name].all_columns, "props"]].reset_index(drop=True)
    for fs in batch.files:
        fs.rejected = len({r for f, r in bad if f == fs.file})
        fs.loaded = fs.read - fs.rejected
        loc = trial.tables.get("locations")
        if loc is not None and len(loc):
            mine = loc[loc["_file"] == fs.file]
            no_point = int((mine["latitude"] == "").sum())
            if no_point:
                with_pc = int(((mine["latitude"] == "") & (mine["postcode"] != "")).sum())
                fs.notes.append(f"{no_point} location(s) kept without a map point ({with_pc} with a postcode "
                                "only): unmapped, so not in hotspot maps")
    order_of = {f.file: i for i, f in enumerate(batch.files)}
    batch.rejects.sort(key=lambda r: (order_of.get(r.file, 99), r.row))
    return batch


def read_for_load(store, paths: Iterable[str | os.PathLike], *, source: str | None = None,
                  encoding: str | None = None) -> Batch:
    """What ``graphmap load`` reads, for any front end (the CLI and the app's Data page).

    Without ``source``: canonical CSV files or folders, checked against ``store``, skipping
    files unchanged since a load the store still holds (:meth:`Store.read_files`). With
    ``source``: system exports mapped by ``schema/sources/<source>.yaml``
    (:func:`read_exports`), ``encoding`` overriding the mapping's for CSV files.

    Raises
    ------
    InputError
        Nothing can be loaded (a file missing or unreadable, a bad header, an encoding given
        for canonical files, which are always UTF-8).
    """
    paths = list(paths)
    if not source:
        if encoding:
            raise InputError("an encoding applies to source exports; canonical files are UTF-8")
        return store.read_files(paths, skip_unchanged=True)
    return read_exports(paths, source, lookup=store.existing_ids, encoding=encoding)


def mapped_counts(batch: Batch) -> dict[str, int]:
    """Rows per canonical record type in a batch (for summaries and tests)."""
    return {n: len(df) for n, df in batch.tables.items() if len(df)}


__all__ = ["load_mapping", "available_sources", "read_exports", "read_for_load", "read_export", "decode", "parse_dates",
           "apply_mapping", "mapped_counts", "SourceMapping"]
