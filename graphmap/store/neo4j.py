"""The Neo4j engine: the graph on a Neo4j 5 server through the official ``neo4j`` driver.

Records map to nodes and relationships as ``schema/neo4j/model.yaml`` says (see
:mod:`graphmap.store.graph_model`); every statement is in :mod:`graphmap.store.cypher`. Each
load is ONE managed write transaction (``session.execute_write``, which the driver retries on
transient errors), sent in UNWIND batches of ``store.neo4j_batch_size`` rows; a row naming a
node that is not in the graph fails the whole transaction, so a failed load leaves the graph
exactly as before. Every value is stored as the validated string (``""`` for empty, ``props``
as a JSON string), so :meth:`Neo4jStore.table` gives back exactly what the SQLite engine does
and export → load is a fixed point on both.

The engine only uses a small part of the driver (``session``, ``execute_read``,
``execute_write``, ``run``, ``Result.data``), which :mod:`graphmap.store.falkordb_adapter`
also offers over an embedded FalkorDB, so the tests run this very code and these very
statements without a Neo4j server.
"""

from __future__ import annotations

import os
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pandas as pd

from .. import records, schema
from ..records import Batch
from . import cypher
from .base import Store
from .graph_model import GraphModel, NodeMap, RelMap, load_model, schema_rules
from .neo4j_governance import Neo4jGovernance


class StoreError(RuntimeError):
    """A write the graph cannot take (nothing was written); the message names the record type."""


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def parse_url(url: str) -> tuple[str, tuple[str, str] | None, str | None, str]:
    """Split a store URL into the driver URL, auth, database and the URL to show.

    User and password come from ``$GRAPHMAP_NEO4J_USER`` / ``$GRAPHMAP_NEO4J_PASSWORD`` (or,
    failing that, the URL); the shown URL never carries them.

    >>> parse_url("bolt://neo:secret@db.example:7687?database=merton")[::2]
    ('bolt://db.example:7687', 'merton')
    """
    parts = urlsplit(url)
    database = (parse_qs(parts.query).get("database") or [os.environ.get("GRAPHMAP_NEO4J_DATABASE", "")])[0]
    host = parts.hostname or "localhost"
    netloc = f"{host}:{parts.port}" if parts.port else host
    plain = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    user = os.environ.get("GRAPHMAP_NEO4J_USER") or parts.username
    password = os.environ.get("GRAPHMAP_NEO4J_PASSWORD") or parts.password
    auth = (user, password or "") if user else None
    return plain, auth, database or None, plain + (f"?database={database}" if database else "")


