"""The graph model: how each canonical record type is stored in a property graph.

Read from ``schema/neo4j/model.yaml`` (data, not code) and checked against
``schema/records.yaml``: every record type must be mapped, every label, relationship type and
property key must be a plain identifier, and every relationship's ends must be nodes. The
Neo4j engine builds its Cypher only from what this module returns, so nothing that reaches a
statement as text ever comes from input.

>>> m = load_model()
>>> m.records["people"].label, m.records["involvements"].type
('Person', 'INVOLVED_IN')
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Mapping

from .. import records, schema
from ..schema import RecordSpec, SchemaError

MODEL_FILE = "neo4j/model.yaml"
CONSTRAINTS_FILE = "neo4j/constraints.cypher"

#: Labels, relationship types and property keys: letters, digits and underscores only.
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class ModelError(SchemaError):
    """``schema/neo4j/model.yaml`` does not fit ``schema/records.yaml``; the message says how."""


def ident(name: Any, where: str = MODEL_FILE) -> str:
    """Return ``name`` if it is a safe Cypher identifier, else raise :class:`ModelError`.

    >>> ident("Person")
    'Person'
    >>> ident("Person`) DETACH DELETE n //")
    Traceback (most recent call last):
    ...
    graphmap.store.graph_model.ModelError: schema/neo4j/model.yaml: 'Person`) DETACH DELETE n //' is not a plain identifier (letters, digits, _)
    """
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        raise ModelError(f"schema/{where}: {name!r} is not a plain identifier (letters, digits, _)")
    return name


@dataclass(frozen=True)
class Link:
    """A node record's reference column stored as a relationship (incident -AT-> location)."""

    column: str
    type: str
    target: str  # the record type of the target node
    target_label: str = ""
    target_key: str = ""


@dataclass(frozen=True)
class NodeMap:
    record: str
    label: str
    key: str
    properties: tuple[str, ...]  # stored as node properties (not the link columns)
    links: tuple[Link, ...]
    columns: tuple[str, ...]  # the record's stored columns, in order


@dataclass(frozen=True)
class RelMap:
    record: str
    type: str
    source: str  # the `from` column
    target: str  # the `to` column
    source_record: str
    target_record: str
    key: tuple[str, ...]  # identity of the relationship between its two nodes
    properties: tuple[str, ...]  # every other stored column
    columns: tuple[str, ...]


@dataclass(frozen=True)
class GraphModel:
    records: dict[str, NodeMap | RelMap]
    loads: NodeMap

    def node(self, record: str) -> NodeMap:
        m = self.records[record]
        if not isinstance(m, NodeMap):
            raise ModelError(f"{MODEL_FILE}: {record} is a relationship, not a node")
        return m


