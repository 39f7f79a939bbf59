"""Faults: locked or unusable stores, bad settings files, a full disk, interrupted operations.
Each gives a one-line error and leaves the store (and any earlier output) as it was."""

from __future__ import annotations

import resource
import signal
import sqlite3
from datetime import date

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from graphmap import audit, records, schema
from graphmap.cli import cli
from graphmap.store import open_store
from tests.conftest import DEMO, kill_when_wal_grows


def run(*args, env=None):
    return CliRunner(env=env).invoke(cli, [str(a) for a in args])


def one_line_error(r, *words):
    assert r.exit_code == 1, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("graphmap: error: "), r.output
    assert "Traceback" not in r.output
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_locked_store_fails_clearly_and_loses_nothing(tmp_path, schema_copy):
    s = yaml.safe_load((schema_copy / "settings.yaml").read_text())
    s["store"]["sqlite_busy_timeout_ms"] = 200
    (schema_copy / "settings.yaml").write_text(yaml.safe_dump(s))
    schema.settings.cache_clear()
    db = tmp_path / "g.db"
    open_store(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    try:
        one_line_error(run("load", DEMO, "--db", db), "database is locked", "try again")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert run("load", DEMO, "--db", db).exit_code == 0  # once free, the same load goes in whole
    with open_store(db) as st:
        assert st.counts()["people"] == 5 and len(st.audit_entries({})) == 1


def test_unusable_store_files_give_one_line(tmp_path):
    notdb = tmp_path / "notes.db"
    notdb.write_text("this is not a database\n" * 100)
    one_line_error(run("info", "--db", notdb), "notes.db", "cannot open store")
    afile = tmp_path / "afile"
    afile.write_text("x")
    one_line_error(run("info", "--db", afile / "g.db"), "cannot open store")
    one_line_error(run("info", "--db", "postgres://x"), "unknown store URL scheme")


@pytest.mark.parametrize("name, text, words", [
    ("settings.yaml", "validation: [unclosed\n", ["settings.yaml: line 2, column 1: not valid YAML"]),
    ("settings.yaml", "store: {}\n", ["settings.yaml", "missing setting 'validation'"]),
    ("vocabularies.yaml", "gender: []\n", ["vocabularies.yaml", "gender"]),
    ("records.yaml", "people: {file: people.csv, key: [nope], columns: {a: {type: str}}}\n", ["records.yaml", "key"]),
])
def test_bad_settings_file_is_named(tmp_path, schema_copy, name, text, words):
    (schema_copy / name).write_text(text)
    one_line_error(run("load", DEMO, "--db", tmp_path / "g.db"), *words)


def test_bad_roles_file_is_named(tmp_path, schema_copy):
    assert run("load", DEMO, "--db", tmp_path / "g.db").exit_code == 0
    (schema_copy / "roles.yaml").write_text("roles:\n  analyst: {identity: everyone, scope: person}\n")
    schema.roles_file.cache_clear()
    one_line_error(run("export", "--db", tmp_path / "g.db", "--out", tmp_path / "o", "--reason", "x"),
                   "roles.yaml", "identity")


def test_disk_full_during_export_leaves_no_half_file(tmp_path):
    big = tmp_path / "big"
    big.mkdir()
    (big / "people.csv").write_text("person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
                                    + "".join(f"B{i},Name{i},Family{i},2010-01-01,male,young_person,Merton,,csc\n"
                                              for i in range(4000)))
    db, out = tmp_path / "g.db", tmp_path / "out"
    assert run("load", big, "--db", db).exit_code == 0
    assert run("export", "--db", db, "--out", out, "--reason", "first").exit_code == 0
    before = (out / "people.csv").read_bytes()
    with open_store(db) as s:  # a change, so a new export would differ
        s.load([DEMO])
    # A real write failure: the kernel refuses to grow any file past 64 KB (EFBIG, as ENOSPC would).
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, old_limit[1]))
    try:
        r = run("export", "--db", db, "--out", out, "--reason", "second")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_handler)
    one_line_error(r, "File too large")
    assert (out / "people.csv").read_bytes() == before  # the earlier export is untouched
    assert not list(out.glob(".*.part"))  # no temporary file left behind
    with open_store(db) as s:  # the failed export is not recorded as done
        assert list(s.audit_entries({"action": "export"})["reason"]) == ["first"]


