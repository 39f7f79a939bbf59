"""The store interface every engine implements, and the workflow they share.

An engine implements a handful of small methods (write a batch in one transaction, read a
table, look up ids, count, delete by source, fetch the links touching some people); the
workflow built on them (loading files, the N-hop subgraph, info) lives here once, so the
engines cannot drift apart. The contract tests in ``tests/test_store_contract.py`` run every
behaviour on every engine.
"""

from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable

import pandas as pd

from .. import audit, records, schema
from ..records import Batch


@dataclass
class LoadResult:
    """What one load did."""

    batch: Batch
    load_id: str = ""
    written: dict[str, int] = field(default_factory=dict)

    @property
    def rejected_rows(self) -> int:
        return sum(f.rejected for f in self.batch.files)

    @property
    def loaded_rows(self) -> int:
        return sum(f.loaded for f in self.batch.files)


@dataclass
class Subgraph:
    """The people within N hops of a person in a time window, and the records linking them."""

    people: pd.DataFrame
    incidents: pd.DataFrame
    involvements: pd.DataFrame
    associations: pd.DataFrame
    hops: dict[str, int]  # person_id -> hops from the centre

    @property
    def person_ids(self) -> set[str]:
        return set(self.hops)


def window_bounds(start: date | str | None, end: date | str | None) -> tuple[str, str]:
    """ISO strings for a window, inclusive at both ends ("" means open)."""
    s = "" if start is None else str(start)[:10]
    e = "" if end is None else str(end)[:10] + "T23:59:59"
    return s, e


#: What ``Store.export`` writes: the canonical CSVs, or files for ``neo4j-admin database import``.
EXPORT_FORMATS = ("canonical", "neo4j-admin")


def window_columns(record: str, columns=None) -> list[str]:
    """The stored columns of ``record`` (incidents or involvements) a window read returns:
    all, or ``columns[record]`` plus what the read itself needs (keys, ``start``, ``role``), in
    stored order."""
    spec = schema.record_specs()[record]
    stored = records.stored_columns(spec)
    if not columns or record not in columns:
        return stored
    wanted = set(columns[record]) | set(spec.key) | {"incident_id", "start", "role"}
    unknown = set(columns[record]) - set(stored)
    if unknown:
        raise ValueError(f"window_records: {record} has no column(s) {sorted(unknown)}")
    return [c for c in stored if c in wanted]


def incident_starts(involvements: pd.DataFrame, incidents: pd.DataFrame, exclude_roles=()) -> pd.DataFrame:
    """``person_id, start`` for every involvement in ``incidents`` with a role outside
    ``exclude_roles``: what each person's first incident is the minimum of."""
    kept = involvements.loc[~involvements["role"].isin(set(exclude_roles)), ["incident_id", "person_id"]]
    return kept.merge(incidents[["incident_id", "start"]], on="incident_id")[["person_id", "start"]]


