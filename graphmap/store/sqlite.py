"""The embedded default engine: one SQLite file, no server.

WAL journal (readers never block the loader, and a crash mid-load leaves the last committed
state), foreign keys on, every load in one ``BEGIN IMMEDIATE`` transaction. Tables mirror the
canonical records (see ``schema/records.yaml``); every value is stored as text exactly as
validated, so export → load is a fixed point. Only this class touches ``sqlite3``.
"""

from __future__ import annotations

import functools
import inspect
import sqlite3
import threading
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from .. import audit, records, schema
from ..records import Batch
from .base import Store, incident_starts, window_columns

SCHEMA_VERSION = 1
_CHUNK = 900  # stay under SQLite's default limit on bound parameters per statement
_BULK = 5000  # rows into an empty table above which indexes are built after the insert


def _q(name: str) -> str:
    """Quote an identifier taken from schema/records.yaml (never from input)."""
    if not name.replace("_", "").isalnum():
        raise schema.SchemaError(f"invalid identifier in schema: {name!r}")
    return f'"{name}"'


def _one_thread_at_a_time(cls):
    """Run every method of ``cls`` under the instance's re-entrant lock.

    One connection serves every thread of a process (the app's sessions and its warming
    thread share the store), and Python's ``sqlite3`` does not make concurrent use of one
    connection safe: two threads stepping statements at once saw ``fetchone()`` return
    ``None`` for ``PRAGMA data_version`` (CI, 2026-12-01; reproduced with four threads
    reading). Holding the lock for a whole method also keeps other threads' statements
    out of a write transaction, which on a shared connection they would otherwise join.
    """
    def locked(fn):
        @functools.wraps(fn)
        def run(self, *args, **kwargs):
            with self._conn_lock:
                return fn(self, *args, **kwargs)
        return run

    for name, fn in list(vars(cls).items()):
        if inspect.isfunction(fn) and not name.startswith("__"):
            setattr(cls, name, locked(fn))
    return cls