def test_failed_load_writes_no_audit_entry(sqlite_store):
    sqlite_store.load([DEMO])
    batch = records.read_batch([DEMO])
    bad = batch.tables["presence"].copy()
    bad["person_id"] = "NOBODY"  # breaks the engine after earlier tables were written
    batch.tables["presence"] = bad
    with pytest.raises(sqlite3.IntegrityError):
        sqlite_store.load_batch(batch)
    assert list(sqlite_store.audit_entries({})["action"]) == ["load"]
    assert audit.verify_audit(sqlite_store).ok


def test_interrupted_purge_leaves_everything(sqlite_store):
    from graphmap import retention

    sqlite_store.load([DEMO])
    before = sqlite_store.tables()
    report = retention.past_retention(sqlite_store, date(2040, 1, 1))
    assert report.total == 25
    # The audit entry is appended last, inside the same transaction: a failure there (here an
    # entry missing its fields) must undo every deletion before it.
    with pytest.raises(KeyError):
        sqlite_store.delete_records(report.past, {"action": "purge"})
    for name, df in before.items():
        pd.testing.assert_frame_equal(sqlite_store.table(name), df, obj=name)
    assert list(sqlite_store.audit_entries({})["action"]) == ["load"]


PURGE_SCRIPT = """
import sys
from datetime import date
from graphmap import retention
from graphmap.store import open_store
s = open_store(sys.argv[1])
print("ready", flush=True)
retention.purge(s, as_at=date(2040, 1, 1))
"""


def killed_write_changes_nothing(tmp_path, script: str, *args: str, n_people: int, n_incidents: int,
                                 what: str) -> dict:
    """Load a large store, run ``script`` on it in a child process, ``kill -9`` it once its
    write has visibly started (the WAL, emptied first, grows past 1 MB), and check the store is
    exactly as before: counts, integrity, audit log. Returns the counts before."""
    import subprocess
    import sys

    from tests.test_crash import big_folder

    db = tmp_path / "g.db"
    big_folder(tmp_path / "big", n_people=n_people, n_incidents=n_incidents)
    with open_store(db) as s:
        s.load([tmp_path / "big"])
        before = s.counts()
        log_before = len(s.audit_entries({}))
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    proc = subprocess.Popen([sys.executable, "-c", script, str(db), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    assert proc.stdout.readline().strip() == b"ready"
    kill_when_wal_grows(proc, tmp_path / "g.db-wal", 1_000_000, what=what)
    with open_store(db) as s:
        assert s.counts() == before
        assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert len(s.audit_entries({})) == log_before and audit.verify_audit(s).ok
    return before


@pytest.mark.slow
def test_kill_9_mid_purge_leaves_store_as_before(tmp_path):
    killed_write_changes_nothing(tmp_path, PURGE_SCRIPT, n_people=20_000, n_incidents=40_000, what="purge")


def test_disk_full_during_pack_export_leaves_no_half_file(tmp_path):
    db, out = tmp_path / "g.db", tmp_path / "packs" / "board.html"
    assert run("load", DEMO, "--db", db).exit_code == 0
    pack = ["pack", "locations-board", "--db", db, "--as-at", "2026-10-31", "--location", "L001", "--out", out]
    assert run(*pack, "--reason", "first").exit_code == 0
    before = out.read_bytes()
    limit = 33 * 1024  # above SQLite's 32 KB shared-memory file, below the pack
    assert len(before) > limit
    # A real write failure: the kernel refuses to grow any file past the limit (EFBIG, as ENOSPC would).
    old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, old_limit[1]))
    try:
        r = run(*pack, "--reason", "second")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
        signal.signal(signal.SIGXFSZ, old_handler)
    one_line_error(r, "File too large")
    assert out.read_bytes() == before  # the earlier pack is untouched
    assert [p.name for p in out.parent.iterdir()] == ["board.html"]  # no temporary file left behind
    with open_store(db) as s:  # the failed pack is not recorded as made
        assert list(s.audit_entries({"action": "export"})["reason"]) == ["first"]


MERGE_SCRIPT = """
import sys
from graphmap import identity
from graphmap.store import open_store
s = open_store(sys.argv[1])
n = int(sys.argv[2])
rows = [{"person_id": f"Q{i}", "same_as": f"Q{i + 1}", "status": "accepted", "score": "1.0", "method": "manual",
         "decided_by": "ig.officer", "reason": "bulk decision"} for i in range(n - 1)]
frame = identity._link_rows(rows)
print("ready", flush=True)
identity._write(s, frame)
"""


@pytest.mark.slow
def test_kill_9_mid_merge_leaves_store_as_before(tmp_path):
    """A large merge (many accepted identity decisions at once, the path `graphmap identities
    --accept` and automatic resolution write through) killed half-way: none of it is kept."""
    before = killed_write_changes_nothing(tmp_path, MERGE_SCRIPT, "60000", n_people=60_000, n_incidents=1_000,
                                          what="merge")
    assert before["identity_links"] == 0


