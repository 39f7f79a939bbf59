"""Source mappings: each shipped example export loads with the expected counts, as CSV and XLSX."""

from __future__ import annotations

import functools
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from graphmap import ingest, schema
from graphmap.cli import cli
from tests.conftest import ROOT, write_csv

EXPORTS = ROOT / "sample_data" / "exports"

# Worked out by hand from the example files (see the comments in each mapping).
EXPECTED = {
    "merlin": {"incidents": 6, "locations": 4, "people": 13, "involvements": 15},
    "missing_episodes": {"incidents": 5, "locations": 3, "people": 9, "involvements": 12, "presence": 4},
    "asb_log": {"incidents": 4, "locations": 4, "people": 3, "involvements": 3},
    "intelligence_log": {"incidents": 3, "people": 5, "involvements": 6, "identifiers": 7, "identifier_uses": 7},
    "peer_map": {"people": 10, "associations": 7},
}
ROWS = {"merlin": 6, "missing_episodes": 5, "asb_log": 4, "intelligence_log": 3, "peer_map": 3}


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@functools.cache
def mapped(name: str, ext: str = "csv"):
    """Each example export mapped once per test session (tests only read the batch)."""
    return ingest.read_exports([EXPORTS / f"{name}.{ext}"], name)


def test_every_shipped_mapping_is_valid_and_has_an_example():
    assert set(ingest.available_sources()) >= set(EXPECTED)
    for name in ingest.available_sources():
        m = ingest.load_mapping(name)
        assert m.blocks and m.source
        assert (EXPORTS / f"{name}.csv").exists() and (EXPORTS / f"{name}.xlsx").exists(), name


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_example_export_loads_with_expected_counts(name, ext, sqlite_store):
    batch = mapped(name, ext)  # nothing in the empty store to look up
    assert batch.rejects == []
    assert ingest.mapped_counts(batch) == EXPECTED[name]
    f = batch.files[0]
    assert (f.read, f.loaded, f.rejected) == (ROWS[name], ROWS[name], 0)
    result = sqlite_store.load_batch(batch)
    counts = sqlite_store.counts()
    for record, n in EXPECTED[name].items():
        assert counts[record] == n, record
    assert result.loaded_rows == ROWS[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_csv_and_xlsx_give_the_same_records(name):
    a, b = mapped(name, "csv"), mapped(name, "xlsx")
    assert a.tables.keys() == b.tables.keys()
    for record in a.tables:
        pd.testing.assert_frame_equal(a.tables[record], b.tables[record], obj=record)


def test_merlin_row_becomes_incident_place_people_and_involvements():
    b = mapped("merlin", "csv")
    inc = b.tables["incidents"].set_index("incident_id")
    assert inc.loc["MER-MER/26/00101", "start"] == "2026-03-14T21:40:00"  # UK dd/mm/yyyy HH:MM
    assert inc.loc["MER-MER/26/00101", "source"] == "met_merlin"
    assert inc.loc["MER-MER/26/00101", "fact_or_opinion"] == "fact"
    assert inc.loc["MER-MER/26/00142", "location_id"] == ""  # no place given: none invented
    people = b.tables["people"].set_index("person_id")
    assert people.loc["MPS-MP100201", ["forename", "surname", "date_of_birth"]].tolist() == \
        ["Jayden", "Smith", "2010-03-04"]
    assert people.loc["MPS-MP100205", "forename"] == "Zoë"
    # Others present: split, parsed, aged at the report (an adult is an associate, not a concern).
    assert people.loc["MER-N-darren-cole-1996-02-14", "role"] == "associate"
    assert people.loc["MER-N-tyler-okafor-2009-05-12", "role"] == "young_person"
    inv = b.tables["involvements"]
    roles = dict(zip(inv["incident_id"] + "|" + inv["person_id"], inv["role"]))
    assert roles["MER-MER/26/00102|MPS-MP100202"] == "missing_person"  # value map: MFH
    assert roles["MER-MER/26/00117|MPS-MP100203"] == "victim"
    assert roles["MER-MER/26/00101|MPS-MP100201"] == "subject"        # "*" default
    assert roles["MER-MER/26/00101|MER-N-kai-brennan"] == "present"
    loc = b.tables["locations"].set_index("location_id")
    assert loc.loc["MER-L-chicken-spot-fairholt", ["latitude", "postcode", "type"]].tolist() == \
        ["", "SW19 8NP", "shop_takeaway"]


def test_missing_episode_log():
    b = mapped("missing_episodes", "xlsx")
    inc = b.tables["incidents"].set_index("incident_id")
    ep = inc.loc["MIS-ME-2026-047"]
    assert (ep["type"], ep["start"], ep["end"]) == ("missing", "2026-04-09T20:00:00", "2026-04-11T09:15:00")
    assert json.loads(ep["props"]) == {"return_home_interview": "declined"}
    inv = b.tables["involvements"]
    with_cole = inv[inv["person_id"] == "MIS-N-darren-cole"]
    assert set(with_cole["role"]) == {"found_with"} and len(with_cole) == 3
    pres = b.tables["presence"]
    assert set(pres["kind"]) == {"found_at"}
    assert pres[pres["location_id"] == "MIS-L-kestrel-heath-hotel"]["first_seen"].tolist() == ["2026-04-11"]
    assert b.files[0].notes and "3 location(s) kept without a map point" in b.files[0].notes[0]


def test_asb_log_date_and_time_columns_and_opinion():
    b = mapped("asb_log", "csv")
    inc = b.tables["incidents"].set_index("incident_id")
    assert inc.loc["ASB-ASB-7710", "start"] == "2026-03-12T20:30:00"
    assert inc.loc["ASB-ASB-7723", "start"] == "2026-03-20T00:00:00"  # no time given: the date
    assert set(inc["fact_or_opinion"]) == {"opinion"}
    assert json.loads(inc.loc["ASB-ASB-7731", "props"]) == {"reported_by": "Resident"}


def test_intelligence_identifiers_and_grading():
    b = mapped("intelligence_log", "csv")
    ids = b.tables["identifiers"].set_index("identifier_id")
    # "AB12 CDE" and "AB12CDE" are one plate; "+44 7700 900123" and "07700 900123" one phone.
    assert ids.loc["VEH-AB12CDE", ["kind", "value"]].tolist() == ["vehicle", "AB12CDE"]
    assert ids.loc["TEL-07700900123", "kind"] == "phone"
    assert ids.loc["HDL-@dcole_wb", "kind"] == "online_handle"
    uses = b.tables["identifier_uses"].set_index(["person_id", "identifier_id"])
    plate = uses.loc[("MPS-MP300017", "VEH-AB12CDE")]
    # Seen in two pieces of intelligence: the link spans both, graded as the latest.
    assert (plate["first_seen"], plate["last_seen"], plate["grading"]) == ("2026-03-16", "2026-03-28", "3C C")
    assert set(b.tables["incidents"]["grading"]) == {"2B P", "3C C", "2C P"}
    people = b.tables["people"].set_index("person_id")
    assert people.loc["MPS-MP300017", "role"] == "adult_of_concern"


def test_peer_map_associations():
    b = mapped("peer_map", "csv")
    a = b.tables["associations"]
    kinds = dict(zip(a["person_id_a"] + ">" + a["person_id_b"], a["kind"]))
    assert kinds["CSC-CSC4401>PM-N-darren-cole"] == "olders"
    assert kinds["CSC-CSC4409>PM-N-ella-walsh-2011-06-02"] == "sibling"
    assert kinds["CSC-CSC4405>PM-N-leon-price"] == "partner"
    assert set(a["first_seen"]) == {"2026-03-25", "2026-04-02", "2026-04-21"}
    assert set(a["fact_or_opinion"]) == {"opinion"}


def test_cli_load_source_and_reload_changes_nothing(tmp_path):
    db = tmp_path / "g.db"
    r = run("load", EXPORTS / "merlin.csv", "--db", db, "--source", "merlin")
    assert r.exit_code == 0, r.output
    assert "merlin.csv: 6 read, 6 loaded, 0 rejected" in r.output
    assert "1 location(s) kept without a map point" in r.output
    from graphmap.store import open_store

    with open_store(db) as s:
        before = {n: s.table(n) for n in ("people", "incidents", "involvements")}
    r = run("load", EXPORTS / "merlin.xlsx", "--db", db, "--source", "merlin")
    assert r.exit_code == 0
    with open_store(db) as s:
        for n, df in before.items():
            pd.testing.assert_frame_equal(s.table(n), df, obj=n)


def test_cli_unknown_source_is_a_clean_failure(tmp_path):
    r = run("load", EXPORTS / "merlin.csv", "--db", tmp_path / "g.db", "--source", "nosuch")
    assert r.exit_code == 1
    assert "no such source mapping" in r.output and "merlin" in r.output


def test_partnership_adds_a_source_by_writing_yaml(tmp_path, monkeypatch):
    """The README example, verbatim: a school exclusions sheet."""
    import shutil

    schema_dir = tmp_path / "schema"
    shutil.copytree(ROOT / "schema", schema_dir)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    yaml_text = readme.split("```yaml\n# schema/sources/school_exclusions.yaml\n", 1)[1].split("```", 1)[0]
    (schema_dir / "sources" / "school_exclusions.yaml").write_text(yaml_text, encoding="utf-8")
    csv_text = readme.split("```\n# exclusions.csv\n", 1)[1].split("```", 1)[0]
    export = write_csv(tmp_path / "exclusions.csv", csv_text)
    monkeypatch.setattr(schema, "SCHEMA_DIR", schema_dir)
    ingest.load_mapping.cache_clear()
    try:
        b = ingest.read_exports([export], "school_exclusions")
    finally:
        ingest.load_mapping.cache_clear()
    assert b.rejects == []
    assert ingest.mapped_counts(b) == {"people": 2, "locations": 1, "incidents": 2, "involvements": 2}
    assert set(b.tables["incidents"]["type"]) == {"school"}


def test_bad_mapping_names_file_and_key(tmp_path, monkeypatch):
    import shutil

    schema_dir = tmp_path / "schema"
    shutil.copytree(ROOT / "schema", schema_dir)
    (schema_dir / "sources" / "broken.yaml").write_text(
        "source: x\ncolumns: {Ref: ref}\nrecords:\n  - record: incidents\n"
        "    fields: {incident_id: 'X-{reff}', type: asb, start: '2026-01-01'}\n", encoding="utf-8")
    monkeypatch.setattr(schema, "SCHEMA_DIR", schema_dir)
    ingest.load_mapping.cache_clear()
    try:
        with pytest.raises(schema.SchemaError, match=r"broken.yaml: records\[0\].fields.incident_id: unknown placeholder \{reff\}"):
            ingest.load_mapping("broken")
    finally:
        ingest.load_mapping.cache_clear()


def test_read_for_load_is_the_clis_reader_for_canonical_files_and_exports(sqlite_store, demo_copy):
    from graphmap.records import InputError

    canonical = ingest.read_for_load(sqlite_store, [demo_copy])
    assert canonical.rejects == [] and {f.record for f in canonical.files} >= {"people", "incidents"}
    mapped_ = ingest.read_for_load(sqlite_store, [EXPORTS / "merlin.csv"], source="merlin", encoding="utf-8")
    assert ingest.mapped_counts(mapped_) == EXPECTED["merlin"]
    with pytest.raises(InputError, match="canonical files are UTF-8"):
        ingest.read_for_load(sqlite_store, [demo_copy], encoding="cp1252")
