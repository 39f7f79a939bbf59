"""Repeat loads: an unchanged file is skipped only when skipping provably changes nothing.

Runs on every engine (the ``store`` fixture), like the contract suite.
"""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from graphmap import records
from graphmap.cli import cli
from tests.conftest import DEMO, write_csv


def snapshot(store):
    return {n: store.table(n) for n in records.load_order()}


def assert_same(store, before):
    for n, df in before.items():
        pd.testing.assert_frame_equal(store.table(n), df, obj=n)


def test_unchanged_folder_is_skipped_and_recorded(store):
    first = store.load([DEMO])
    before = snapshot(store)
    again = store.load([DEMO])
    assert [f.skipped_since for f in again.batch.files] == [first.load_id] * len(first.batch.files)
    assert again.batch.rows == 0 and again.load_id == ""  # nothing written, no load recorded
    assert_same(store, before)
    hashes = json.loads(store.loads()["file_hashes"].iloc[-1])
    assert {h["record"] for h in hashes} == {f.record for f in first.batch.files}
    assert all(len(h["sha256"]) == 64 and h["rejected"] == 0 for h in hashes)


def test_write_in_between_forces_real_load(store, tmp_path):
    store.load([DEMO])
    before = snapshot(store)
    people = pd.read_csv(DEMO / "people.csv", dtype=str, keep_default_na=False)
    people.loc[0, "forename"] = "CHANGED"
    (tmp_path / "edit").mkdir()
    people.to_csv(tmp_path / "edit" / "people.csv", index=False)
    store.load([tmp_path / "edit" / "people.csv"])
    assert store.table("people")["forename"].eq("CHANGED").any()
    again = store.load([DEMO])
    by = {f.record: f for f in again.batch.files}
    assert not by["people"].skipped and by["people"].loaded == len(people)
    # Links to people are re-applied too: a record type they refer to was really loaded.
    assert not by["involvements"].skipped and not by["associations"].skipped
    assert by["locations"].skipped and by["incidents"].skipped
    assert_same(store, before)  # the edit was undone by the real upsert


def test_delete_source_in_between_forces_real_load(store):
    store.load([DEMO])
    before = snapshot(store)
    assert store.delete_source("csc")
    again = store.load([DEMO])
    assert not any(f.skipped for f in again.batch.files if f.record in ("people", "involvements"))
    assert_same(store, before)


def test_file_with_rejects_is_never_skipped(store, tmp_path):
    write_csv(tmp_path / "a" / "people.csv",
              "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
              "X1,A,B,2010-01-01,female,young_person,Merton,,csc\n")
    write_csv(tmp_path / "a" / "associations.csv",
              "person_id_a,person_id_b,kind,first_seen,last_seen,source,grading\n"
              "X1,X2,friend,2026-01-01,2026-02-01,csc,\n")
    first = store.load([tmp_path / "a"])
    assert first.rejected_rows == 1 and store.counts()["associations"] == 0
    write_csv(tmp_path / "b" / "people.csv",
              "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
              "X2,C,D,2010-01-01,male,young_person,Merton,,csc\n")
    store.load([tmp_path / "b"])
    again = store.load([tmp_path / "a" / "associations.csv"])
    assert not again.batch.files[0].skipped
    assert store.counts()["associations"] == 1  # the row rejected before now loads


def test_skip_can_be_turned_off(store):
    store.load([DEMO])
    again = store.load([DEMO], skip_unchanged=False)
    assert not any(f.skipped for f in again.batch.files) and again.loaded_rows == again.batch.rows > 0


def test_cli_says_unchanged_files_were_skipped(tmp_path):
    db = str(tmp_path / "g.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["load", str(DEMO), "--db", db]).exit_code == 0
    out = runner.invoke(cli, ["load", str(DEMO), "--db", db])
    assert out.exit_code == 0, out.output
    assert out.output.count("skipped, unchanged since load") == len(list(DEMO.glob("*.csv")))


def test_store_from_before_file_hashes_opens_and_loads(tmp_path):
    import sqlite3

    from graphmap.store import open_store

    db = tmp_path / "old.db"
    with open_store(db) as s:
        s.load([DEMO])
    con = sqlite3.connect(db)
    con.execute("ALTER TABLE loads DROP COLUMN file_hashes")
    con.commit()
    con.close()
    with open_store(db) as s:
        assert s.loads()["file_hashes"].tolist() == ["[]"]
        assert not any(f.skipped for f in s.load([DEMO]).batch.files)  # no hashes yet: a real load
        assert all(f.skipped for f in s.load([DEMO]).batch.files)


def test_purge_in_between_forces_real_load(store):
    """A purge (retention, delete by key) is a write too: the next load of the same files is real."""
    from graphmap import audit

    store.load([DEMO])
    before = snapshot(store)
    removed = store.delete_records({"people": pd.DataFrame({"person_id": ["P004"]})},
                                   audit.new_entry("purge", subject="person:P004"))
    assert removed["people"] == 1 and removed["involvements"] >= 1
    again = store.load([DEMO])
    assert not any(f.skipped for f in again.batch.files)
    assert_same(store, before)