def test_neo4j_server_unavailable_is_one_line_and_writes_nothing(tmp_path, monkeypatch):
    """The real neo4j driver against a port where a server accepts and drops every connection
    (a server going away): one line naming the server, no traceback, nothing loaded."""
    import socket
    import threading

    pytest.importorskip("neo4j")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    seen = []

    def drop_all():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            seen.append(1)
            conn.close()

    threading.Thread(target=drop_all, daemon=True).start()
    monkeypatch.setenv("GRAPHMAP_NEO4J_USER", "neo4j")
    monkeypatch.setenv("GRAPHMAP_NEO4J_PASSWORD", "secret-password")
    try:
        r = run("load", DEMO, "--db", f"bolt://127.0.0.1:{port}")
    finally:
        listener.close()
    one_line_error(r, f"bolt://127.0.0.1:{port}", "ServiceUnavailable")
    assert "secret-password" not in r.output
    assert seen  # the driver did reach the server


# --- Neo4j: a transient error mid-load is retried; one that persists fails cleanly ---------------
# The Neo4j driver re-runs a managed write transaction (rolled back first) on a transient error
# such as a cluster leader switch. The FalkorDB adapter runs writes the same way, so these tests
# check what graphmap owns: the load's `work` can be run again after a rollback without
# writing anything twice, and an error that outlasts the retries is one clear line with nothing
# written. The errors raised are the driver's own exception class.

def _fail_statements(monkeypatch, *, at: int, times: int | None):
    """Make the ``at``-th write statement of an attempt raise ``TransientError`` (``times``
    attempts, or every attempt when ``None``); returns the list of failures raised."""
    from neo4j.exceptions import TransientError

    from graphmap.store.falkordb_adapter import FalkorTransaction

    real_run, raised, seen = FalkorTransaction.run, [], {"n": 0}

    def run(self, query, parameters=None, **kw):
        if not self._read_only:
            seen["n"] += 1
            if seen["n"] == at and (times is None or len(raised) < times):
                raised.append(query)
                raise TransientError("Neo.TransientError.Cluster.NotALeader (injected by the test)")
        return real_run(self, query, parameters, **kw)

    def attempt(session_self, work, *args, **kwargs):
        seen["n"] = 0  # count statements per attempt
        return real_once(session_self, work, *args, **kwargs)

    from graphmap.store.falkordb_adapter import FalkorSession

    real_once = FalkorSession._write_once
    monkeypatch.setattr(FalkorTransaction, "run", run)
    monkeypatch.setattr(FalkorSession, "_write_once", attempt)
    return raised


def test_neo4j_transient_error_mid_load_is_retried_and_writes_once(tmp_path, request, monkeypatch):
    from tests.conftest import make_store

    clean = make_store("falkordb", tmp_path / "a", request)
    clean.load(sorted(DEMO.glob("*.csv")))
    store = make_store("falkordb", tmp_path / "b", request)
    raised = _fail_statements(monkeypatch, at=3, times=2)  # the third statement, twice: after rows went in
    result = store.load(sorted(DEMO.glob("*.csv")))
    assert len(raised) == 2 and result.rejected_rows == 0
    assert store.counts() == clean.counts()  # nothing written twice by the re-runs
    assert len(store.loads()) == 1 and len(store.audit_entries({"action": "load"})) == 1
    for name in ("people", "incidents", "involvements"):
        pd.testing.assert_frame_equal(store.table(name), clean.table(name))


def test_neo4j_transient_error_that_persists_fails_cleanly_and_writes_nothing(tmp_path, request, monkeypatch):
    from graphmap.store.neo4j import StoreError
    from tests.conftest import make_store

    store = make_store("falkordb", tmp_path, request)
    store.load([DEMO / "people.csv", DEMO / "locations.csv"])
    before = {n: store.table(n) for n in ("people", "locations", "incidents")}
    store.driver.max_transaction_retry_time = 0.3
    raised = _fail_statements(monkeypatch, at=2, times=None)
    with pytest.raises(StoreError) as err:
        store.load(sorted(DEMO.glob("*.csv")))
    message = str(err.value)
    assert "\n" not in message and "TransientError" in message and "nothing was written" in message
    assert len(raised) >= 2  # it was retried before giving up
    for n, df in before.items():
        pd.testing.assert_frame_equal(store.table(n), df)
    assert len(store.loads()) == 1 and len(store.audit_entries({"action": "load"})) == 1
