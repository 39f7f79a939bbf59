"""The fast load path keeps its guarantees: indexes rebuilt, one transaction, same references."""

from __future__ import annotations

import pytest

from graphmap import records
from tests.conftest import write_csv

N = 6000  # above the bulk threshold, so an empty table's indexes are dropped and rebuilt


def people_folder(path, n=N):
    rows = "".join(f"Q{i},A,B,2010-01-01,female,young_person,Merton,,csc\n" for i in range(n))
    write_csv(path / "people.csv", "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n" + rows)
    return path


def indexes(store) -> set[str]:
    return {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}


def test_bulk_load_into_empty_table_rebuilds_its_indexes(sqlite_store, tmp_path):
    before = indexes(sqlite_store)
    sqlite_store.load([people_folder(tmp_path / "in")])
    assert indexes(sqlite_store) == before and "ix_people_source" in before
    plan = sqlite_store.conn.execute("EXPLAIN QUERY PLAN SELECT * FROM people WHERE source = 'csc'").fetchall()
    assert "ix_people_source" in str(plan)
    assert sqlite_store.counts()["people"] == N


def test_failed_bulk_write_restores_indexes_and_rows(sqlite_store, tmp_path):
    before = indexes(sqlite_store)
    batch = records.read_batch([people_folder(tmp_path / "in")])
    write_csv(tmp_path / "p" / "people.csv", "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
              "Q0,A,B,2010-01-01,female,young_person,Merton,,csc\nQ1,A,B,2010-01-01,female,young_person,Merton,,csc\n")
    write_csv(tmp_path / "p" / "associations.csv", "person_id_a,person_id_b,kind,first_seen,last_seen,source,grading\n"
              "Q0,Q1,friend,,,csc,\n")
    bad = records.read_batch([tmp_path / "p"]).tables["associations"]
    assert len(bad) == 1
    bad["person_id_b"] = "NOBODY"  # breaks the engine's foreign key after people were written
    batch.tables["associations"] = bad
    with pytest.raises(Exception):
        sqlite_store.write(batch, {"load_id": "x", "loaded_at": "x", "files": "[]", "rows": 1, "rejected": 0})
    assert indexes(sqlite_store) == before
    assert sqlite_store.counts()["people"] == 0


def test_reference_check_rejects_unknown_ids_and_keeps_known(tmp_path):
    people_folder(tmp_path / "in", n=3)
    write_csv(tmp_path / "in" / "associations.csv", "person_id_a,person_id_b,kind,first_seen,last_seen,source,grading\n"
              "Q0,Q1,friend,,,csc,\nQ0,Q9,friend,,,csc,\n")
    batch = records.read_batch([tmp_path / "in"], lookup=lambda record, ids: {"Q9"} & ids if record == "people" else set())
    assert len(batch.tables["associations"]) == 2 and not batch.rejects
    batch = records.read_batch([tmp_path / "in"])
    assert len(batch.tables["associations"]) == 1
    assert [(r.row, r.field, r.value) for r in batch.rejects] == [(3, "person_id_b", "Q9")]


def test_involvements_without_a_source_take_their_incidents(sqlite_store, tmp_path):
    from tests.conftest import DEMO

    sqlite_store.load([DEMO])  # involvements.csv has no source column: each takes its incident's
    inv = sqlite_store.table("involvements")
    inc = sqlite_store.table("incidents").set_index("incident_id")["source"]
    assert len(inv) > 5 and (inv["source"] == inv["incident_id"].map(inc)).all()
    # Later files: one involvement of an incident already stored (its source is looked up), one
    # of an incident in the same batch, and one that states its own source.
    write_csv(tmp_path / "more" / "incidents.csv", "incident_id,type,start,end,location_id,summary,source,grading\n"
              "I900,asb,2026-05-01T10:00,,L001,Noise,community_safety,\n")
    write_csv(tmp_path / "more" / "involvements.csv", "incident_id,person_id,role,source\n"
              "I002,P003,present,\nI900,P002,present,\nI001,P003,present,school\n")
    sqlite_store.load([tmp_path / "more"])
    got = sqlite_store.table("involvements").set_index(["incident_id", "person_id"])["source"]
    assert got[("I002", "P003")] == inc["I002"] == "csc"
    assert got[("I900", "P002")] == "community_safety" and got[("I001", "P003")] == "school"
