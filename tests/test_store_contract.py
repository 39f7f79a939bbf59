"""The store contract: every engine must pass every test here (see conftest.ENGINES)."""

from __future__ import annotations

import pandas as pd
import pytest

from graphmap import records
from tests.conftest import DEMO, write_csv


def test_empty_store_counts_zero(store):
    assert set(store.counts().values()) == {0}


def test_load_counts(store):
    result = store.load([DEMO])
    assert result.rejected_rows == 0
    counts = store.counts()
    for name, df in ((n, pd.read_csv(DEMO / f"{n}.csv", dtype=str)) for n in
                     ("people", "locations", "incidents", "involvements", "associations", "presence")):
        assert counts[name] == len(df), name


def test_reload_changes_nothing(store):
    store.load([DEMO])
    before = {n: store.table(n) for n in records.load_order()}
    store.load([DEMO])
    for n, df in before.items():
        pd.testing.assert_frame_equal(store.table(n), df, obj=n)


def test_read_back_every_field(store, tmp_path):
    write_csv(tmp_path / "in" / "people.csv",
              "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source,nickname,recorded\n"
              "X1,Zoë,O'Brien-Ní Bhriain,2011-01-31,female,young_person,Merton,LAC;NRM,csc,\"Zo, \"\"Z\"\"\",2026-01-02\n")
    write_csv(tmp_path / "in" / "locations.csv",
              "location_id,name,type,latitude,longitude,postcode,ward,source\n"
              "L9,\"Stairwell, Block C\",street,51.41,-0.19,sw19 2ab,Abbey,police\n")
    write_csv(tmp_path / "in" / "incidents.csv",
              "incident_id,type,start,end,location_id,summary,source,grading\n"
              'I9,intelligence,2026-02-03T04:05:06,2026-02-03T05:00,L9,"Line 1\nline 2 \u2013 dash",police,2b p\n')
    result = store.load([tmp_path / "in"])
    assert not result.batch.rejects, result.batch.rejects
    p = store.table("people").iloc[0].to_dict()
    assert p["forename"] == "Zoë" and p["surname"] == "O'Brien-Ní Bhriain"
    assert p["flags"] == "LAC;NRM" and p["recorded"] == "2026-01-02"
    assert p["props"] == '{"nickname": "Zo, \\"Z\\""}'
    loc = store.table("locations").iloc[0].to_dict()
    assert loc["postcode"] == "SW19 2AB" and loc["latitude"] == "51.41" and loc["longitude"] == "-0.19"
    inc = store.table("incidents").iloc[0].to_dict()
    assert inc["start"] == "2026-02-03T04:05:06" and inc["end"] == "2026-02-03T05:00:00"
    assert inc["grading"] == "2B P"
    assert inc["summary"] == "Line 1\nline 2 \u2013 dash"


def test_export_load_fixed_point(store, tmp_path):
    store.load([DEMO])
    store.export(tmp_path / "out1")
    from graphmap.store import open_store

    with open_store(tmp_path / "second.db") as second:
        second.load([tmp_path / "out1"])
        for n in records.load_order():
            pd.testing.assert_frame_equal(second.table(n), store.table(n), obj=n)
        second.export(tmp_path / "out2")
    for f in (tmp_path / "out1").iterdir():
        assert f.read_bytes() == (tmp_path / "out2" / f.name).read_bytes(), f.name


def test_failed_write_leaves_store_as_before(store, monkeypatch):
    store.load([DEMO])
    before = {n: store.table(n) for n in records.load_order()}
    batch = records.read_batch([DEMO])
    # A row that breaks the engine mid-write (after earlier tables were written).
    bad = batch.tables["presence"].copy()
    bad["person_id"] = "NOBODY"
    batch.tables["people"]["forename"] = "CHANGED"
    batch.tables["presence"] = bad
    with pytest.raises(Exception):
        store.write(batch, {"load_id": "x", "loaded_at": "x", "files": "[]", "rows": 1, "rejected": 0})
    for n, df in before.items():
        pd.testing.assert_frame_equal(store.table(n), df, obj=n)