@_one_thread_at_a_time
class SQLiteStore(Store):
    engine = "sqlite"

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"  # absolute paths give sqlite:////abs/path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves so a load is one transaction.
        self._own_writes = 0
        self._conn_lock = threading.RLock()  # see _one_thread_at_a_time
        self._table_cache: dict[str, tuple[tuple[int, int], pd.DataFrame]] = {}
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA synchronous=NORMAL")  # durable at each WAL checkpoint; safe in WAL
        # How long a writer waits for another's lock before a clear "database is locked" error.
        self.conn.execute(f"PRAGMA busy_timeout={int(schema.setting('store.sqlite_busy_timeout_ms', 10000))}")
        # A bigger page cache (an upper bound, used only as needed) keeps a borough's B-trees in
        # memory during a load; the default 2 MB made index inserts re-read pages (profiled).
        self.conn.execute("PRAGMA cache_size=-262144")
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self._ensure_schema()

    # --- schema ---------------------------------------------------------------------------
    def _ensure_schema(self) -> None:
        specs = schema.record_specs()
        stmts = []
        for name in records.load_order():
            spec = specs[name]
            cols = [f"{_q(c)} TEXT NOT NULL DEFAULT ''" for c in records.stored_columns(spec)]
            fks = [f"FOREIGN KEY ({_q(c.name)}) REFERENCES {_q(c.ref)}({_q(specs[c.ref].key[0])})"
                   f" ON DELETE CASCADE" for c in spec.columns if c.ref and c.required]
            pk = f"PRIMARY KEY ({', '.join(map(_q, spec.key))})"
            stmts.append(f"CREATE TABLE IF NOT EXISTS {_q(name)} ({', '.join(cols + [pk] + fks)})")
            for c in spec.columns:
                if c.ref or c.name in ("start", "source"):
                    stmts.append(f"CREATE INDEX IF NOT EXISTS {_q(f'ix_{name}_{c.name}')} ON {_q(name)}({_q(c.name)})")
        stmts.append("CREATE TABLE IF NOT EXISTS loads (load_id TEXT PRIMARY KEY, loaded_at TEXT NOT NULL,"
                     " files TEXT NOT NULL, rows INTEGER NOT NULL, rejected INTEGER NOT NULL)")
        stmts.append("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        # The audit log: append-only (triggers refuse UPDATE and DELETE) and hash-chained.
        stmts.append("CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, "
                     + ", ".join(f"{_q(c)} TEXT NOT NULL" for c in audit.AUDIT_COLUMNS[1:]) + ")")
        for ix in ("action", "user", "at", "subject"):
            stmts.append(f"CREATE INDEX IF NOT EXISTS {_q('ix_audit_' + ix)} ON audit({_q(ix)})")
        for op in ("UPDATE", "DELETE"):
            stmts.append(f"CREATE TRIGGER IF NOT EXISTS audit_no_{op.lower()} BEFORE {op} ON audit "
                         "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
        with self._tx():
            for st in stmts:
                self.conn.execute(st)
            # Stores made before file hashes were recorded gain the column (older loads: none).
            if "file_hashes" not in {r[1] for r in self.conn.execute("PRAGMA table_info(loads)")}:
                self.conn.execute("ALTER TABLE loads ADD COLUMN file_hashes TEXT NOT NULL DEFAULT '[]'")
            self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    # --- transactions ---------------------------------------------------------------------
    class _Tx:
        def __init__(self, store: "SQLiteStore"):
            self.store = store

        def __enter__(self):
            self.store.conn.execute("BEGIN IMMEDIATE")

        def __exit__(self, exc_type, exc, tb):
            self.store.conn.execute("ROLLBACK" if exc_type else "COMMIT")
            self.store._own_writes += 1  # every write of this connection goes through here

    def _tx(self) -> "_Tx":
        return self._Tx(self)

    def _version(self) -> tuple[int, int]:
        """Changes whenever the database may have changed: ``PRAGMA data_version`` moves when
        another connection commits, ``_own_writes`` when this one does."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0], self._own_writes

    # --- engine methods -------------------------------------------------------------------
    def write(self, batch: Batch, load_meta: dict) -> dict[str, int]:
        specs = schema.record_specs()
        written: dict[str, int] = {}
        with self._tx():
            for name in records.load_order():
                df = batch.tables.get(name)
                if df is None or df.empty:
                    continue
                spec = specs[name]
                cols = records.stored_columns(spec)
                updates = [c for c in cols if c not in spec.key]
                sql = (f"INSERT INTO {_q(name)} ({', '.join(map(_q, cols))}) VALUES ({', '.join('?' * len(cols))})"
                       f" ON CONFLICT ({', '.join(map(_q, spec.key))}) DO UPDATE SET "
                       + ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in updates))
                # Filling an empty table: drop its secondary indexes and build them once at the
                # end (a sorted bulk build instead of one B-tree insert per row). DDL is part of
                # the transaction, so a failed or killed load still leaves the old state.
                rebuild = self._drop_indexes(name) if len(df) >= _BULK and self._empty(name) else []
                # Plain Python lists: iterating pandas' Arrow-backed strings row by row is ~10x slower.
                self.conn.executemany(sql, zip(*(df[c].tolist() for c in cols)))
                for st in rebuild:
                    self.conn.execute(st)
                written[name] = len(df)
            self.conn.execute("INSERT INTO loads (load_id, loaded_at, files, rows, rejected, file_hashes)"
                              " VALUES (:load_id, :loaded_at, :files, :rows, :rejected, :file_hashes)",
                              {"file_hashes": "[]", **load_meta})
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (load_meta["load_id"],))
            self._mark(written, load_meta["load_id"])
            if load_meta.get("audit"):
                self._append_audit_in_tx(load_meta["audit"])
        return written

    def _empty(self, name: str) -> bool:
        return self.conn.execute(f"SELECT 1 FROM {_q(name)} LIMIT 1").fetchone() is None

    def _drop_indexes(self, name: str) -> list[str]:
        """Drop the secondary indexes of a table; return the statements that recreate them."""
        found = self.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                                  " AND sql IS NOT NULL", (name,)).fetchall()
        for ix, _ in found:
            self.conn.execute(f"DROP INDEX {_q(ix)}")
        return [sql for _, sql in found]

    def _frame(self, sql: str, params: tuple | list = ()) -> pd.DataFrame:
        # Not ADBC (adbc-driver-sqlite), although it reads tables into Arrow with a third of the
        # CPU: it links its own copy of SQLite, and two copies in one process break SQLite's
        # POSIX locks (closing either's file releases the other's). Tried 2026-11-30: another
        # connection's commit went unseen, the WAL was deleted, and the next open failed with
        # "disk I/O error" (tests/test_store_contract.py caught it).
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return pd.DataFrame(cur.fetchall(), columns=cols)

    def table(self, record: str) -> pd.DataFrame:
        # An analysis run reads the same tables several times (network, places, profiles):
        # keep the last read of each table while the database has not changed. Building the
        # frame from SQLite rows is most of the cost (profiled: ~20 s of a borough analyse).
        # pandas copy-on-write makes the shallow copy safe against callers that modify it.
        version = self._version()
        hit = self._table_cache.get(record)
        if hit is None or hit[0] != version:
            spec = schema.record_specs()[record]
            cols = records.stored_columns(spec)
            df = self._frame(f"SELECT {', '.join(map(_q, cols))} FROM {_q(record)} ORDER BY "
                             f"{', '.join(map(_q, spec.key))}")
            hit = self._table_cache[record] = (version, df)
        return hit[1].copy(deep=False)

    def window_records(self, start_iso: str, end_iso: str, *, exclude_roles=(), first: bool = True,
                       columns=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series | None]:
        # The same cut as Store.window_records, in SQL: only the window's rows become Python
        # objects. `start >= day AND start < next day` lets the index on start narrow the scan;
        # the substr() tests are the exact rule (date-only starts, seconds cut at 19 chars).
        day_after = (date.fromisoformat(end_iso[:10]) + timedelta(days=1)).isoformat()
        inside = ("i.start >= ? AND i.start < ? AND i.start != '' AND substr(i.start, 1, 19) >= ? "
                  "AND substr(i.start, 1, 19) <= ?")
        args = (start_iso[:10], day_after, start_iso, end_iso)
        specs = schema.record_specs()
        inc_cols = window_columns("incidents", columns)
        inv_cols = window_columns("involvements", columns)
        incidents = self._frame(f"SELECT {', '.join('i.' + _q(c) for c in inc_cols)} FROM incidents i "
                                f"WHERE {inside} ORDER BY i.incident_id", args)
        involvements = self._frame(
            f"SELECT {', '.join('v.' + _q(c) for c in inv_cols)} FROM involvements v "
            f"JOIN incidents i ON i.incident_id = v.incident_id WHERE {inside} "
            f"ORDER BY {', '.join('v.' + _q(c) for c in specs['involvements'].key)}", args)
        if not first:
            return incidents, involvements, None
        # First incident per person up to end_iso = the earlier of (a) the first before the window,
        # from SQL, and (b) the first inside it, from the rows just read. One aggregate over every
        # involvement ever (person index, then a random lookup of each incident) cost 2.8 s of a
        # borough's 6 s read; (a) is a range scan of the start index over the older rows only.
        # `i.start < start_iso` equals `substr(i.start, 1, 19) < start_iso` for a start_iso of at most
        # 19 characters, and keeps undated ('') incidents, as the whole-table rule does. CROSS JOIN
        # fixes the join order (SQLite's planner otherwise walks the person index to save the GROUP
        # BY sort, which is the slow plan again: 2.5 s -> 0.17 s CPU on a borough).
        roles = sorted(set(exclude_roles))
        before = self._frame(
            "SELECT v.person_id AS person_id, min(i.start) AS start FROM incidents i "
            "CROSS JOIN involvements v ON v.incident_id = i.incident_id "
            f"WHERE i.start < ? AND v.role NOT IN ({', '.join('?' * len(roles))}) GROUP BY v.person_id",
            (start_iso[:19], *roles))
        both = pd.concat([before, incident_starts(involvements, incidents, roles)], ignore_index=True)
        if not len(both):
            return incidents, involvements, pd.Series(dtype=object, name="start",
                                                      index=pd.Index([], dtype=object, name="person_id"))
        first = both.groupby("person_id", sort=True)["start"].min()
        return incidents, involvements, first

    def _in_chunks(self, sql_for: str, ids: set[str]) -> pd.DataFrame:
        ids = sorted(ids)
        parts = []
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            parts.append(self._frame(sql_for.replace("{ids}", ", ".join("?" * len(chunk))), chunk))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def get(self, record: str, ids: set[str]) -> pd.DataFrame:
        spec = schema.record_specs()[record]
        cols = records.stored_columns(spec)
        df = self._in_chunks(f"SELECT {', '.join(map(_q, cols))} FROM {_q(record)} WHERE {_q(spec.key[0])} IN ({{ids}})", ids)
        return df if len(df) else pd.DataFrame(columns=cols)

    def existing_ids(self, record: str, ids: set[str]) -> set[str]:
        spec = schema.record_specs()[record]
        key = _q(spec.key[0])
        df = self._in_chunks(f"SELECT {key} AS id FROM {_q(record)} WHERE {key} IN ({{ids}})", ids)
        return set(df["id"]) if len(df) else set()

    def counts(self) -> dict[str, int]:
        return {name: self.conn.execute(f"SELECT count(*) FROM {_q(name)}").fetchone()[0]
                for name in records.load_order()}

    def _mark(self, names, write_id: str) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [(f"written:{n}", write_id) for n in names])

    def write_marks(self) -> dict[str, str]:
        return {k.split(":", 1)[1]: v for k, v in self.conn.execute(
            "SELECT key, value FROM meta WHERE key LIKE 'written:%'")}

    def delete_source(self, source: str) -> dict[str, int]:
        before = self.counts()
        with self._tx():
            self._mark(records.load_order(), self.new_write_id("delete_source"))
            # Links first, then nodes; ON DELETE CASCADE removes links left pointing at nothing.
            for name in reversed(records.load_order()):
                self.conn.execute(f"DELETE FROM {_q(name)} WHERE source = ?", (source,))
            self._clear_dangling_optional_refs()
        after = self.counts()
        return {k: before[k] - after[k] for k in before if before[k] != after[k]}

    def links_touching(self, person_ids: set[str], start: str, end: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        specs = schema.record_specs()
        acols = ", ".join(f"a.{_q(c)}" for c in records.stored_columns(specs["associations"]))
        icols = ", ".join(f"v.{_q(c)}" for c in records.stored_columns(specs["involvements"]))
        ids = sorted(person_ids)
        a_parts, i_parts = [], []
        for i in range(0, len(ids), _CHUNK // 2):
            chunk = ids[i:i + _CHUNK // 2]
            marks = ", ".join("?" * len(chunk))
            a_parts.append(self._frame(
                f"SELECT {acols} FROM associations a WHERE (a.person_id_a IN ({marks}) OR a.person_id_b IN ({marks}))"
                " AND (? = '' OR a.last_seen = '' OR a.last_seen >= ?)"
                " AND (? = '' OR a.first_seen = '' OR a.first_seen <= ?)",
                [*chunk, *chunk, start, start, end, end]))
            i_parts.append(self._frame(
                f"SELECT {icols} FROM involvements v JOIN incidents i ON i.incident_id = v.incident_id"
                " WHERE v.incident_id IN (SELECT incident_id FROM involvements WHERE person_id IN"
                f" ({marks})) AND (? = '' OR i.start >= ?) AND (? = '' OR i.start <= ?)",
                [*chunk, start, start, end, end]))
        acols_l = records.stored_columns(specs["associations"])
        icols_l = records.stored_columns(specs["involvements"])
        a = pd.concat(a_parts, ignore_index=True) if a_parts else pd.DataFrame(columns=acols_l)
        v = pd.concat(i_parts, ignore_index=True) if i_parts else pd.DataFrame(columns=icols_l)
        return a, v

    # --- governance -------------------------------------------------------------------------
    def _append_audit_in_tx(self, entry: dict) -> dict:
        # Inside BEGIN IMMEDIATE we hold the write lock, so no other writer can read the same head.
        row = self.conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        sealed = audit.seal(entry, {"seq": row[0], "hash": row[1]} if row else None)
        cols = audit.AUDIT_COLUMNS
        self.conn.execute(f"INSERT INTO audit ({', '.join(map(_q, cols))}) VALUES ({', '.join('?' * len(cols))})",
                          [sealed[c] for c in cols])
        return sealed

    def append_audit(self, entry: dict) -> dict:
        with self._tx():
            return self._append_audit_in_tx(entry)

    def audit_entries(self, filters: dict | None = None) -> pd.DataFrame:
        f = audit.check_filters(filters or {})
        where, params = [], []
        for key, op in (("action", "="), ("user", "="), ("subject", "="), ("since", ">="), ("until", "<=")):
            if key in f:
                where.append(f"{_q('at' if key in ('since', 'until') else key)} {op} ?")
                params.append(f[key])
        sql = f"SELECT {', '.join(map(_q, audit.AUDIT_COLUMNS))} FROM audit"
        df = self._frame(sql + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq", params)
        return df if len(df.columns) else pd.DataFrame(columns=audit.AUDIT_COLUMNS)

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta_once(self, key: str, value: str) -> str:
        with self._tx():
            self.conn.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, value))
            return self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]

    def delete_records(self, keys: dict[str, pd.DataFrame], audit_entry: dict) -> dict[str, int]:
        specs = schema.record_specs()
        before = self.counts()
        with self._tx():
            # Links first, then nodes; ON DELETE CASCADE removes links naming a deleted node.
            for name in reversed(records.load_order()):
                df = keys.get(name)
                if df is None or df.empty:
                    continue
                key = list(specs[name].key)
                cond = " AND ".join(f"{_q(k)} = ?" for k in key)
                self.conn.executemany(f"DELETE FROM {_q(name)} WHERE {cond}", df[key].itertuples(index=False, name=None))
            self._clear_dangling_optional_refs()
            # Deleting nodes cascades to links of every type: no earlier file is "unchanged" now.
            self._mark(records.load_order(), self.new_write_id("delete_records"))
            self._append_audit_in_tx(audit_entry)
        after = self.counts()
        return {k: before[k] - after[k] for k in before if before[k] != after[k]}

    def _clear_dangling_optional_refs(self) -> None:
        """Optional references (an incident's location) to deleted rows are cleared, not left dangling."""
        specs = schema.record_specs()
        for name, spec in specs.items():
            for c in spec.columns:
                if c.ref and not c.required:
                    tkey = _q(specs[c.ref].key[0])
                    self.conn.execute(
                        f"UPDATE {_q(name)} SET {_q(c.name)} = '' WHERE {_q(c.name)} != ''"
                        f" AND {_q(c.name)} NOT IN (SELECT {tkey} FROM {_q(c.ref)})")

    def loads(self) -> pd.DataFrame:
        return self._frame("SELECT load_id, loaded_at, files, rows, rejected, file_hashes FROM loads ORDER BY loaded_at, load_id")

    def close(self) -> None:
        self.conn.close()