def build_model(data: Mapping[str, Any], specs: Mapping[str, RecordSpec]) -> GraphModel:
    """Check the model data against the record definitions and return the typed model.

    Raises
    ------
    ModelError
        Naming the record type and what is wrong, e.g. a record type with no mapping.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("records"), Mapping):
        raise ModelError(f"schema/{MODEL_FILE}: expected a `records:` mapping")
    mapped = data["records"]
    missing = [name for name in specs if name not in mapped]
    if missing:
        raise ModelError(f"schema/{MODEL_FILE}: no graph mapping for record type(s) {', '.join(missing)} "
                         f"(add a `node:` or `relationship:` entry under `records:`)")
    unknown = [name for name in mapped if name not in specs]
    if unknown:
        raise ModelError(f"schema/{MODEL_FILE}: {', '.join(map(str, unknown))} not in records.yaml")
    out: dict[str, NodeMap | RelMap] = {}
    # Nodes first, so relationships can name their ends' records.
    for name, spec in specs.items():
        body = mapped[name] or {}
        cols = tuple(ident(c) for c in records.stored_columns(spec))
        if "node" in body:
            if len(spec.key) != 1:
                raise ModelError(f"schema/{MODEL_FILE}: {name}: a node needs a single-column key, "
                                 f"records.yaml has {list(spec.key)}")
            links = []
            for col, ldef in (body.get("links") or {}).items():
                ref = spec.column(col).ref if col in spec.all_columns else None
                if not ref:
                    raise ModelError(f"schema/{MODEL_FILE}: {name}.links.{col}: not a ref: column of {name}")
                links.append(Link(ident(col), ident((ldef or {}).get("relationship")), ref))
            link_cols = {lk.column for lk in links}
            out[name] = NodeMap(name, ident(body["node"]), ident(spec.key[0]),
                                tuple(c for c in cols if c not in link_cols), tuple(links), cols)
        elif "relationship" not in body:
            raise ModelError(f"schema/{MODEL_FILE}: {name}: needs `node:` or `relationship:`")
    for name, m in list(out.items()):  # link targets must be nodes too
        links = []
        for lk in m.links:
            t = out.get(lk.target)
            if not isinstance(t, NodeMap):
                raise ModelError(f"schema/{MODEL_FILE}: {name}.links.{lk.column}: {lk.target} is not a node")
            links.append(Link(lk.column, lk.type, lk.target, t.label, t.key))
        out[name] = NodeMap(m.record, m.label, m.key, m.properties, tuple(links), m.columns)
    for name, spec in specs.items():
        body = mapped[name] or {}
        if "node" in body:
            continue
        ends = []
        for end in ("from", "to"):
            col = body.get(end)
            ref = spec.column(col).ref if col in spec.all_columns else None
            if not ref or not isinstance(out.get(ref), NodeMap):
                raise ModelError(f"schema/{MODEL_FILE}: {name}.{end}: {col!r} must be a ref: column naming a node record")
            ends.append((ident(col), ref))
        key = tuple(ident(k) for k in body.get("key") or ())
        rest = set(spec.key) - {ends[0][0], ends[1][0]}
        if set(key) != rest:
            raise ModelError(f"schema/{MODEL_FILE}: {name}.key: must be the records.yaml key without its "
                             f"ends, i.e. {sorted(rest)}")
        cols = tuple(ident(c) for c in records.stored_columns(spec))
        out[name] = RelMap(name, ident(body["relationship"]), ends[0][0], ends[1][0], ends[0][1], ends[1][1],
                           key, tuple(c for c in cols if c not in (ends[0][0], ends[1][0])), cols)
    lbody = data.get("loads") or {}
    lcols = tuple(ident(c) for c in lbody.get("columns") or ())
    loads = NodeMap("loads", ident(lbody.get("node")), ident(lbody.get("key")), lcols, (), lcols)
    names = [m.label if isinstance(m, NodeMap) else m.type for m in out.values()] + [loads.label]
    names += [lk.type for m in out.values() if isinstance(m, NodeMap) for lk in m.links]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ModelError(f"schema/{MODEL_FILE}: each label / relationship type maps one record type; "
                         f"used more than once: {sorted(dupes)}")
    return GraphModel(out, loads)


@functools.cache
def load_model() -> GraphModel:
    """The graph model from ``schema/neo4j/model.yaml``, checked against ``records.yaml``."""
    return build_model(schema._read_yaml(MODEL_FILE), schema.record_specs())


@dataclass(frozen=True)
class SchemaRule:
    """One line of ``constraints.cypher``: a uniqueness constraint or an index on one property."""

    name: str
    label: str
    property: str
    unique: bool


_CONSTRAINT = re.compile(r"^CREATE CONSTRAINT (\w+) IF NOT EXISTS FOR \(n:(\w+)\) REQUIRE n\.(\w+) IS UNIQUE$")
_INDEX = re.compile(r"^CREATE INDEX (\w+) IF NOT EXISTS FOR \(n:(\w+)\) ON \(n\.(\w+)\)$")


@functools.cache
def schema_rules() -> tuple[SchemaRule, ...]:
    """The constraints and indexes in ``schema/neo4j/constraints.cypher``.

    Only the two single-property forms are accepted, so the file stays data the engine can
    also apply on FalkorDB (which has no ``CREATE CONSTRAINT``).
    """
    path = schema.SCHEMA_DIR / CONSTRAINTS_FILE
    rules = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        m = _CONSTRAINT.match(line) or _INDEX.match(line)
        if not m:
            raise ModelError(f"{path}:{n}: expected `CREATE CONSTRAINT name IF NOT EXISTS FOR (n:Label) "
                             f"REQUIRE n.prop IS UNIQUE` or `CREATE INDEX name IF NOT EXISTS FOR (n:Label) ON (n.prop)`")
        rules.append(SchemaRule(*(ident(g, CONSTRAINTS_FILE) for g in m.groups()), unique=m.re is _CONSTRAINT))
    return tuple(rules)
