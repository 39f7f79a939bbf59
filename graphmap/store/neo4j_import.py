"""Files for ``neo4j-admin database import``: the first load of a region into Neo4j.

Transactional ``UNWIND ... MERGE`` loads (:mod:`graphmap.store.neo4j`) suit the weekly deltas;
the first load of a force area or region (millions of rows) is faster through Neo4j's offline
bulk importer, which writes the store files directly into an empty database [1]_. This module
turns store tables into importer CSVs that give **the same graph** the Neo4j engine builds
(labels, relationship types and property keys from ``schema/neo4j/model.yaml``; every value
the same string; ``docs/scaling.md`` section 4 has the whole route):

- one node file per node record: ``<key>:ID(<Label>)`` then every other stored column, so the
  key is also kept as the property the engine matches on;
- one relationship file per link column of a node record (an incident ``AT`` its location),
  rows only where the column is filled, as the engine does;
- one relationship file per link record (``INVOLVED_IN``...) with ``:START_ID(<Label>)`` /
  ``:END_ID(<Label>)`` and every other stored column;
- the load history as ``Load`` nodes (counts typed ``:int``, as the engine stores them);
- ``import.sh``: the ``neo4j-admin`` command line for these files.

Every field is quoted, so an empty value stays the empty string ``""`` the engine stores (the
importer reads an *unquoted* empty field as no property [1]_), and ``--multiline-fields=true``
is set because summaries may hold line breaks. Values are written exactly: these files go into
the database, not a spreadsheet, so they are **not** formula-neutralised as canonical exports
are (a leading apostrophe would be stored as part of the record). The folder holds children's
data: it is written only through :meth:`Store.export`, which checks the role and audits.

The audit log and the write marks used to skip unchanged files stay with the store they belong
to: the new database starts its own audit chain, and the first ordinary load after the import
writes every file once.

References
----------
.. [1] Neo4j Operations Manual, "Import" and "Full import", https://neo4j.com/docs/operations-manual/current/import/
"""

from __future__ import annotations

import csv
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pandas as pd

from ..safe import atomic_write
from .graph_model import GraphModel, NodeMap, RelMap, load_model


@dataclass
class ImportPlan:
    """What was written: ``nodes`` and ``relationships`` map a file to its label / type."""

    out_dir: Path
    nodes: dict[str, str] = field(default_factory=dict)
    relationships: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    script: Path | None = None

    def command(self, database: str = "graphmap") -> list[str]:
        """The ``neo4j-admin`` argument list (database name first, as Neo4j 5.19+ requires)."""
        args = ["neo4j-admin", "database", "import", "full", database, "--multiline-fields=true",
                "--id-type=string"]
        args += [f"--nodes={label}={name}" for name, label in self.nodes.items()]
        args += [f"--relationships={rtype}={name}" for name, rtype in self.relationships.items()]
        return args

    @property
    def files(self) -> list[Path]:
        return [self.out_dir / n for n in (*self.nodes, *self.relationships)]


def _write(path: Path, header: list[str], frame: pd.DataFrame) -> int:
    with atomic_write(path) as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(header)
        w.writerows(frame.itertuples(index=False, name=None))
    return len(frame)


def _node_file(m: NodeMap, df: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    cols = [m.key] + [c for c in m.properties if c != m.key]
    return [f"{m.key}:ID({m.label})"] + cols[1:], df[cols]


def _loads_file(m: NodeMap, df: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    header = []
    for c in m.columns:
        typed = pd.api.types.is_integer_dtype(df[c])
        header.append(f"{c}:ID({m.label})" if c == m.key else (f"{c}:int" if typed else c))
    return header, df[list(m.columns)]


def write_import_files(tables: Mapping[str, pd.DataFrame], out_dir: str | Path, *,
                       loads: pd.DataFrame | None = None, model: GraphModel | None = None,
                       database: str = "graphmap") -> ImportPlan:
    """Write ``neo4j-admin database import`` files for store tables.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Record type -> rows in stored columns (``Store.tables()``, after any role redaction).
    out_dir : path
        Folder to write (created); files are written atomically.
    loads : DataFrame, optional
        The store's load history (``Store.loads()``), written as ``Load`` nodes.
    model : GraphModel, optional
        Defaults to ``schema/neo4j/model.yaml``.
    database : str
        The database name put in ``import.sh``.

    Returns
    -------
    ImportPlan
        Files with their labels / types and row counts; ``plan.command()`` is the command line.
    """
    model = model or load_model()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan = ImportPlan(out)
    for name, m in model.records.items():
        df = tables.get(name)
        if df is None or not len(df):
            continue
        if isinstance(m, NodeMap):
            header, frame = _node_file(m, df)
            plan.rows[f"{name}.csv"] = _write(out / f"{name}.csv", header, frame)
            plan.nodes[f"{name}.csv"] = m.label
            for lk in m.links:
                linked = df[df[lk.column] != ""]
                if not len(linked):
                    continue
                fname = f"{name}__{lk.column}.csv"
                plan.rows[fname] = _write(out / fname, [f":START_ID({m.label})", f":END_ID({lk.target_label})"],
                                          linked[[m.key, lk.column]])
                plan.relationships[fname] = lk.type
        else:
            assert isinstance(m, RelMap)
            src, tgt = model.node(m.source_record), model.node(m.target_record)
            header = [f":START_ID({src.label})", f":END_ID({tgt.label})", *m.properties]
            plan.rows[f"{name}.csv"] = _write(out / f"{name}.csv", header, df[[m.source, m.target, *m.properties]])
            plan.relationships[f"{name}.csv"] = m.type
    if loads is not None and len(loads):
        header, frame = _loads_file(model.loads, loads)
        plan.rows["loads.csv"] = _write(out / "loads.csv", header, frame)
        plan.nodes["loads.csv"] = model.loads.label
    plan.script = out / "import.sh"
    with atomic_write(plan.script) as fh:
        fh.write("#!/bin/sh\n# Run from this folder on the Neo4j server, database stopped and empty; then\n"
                 "# apply schema/neo4j/constraints.cypher (see docs/scaling.md section 4).\nset -e\n")
        fh.write(" \\\n  ".join(shlex.quote(a) for a in plan.command(database)) + "\n")
    return plan
