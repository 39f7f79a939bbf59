"""The audit log: every load/export/view/purge is recorded in the store, append-only, hash-chained."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
from click.testing import CliRunner

from graphmap import access, audit
from graphmap.cli import cli
from graphmap.store import open_store
from tests.conftest import DEMO


def run(*args, env=None):
    return CliRunner(env=env).invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_load_is_audited_in_the_same_transaction(store):
    store.load([DEMO], actor=access.Actor("a.analyst", "analyst"))
    log = store.audit_entries({})
    assert list(log["action"]) == ["load"]
    e = log.iloc[0]
    assert e["user"] == "a.analyst" and e["role"] == "analyst" and e["subject"].startswith("load:")
    assert json.loads(e["detail"])["rows"] == 25
    assert audit.verify_audit(store).ok


def test_entries_filter_by_action_user_and_date(store):
    store.load([DEMO], actor=access.Actor("ann", "analyst"))
    audit.record(store, "view_person", actor=access.Actor("bob", "police"), subject="person:P001")
    audit.record(store, "export", actor=access.Actor("ann", "analyst"), reason="MACE")
    assert len(store.audit_entries({"user": "ann"})) == 2
    assert list(store.audit_entries({"action": "view_person"})["subject"]) == ["person:P001"]
    assert len(store.audit_entries({"since": "2000-01-01", "until": "2999-12-31"})) == 3
    assert len(store.audit_entries({"until": "2000-01-01"})) == 0
    with pytest.raises(audit.AuditError):
        store.audit_entries({"name": "x"})
    with pytest.raises(audit.AuditError):
        audit.record(store, "peek")


def test_sqlite_refuses_update_and_delete(sqlite_store):
    audit.record(sqlite_store, "view_places", subject="places")
    for sql in ("UPDATE audit SET user = 'someone else'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            sqlite_store.conn.execute(sql)
    assert len(sqlite_store.audit_entries()) == 1


def _tamper(db, sql):
    """What someone with the file could do: drop the guard and edit the log directly."""
    con = sqlite3.connect(db)
    con.executescript("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;" + sql)
    con.close()


@pytest.mark.parametrize("sql, seq, words", [
    ("UPDATE audit SET reason = 'routine' WHERE seq = 2", 2, "content changed"),
    ("UPDATE audit SET user = 'nobody' WHERE seq = 1", 1, "content changed"),
    ("DELETE FROM audit WHERE seq = 2", 3, "missing"),
])
def test_edited_or_deleted_entry_is_detected(tmp_path, sql, seq, words):
    db = tmp_path / "g.db"
    with open_store(db) as s:
        s.load([DEMO])
        audit.record(s, "export", reason="MACE 3 Dec")
        audit.record(s, "view_person", subject="person:P002")
        assert audit.verify_audit(s).ok
    _tamper(db, sql)
    with open_store(db) as s:
        check = audit.verify_audit(s)
    assert not check.ok
    assert any(p["seq"] == seq and words in p["problem"] for p in check.problems), check.problems
    r = run("audit", "--db", db, "--verify")
    assert r.exit_code == 1 and "TAMPERED" in r.output


def test_rehashed_edit_still_breaks_the_chain(tmp_path):
    # A careful forger recomputes the edited entry's own hash: the next entry no longer follows it.
    db = tmp_path / "g.db"
    with open_store(db) as s:
        audit.record(s, "export", reason="MACE")
        audit.record(s, "view_places")
        first = s.audit_entries({}).iloc[0].to_dict()
    forged = dict(first, reason="nothing to see")
    forged["hash"] = audit.entry_hash(forged)
    _tamper(db, f"UPDATE audit SET reason = 'nothing to see', hash = '{forged['hash']}' WHERE seq = 1")
    with open_store(db) as s:
        check = audit.verify_audit(s)
    assert [p["seq"] for p in check.problems] == [2]


def test_truncation_detected_with_a_recorded_head(tmp_path):
    db = tmp_path / "g.db"
    with open_store(db) as s:
        audit.record(s, "view_places")
        head = audit.record(s, "export", reason="x")["hash"]
        assert audit.verify_audit(s, expected_head=head).ok
    _tamper(db, "DELETE FROM audit WHERE seq = 2")
    with open_store(db) as s:
        assert audit.verify_audit(s).ok  # a shorter chain is valid on its own...
        assert not audit.verify_audit(s, expected_head=head).ok  # ...but not against the head noted earlier


def test_cli_load_export_audit(tmp_path):
    db = tmp_path / "g.db"
    env = {"GRAPHMAP_USER": "jo.analyst"}
    assert run("load", DEMO, "--db", db, env=env).exit_code == 0
    r = run("export", "--db", db, "--out", tmp_path / "out", env=env)
    assert r.exit_code == 1 and "needs a reason" in r.output
    assert run("export", "--db", db, "--out", tmp_path / "out", "--reason", "MACE 3 Dec", env=env).exit_code == 0
    r = run("audit", "--db", db, "--json", env=env)
    log = json.loads(r.output)
    assert [e["action"] for e in log] == ["load", "export"]
    assert log[1]["reason"] == "MACE 3 Dec" and {e["user"] for e in log} == {"jo.analyst"}
    r = run("audit", "--db", db, "--action", "export", env=env)
    assert "why: MACE 3 Dec" in r.output and "1 entry" in r.output
    r = run("audit", "--db", db, "--verify", env=env)
    assert r.exit_code == 0 and "verified" in r.output
    r = run("audit", "--db", db, "--since", "yesterday", env=env)
    assert r.exit_code == 1 and "not an ISO date" in r.output
    r = run("audit", "--db", db, env={"GRAPHMAP_ROLE": "community_safety"})
    assert r.exit_code == 1 and "may not audit" in r.output


def test_two_loads_at_once_both_complete_and_chain_holds(tmp_path, demo_copy):
    # Two connections load into the same embedded store at once (threads: sqlite3 releases the
    # GIL, so the transactions really contend for the file lock); one waits for the other.
    db = tmp_path / "g.db"
    open_store(db).close()
    other = tmp_path / "other"
    other.mkdir()
    (other / "people.csv").write_text(
        "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
        + "".join(f"Z{i},N{i},F{i},2010-01-01,male,young_person,Merton,,csc\n" for i in range(5000)))
    stores = [open_store(db), open_store(db)]
    batches = [stores[0].read_files([demo_copy]), stores[1].read_files([other])]
    errors = []

    def go(i):
        try:
            stores[i].load_batch(batches[i], actor=access.Actor(f"user{i}", "analyst"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(i,)) for i in (1, 0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert not errors
    with open_store(db) as s:
        assert s.counts()["people"] == 5005
        assert sorted(s.audit_entries({})["user"]) == ["user0", "user1"]
        assert audit.verify_audit(s).ok


def test_meta_and_delete_records_contract(store):
    """Engine contract for the governance methods (runs on every engine in conftest.ENGINES)."""
    assert store.get_meta("k") is None
    assert store.set_meta_once("k", "first") == "first"
    assert store.set_meta_once("k", "second") == "first" and store.get_meta("k") == "first"
    store.load([DEMO])
    keys = {"people": store.get("people", {"P004"})[["person_id"]],
            "incidents": store.get("incidents", {"I002"})[["incident_id"]]}
    removed = store.delete_records(keys, audit.new_entry("purge", subject="request"))
    # P004's involvements (I001, I002, I004), association and presence go with P004; I002's
    # remaining involvement (P002) goes with I002.
    assert removed == {"people": 1, "incidents": 1, "involvements": 4, "associations": 1, "presence": 1}
    inv = store.table("involvements")
    assert "P004" not in set(inv["person_id"]) and "I002" not in set(inv["incident_id"])
    assert list(store.audit_entries({})["action"]) == ["load", "purge"] and audit.verify_audit(store).ok


def test_merge_unmerge_and_assess_are_audited_as_such(tmp_path):
    """Identity decisions and assessments appear in the audit log under their own actions."""
    from click.testing import CliRunner

    from graphmap import identity
    from graphmap.cli import cli
    from graphmap.store import open_store
    from tests.conftest import DEMO

    db = tmp_path / "g.db"
    with open_store(db) as s:
        s.load([DEMO])
    r = CliRunner().invoke(cli, ["identities", "--db", str(db), "--accept", "P001", "P003",
                                 "--by", "sw1", "--reason", "same child"])
    assert r.exit_code == 0, r.output
    with open_store(db) as s:
        link = s.table("identity_links")["link_id"].iloc[-1]
        identity.undo(s, link, by="sw1", reason="twins, not one child")
        log = s.audit_entries()
    merge = log[log["action"] == "merge"].iloc[-1]
    assert merge["subject"] == "person:P001,person:P003" and merge["reason"] == "same child"
    assert log[log["action"] == "unmerge"].iloc[-1]["reason"] == "twins, not one child"
    r = CliRunner().invoke(cli, ["assess", "--db", str(db), "--person", "P002", "--on", "2026-06-01",
                                 "--assessor", "sw1", "--level", "missing=moderate"])
    assert r.exit_code == 0, r.output
    with open_store(db) as s:
        log = s.audit_entries()
    assert list(log["action"]) == ["load", "merge", "unmerge", "assess"]
