"""Redaction levels for meeting packs, and the marking printed on every page.

Three levels (``schema/roles.yaml`` ``redaction_levels``), applied to a pack's data *after* the
reader's role (:func:`graphmap.access.redact`) and *before* any label or sentence is built:

``full``
    Everything the reader's role may see; for the owning analyst or the police.
``professionals_only``
    For a professionals-only meeting: intelligence with handling code C (shareable only on the
    originator's conditions) is withheld; a line says how many items were withheld and why.
``family_present``
    Parents or carers attend and must hear only what they already know (information-sharing
    protocol): intelligence is withheld, free text is withheld (it names people), and every
    person other than the pack's subjects (the family's own children) appears as
    "Young person A", "Adult of concern B", ... with no date of birth or flags.

Every page carries :func:`marking`: OFFICIAL-SENSITIVE, the level, what it withholds, the as-at
date. :func:`marking_html` repeats it on every printed page of an HTML pack;
:func:`docx_marking` puts it in every section's header and footer of a DOCX pack.
"""

from __future__ import annotations

import re
import string
from datetime import date
from typing import Any, Iterable, Mapping

import pandas as pd

from . import access, schema
from .safe import html_text

LEVELS = ("full", "professionals_only", "family_present")
CLASSIFICATION = "OFFICIAL-SENSITIVE"
WITHHELD_TEXT = "[withheld]"
_ROLE_LABELS = {"young_person": "Young person", "adult_of_concern": "Adult of concern", "associate": "Associate"}


def levels() -> dict[str, str]:
    """Level name -> what it means (from roles.yaml)."""
    data = schema.roles_file().get("redaction_levels") or {}
    missing = [lv for lv in LEVELS if lv not in data]
    if missing:
        raise schema.SchemaError(f"{schema.SCHEMA_DIR / 'roles.yaml'}: redaction_levels lacks {', '.join(missing)}")
    return {k: str(v) for k, v in data.items()}


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"unknown redaction level {level!r} (use one of: {', '.join(LEVELS)})")
    return level


def marking(level: str, *, as_at: date | str | None = None) -> str:
    """The line printed on every page, e.g. ``OFFICIAL-SENSITIVE · Redaction: family present
    (...) · As at 2026-11-30``."""
    check_level(level)
    when = str(as_at or date.today())[:10]
    return f"{CLASSIFICATION} · Redaction: {level.replace('_', ' ')} ({levels()[level]}) · As at {when}"


def marking_html(level: str, *, as_at: date | str | None = None) -> str:
    """A marking for HTML packs, on screen and on every printed page (a fixed-position
    element repeats on each printed page in Chromium, Firefox and Edge)."""
    text = html_text(marking(level, as_at=as_at))
    return ("<style>.gm-marking{position:fixed;left:0;right:0;background:#fff;font:bold 10pt sans-serif;"
            "text-align:center;padding:2pt;z-index:1000}.gm-marking.top{top:0}.gm-marking.bottom{bottom:0}"
            "body{margin-top:28pt;margin-bottom:28pt}@page{margin:18mm 12mm}</style>"
            f'<div class="gm-marking top" role="note">{text}</div>'
            f'<div class="gm-marking bottom" role="note">{text}</div>')


def docx_marking(document: Any, level: str, *, as_at: date | str | None = None) -> None:
    """Put the marking in the header and footer of every section of a python-docx Document."""
    text = marking(level, as_at=as_at)
    for section in document.sections:
        for part in (section.header, section.footer):
            part.is_linked_to_previous = False
            para = part.paragraphs[0] if part.paragraphs else part.add_paragraph()
            para.text = text


def _label(n: int) -> str:
    letters = string.ascii_uppercase
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = letters[r] + out
    return out


def _withheld(item_type: str, grading: str, level: str) -> str | None:
    """Why an item is withheld at ``level``, or None."""
    grading = (grading or "").strip()
    if level == "family_present" and (item_type == "intelligence" or grading):
        return "intelligence"
    if level == "professionals_only" and grading[-1:].upper() == "C":
        return "intelligence (handling code C)"
    return None


