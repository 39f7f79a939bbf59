"""The audit log: who did what, when, to whom and why, kept in the store and hash-chained.

Every load, view of a person or group, export, merge/unmerge, assessment and purge appends one
entry (the information-sharing protocol asks that what was shared, with whom and why is
recorded). Entries hold ids and counts, never names or record text.

The log is append-only in the store (the SQLite engine refuses UPDATE and DELETE with
triggers) and tamper-evident: each entry carries the SHA-256 of its own content and of the
entry before it, so editing or deleting any entry breaks the chain from that point, which
:func:`verify_audit` reports. Removing entries from the *end* leaves a valid shorter chain:
keep the head hash that ``graphmap audit --verify`` prints (e.g. in the meeting minutes) and pass
it back as ``expected_head`` to detect that too.

References
----------
Haber, S. and Stornetta, W. S. (1991). "How to time-stamp a digital document."
Journal of Cryptology 3(2), 99-111 (hash-linked records).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import schema

if TYPE_CHECKING:  # pragma: no cover
    from .access import Actor
    from .store.base import Store

#: Stored columns, in order. ``seq`` starts at 1; ``prev_hash`` of the first entry is GENESIS.
AUDIT_COLUMNS = ["seq", "at", "user", "role", "action", "subject", "reason", "detail", "prev_hash", "hash"]
GENESIS = "0" * 64
#: Filters :meth:`Store.audit_entries` understands.
FILTERS = ("action", "user", "subject", "since", "until")


class AuditError(ValueError):
    """An audit entry is malformed (unknown action, missing user)."""


def actions() -> dict[str, str]:
    """The audit actions (``audit_action`` in schema/vocabularies.yaml)."""
    return schema.vocabulary("audit_action")


def new_entry(action: str, *, actor: "Actor | None" = None, subject: str = "", reason: str = "",
              detail: dict[str, Any] | None = None, at: datetime | None = None) -> dict[str, str]:
    """An unsealed entry (no seq or hashes yet); an engine seals it with :func:`seal` on append.

    ``subject`` names what was acted on by id (``person:P001``, ``group:G3``, ``load:2026...``);
    ``detail`` holds counts and ids only.
    """
    from .access import current_actor

    if action not in actions():
        raise AuditError(f"unknown audit action {action!r} (known: {', '.join(actions())})")
    actor = actor or current_actor()
    if not actor.user:
        raise AuditError("an audit entry needs a user")
    when = (at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return {
        "at": when.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "user": actor.user,
        "role": actor.role,
        "action": action,
        "subject": subject,
        "reason": reason,
        "detail": json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
    }


def entry_hash(entry: dict[str, Any]) -> str:
    """SHA-256 (hex) of an entry's content and its ``prev_hash``, as canonical JSON."""
    body = {k: str(entry[k]) for k in AUDIT_COLUMNS if k != "hash"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(entry: dict[str, Any], last: dict[str, Any] | None) -> dict[str, Any]:
    """``entry`` with ``seq``, ``prev_hash`` and ``hash`` set, following ``last`` (or the start).

    Engines call this inside the transaction that inserts the entry, after reading the last
    entry under a write lock, so two writers cannot fork the chain.
    """
    out = {k: entry[k] for k in AUDIT_COLUMNS if k in entry and k not in ("seq", "prev_hash", "hash")}
    out["seq"] = int(last["seq"]) + 1 if last else 1
    out["prev_hash"] = str(last["hash"]) if last else GENESIS
    out["hash"] = entry_hash(out)
    return {k: out[k] for k in AUDIT_COLUMNS}


@dataclass
class AuditCheck:
    """What :func:`verify_audit` found: ``ok`` is true only when ``problems`` is empty."""

    entries: int
    head: str
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_entries(df: pd.DataFrame, expected_head: str | None = None) -> AuditCheck:
    """Check a full audit log (every entry, in ``seq`` order) for edits and removals."""
    problems: list[dict[str, Any]] = []
    prev_hash, prev_seq = GENESIS, 0
    rows = df.sort_values("seq").to_dict("records") if len(df) else []
    for row in rows:
        seq = int(row["seq"])
        if seq != prev_seq + 1:
            problems.append({"seq": seq, "problem": f"entries {prev_seq + 1}..{seq - 1} are missing"})
        if row["prev_hash"] != prev_hash:
            problems.append({"seq": seq, "problem": "does not follow the entry before it (prev_hash differs)"})
        if entry_hash(row) != row["hash"]:
            problems.append({"seq": seq, "problem": "content changed since it was written (hash differs)"})
        prev_hash, prev_seq = row["hash"], seq
    head = prev_hash if rows else GENESIS
    if expected_head and expected_head != head and not any(r["hash"] == expected_head for r in rows):
        problems.append({"seq": prev_seq, "problem": f"the recorded head {expected_head[:12]}... is not in the log "
                                                     "(entries removed from the end, or the log replaced)"})
    return AuditCheck(entries=len(rows), head=head, problems=problems)


def verify_audit(store: "Store", expected_head: str | None = None) -> AuditCheck:
    """Check the store's whole audit log; see the module docstring for what it can detect."""
    return verify_entries(store.audit_entries({}), expected_head)


def record(store: "Store", action: str, *, actor: "Actor | None" = None, subject: str = "",
           reason: str = "", detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """Append one entry to ``store``'s audit log and return it sealed."""
    return store.append_audit(new_entry(action, actor=actor, subject=subject, reason=reason, detail=detail))


def check_filters(filters: dict[str, Any]) -> dict[str, str]:
    """Validate audit filters (shared by the engines): known keys, string values."""
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise AuditError(f"unknown audit filter(s) {', '.join(sorted(unknown))} (known: {', '.join(FILTERS)})")
    out = {k: str(v) for k, v in filters.items() if v not in (None, "")}
    if len(out.get("until", "")) == 10:  # a date: the whole day
        out["until"] += "T23:59:59.999999Z"
    return out


# The Neo4j engine's implementation, for the lead to wire at merge (the sealing happens in
# Python between the two statements, inside one write transaction; the MERGE on the head node
# takes its write lock first, so concurrent writers queue and cannot fork the chain):
NEO4J_LOCK_HEAD = "MERGE (h:AuditHead {id: 1}) ON CREATE SET h.seq = 0, h.hash = $genesis SET h.lock = true RETURN h.seq AS seq, h.hash AS hash"
NEO4J_APPEND = ("MATCH (h:AuditHead {id: 1}) CREATE (e:AuditEntry) SET e = $entry "
                "SET h.seq = $entry.seq, h.hash = $entry.hash, h.lock = false")
NEO4J_ENTRIES = ("MATCH (e:AuditEntry) WHERE ($action IS NULL OR e.action = $action) "
                 "AND ($user IS NULL OR e.user = $user) AND ($subject IS NULL OR e.subject = $subject) "
                 "AND ($since IS NULL OR e.at >= $since) AND ($until IS NULL OR e.at <= $until) "
                 "RETURN e {.*} AS e ORDER BY e.seq")
# Append-only in Neo4j: grant graphmap's database user no DELETE/SET on :AuditEntry
# (Enterprise: DENY SET PROPERTY {*} ON GRAPH * NODES AuditEntry TO graphmap_app;
#  DENY DELETE ON GRAPH * NODES AuditEntry TO graphmap_app); the hash chain detects the rest.
