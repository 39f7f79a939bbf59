"""neo4j-admin import files give the same graph the Neo4j engine builds transactionally.

No Neo4j server (so no ``neo4j-admin``) runs here. The check is a fixed point on a real graph
engine: the demo borough is loaded into the Neo4j engine on embedded FalkorDB, the import files
are exported from that store, read back by the importer's documented rules (header
``name:ID(Space)``, ``:START_ID``/``:END_ID``, ``name:int``, quoted "" = empty string, unquoted
empty = no property) and compared with every node and relationship in the graph, property by
property.
"""

from __future__ import annotations

import json
import re
import shlex
from collections import Counter
from pathlib import Path

import pytest

from graphmap.store.graph_model import load_model
from tests.conftest import DEMO, make_store

_HEADER = re.compile(r"^(?P<name>[^:]*)(?::(?P<kind>ID|START_ID|END_ID|int|string))?(?:\((?P<space>\w+)\))?$")


def _csv_rows(text: str) -> list[list[str | None]]:
    """RFC 4180 rows where an unquoted empty field is ``None`` (the importer stores no
    property) and a quoted ``""`` is the empty string (Python's csv cannot tell them apart)."""
    rows, row, field, quoted, i, n = [], [], [], False, 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' and not field and not quoted:
            quoted, i = True, i + 1
            while True:  # inside quotes: "" is a quote, a lone " ends the field
                j = text.index('"', i)
                field.append(text[i:j])
                if text[j + 1:j + 2] == '"':
                    field.append('"')
                    i = j + 2
                else:
                    i = j + 1
                    break
            continue
        if c in ",\n":
            row.append("".join(field) if (field or quoted) else None)
            field, quoted = [], False
            if c == "\n":
                rows.append(row)
                row = []
        else:
            field.append(c)
        i += 1
    assert not row and not field, "file does not end with a line break"
    return rows


def _read_import_file(path: Path):
    """Rows as (id fields, properties) by neo4j-admin's rules for the header forms we write."""
    rows = _csv_rows(path.read_text(encoding="utf-8"))
    header = [_HEADER.match(h).groupdict() for h in rows[0]]
    assert all(header), path.name
    for row in rows[1:]:
        ids, props = {}, {}
        for h, v in zip(header, row, strict=True):
            if v is None:
                continue
            if h["kind"] in ("ID", "START_ID", "END_ID"):
                ids[h["kind"]] = (h["space"], v)
                if h["kind"] == "ID" and h["name"]:
                    props[h["name"]] = v  # a named ID is also stored as that property
            else:
                props[h["name"]] = int(v) if h["kind"] == "int" else v
        yield ids, props


def _graph_from_import(folder: Path):
    args = shlex.split((folder / "import.sh").read_text().replace("\\\n", " ").split("set -e\n", 1)[1])
    assert args[:5] == ["neo4j-admin", "database", "import", "full", "graphmap"]
    nodes, rels = {}, Counter()
    for a in args:
        if a.startswith("--nodes="):
            label, name = a[len("--nodes="):].split("=")
            for ids, props in _read_import_file(folder / name):
                space, key = ids["ID"]
                assert space == label
                assert (label, key) not in nodes, f"duplicate node {label} {key}"
                nodes[(label, key)] = props
    for a in args:
        if a.startswith("--relationships="):
            rtype, name = a[len("--relationships="):].split("=")
            for ids, props in _read_import_file(folder / name):
                assert ids["START_ID"] in nodes and ids["END_ID"] in nodes, f"{name}: dangling end {ids}"
                rels[(rtype, ids["START_ID"], ids["END_ID"], json.dumps(props, sort_keys=True))] += 1
    return nodes, rels