def apply_level(pack: Mapping[str, Any], level: str, *, subject_ids: Iterable[str] = (),
                people: pd.DataFrame | None = None, as_at: date | str | None = None) -> dict[str, Any]:
    """A copy of ``pack`` (nested dicts, lists, DataFrames) at redaction ``level``.

    Parameters
    ----------
    pack : mapping
        The pack's data, already redacted for the reader's role.
    level : {"full", "professionals_only", "family_present"}
    subject_ids : iterable of str
        The person ids a family may hear named (their own children). Everyone else is
        replaced by a role label at ``family_present``.
    people : DataFrame, optional
        ``person_id`` and ``role`` of the people in the pack, for the labels' wording.

    Returns
    -------
    dict
        The redacted pack with ``redaction``: ``{"level", "marking", "withheld": {why: count}}``.
    """
    check_level(level)
    subjects = set(subject_ids)
    withheld: dict[str, int] = {}
    id_keys = set(access.fields("person_id"))
    name_keys = set(access.fields("name"))
    hidden_keys = set(access.fields("date_of_birth")) | set(access.fields("flags"))
    text_keys = set(access.fields("free_text"))
    roles = dict(zip(people["person_id"], people["role"])) if people is not None and len(people) else {}

    # Everyone the pack names (by id) who is not a subject gets a stable letter, in id order.
    seen: set[str] = set()

    def collect(x: Any) -> None:
        if isinstance(x, pd.DataFrame):
            for c in id_keys & set(x.columns):
                for v in x[c]:
                    collect(v)
        elif isinstance(x, Mapping):
            for k, v in x.items():
                if k in id_keys:
                    collect(v)
                elif isinstance(v, (Mapping, list, tuple, set, pd.DataFrame)):
                    collect(v)
        elif isinstance(x, (list, tuple, set)):
            for v in x:
                collect(v)
        elif isinstance(x, str) and x:
            seen.add(x)

    labels: dict[str, str] = {}
    if level == "family_present":
        collect(pack)
        for i, pid in enumerate(sorted((seen | set(roles)) - subjects)):
            labels[pid] = f"{_ROLE_LABELS.get(roles.get(pid, ''), 'Person')} {_label(i)}"

    def count(why: str, n: int = 1) -> None:
        if n:
            withheld[why] = withheld.get(why, 0) + n

    def swap(v: Any) -> Any:
        return labels.get(v, v) if isinstance(v, str) else v

    def frame(x: pd.DataFrame) -> pd.DataFrame:
        if "type" in x or "grading" in x:
            t = x["type"].astype(str) if "type" in x else pd.Series("", index=x.index)
            g = x["grading"].astype(str) if "grading" in x else pd.Series("", index=x.index)
            why = [_withheld(a, b, level) for a, b in zip(t, g)]
            for w in why:
                if w:
                    count(w)
            x = x[[w is None for w in why]]
        x = x.copy()
        if level == "family_present":
            ids = x["person_id"] if "person_id" in x else None
            for c in set(x.columns):
                if c in text_keys:
                    x[c] = WITHHELD_TEXT
                elif c in id_keys:
                    x[c] = x[c].map(swap)
                elif c in name_keys | hidden_keys and ids is not None:
                    other = ~ids.isin(subjects)
                    x.loc[other, c] = ("" if c not in name_keys else
                                       (ids[other].map(labels) if c in ("forename", "full_name", "display_name",
                                                                        "person_name") else ""))
        return x.reset_index(drop=True)

    def walk_ids(v: Any) -> Any:
        if isinstance(v, (list, tuple)):
            return type(v)(walk_ids(i) for i in v)
        if isinstance(v, (set, frozenset)):
            return {walk_ids(i) for i in v}
        return swap(v)

    def withheld_item(m: Mapping) -> bool:
        why = _withheld(str(m.get("type", "")), str(m.get("grading", "") or ""), level)
        if why:
            count(why)
        return bool(why)

    def field(m: Mapping, k: Any, v: Any) -> tuple[bool, Any]:
        if level != "family_present":
            return False, None
        pid = m.get("person_id")
        other = isinstance(pid, str) and pid not in subjects
        if k in text_keys:
            return True, WITHHELD_TEXT if v not in (None, "", "{}") else v
        if other and k in name_keys:
            return True, labels.get(pid, "") if k in ("forename", "full_name", "display_name", "person_name") else ""
        if other and k in hidden_keys:
            return True, ""
        if k in id_keys:
            return True, walk_ids(v)
        return False, None

    family = level == "family_present"
    out = access.walk_result(dict(pack), frame=frame, withheld=withheld_item, field=field,
                             key=swap if family else (lambda k: k), leaf=swap if family else (lambda v: v))
    out["redaction"] = {"level": level, "marking": marking(level, as_at=as_at),
                        "withheld": dict(sorted(withheld.items()))}
    return out


# --- levels applied to a store and to a view (packs and the pages that share their views) ----------

