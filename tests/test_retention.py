"""Retention: list what is past each source's period, purge it (audited), leave nothing dangling."""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml
from click.testing import CliRunner

from graphmap import access, audit, retention, schema
from graphmap.cli import cli
from tests.conftest import DEMO, clear_schema_caches


@pytest.fixture
def settings(schema_copy):
    """A private copy of schema/ whose settings a test may edit: ``settings(fn)`` applies fn."""

    def edit(fn):
        data = yaml.safe_load((schema_copy / "settings.yaml").read_text())
        fn(data)
        (schema_copy / "settings.yaml").write_text(yaml.safe_dump(data))
        clear_schema_caches()

    return edit


def no_dangling(store):
    t = store.tables()
    people, incidents, locations = (set(t["people"]["person_id"]), set(t["incidents"]["incident_id"]),
                                    set(t["locations"]["location_id"]))
    assert set(t["involvements"]["person_id"]) <= people and set(t["involvements"]["incident_id"]) <= incidents
    assert set(t["associations"]["person_id_a"]) | set(t["associations"]["person_id_b"]) <= people
    assert set(t["presence"]["person_id"]) <= people and set(t["presence"]["location_id"]) <= locations
    assert set(t["incidents"]["location_id"]) - {""} <= locations


def test_nothing_past_retention_today(sqlite_store):
    sqlite_store.load([DEMO])
    assert retention.past_retention(sqlite_store).total == 0
    assert retention.purge(sqlite_store) == {}


def test_lists_and_purges_what_is_past_and_holds_what_is_still_named(sqlite_store):
    sqlite_store.load([DEMO])
    # Six years after 2032-03-15 back: I001 (2026-03-02), two associations and two presences
    # are past; P005 (only on I001) and Wandle Park (L001, only I001 and an expired presence) go
    # with them; everyone still named by a retained record stays.
    report = retention.past_retention(sqlite_store, date(2032, 3, 15))
    past = {k: sorted(map(tuple, v[list(schema.record_specs()[k].key)].to_numpy())) for k, v in report.past.items()}
    assert past["incidents"] == [("I001",)]
    assert past["involvements"] == [("I001", "P002", "subject"), ("I001", "P004", "present"),
                                    ("I001", "P005", "reporting")]
    assert [p[:2] for p in past["associations"]] == [("P002", "P003"), ("P003", "P004")]
    assert [p[:2] for p in past["presence"]] == [("P002", "L001"), ("P004", "L003")]
    assert past["people"] == [("P005",)] and past["locations"] == [("L001",)]
    row = report.past["incidents"].iloc[0]
    assert (row["source"], row["dated"], row["expired"]) == ("police", "2026-03-02", "2032-02-29")
    removed = retention.purge(sqlite_store, as_at=date(2032, 3, 15), actor=access.Actor("ig.officer", "analyst"))
    assert removed == {"people": 1, "locations": 1, "incidents": 1, "involvements": 3, "associations": 2,
                       "presence": 2}
    no_dangling(sqlite_store)
    e = sqlite_store.audit_entries({"action": "purge"}).iloc[0]
    assert e["user"] == "ig.officer" and json.loads(e["detail"])["past"]["incidents"] == 1
    assert audit.verify_audit(sqlite_store).ok
    assert retention.past_retention(sqlite_store, date(2032, 3, 15)).total == 0
    # Derived views built afterwards no longer count what was removed.
    assert sqlite_store.subgraph("P002", hops=1).person_ids == {"P002", "P001", "P004"}


def test_period_per_source_and_held_nodes(sqlite_store, settings):
    settings(lambda s: s["retention"].update({"sources": {"csc": 30}}))
    sqlite_store.load([DEMO])
    report = retention.past_retention(sqlite_store, date(2026, 11, 30))
    # Only csc's records are past 30 days: the missing episodes and the found_at presence.
    assert set(report.past["incidents"]["incident_id"]) == {"I002", "I003"}
    assert set(report.past["presence"]["source"]) == {"csc"}
    # Kingsbridge House (csc, dated by I004 2026-05-01) is past 30 days but a retained police
    # record names it: held, not purged. csc's young people are all still on police records too.
    assert report.held["locations"] == 1 and "L003" not in set(report.past["locations"]["location_id"])
    assert set(report.past["people"]["person_id"]) == set()
    retention.purge(sqlite_store, as_at=date(2026, 11, 30))
    no_dangling(sqlite_store)
    assert "L003" in set(sqlite_store.table("locations")["location_id"])


def test_undated_records_are_never_purged_by_age(sqlite_store, tmp_path):
    d = tmp_path / "undated"
    d.mkdir()
    (d / "people.csv").write_text("person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
                                  "U1,Una,Dated,2010-01-01,female,young_person,Merton,,csc\n")
    sqlite_store.load([d])
    report = retention.past_retention(sqlite_store, date(2099, 1, 1))
    assert report.total == 0 and report.undated["people"] == 1


def test_bad_retention_setting_names_the_file(sqlite_store, settings):
    settings(lambda s: s["retention"].update({"default_days": 0}))
    sqlite_store.load([DEMO])
    with pytest.raises(schema.SchemaError, match="settings.yaml: retention"):
        retention.past_retention(sqlite_store)


def test_purge_needs_the_role(sqlite_store):
    sqlite_store.load([DEMO])
    with pytest.raises(access.AccessDenied):
        retention.purge(sqlite_store, as_at=date(2040, 1, 1), actor=access.Actor("pc", "police"))
    assert sqlite_store.counts()["people"] == 5


def test_cli_retention_lists_then_purges(tmp_path):
    db = tmp_path / "g.db"
    run = CliRunner(env={"GRAPHMAP_USER": "ig"}).invoke
    assert run(cli, ["load", str(DEMO), "--db", str(db)]).exit_code == 0
    r = run(cli, ["retention", "--db", str(db), "--as-at", "2032-03-15"])
    assert r.exit_code == 0 and "10 record(s) past retention" in r.output and "police 1 (>2190 days)" in r.output
    r = run(cli, ["retention", "--db", str(db), "--as-at", "2032-03-15", "--purge", "--json"])
    assert json.loads(r.output)["purged"]["involvements"] == 3
    r = run(cli, ["retention", "--db", str(db), "--as-at", "2032-3-15"])
    assert r.exit_code == 1 and "not a date" in r.output
    r = run(cli, ["audit", "--db", str(db), "--action", "purge"])
    assert "ig (analyst)  purge  retention" in r.output