class Neo4jStore(Neo4jGovernance, Store):
    """A graphmap store on Neo4j (or anything offering the same small driver surface).

    Parameters
    ----------
    driver
        A ``neo4j.Driver`` (see :meth:`from_url`) or a
        :class:`~graphmap.store.falkordb_adapter.FalkorDriver`.
    database : str, optional
        The Neo4j database (default: the server's default database).
    url : str
        Shown by ``info`` (never with credentials).
    """

    engine = "neo4j"

    def __init__(self, driver, *, database: str | None = None, url: str = "neo4j://",
                 batch_size: int | None = None, owns_driver: bool = True):
        self.driver = driver
        self.database = database or None
        self.url = url
        self.dialect = getattr(driver, "cypher_dialect", "neo4j")
        self.model: GraphModel = load_model()
        self.batch_size = int(batch_size or schema.setting("store.neo4j_batch_size"))
        self._owns_driver = owns_driver
        self._ensure_schema()

    @classmethod
    def from_url(cls, url: str) -> "Neo4jStore":
        """Connect to ``neo4j://`` / ``bolt://`` (and ``+s`` / ``+ssc``) URLs.

        User and password come from ``$GRAPHMAP_NEO4J_USER`` / ``$GRAPHMAP_NEO4J_PASSWORD``;
        the database from ``?database=name`` or ``$GRAPHMAP_NEO4J_DATABASE``.
        """
        import neo4j

        plain, auth, database, shown = parse_url(url)
        # The driver re-runs a managed write transaction on transient errors (a cluster leader
        # switch, a deadlock) for this long; the whole `work` re-runs, so it must not keep state.
        driver = neo4j.GraphDatabase.driver(plain, auth=auth,
                                            max_transaction_retry_time=float(schema.setting("store.neo4j_retry_seconds")))
        try:
            return cls(driver, database=database, url=shown)
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.AuthError) as exc:
            driver.close()
            # One line naming the server (the driver's own message spans several).
            raise StoreError(f"{shown}: {type(exc).__name__}: {' '.join(str(exc).split())}") from exc
        except BaseException:
            driver.close()
            raise

    # --- plumbing -------------------------------------------------------------------------
    def _session(self):
        return self.driver.session(database=self.database) if self.database else self.driver.session()

    def _read(self, statement: str, **params) -> list[dict]:
        def work(tx):
            return tx.run(statement, params).data()

        with self._session() as session:
            return session.execute_read(work)

    def _write(self, work: Callable) -> Any:
        """Run ``work(tx)`` as one managed write transaction.

        The driver retries it on transient errors for ``store.neo4j_retry_seconds``, rolling
        back each failed attempt; when the error outlasts that (or the server goes away), the
        caller gets one clear :class:`StoreError` and the graph is as it was.
        """
        import neo4j

        transient = (neo4j.exceptions.TransientError, neo4j.exceptions.ServiceUnavailable,
                     neo4j.exceptions.SessionExpired)
        try:
            with self._session() as session:
                return session.execute_write(work)
        except transient as exc:
            raise StoreError(f"{self.url}: the write did not go through after retrying for "
                             f"{schema.setting('store.neo4j_retry_seconds')} s ({type(exc).__name__}: "
                             f"{' '.join(str(exc).split())}); nothing was written") from exc

    def _chunks(self, items: list) -> list[list]:
        n = self.batch_size
        return [items[i:i + n] for i in range(0, len(items), n)] or [[]]

    def _ensure_schema(self) -> None:
        with self._session() as session:
            for rule in schema_rules():
                try:
                    session.run(cypher.schema_statement(rule, self.dialect)).consume()
                except Exception as exc:  # FalkorDB has no IF NOT EXISTS: re-opening is fine
                    if self.dialect != "falkordb" or "already indexed" not in str(exc):
                        raise
                if rule.unique and self.dialect == "falkordb":
                    self.driver.create_unique_constraint(rule.label, rule.property)

    def _ends(self, m: RelMap) -> tuple[NodeMap, NodeMap]:
        return self.model.node(m.source_record), self.model.node(m.target_record)

    # --- engine methods -------------------------------------------------------------------
    def write(self, batch: Batch, load_meta: dict) -> dict[str, int]:
        plan: list[tuple[str, dict, int | None, str]] = []  # statement, params, expected n, record
        written: dict[str, int] = {}
        for name in records.load_order():
            df = batch.tables.get(name)
            if df is None or df.empty:
                continue
            m = self.model.records[name]
            rows = df[list(m.columns)].astype(str).to_dict("records")
            if isinstance(m, NodeMap):
                stmt = cypher.merge_nodes(m)
                for chunk in self._chunks(rows):
                    plan.append((stmt, {"rows": [{"id": r[m.key], "props": {c: r[c] for c in m.properties}}
                                                 for r in chunk]}, len(chunk), name))
                for lk in m.links:
                    for chunk in self._chunks(rows):
                        plan.append((cypher.clear_links(m, lk), {"ids": [r[m.key] for r in chunk]}, None, name))
                        targets = [{"id": r[m.key], "target": r[lk.column]} for r in chunk if r[lk.column] != ""]
                        if targets:
                            plan.append((cypher.set_links(m, lk), {"rows": targets}, len(targets), name))
            else:
                stmt = cypher.merge_relationships(m, *self._ends(m))
                rest = [c for c in m.properties if c not in m.key]
                for chunk in self._chunks(rows):
                    plan.append((stmt, {"rows": [{"a": r[m.source], "b": r[m.target],
                                                  "identity": {k: r[k] for k in m.key},
                                                  "props": {c: r[c] for c in rest}} for r in chunk]},
                                 len(chunk), name))
            written[name] = len(df)
        loads = self.model.loads
        meta = {"file_hashes": "[]", **load_meta}
        plan.append((cypher.record_load(loads), {"meta": {c: meta[c] for c in loads.columns}}, None, "loads"))
        plan.append((cypher.set_write_marks(loads), {"marks": [{"record": n, "write_id": load_meta["load_id"]}
                                                               for n in written]}, None, "loads"))

        def work(tx):
            for stmt, params, expected, name in plan:
                got = tx.run(stmt, params).data()
                if expected is not None and (not got or got[0]["n"] != expected):
                    n = got[0]["n"] if got else 0
                    raise StoreError(f"{name}: {expected - n} of {expected} rows name a record that is not "
                                     f"in the graph; nothing was loaded")
            if load_meta.get("audit"):  # audited in the same transaction as the load
                self._append_audit_tx(tx, load_meta["audit"])

        self._write(work)
        return written

    def _frame(self, record: str, rows: list[dict]) -> pd.DataFrame:
        """Rows as the SQLite engine gives them: string columns in stored order, sorted by key."""
        spec = schema.record_specs()[record]
        cols = records.stored_columns(spec)
        at = [cols.index(k) for k in spec.key]
        tuples = [tuple(_s(r.get(c)) for c in cols) for r in rows]
        # Python sorts str by code point, which is SQLite's BINARY order on UTF-8 text.
        tuples.sort(key=lambda t: tuple(t[i] for i in at))
        return pd.DataFrame(tuples, columns=cols)

    def table(self, record: str) -> pd.DataFrame:
        m = self.model.records[record]
        if isinstance(m, NodeMap):
            rows = self._read(cypher.node_table(m))
        else:
            rows = self._read(cypher.relationship_table(m, *self._ends(m)))
        return self._frame(record, rows)

    def get(self, record: str, ids: set[str]) -> pd.DataFrame:
        m = self.model.records[record]
        if not isinstance(m, NodeMap):
            df = self.table(record)
            return df[df[m.columns[0]].isin(ids)].reset_index(drop=True)
        rows: list[dict] = []
        for chunk in self._chunks(sorted(ids)):
            if chunk:
                rows += self._read(cypher.nodes_by_key(m), ids=chunk)
        if not rows:
            return pd.DataFrame(columns=records.stored_columns(schema.record_specs()[record]))
        return self._frame(record, rows)

    def existing_ids(self, record: str, ids: set[str]) -> set[str]:
        m = self.model.node(record)
        found: set[str] = set()
        for chunk in self._chunks(sorted(ids)):
            if chunk:
                found |= {r["id"] for r in self._read(cypher.existing_keys(m), ids=chunk)}
        return found

    def counts(self) -> dict[str, int]:
        out = {}
        for name in records.load_order():
            m = self.model.records[name]
            stmt = cypher.count_nodes(m) if isinstance(m, NodeMap) else cypher.count_relationships(m, *self._ends(m))
            out[name] = int(self._read(stmt)[0]["n"])
        return out

    def delete_source(self, source: str) -> dict[str, int]:
        before = self.counts()
        order = list(reversed(records.load_order()))  # links first, then nodes (with their links)

        def work(tx):
            for name in order:
                m = self.model.records[name]
                stmt = cypher.delete_nodes_from(m) if isinstance(m, NodeMap) else cypher.delete_relationships_from(m)
                tx.run(stmt, {"source": source}).data()
            tx.run(cypher.set_write_marks(self.model.loads), {"marks": [
                {"record": n, "write_id": mark} for n in order]}).data()

        mark = self.new_write_id("delete_source")
        self._write(work)
        after = self.counts()
        return {k: before[k] - after[k] for k in before if before[k] != after[k]}

    def links_touching(self, person_ids: set[str], start: str, end: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        assoc = self.model.records["associations"]
        inv = self.model.records["involvements"]
        person, incident = self._ends(inv)
        a_rows: list[dict] = []
        i_rows: list[dict] = []
        for chunk in self._chunks(sorted(person_ids)):
            if not chunk:
                continue
            a_rows += self._read(cypher.associations_touching(assoc, person), ids=chunk, since=start, until=end)
            i_rows += self._read(cypher.involvements_touching(inv, person, incident), ids=chunk, since=start, until=end)
        return self._frame("associations", a_rows), self._frame("involvements", i_rows)

    def write_marks(self) -> dict[str, str]:
        return {r["record"]: r["write_id"] for r in self._read(cypher.write_marks(self.model.loads))}

    def loads(self) -> pd.DataFrame:
        loads = self.model.loads
        rows = self._read(cypher.load_history(loads))
        # Loads recorded before file hashes were kept have none.
        df = pd.DataFrame([[r[c] if r[c] is not None else ("[]" if c == "file_hashes" else r[c])
                            for c in loads.columns] for r in rows], columns=list(loads.columns))
        return df.sort_values(["loaded_at", "load_id"], ignore_index=True, kind="stable")  # load_id has microseconds

    def close(self) -> None:
        if self._owns_driver:
            self.driver.close()
