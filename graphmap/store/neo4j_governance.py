"""The governance engine methods for the Neo4j engine (mixed into :class:`Neo4jStore`):
the hash-chained audit log, store metadata and deletion by key.

Labels and relationship types come from ``schema/neo4j/model.yaml`` through the graph model,
never from input; every value is a parameter. The audit head node (``:AuditHead``) is written
first in each transaction that appends, which takes its write lock, so concurrent writers queue
and cannot fork the chain. Grant the application's database user no SET/DELETE on
``:AuditEntry`` where the edition allows (see :mod:`graphmap.audit`); the chain shows the rest.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import audit, records
from .cypher import _map, _q
from .graph_model import NodeMap

META_LABEL = "GraphmapMeta"
_ENTRY_RETURN = ", ".join(f"e.{_q(c)} AS {_q(c)}" for c in audit.AUDIT_COLUMNS)
AUDIT_LOCK_HEAD = ("MERGE (h:AuditHead {id: 1}) ON CREATE SET h.seq = 0, h.hash = $genesis "
                   "SET h.lock = true RETURN h.seq AS seq, h.hash AS hash")
AUDIT_APPEND = ("MATCH (h:AuditHead {id: 1}) CREATE (e:AuditEntry) SET e += $entry "
                "SET h.seq = $seq, h.hash = $hash, h.lock = false")
AUDIT_ENTRIES = ("MATCH (e:AuditEntry) WHERE ($action IS NULL OR e.action = $action) "
                 "AND ($user IS NULL OR e.user = $user) AND ($subject IS NULL OR e.subject = $subject) "
                 "AND ($since IS NULL OR e.at >= $since) AND ($until IS NULL OR e.at <= $until) "
                 f"RETURN {_ENTRY_RETURN} ORDER BY e.seq")
META_GET = f"MATCH (m:{META_LABEL} {{key: $key}}) RETURN m.value AS value"
META_SET_ONCE = f"MERGE (m:{META_LABEL} {{key: $key}}) ON CREATE SET m.value = $value RETURN m.value AS value"


class Neo4jGovernance:
    """Audit, metadata and delete-by-key for an engine with ``_read``, ``_write``, ``model``."""

    def _append_audit_tx(self, tx, entry: dict) -> dict:
        head = tx.run(AUDIT_LOCK_HEAD, {"genesis": audit.GENESIS}).data()[0]
        last = {"seq": int(head["seq"]), "hash": head["hash"]} if int(head["seq"]) else None
        sealed = audit.seal(entry, last)
        tx.run(AUDIT_APPEND, {"entry": sealed, "seq": sealed["seq"], "hash": sealed["hash"]}).data()
        return sealed

    def append_audit(self, entry: dict) -> dict:
        return self._write(lambda tx: self._append_audit_tx(tx, entry))

    def audit_entries(self, filters: dict | None = None) -> pd.DataFrame:
        f = audit.check_filters(filters or {})
        rows = self._read(AUDIT_ENTRIES, **{k: f.get(k) for k in audit.FILTERS})
        df = pd.DataFrame(rows, columns=audit.AUDIT_COLUMNS)
        if len(df):
            df["seq"] = df["seq"].astype(int)
        return df

    def get_meta(self, key: str) -> str | None:
        rows = self._read(META_GET, key=key)
        return rows[0]["value"] if rows else None

    def set_meta_once(self, key: str, value: str) -> str:
        return self._write(lambda tx: tx.run(META_SET_ONCE, {"key": key, "value": value}).data()[0]["value"])

    def delete_records(self, keys: dict[str, pd.DataFrame], audit_entry: dict) -> dict[str, int]:
        before = self.counts()
        plan: list[tuple[str, dict[str, Any]]] = []
        for name in reversed(records.load_order()):  # links first, then nodes (DETACH: their links too)
            df = keys.get(name)
            if df is None or df.empty:
                continue
            m = self.model.records[name]
            if isinstance(m, NodeMap):
                stmt = f"UNWIND $ids AS k MATCH (n:{_q(m.label)} {{{_q(m.key)}: k}}) DETACH DELETE n"
                for chunk in self._chunks(df[m.key].astype(str).tolist()):
                    plan.append((stmt, {"ids": chunk}))
            else:
                src, tgt = self._ends(m)
                stmt = (f"UNWIND $rows AS row MATCH (a:{_q(src.label)} {{{_q(src.key)}: row.a}})"
                        f"-[r:{_q(m.type)} {_map(m.key, 'row.identity')}]->"
                        f"(b:{_q(tgt.label)} {{{_q(tgt.key)}: row.b}}) DELETE r")
                full = df.astype(str).to_dict("records")
                rows = [{"a": r[m.source], "b": r[m.target], "identity": {k: r[k] for k in m.key}} for r in full]
                for chunk in self._chunks(rows):
                    plan.append((stmt, {"rows": chunk}))

        def work(tx):
            for stmt, params in plan:
                tx.run(stmt, params).data()
            self._append_audit_tx(tx, audit_entry)

        self._write(work)
        after = self.counts()
        return {k: before[k] - after[k] for k in before if before[k] != after[k]}