def level_key(level: str) -> str:
    """The level's name in :data:`LEVELS` from its settings spelling (``professionals-only``).

    >>> level_key("family-present")
    'family_present'
    """
    return check_level(str(level).strip().replace("-", "_"))


def _withheld_mask(df: pd.DataFrame, level: str) -> pd.Series:
    """True for rows withheld at ``level`` (vectorised :func:`_withheld`)."""
    type_ = df["type"].astype(str) if "type" in df else pd.Series("", index=df.index)
    grading = df["grading"].fillna("").astype(str).str.strip() if "grading" in df else pd.Series("", index=df.index)
    if level == "family_present":
        return (type_ == "intelligence") | (grading != "")
    if level == "professionals_only":
        return grading.str[-1:].str.upper() == "C"
    return pd.Series(False, index=df.index)


class WithholdingStore:
    """A read-only view of a store at a redaction level: what the level withholds is never read.

    Analyses and views run over it unchanged, so a withheld intelligence record cannot reach a
    count, a tie, a network picture or a sentence of a pack. Rows with a ``grading`` (and
    incidents of type ``intelligence``) are withheld as :func:`_withheld` says; involvements of
    withheld incidents go with them. ``withheld`` counts what was held back, by record type.
    """

    def __init__(self, store: Any, level: str):
        self._store = store
        self.level = level_key(level)
        self.withheld: dict[str, int] = {}
        self._cut: dict[str, set[str]] = {}

    def __getattr__(self, name: str) -> Any:
        # A workflow the Store base class builds from table()/get() (window_records, subgraph,
        # info, ...) runs over THIS view, so an engine's own faster version (SQLite's
        # window_records reads in SQL) can never read past the redaction. Anything else (url,
        # engine, loads, the audit log, writes) is the underlying store's.
        import inspect

        from .store.base import Store

        attr = inspect.getattr_static(Store, name, None)
        if inspect.isfunction(attr) and not getattr(attr, "__isabstractmethod__", False):
            return attr.__get__(self, type(self))
        return getattr(self._store, name)

    def _withheld_incidents(self) -> set[str]:
        if "incidents" not in self._cut:
            self.table("incidents")
        return self._cut.get("incidents", set())

    def _filter(self, record: str, df: pd.DataFrame, *, count: bool) -> pd.DataFrame:
        if self.level == "full" or df.empty:
            return df
        if record == "involvements":
            return df[~df["incident_id"].isin(self._withheld_incidents())]
        if "grading" not in df and record != "incidents":
            return df
        mask = _withheld_mask(df, self.level)
        if count and mask.any():
            if record == "incidents":
                self._cut["incidents"] = set(df.loc[mask, "incident_id"])
            self.withheld[record] = int(mask.sum())
        elif count and record == "incidents":
            self._cut["incidents"] = set()
        return df[~mask]

    def table(self, record: str) -> pd.DataFrame:
        return self._filter(record, self._store.table(record), count=True)

    def tables(self) -> dict[str, pd.DataFrame]:
        from .store.base import Store

        return Store.tables(self)

    def get(self, record: str, ids: set[str]) -> pd.DataFrame:
        return self._filter(record, self._store.get(record, ids), count=False)

    def links_touching(self, person_ids: set[str], start: str, end: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        assoc, inv = self._store.links_touching(person_ids, start, end)
        return self._filter("associations", assoc, count=False), self._filter("involvements", inv, count=False)

    def subgraph(self, person_id: str, hops: int = 1, start: Any = None, end: Any = None):
        from .store.base import Store

        return Store.subgraph(self, person_id, hops, start, end)

    def withheld_note(self) -> str:
        """One sentence saying what this level held back, e.g. for under a pack's title."""
        what = levels()[self.level]
        if not self.withheld:
            return f"Redaction {self.level.replace('_', ' ')}: {what}. Nothing in this pack's records was withheld."
        parts = ", ".join(f"{n} {rec.replace('_', ' ')} record(s)" for rec, n in sorted(self.withheld.items()))
        return (f"Redaction {self.level.replace('_', ' ')}: {what}. Withheld and left out of every count, "
                f"picture and table: {parts}.")


def withholding(store: Any, level: str) -> WithholdingStore:
    """``store`` as read at redaction ``level`` (see :class:`WithholdingStore`)."""
    return WithholdingStore(store, level)


_ID_CHARS = re.compile(r"[A-Za-z0-9_.\-]+")


def _id_spans(text: str, ids: Mapping[str, Any] | set) -> list[tuple[int, int, str]]:
    """Where ids occur in ``text`` as whole tokens (split at anything but letters, digits,
    ``_ . -``; inside a token, at ``-`` and ``.`` too, as in ``association:P001-P002``)."""
    spans = []
    for m in _ID_CHARS.finditer(text):
        tok, base = m.group(), m.start()
        if tok in ids:
            spans.append((base, base + len(tok), tok))
            continue
        cuts = [0] + [i + 1 for i, ch in enumerate(tok) if ch in "-."]
        ends = [i for i, ch in enumerate(tok) if ch in "-."] + [len(tok)]
        i = 0
        while i < len(cuts):
            hit = None
            for e in reversed(ends):  # the longest id starting here
                if e > cuts[i] and tok[cuts[i]:e] in ids:
                    hit = e
                    break
            if hit is None:
                i += 1
                continue
            spans.append((base + cuts[i], base + hit, tok[cuts[i]:hit]))
            while i < len(cuts) and cuts[i] <= hit:
                i += 1
    return spans


def person_ids_in(data: Any, known: set[str]) -> set[str]:
    """Every id in ``known`` that appears anywhere in ``data`` (keys, values, inside text)."""
    found: set[str] = set()
    seen: set[str] = set()  # each distinct string scanned once (keys and values repeat by the thousand)

    def walk(x: Any) -> None:
        if isinstance(x, str):
            if x not in seen:
                seen.add(x)
                found.update(tok for _, _, tok in _id_spans(x, known))
        elif isinstance(x, Mapping):
            for k, v in x.items():
                walk(k)
                walk(v)
        elif isinstance(x, (list, tuple, set, frozenset)):
            for v in x:
                walk(v)
        elif isinstance(x, pd.DataFrame):
            for v in x.astype(str).to_numpy().ravel():
                walk(v)

    walk(data)
    return found


def family_labels(people: pd.DataFrame, ids: Iterable[str], subjects: Iterable[str] = ()) -> dict[str, str]:
    """Stable role labels ("Young person A", "Adult of concern B", ...) for everyone in ``ids``
    but the ``subjects``, lettered in id order (the same as :func:`apply_level`)."""
    roles = dict(zip(people["person_id"], people["role"])) if len(people) else {}
    others = sorted(set(ids) - set(subjects))
    return {pid: f"{_ROLE_LABELS.get(roles.get(pid, ''), 'Person')} {_label(i)}" for i, pid in enumerate(others)}


def relabel(data: Any, labels: Mapping[str, str], *, named: Mapping[str, str] | None = None) -> Any:
    """A copy of ``data`` (nested dicts, lists, strings) with every person id in ``labels``
    replaced by its label wherever it appears, and, in any dict about such a person (its
    ``person_id``), names, dates of birth and flags blanked; free text is withheld throughout.
    ``named`` maps the subjects' ids to the names the family knows them by (kept in full)."""
    swaps = {**(named or {}), **labels}
    hidden = set(access.fields("date_of_birth")) | set(access.fields("flags"))
    names = set(access.fields("name"))
    text_keys = set(access.fields("free_text"))

    done: dict[str, str] = {}  # each distinct string relabelled once (keys and values repeat)

    def text(s: str) -> str:
        if s in done:
            return done[s]
        spans = _id_spans(s, swaps) if swaps else []
        out, at = [], 0
        for a, b, tok in spans:
            out += [s[at:a], swaps[tok]]
            at = b
        done[s] = new = "".join(out) + s[at:] if spans else s
        return new

    def walk(x: Any) -> Any:
        if isinstance(x, str):
            return text(x)
        if isinstance(x, Mapping):
            other = isinstance(x.get("person_id"), str) and x["person_id"] in labels
            out = {}
            for k, v in x.items():
                key = walk(k) if isinstance(k, str) else k
                if k in text_keys and v not in (None, "", "{}"):
                    out[key] = WITHHELD_TEXT
                elif other and k in hidden:
                    out[key] = ""
                elif other and k in names:
                    out[key] = labels[x["person_id"]] if k in ("forename", "full_name", "display_name",
                                                               "person_name") else ""
                else:
                    out[key] = walk(v)
            return out
        if isinstance(x, (list, tuple)):
            return type(x)(walk(v) for v in x)
        if isinstance(x, (set, frozenset)):
            return type(x)(walk(v) for v in x)
        if isinstance(x, pd.DataFrame):
            return x.map(walk)
        return x

    return walk(data)