class Store(ABC):
    """A graphmap store. Open one with :func:`graphmap.store.open_store`."""

    url: str
    engine: str

    # --- what an engine implements ---------------------------------------------------------
    @abstractmethod
    def write(self, batch: Batch, load_meta: dict) -> dict[str, int]:
        """Upsert every table of ``batch`` in ONE transaction; return rows written per table.

        If anything fails the store must be exactly as it was before the call.
        """

    @abstractmethod
    def table(self, record: str) -> pd.DataFrame:
        """Every stored row of a record type, columns as :func:`records.stored_columns`."""

    @abstractmethod
    def existing_ids(self, record: str, ids: set[str]) -> set[str]:
        """The subset of ``ids`` (values of the record's single-column key) already stored."""

    @abstractmethod
    def get(self, record: str, ids: set[str]) -> pd.DataFrame:
        """Stored rows of a node record type whose id is in ``ids``."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Rows per record type."""

    @abstractmethod
    def delete_source(self, source: str) -> dict[str, int]:
        """Delete every record and link from ``source`` (and links left dangling); one transaction."""

    @abstractmethod
    def links_touching(self, person_ids: set[str], start: str, end: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Associations active in the window with an end in ``person_ids``, and the involvements
        (all people) of incidents in the window that involve any of ``person_ids``.

        ``start`` / ``end`` are ISO strings from :func:`window_bounds` ("" = open).
        """

    @abstractmethod
    def loads(self) -> pd.DataFrame:
        """The load history: load_id, loaded_at, files, rows, rejected."""

    @abstractmethod
    def close(self) -> None: ...

    def window_records(self, start_iso: str, end_iso: str, *, exclude_roles: Iterable[str] = (),
                       first: bool = True, columns: dict[str, Iterable[str]] | None = None,
                       ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series | None]:
        """The incidents that start in a window, their involvements, and first incidents.

        Returns ``(incidents, involvements, first_start)``: incidents whose ``start[:19]`` is
        within ``start_iso`` .. ``end_iso`` (all columns, by id); every involvement of those
        incidents (all columns, by key); and, per person, the earliest ``start`` of an incident
        up to ``end_iso`` (any age) on which they have a role outside ``exclude_roles``
        (``None`` when ``first`` is false: it reads every involvement ever recorded).
        ``columns`` (``{"incidents": [...], "involvements": [...]}``) returns only those
        columns (with the keys, ``start`` and ``role``): free text and provenance a caller does
        not read are then not turned into Python strings (a third of a borough's read).

        This default reads whole tables; an engine overrides it to let its own query engine do
        the cutting (a region's five years of incidents is gigabytes as DataFrames).
        """
        inc = self.table("incidents")
        w = inc["start"].astype(str).str[:19]
        incidents = inc[(w != "") & (w >= start_iso) & (w <= end_iso)].reset_index(drop=True)
        inv = self.table("involvements")
        involvements = inv[inv["incident_id"].isin(incidents["incident_id"])].reset_index(drop=True)
        first = None if not first else incident_starts(inv, inc[w <= end_iso], exclude_roles).groupby(
            "person_id")["start"].min()
        return (incidents[window_columns("incidents", columns)], involvements[window_columns("involvements", columns)],
                first)

    # --- governance: audit log, store metadata, purge (see graphmap/audit.py, retention.py) ---
    @abstractmethod
    def append_audit(self, entry: dict) -> dict:
        """Append one audit entry (from :func:`audit.new_entry`) and return it sealed.

        In ONE write transaction: read the last entry under a write lock, seal the new one with
        :func:`audit.seal` (seq, prev_hash, hash), insert it. Stored entries are never updated
        or deleted (the engine refuses it where it can).
        """

    @abstractmethod
    def audit_entries(self, filters: dict | None = None) -> pd.DataFrame:
        """Audit entries in ``seq`` order, columns :data:`audit.AUDIT_COLUMNS` (``seq`` an int),
        filtered by :func:`audit.check_filters` keys: action, user, subject (exact), since, until
        (ISO date or date-time, inclusive)."""

    @abstractmethod
    def get_meta(self, key: str) -> str | None:
        """A store metadata value (e.g. the pseudonym secret), or None."""

    @abstractmethod
    def set_meta_once(self, key: str, value: str) -> str:
        """Store ``value`` under ``key`` unless one is there; return the stored value (atomic)."""

    @abstractmethod
    def delete_records(self, keys: dict[str, pd.DataFrame], audit_entry: dict) -> dict[str, int]:
        """Delete rows by key (``keys[record]`` holds the record's key columns) in ONE transaction,
        with every link that names a deleted node, clearing optional references to deleted
        nodes, and appending ``audit_entry`` (sealed as in :meth:`append_audit`) in the same
        transaction. Returns rows removed per record type (including links removed with them).
        """
    def write_marks(self) -> dict[str, str]:
        """Per record type, the id of the last write that changed it (a load id, or e.g.
        ``delete_source:<time>``). Every engine method that changes rows records its mark in
        the same transaction; an engine that keeps none never skips an unchanged file."""
        return {}

    @staticmethod
    def new_write_id(kind: str) -> str:
        return f"{kind}:{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%fZ')}"

    # --- the shared workflow ---------------------------------------------------------------
    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def read_files(self, paths: Iterable[str | os.PathLike], *, skip_unchanged: bool = False) -> Batch:
        """Read and validate canonical files, checking references against this store too.

        With ``skip_unchanged``, a file identical (SHA-256) to one an earlier load applied in
        full is not read again when that is provably a no-op (see :meth:`unchanged_files`);
        its summary line says so (``FileSummary.skipped_since``).
        """
        found = records.find_record_files(paths)
        hashes = {path: records.file_sha256(path) for _, path in found}
        skip = self.unchanged_files([(r, p, hashes[p]) for r, p in found]) if skip_unchanged else {}
        batch = records.read_batch([p for _, p in found if p not in skip], lookup=self.existing_ids,
                                   stored=self.get, lookup_source=self._incident_sources)
        for fs in batch.files:
            fs.sha256 = hashes[Path(fs.file)]
        for record, path in found:
            if path in skip:
                since, rows = skip[path]
                batch.files.append(records.FileSummary(str(path), record, read=rows,
                                                       sha256=hashes[path], skipped_since=since))
        order = {name: i for i, name in enumerate(records.load_order())}
        batch.files.sort(key=lambda f: order[f.record])
        return batch

    def _incident_sources(self, ids: set[str]) -> dict[str, str]:
        """Stored incidents' sources, for involvements whose incident is not in the batch."""
        df = self.get("incidents", ids)
        return dict(zip(df["incident_id"].tolist(), df["source"].tolist())) if len(df) else {}

    def unchanged_files(self, found: list[tuple[str, Path, str]]) -> dict[Path, tuple[str, int]]:
        """Which files (record type, path, sha256) can be skipped, with the load they repeat.

        A file is skipped only when all of these hold, so skipping can never change the result:
        an earlier load applied a file of the same record type with the same SHA-256 and
        rejected none of its rows (rows rejected then might pass now); nothing has written that
        record type since (the engine's :meth:`write_marks`: later loads, ``delete_source``,
        purges, merges); and no record type it refers to is being loaded for real now (a
        re-loaded incident can change what its involvements inherit).
        """
        marks = self.write_marks()
        if not marks:
            return {}
        applied: dict[tuple[str, str], tuple[str, int]] = {}  # (record, sha) -> (load_id, rows)
        for _, load in self.loads().iterrows():
            for f in json.loads(load.get("file_hashes") or "[]"):
                if not f.get("skipped_since") and f.get("rejected") == 0:
                    applied[(f["record"], f["sha256"])] = (str(load["load_id"]), int(f["read"]))
        specs = schema.record_specs()
        skip: dict[Path, tuple[str, int]] = {}
        real: set[str] = set()
        for record, path, sha in found:  # in load order: references come first
            prior = applied.get((record, sha))
            refs = {c.ref for c in specs[record].columns if c.ref}
            if prior and marks.get(record) == prior[0] and not refs & real:
                skip[path] = prior
            else:
                real.add(record)
        return skip

    def load_batch(self, batch: Batch, *, strict: bool = False, actor=None, action: str = "load",
                   subject: str | None = None, reason: str = "") -> LoadResult:
        """Write a validated batch (nothing if ``strict`` and any row was rejected).

        The load is audited (``actor``, default :func:`access.current_actor`) in the same
        transaction as the rows it writes: ``load_meta["audit"]`` is the entry.
        """
        from .. import access

        access.require(actor or access.current_actor(), action)  # the same rule for the CLI and the app
        result = LoadResult(batch)
        if strict and batch.rejects:
            return result
        if batch.rows == 0:
            return result
        meta = {
            "load_id": datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ"),
            "loaded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "files": json.dumps([f.file for f in batch.files if not f.skipped]),
            "rows": batch.rows,
            "rejected": result.rejected_rows,
            "file_hashes": json.dumps([{"file": f.file, "record": f.record, "sha256": f.sha256, "read": f.read,
                                        "rejected": f.rejected, "skipped_since": f.skipped_since}
                                       for f in batch.files]),
        }
        # Loads are audited as "load"; identity decisions and assessments pass their own action.
        meta["audit"] = audit.new_entry(
            action, actor=actor, subject=subject or f"load:{meta['load_id']}", reason=reason,
            detail={"files": [Path(f.file).name for f in batch.files], "rows": batch.rows,
                    "rejected": result.rejected_rows})
        result.written = self.write(batch, meta)
        result.load_id = meta["load_id"]
        return result

    def load(self, paths: Iterable[str | os.PathLike], *, strict: bool = False, actor=None,
             skip_unchanged: bool = True) -> LoadResult:
        """Validate and load canonical files or folders in one transaction (audited).

        Files unchanged since a load that is still what the store holds are skipped (see
        :meth:`unchanged_files`); ``skip_unchanged=False`` re-applies them as upserts.
        """
        return self.load_batch(self.read_files(paths, skip_unchanged=skip_unchanged), strict=strict, actor=actor)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: self.table(name) for name in records.load_order()}

    def export(self, out_dir: str | os.PathLike, *, reason: str = "", actor=None,
               fmt: str = "canonical") -> list[Path]:
        """Write the whole store, as ``actor``'s role may see it (audited).

        ``fmt`` is ``"canonical"`` (the canonical CSVs, formula-neutralised) or ``"neo4j-admin"``
        (files for ``neo4j-admin database import``, see :mod:`graphmap.store.neo4j_import`).
        Callers that face users (CLI, app) check the reason first with
        :func:`access.check_export_reason`.
        """
        from .. import access

        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"export format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}")
        actor = actor or access.current_actor()
        reader = access.require(actor, "export")
        secret = access.store_secret(self) if reader.identity == "pseudonyms" else None
        tables = access.redact_tables(self.tables(), reader, secret=secret)
        if fmt == "neo4j-admin":
            from .neo4j_import import write_import_files

            plan = write_import_files(tables, out_dir, loads=self.loads())
            written = [*plan.files, plan.script]
        else:
            written = records.write_canonical(tables, Path(out_dir))
        audit.record(self, "export", actor=actor, subject=f"store:{self.engine}", reason=reason,
                     detail={"out": str(Path(out_dir).resolve()), "format": fmt, "files": [p.name for p in written],
                             "rows": {k: len(v) for k, v in tables.items() if len(v)}})
        return written

    def info(self) -> dict:
        """Counts by type, sources with their row counts, incident date range, last load."""
        counts = self.counts()
        sources: dict[str, int] = {}
        for name in records.load_order():
            df = self.table(name)
            if "source" in df and len(df):
                for s, n in df["source"].value_counts().items():
                    sources[str(s)] = sources.get(str(s), 0) + int(n)
        inc = self.table("incidents")
        starts = inc["start"][inc["start"] != ""] if len(inc) else pd.Series([], dtype=str)
        by_type = inc["type"].value_counts().to_dict() if len(inc) else {}
        loads = self.loads()
        return {
            "store": self.url,
            "engine": self.engine,
            "counts": counts,
            "incidents_by_type": {str(k): int(v) for k, v in sorted(by_type.items())},
            "sources": dict(sorted(sources.items())),
            "date_range": {"first": starts.min()[:10] if len(starts) else None,
                           "last": starts.max()[:10] if len(starts) else None},
            "last_load": loads["loaded_at"].max() if len(loads) else None,
        }

    def subgraph(self, person_id: str, hops: int = 1, start: date | str | None = None,
                 end: date | str | None = None) -> Subgraph:
        """People within ``hops`` links of ``person_id`` in the window, and the links between them.

        A hop is an association active in the window, or being named on the same incident in
        the window. People who only *reported* an incident are not linked by it (a youth worker
        is not tied to the children they report).
        """
        s, e = window_bounds(start, end)
        reached = {person_id: 0}
        frontier = {person_id}
        assoc_parts, inv_parts = [], []
        for depth in range(1, hops + 1):
            if not frontier:
                break
            assoc, inv = self.links_touching(frontier, s, e)
            assoc_parts.append(assoc)
            inv_parts.append(inv)
            nxt = set(assoc["person_id_a"]) | set(assoc["person_id_b"])
            linking = inv[inv["role"] != "reporting"]
            incidents_of_frontier = set(linking.loc[linking["person_id"].isin(frontier), "incident_id"])
            nxt |= set(linking.loc[linking["incident_id"].isin(incidents_of_frontier), "person_id"])
            frontier = {p for p in nxt if p not in reached}
            for p in frontier:
                reached[p] = depth
        specs = schema.record_specs()

        def concat(parts: list[pd.DataFrame], name: str) -> pd.DataFrame:
            cols = records.stored_columns(specs[name])
            if not parts:
                return pd.DataFrame(columns=cols)
            df = pd.concat(parts, ignore_index=True).drop_duplicates(subset=list(specs[name].key))
            return df[cols].reset_index(drop=True)

        assoc = concat(assoc_parts, "associations")
        assoc = assoc[assoc["person_id_a"].isin(reached) & assoc["person_id_b"].isin(reached)]
        inv = concat(inv_parts, "involvements")
        inv = inv[inv["person_id"].isin(reached)].reset_index(drop=True)
        people = self.get("people", set(reached)).sort_values("person_id", ignore_index=True)
        incidents = self.get("incidents", set(inv["incident_id"])).sort_values("incident_id", ignore_index=True)
        return Subgraph(people, incidents, inv, assoc.reset_index(drop=True), reached)