def _graph_from_engine(store):
    model = load_model()
    keys = {m.label: m.key for m in model.records.values() if hasattr(m, "label")}
    keys[model.loads.label] = model.loads.key
    nodes, rels = {}, Counter()
    for r in store._read("MATCH (n) RETURN labels(n) AS l, properties(n) AS p"):
        (label,) = r["l"]
        if label in keys:  # the audit chain and write marks stay with their store
            nodes[(label, r["p"][keys[label]])] = r["p"]
    for r in store._read("MATCH (a)-[r]->(b) RETURN type(r) AS t, labels(a) AS la, properties(a) AS pa, "
                         "labels(b) AS lb, properties(b) AS pb, properties(r) AS p"):
        (la,), (lb,) = r["la"], r["lb"]
        if la in keys and lb in keys:
            rels[(r["t"], (la, r["pa"][keys[la]]), (lb, r["pb"][keys[lb]]),
                  json.dumps(r["p"], sort_keys=True))] += 1
    return nodes, rels


def test_import_files_rebuild_the_engines_graph(tmp_path, request):
    store = make_store("falkordb", tmp_path, request)
    store.load(sorted(DEMO.glob("*.csv")))
    files = store.export(tmp_path / "import", reason="test: bulk import files", fmt="neo4j-admin")
    assert {p.name for p in files} >= {"people.csv", "involvements.csv", "incidents__location_id.csv", "import.sh"}

    want_nodes, want_rels = _graph_from_engine(store)
    got_nodes, got_rels = _graph_from_import(tmp_path / "import")
    assert Counter(k[0] for k in got_nodes) == Counter(k[0] for k in want_nodes)
    assert got_nodes == want_nodes
    assert sum(got_rels.values()) == sum(want_rels.values()) > 10
    assert got_rels == want_rels
    # The export is audited with its format.
    entries = store.audit_entries({"action": "export"})
    assert len(entries) == 1 and "neo4j-admin" in entries.iloc[-1].to_json()


def test_awkward_values_survive_exactly(tmp_path):
    """Quotes, commas, line breaks, backslashes, leading '=' and empty strings are written
    exactly (not formula-neutralised: these files feed the database, not a spreadsheet)."""
    from graphmap.store import open_store
    from graphmap.store.neo4j_import import write_import_files

    s = open_store(tmp_path / "g.db")
    s.load(sorted(DEMO.glob("*.csv")))
    people = s.table("people").copy()
    odd = 'O"Brien, =HYPERLINK("x")\nline two \\ end'
    people.loc[0, "forename"] = odd
    people.loc[0, "surname"] = ""
    plan = write_import_files({"people": people}, tmp_path / "out")
    nodes = {ids["ID"][1]: p for ids, p in _read_import_file(tmp_path / "out" / "people.csv")}
    first = nodes[people.loc[0, "person_id"]]
    assert first["forename"] == odd and first["surname"] == ""
    assert plan.rows["people.csv"] == len(people) == len(nodes)
    assert plan.command()[4] == "graphmap"


def test_cli_export_format(tmp_path):
    from click.testing import CliRunner

    from graphmap.cli import cli

    db = tmp_path / "g.db"
    r = CliRunner().invoke(cli, ["load", str(DEMO), "--db", str(db)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["export", "--db", str(db), "--out", str(tmp_path / "imp"),
                                 "--format", "neo4j-admin", "--reason", "bulk import to the county's Neo4j"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "imp" / "import.sh").exists()
    people = sum(1 for _ in _read_import_file(tmp_path / "imp" / "people.csv"))
    from graphmap.store import open_store

    with open_store(db) as s:
        assert people == s.counts()["people"]
    r = CliRunner().invoke(cli, ["export", "--db", str(db), "--out", str(tmp_path / "x"), "--format", "parquet",
                                 "--reason", "r"])
    assert r.exit_code != 0 and "parquet" in r.output


@pytest.mark.parametrize("fmt", ["canonical", "neo4j-admin"])
def test_export_formats_checked_in_library(tmp_path, fmt):
    from graphmap.store import open_store

    with open_store(tmp_path / "g.db") as s:
        with pytest.raises(ValueError, match="export format"):
            s.export(tmp_path / "o", reason="r", fmt=fmt + "x")
