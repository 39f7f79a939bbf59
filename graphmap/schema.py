"""The schema: vocabularies, canonical record definitions and settings, read from ``schema/``.

Everything a partnership may want to change (types, roles, kinds, bounds, weights) is data in
``schema/*.yaml``; this module loads it once, checks it hangs together, and offers the typed
views the loaders and analyses use. Nothing else reads the YAML files directly.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: Where the settings live. ``$GRAPHMAP_SCHEMA`` points a partnership at its own copy.
SCHEMA_DIR = Path(os.environ.get("GRAPHMAP_SCHEMA", Path(__file__).resolve().parent.parent / "schema"))

#: Column types a record definition may use (besides ``vocab:<name>`` and ``ref:<record>``).
BASE_TYPES = {"str", "date", "plan_date", "datetime", "float", "latitude", "longitude", "grading", "flags", "postcode"}

#: Provenance columns every stored node and link carries (empty when not given).
PROVENANCE = ("source", "source_ref", "recorded", "fact_or_opinion")


class SchemaError(ValueError):
    """The settings in ``schema/`` are inconsistent; the message names the file and key."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    optional: bool = False  # an understood column that may be absent from the header

    @property
    def vocab(self) -> str | None:
        return self.type.split(":", 1)[1] if self.type.startswith("vocab:") else None

    @property
    def ref(self) -> str | None:
        return self.type.split(":", 1)[1] if self.type.startswith("ref:") else None


@dataclass(frozen=True)
class RecordSpec:
    """One canonical record type: its file name, key and columns."""

    name: str
    file: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    header: tuple[str, ...] = field(default=())  # the required header, in contract order
    append_only: bool = False  # history: a stored row is never changed (see records.protect_history)
    one_of: tuple[tuple[str, ...], ...] = ()  # groups of columns of which a row must give at least one

    @property
    def all_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def is_node(self) -> bool:
        return len(self.key) == 1 and self.key[0].endswith("_id") and self.key[0] == self.columns[0].name


def read_yaml(path: str | Path, *, missing: str = "settings file not found",
              error: type[Exception] = SchemaError) -> Any:
    """Read one YAML file; a missing file or bad YAML is one ``error`` naming the file (and the
    line and column of a syntax error). ``path`` relative and not found here is looked for in
    ``schema/``. The one YAML reader of settings, frameworks, cohorts, mappings and assessments.
    """
    path = Path(path)
    if not path.is_absolute() and not path.exists() and (SCHEMA_DIR / path).exists():
        path = SCHEMA_DIR / path
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError as exc:
        raise error(f"{path}: {missing}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{path}:{where} not valid YAML: {problem}") from exc


def _read_yaml(name: str) -> Any:
    return read_yaml(SCHEMA_DIR / name)


@functools.cache
def vocabularies() -> dict[str, dict[str, str]]:
    """Every controlled vocabulary: ``{name: {value: description}}``."""
    data = _read_yaml("vocabularies.yaml")
    if not isinstance(data, dict):
        raise SchemaError(f"{SCHEMA_DIR / 'vocabularies.yaml'}: expected a mapping of vocabularies")
    out: dict[str, dict[str, str]] = {}
    for name, values in data.items():
        if not isinstance(values, dict) or not values:
            raise SchemaError(f"{SCHEMA_DIR / 'vocabularies.yaml'}: {name}: expected a non-empty mapping")
        out[str(name)] = {str(k): str(v) for k, v in values.items()}
    return out


def vocabulary(name: str) -> dict[str, str]:
    try:
        return vocabularies()[name]
    except KeyError as exc:
        raise SchemaError(f"unknown vocabulary {name!r}") from exc


@functools.cache
def record_specs() -> dict[str, RecordSpec]:
    """The canonical record types, in load order (nodes before the links that name them)."""
    data = _read_yaml("records.yaml")
    path = SCHEMA_DIR / "records.yaml"
    vocabs = vocabularies()
    specs: dict[str, RecordSpec] = {}
    for name, body in data.items():
        cols = []
        for section, optional in (("columns", False), ("optional", True)):
            for cname, cdef in (body.get(section) or {}).items():
                ctype = str(cdef.get("type", "str"))
                if ctype.startswith("vocab:"):
                    if ctype[6:] not in vocabs:
                        raise SchemaError(f"{path}: {name}.{cname}: unknown vocabulary {ctype[6:]!r}")
                elif ctype.startswith("ref:"):
                    if ctype[4:] not in data:
                        raise SchemaError(f"{path}: {name}.{cname}: unknown record {ctype[4:]!r}")
                elif ctype not in BASE_TYPES:
                    raise SchemaError(f"{path}: {name}.{cname}: unknown type {ctype!r}")
                cols.append(Column(cname, ctype, bool(cdef.get("required", False)), optional))
        key = tuple(body["key"])
        names = {c.name for c in cols}
        if not set(key) <= names:
            raise SchemaError(f"{path}: {name}: key {key} names columns that are not defined")
        header = tuple(c.name for c in cols if not c.optional)
        one_of = tuple(tuple(str(c) for c in group) for group in body.get("one_of", []))
        for group in one_of:
            if not set(group) <= names:
                raise SchemaError(f"{path}: {name}: one_of {list(group)} names columns that are not defined")
        specs[name] = RecordSpec(name, body["file"], key, tuple(cols), header,
                                 append_only=bool(body.get("append_only", False)), one_of=one_of)
    return specs


@functools.cache
def settings() -> dict[str, Any]:
    """Partnership settings from ``schema/settings.yaml``."""
    data = _read_yaml("settings.yaml")
    if not isinstance(data, dict):
        raise SchemaError(f"{SCHEMA_DIR / 'settings.yaml'}: expected a mapping")
    return data


@functools.cache
def roles_file() -> dict[str, Any]:
    """Roles, redaction levels and sign-in rules from ``schema/roles.yaml`` (see graphmap.access)."""
    data = _read_yaml("roles.yaml")
    if not isinstance(data, dict) or not isinstance(data.get("roles"), dict) or not data["roles"]:
        raise SchemaError(f"{SCHEMA_DIR / 'roles.yaml'}: expected a mapping with a non-empty 'roles' section")
    return data


def setting(path: str, default: Any = None) -> Any:
    """One setting by dotted path, e.g. ``setting("analysis.window_days")``."""
    node: Any = settings()
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            if default is not None:
                return default
            raise SchemaError(f"{SCHEMA_DIR / 'settings.yaml'}: missing setting {path!r}")
        node = node[part]
    return node


@functools.cache
def settings_file(name: str) -> Any:
    """Another settings file of ``schema/`` by name (e.g. ``"place_actions.yaml"``), parsed."""
    return _read_yaml(name)


# --- 3x5x2 intelligence grading -------------------------------------------------------------
# Source evaluation 1-3, intelligence assessment A-E, handling code P or C (see docs/domain.md).
_GRADING = re.compile(r"^\s*([123])\s*([A-Ea-e])\s*[-/ ]?\s*([PCpc])\s*$")


def parse_grading(text: str) -> str:
    """Return the canonical form (``"2B P"``) of a 3x5x2 grading, or raise ``ValueError``.

    >>> parse_grading("2b p")
    '2B P'
    """
    m = _GRADING.match(text)
    if not m:
        raise ValueError("not a 3x5x2 grading (source 1-3, assessment A-E, handling P or C, e.g. '2B P')")
    return f"{m.group(1)}{m.group(2).upper()} {m.group(3).upper()}"