def test_subgraph_hops_and_window(store):
    store.load([DEMO])
    one = store.subgraph("P002", hops=1)
    # P002: friend of P001 and P003; on I001 with P004 (P005 only reported it); found with P004.
    assert one.person_ids == {"P002", "P001", "P003", "P004"}
    assert "P005" not in one.person_ids
    two = store.subgraph("P001", hops=2)
    assert two.hops == {"P001": 0, "P002": 1, "P003": 2, "P004": 2}
    # A window after April: the I001/I002 incidents and the P001-P002 tie (last seen 2026-05-01) drop out.
    late = store.subgraph("P002", hops=1, start="2026-05-02", end="2026-10-31")
    assert late.person_ids == {"P002", "P003"}
    assert set(late.incidents["incident_id"]) == set()
    early = store.subgraph("P003", hops=1, start="2026-04-01", end="2026-04-30")
    assert early.person_ids == {"P003", "P002", "P004"}
    assert set(early.incidents["incident_id"]) == {"I003"}


def test_counts_and_info(store):
    store.load([DEMO])
    info = store.info()
    assert info["counts"]["incidents"] == 4
    assert info["incidents_by_type"] == {"intelligence": 1, "merlin": 1, "missing": 2}
    assert info["date_range"] == {"first": "2026-03-02", "last": "2026-05-01"}
    assert info["sources"]["police"] > 0 and info["last_load"]


def test_delete_by_source(store):
    store.load([DEMO])
    removed = store.delete_source("peer_map")
    assert removed == {"associations": 2}
    assert store.counts()["associations"] == 1
    removed = store.delete_source("police")
    counts = store.counts()
    # Police people, places and incidents go, and every link that named them with them.
    assert "P004" not in set(store.table("people")["person_id"])
    assert set(store.table("involvements")["incident_id"]) == {"I002", "I003"}
    assert counts["associations"] == 0 and removed["people"] == 1
    assert set(store.table("presence")["location_id"]) <= set(store.table("locations")["location_id"])
    # The csc missing episode stays, its police-sourced place cleared rather than left dangling.
    inc = store.table("incidents").set_index("incident_id")
    assert inc.loc["I002", "location_id"] == "" and inc.loc["I002", "source"] == "csc"


def test_hostile_text_round_trips_and_deletes_nothing(store, tmp_path):
    """Quotes, backticks, backslashes and Cypher / SQL fragments are values, never statements."""
    import csv
    import json

    store.load([DEMO])
    hostile = "a'b\"c`d}) DETACH DELETE n // ; DROP TABLE people; -- \\ end\\"
    pid, extra, src = "H1`}) DETACH DELETE n //", "x`}) DETACH DELETE n //", "src' OR 1=1 //"
    (tmp_path / "in").mkdir()
    with open(tmp_path / "in" / "people.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["person_id", "forename", "surname", "date_of_birth", "gender", "role", "borough", "flags",
                    "source", extra])
        w.writerow([pid, hostile, "O'Neil \\", "", "", "associate", hostile, "", src, hostile])
    result = store.load([tmp_path / "in"])
    assert not result.batch.rejects, result.batch.rejects
    row = store.table("people").set_index("person_id").loc[pid]
    assert row["forename"] == hostile and row["borough"] == hostile and row["surname"] == "O'Neil \\"
    assert json.loads(row["props"]) == {extra: hostile}
    assert store.counts()["people"] == 6 and store.counts()["incidents"] == 4
    assert store.existing_ids("people", {pid, "P001' OR '1'='1"}) == {pid}
    assert store.subgraph("P001' OR '1'='1", hops=2).person_ids == {"P001' OR '1'='1"}
    assert store.delete_source("police' OR n.source <> '' //") == {}
    assert store.delete_source(src) == {"people": 1}
    assert store.counts()["people"] == 5



def test_assessments_round_trip(store, tmp_path):
    """A record type added after the foundation (risk matrix) works on every engine unchanged."""
    from graphmap import schema

    store.load([DEMO])
    spec = schema.record_specs()["assessments"]
    row = {}
    for c in spec.columns:
        if c.optional:
            continue
        row[c.name] = ("emerging" if c.vocab == "risk_level" else "draft" if c.vocab == "assessment_status"
                       else "2026-06-01" if c.type == "date" else "")
    row.update(assessment_id="A1", person_id="P002", source="csc", framework="merton", assessor="SW1")
    folder = tmp_path / "risk"
    folder.mkdir()
    pd.DataFrame([row]).to_csv(folder / spec.file, index=False)
    result = store.load([folder])
    assert not result.batch.rejects, result.batch.rejects
    got = store.table("assessments").iloc[0].to_dict()
    assert {k: got[k] for k in row} == row


def test_sqlite_table_reads_see_other_connections_writes(tmp_path):
    """The SQLite engine keeps the last read of each table; a write by any connection refreshes it."""
    from graphmap.store import open_store

    with open_store(tmp_path / "g.db") as reader, open_store(tmp_path / "g.db") as writer:
        assert reader.table("people").empty
        writer.load([DEMO])
        assert len(reader.table("people")) == 5  # another connection's commit
        copy = reader.table("people")
        copy.loc[0, "forename"] = "CHANGED"  # a caller changing its frame changes nothing stored
        assert "CHANGED" not in set(reader.table("people")["forename"])
        reader.delete_source("csc")  # this connection's own write
        assert "csc" not in set(reader.table("people")["source"])


def test_window_records_cut_as_the_whole_tables_would_be(store, tmp_path):
    """An engine's own window cut (SQL on SQLite) returns exactly what the table-reading default
    does: boundary days, date-only starts, seconds past 19 characters, empty-start history and
    an excluded role all included in the case."""
    from graphmap.store.base import Store
    from tests.test_network_eval import person, write_canonical

    people = [person(p, "young_person") for p in ("Y1", "Y2", "Y3")] + [person("R1", "associate")]
    starts = {"I1": "2025-10-31T23:59", "I2": "2025-11-01", "I3": "2025-11-01T00:00", "I4": "2026-06-01T12:00:00.75",
              "I5": "2026-10-31", "I6": "2026-10-31T23:59:59", "I7": "2026-11-01T00:00", "I8": "2024-01-05T10:00"}
    incidents = [{"incident_id": i, "type": "merlin", "start": s, "end": "", "location_id": "", "source": "police"}
                 for i, s in starts.items()]
    involvements = [{"incident_id": i, "person_id": p, "role": r} for i, p, r in [
        ("I1", "Y1", "present"), ("I2", "Y1", "present"), ("I3", "Y2", "present"), ("I4", "Y2", "suspect"),
        ("I4", "R1", "reporting"), ("I5", "Y3", "present"), ("I6", "Y3", "victim"), ("I7", "Y1", "present"),
        ("I8", "R1", "reporting"), ("I8", "Y3", "present")]]
    result = store.load([write_canonical(tmp_path / "w", people, incidents=incidents, involvements=involvements)])
    assert not result.batch.rejects, result.batch.rejects[:3]
    for lo, hi in [("2025-11-01T00:00:00", "2026-10-31T23:59:59"), ("2026-06-01T00:00:00", "2026-06-01T23:59:59"),
                   ("2030-01-01T00:00:00", "2030-12-31T23:59:59")]:
        got = store.window_records(lo, hi, exclude_roles={"reporting"})
        want = Store.window_records(store, lo, hi, exclude_roles={"reporting"})
        for g, w in zip(got[:2], want[:2]):
            pd.testing.assert_frame_equal(g.reset_index(drop=True), w.reset_index(drop=True), check_dtype=False)
        assert got[2].to_dict() == want[2].to_dict()
        cut = store.window_records(lo, hi, first=False)
        pd.testing.assert_frame_equal(cut[0].reset_index(drop=True), got[0].reset_index(drop=True), check_dtype=False)
        assert cut[2] is None
    inc, inv, first = store.window_records("2025-11-01T00:00:00", "2026-10-31T23:59:59", exclude_roles={"reporting"})
    assert set(inc["incident_id"]) == {"I3", "I4", "I5", "I6"}  # I2 (date only, first day) is before 00:00:00
    assert set(inv["incident_id"]) == {"I3", "I4", "I5", "I6"} and "R1" in set(inv["person_id"])
    assert first.to_dict() == {"Y1": "2025-10-31T23:59:00", "Y2": "2025-11-01T00:00:00", "Y3": "2024-01-05T10:00:00"}
    # Only some columns: the same rows, those columns (with the keys, start and role), the same firsts.
    cols = {"incidents": ["type", "grading"], "involvements": ["source"]}
    lean = store.window_records("2025-11-01T00:00:00", "2026-10-31T23:59:59", exclude_roles={"reporting"}, columns=cols)
    assert list(lean[0].columns) == ["incident_id", "type", "start", "grading"]
    assert list(lean[1].columns) == ["incident_id", "person_id", "role", "source"]
    for g, w in zip(lean[:2], (inc, inv)):
        pd.testing.assert_frame_equal(g.reset_index(drop=True), w[list(g.columns)].reset_index(drop=True),
                                      check_dtype=False)
    assert lean[2].to_dict() == first.to_dict()
    with pytest.raises(ValueError, match="summmary"):
        store.window_records("2025-11-01T00:00:00", "2026-10-31T23:59:59", columns={"incidents": ["summmary"]})


def test_sqlite_one_connection_serves_many_threads(demo_db):
    """The app's sessions and its warming thread share one SQLite connection. Four threads
    reading through it at once get what one thread reads, and no error: unguarded, a thread
    saw ``PRAGMA data_version`` return no row (CI, 2026-12-01)."""
    import threading

    from graphmap.store import open_store

    window = ("2025-01-01T00:00:00", "2025-06-30T23:59:59")
    with open_store(demo_db) as s:
        want = (s.counts(), len(s.table("people")), len(s.window_records(*window)[1]))
        got, errors = [], []

        def read():
            try:
                for i in range(60):
                    if i % 10 == 0:
                        s._table_cache.clear()  # read the table from SQLite again, not the kept copy
                    got.append((s.counts(), len(s.table("people")), len(s.window_records(*window)[1])))
            except Exception as e:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(e))

        threads = [threading.Thread(target=read) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors[:3]
    assert len(got) == 240 and all(g == want for g in got)


def test_sqlite_reader_in_another_thread_never_sees_a_write_half_done(tmp_path, monkeypatch):
    """A page in one session reads while a load in another is mid-transaction on the shared
    connection: it waits for the load to end, so it never sees rows the load then rolls back."""
    import threading
    import time

    from graphmap.store import open_store

    with open_store(tmp_path / "g.db") as s:
        started, failed = threading.Event(), []

        def mark_then_fail(*a, **k):  # inside the load's transaction, after every table's rows
            started.set()
            time.sleep(0.5)
            raise RuntimeError("the load fails here")

        monkeypatch.setattr(s, "_mark", mark_then_fail)

        def load():
            try:
                s.load([DEMO])
            except RuntimeError as e:
                failed.append(str(e))

        writer = threading.Thread(target=load)
        writer.start()
        assert started.wait(30)
        seen = s.counts()  # another thread, while the load sleeps inside its transaction
        writer.join()
    assert failed == ["the load fails here"]
    assert not any(seen.values()), seen
