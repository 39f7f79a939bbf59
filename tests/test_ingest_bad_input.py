"""Bad input to source mappings: each case gives a clear message and the right rejects, and
every good row still loads. Rejects name the original file, row and column."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from graphmap import ingest, schema
from graphmap.cli import cli
from graphmap.records import InputError
from tests.conftest import ROOT, write_csv

HDR = ("Merlin Ref,Date/Time of Report,Location,Location Type,Postcode,Latitude,Longitude,"
       "Subject ID,Subject Name,Subject DOB,Others Present,Reason for Report\n")
GOOD = "M1,14/03/2026 21:40,Juniper Cross Park,Park,SW19 7QA,51.4021,-0.2012,P1,Jayden SMITH,04/03/2010,Kai BRENNAN,Concern\n"
GOOD2 = "M2,15/03/2026 09:00,,,SW19 8NP,,,P2,Amira HASSAN,08/07/2010,,Victim\n"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def merlin(tmp_path, body: str, name: str = "merlin.csv", encoding: str = "utf-8", header: str = HDR):
    return write_csv(tmp_path / name, header + body, encoding=encoding)


def rej(batch):
    return {(r.row, r.field): r.reason for r in batch.rejects}


def loaded_refs(batch):
    return sorted(batch.tables["incidents"]["source_ref"]) if "incidents" in batch.tables else []


def test_missing_required_column_fails_whole_file_with_names(tmp_path):
    header = HDR.replace("Date/Time of Report,", "")
    body = GOOD.replace("14/03/2026 21:40,", "")
    p = merlin(tmp_path, body, header=header)
    with pytest.raises(InputError) as e:
        ingest.read_exports([p], "merlin")
    msg = str(e.value)
    assert "row 1" in msg and "'Date/Time of Report'" in msg and "'merlin' source mapping" in msg
    r = run("load", p, "--db", tmp_path / "g.db", "--source", "merlin")
    assert r.exit_code == 1 and "nothing loaded" in r.output


def test_optional_columns_may_be_absent_and_headers_match_loosely(tmp_path):
    header = "merlin ref , DATE/TIME OF REPORT,Location,Subject ID,Subject Name,Subject DOB,Reason for Report\n"
    p = write_csv(tmp_path / "m.csv", header + "M1,14/03/2026 21:40,The Park,P1,Jayden SMITH,04/03/2010,Concern\n")
    b = ingest.read_exports([p], "merlin")
    assert b.rejects == [] and loaded_refs(b) == ["M1"]
    assert b.tables["locations"]["type"].tolist() == ["other"]  # if_empty in the mapping


def test_bad_dates_rejected_with_original_column(tmp_path):
    p = merlin(tmp_path, GOOD
               + "M3,31/02/2026 10:00,,,,,,P3,Tyler OKAFOR,12/05/2009,,Concern\n"      # no 31 February
               + "M4,2026/03/14 10:00,,,,,,P4,Leon PRICE,30/01/2009,,Concern\n"        # not a format given
               + "M5,14/03/2026 10:00,,,,,,P5,Kai BRENNAN,01/01/1850,,Concern\n"      # before 1900
               + "M6,14/03/2026 10:00,,,,,,P6,Ruby WALSH,02/06/2011,Ella WALSH (32/01/2011),Concern\n"
               + GOOD2)
    b = ingest.read_exports([p], "merlin")
    got = rej(b)
    assert "not a valid date/time (expected dd/mm/yyyy HH:MM" in got[(3, "Date/Time of Report")]
    assert "not a valid date/time" in got[(4, "Date/Time of Report")]
    assert "date outside 1900-01-01" in got[(5, "Subject DOB")]
    assert "not a valid date (expected dd/mm/yyyy)" in got[(6, "Others Present")]
    assert loaded_refs(b) == ["M1", "M2"]
    # A rejected row loads nothing at all: not its subject, not its place.
    assert "MPS-P6" not in set(b.tables["people"]["person_id"])
    assert [(f.read, f.loaded, f.rejected) for f in b.files] == [(6, 2, 4)]
    value = {(r.row, r.field): r.value for r in b.rejects}
    assert value[(3, "Date/Time of Report")] == "31/02/2026 10:00"  # the value as the export had it


def test_end_before_start(tmp_path):
    hdr = ("Episode ID,Child ID,Child Name,DOB,Reported Missing,Returned,Where Found\n")
    p = write_csv(tmp_path / "missing.csv", hdr
                  + "E1,C1,Jaden Smyth,04/03/2010,14/03/2026 18:00,15/03/2026 03:20,Longthorn Road\n"
                  + "E2,C2,Tyler Okafor,12/05/2009,14/03/2026 18:00,13/03/2026 03:20,Longthorn Road\n")
    b = ingest.read_exports([p], "missing_episodes")
    assert "end is before start" in rej(b)[(3, "Returned")]
    assert loaded_refs(b) == ["E1"]
    assert list(b.tables["people"]["person_id"]) == ["CSC-C1"]


def test_unknown_types_are_rejected_not_guessed(tmp_path):
    hdr = "ASB Ref,Date,Location,Place Type,Category\n"
    p = write_csv(tmp_path / "asb.csv", hdr
                  + "A1,12/03/2026,Juniper Cross Park,Park,Drug activity\n"
                  + "A2,12/03/2026,Somewhere,Spaceport,Nuisance\n")
    b = ingest.read_exports([p], "asb_log")
    assert "unknown location_type" in rej(b)[(3, "Place Type")]
    assert {r.value for r in b.rejects} == {"Spaceport"}
    assert loaded_refs(b) == ["A1"]
    pm = write_csv(tmp_path / "pm.csv", "Child ID,Child Name,DOB,Named Associates,Date of Mapping\n"
                   "C1,Ruby Walsh,02/06/2011,Ella Walsh (Sister),21/04/2026\n"
                   "C2,Amira Hassan,08/07/2010,Leon Price (Nemesis); Zoe Adebayo (Friend),21/04/2026\n"
                   "C3,Kai Brennan,01/01/2009,Leon Price [1/1/09 (Friend),21/04/2026\n")
    b = ingest.read_exports([pm], "peer_map")
    got = rej(b)
    assert "unknown association_kind" in got[(3, "Named Associates")]
    assert "cannot read 'Leon Price [1/1/09 (Friend)' as a name, an optional [dd/mm/yyyy]" in got[(4, "Named Associates")]
    assert set(b.tables["people"]["person_id"]) == {"CSC-C1", "PM-N-ella-walsh"}


def test_coordinates_outside_the_uk(tmp_path):
    p = merlin(tmp_path, GOOD + "M3,14/03/2026 21:40,Eiffel Tower,Park,,48.8584,2.2945,P3,Tyler OKAFOR,12/05/2009,,Concern\n"
               + "M4,14/03/2026 21:40,Half,Park,,51.40,,P4,Leon PRICE,30/01/2009,,Concern\n")
    b = ingest.read_exports([p], "merlin")
    got = rej(b)
    assert "latitude outside the UK" in got[(3, "Latitude")]
    assert "longitude outside the UK" in got[(3, "Longitude")]
    assert "given together" in got[(4, "Latitude/Longitude")]
    assert loaded_refs(b) == ["M1"]


def test_duplicate_ids_and_contradicting_people(tmp_path):
    p = merlin(tmp_path, GOOD
               + GOOD.replace("Concern", "Repeat")                                    # same Merlin ref
               + "M3,16/03/2026 10:00,,,,,,P1,Jayden SMITH,05/03/2010,,Concern\n"      # P1, another DOB
               + "M4,17/03/2026 10:00,,,,,,P1,Jayden SMITH,,,Concern\n")               # P1, DOB blank: fine
    b = ingest.read_exports([p], "merlin")
    got = rej(b)
    assert got[(3, "Merlin Ref")] == "duplicate key; first given at row 2"
    assert "MPS-P1 is given with date_of_birth '2010-03-04' at an earlier row" in got[(4, "Subject DOB")]
    assert loaded_refs(b) == ["M1", "M4"]
    people = b.tables["people"].set_index("person_id")
    assert people.loc["MPS-P1", "date_of_birth"] == "2010-03-04"


def test_dangling_reference_checked_against_file_and_store(tmp_path, sqlite_store, monkeypatch):
    """A partnership mapping that names places by a code kept in the store."""
    import shutil

    schema_dir = tmp_path / "schema"
    shutil.copytree(ROOT / "schema", schema_dir)
    (schema_dir / "sources" / "patrol_log.yaml").write_text(
        "source: patrols\ncolumns: {Ref: ref, Date: day, Place Code: code}\n"
        "records:\n  - record: incidents\n    unique: true\n"
        "    fields: {incident_id: 'PAT-{ref}', type: other, start: {value: '{day}', parse: datetime},"
        " location_id: 'LOC-{code}'}\n", encoding="utf-8")
    monkeypatch.setattr(schema, "SCHEMA_DIR", schema_dir)
    ingest.load_mapping.cache_clear()
    try:
        write_csv(tmp_path / "canon" / "locations.csv", "location_id,name,type,latitude,longitude,postcode,ward,source\n"
                  "LOC-1,Juniper Cross Park,park,51.40,-0.20,,,council\n")
        sqlite_store.load([tmp_path / "canon"])
        p = write_csv(tmp_path / "patrols.csv", "Ref,Date,Place Code\nR1,01/03/2026,1\nR2,02/03/2026,9\nR3,03/03/2026,\n")
        b = ingest.read_exports([p], "patrol_log", lookup=sqlite_store.existing_ids)
    finally:
        ingest.load_mapping.cache_clear()
    assert [(r.row, r.field, r.value) for r in b.rejects] == [(3, "Place Code", "LOC-9")]
    assert "is not in locations.csv or the store" in b.rejects[0].reason
    assert sorted(b.tables["incidents"]["incident_id"]) == ["PAT-R1", "PAT-R3"]


def test_cp1252_is_detected_and_said(tmp_path):
    body = GOOD.replace("Jayden SMITH", "Zoë ADEBAYO").replace("Juniper Cross Park", "Café Renée")
    p = merlin(tmp_path, body, encoding="cp1252")
    b = ingest.read_exports([p], "merlin")
    assert b.rejects == []
    assert b.tables["people"].set_index("person_id").loc["MPS-P1", "forename"] == "Zoë"
    assert b.tables["locations"]["name"].tolist() == ["Café Renée"]
    assert any("Windows-1252" in n and "cp1252" in n for n in b.files[0].notes)
    r = run("load", p, "--db", tmp_path / "g.db", "--source", "merlin")
    assert r.exit_code == 0 and "read as Windows-1252" in r.output
    # Told it is UTF-8, it is not silently read as anything else.
    with pytest.raises(InputError, match=r"row 2: not utf-8 \(byte 0xe9\)"):
        ingest.read_exports([p], "merlin", encoding="utf-8")
    b = ingest.read_exports([p], "merlin", encoding="cp1252")
    assert b.tables["people"]["forename"].tolist()[0] == "Zoë"


def test_undetectable_encoding_is_reported_not_guessed(tmp_path):
    # UTF-16 (what Excel's "Unicode text" writes): not UTF-8, and not Windows-1252 either.
    p = merlin(tmp_path, GOOD.replace("Jayden SMITH", "Zoë ADEBAYO"), encoding="utf-16")
    with pytest.raises(InputError) as e:
        ingest.read_exports([p], "merlin")
    assert "not UTF-8" in str(e.value) and "--encoding" in str(e.value)


def test_bom_and_crlf(tmp_path):
    p = tmp_path / "merlin.csv"
    p.write_bytes(b"\xef\xbb\xbf" + (HDR + GOOD + GOOD2).replace("\n", "\r\n").encode("utf-8"))
    b = ingest.read_exports([p], "merlin")
    assert b.rejects == [] and loaded_refs(b) == ["M1", "M2"]
    assert not any(v.endswith("\r") for df in b.tables.values() for c in df for v in df[c])
    assert b.tables["involvements"]["role"].tolist().count("subject") == 1


def test_empty_file_and_header_only(tmp_path):
    empty = write_csv(tmp_path / "empty.csv", "")
    with pytest.raises(InputError, match="empty file"):
        ingest.read_exports([empty], "merlin")
    r = run("load", empty, "--db", tmp_path / "g.db", "--source", "merlin")
    assert r.exit_code == 1 and "empty.csv: empty file" in r.output
    only = merlin(tmp_path, "", name="only.csv")
    b = ingest.read_exports([only], "merlin")
    assert b.rows == 0 and [(f.read, f.loaded, f.rejected) for f in b.files] == [(0, 0, 0)]


def test_ten_megabytes_in_one_column(tmp_path):
    # A file of one column (the wrong export) is refused at the header, quickly.
    big = tmp_path / "one_column.csv"
    big.write_text("Merlin Ref\n" + "MER/26/000001\n" * (10_000_000 // 14), encoding="utf-8")
    assert big.stat().st_size > 9_900_000
    with pytest.raises(InputError, match="header lacks column"):
        ingest.read_exports([big], "merlin")
    # One 10 MB cell: that row is rejected (no spreadsheet cell holds it), the others load.
    p = merlin(tmp_path, GOOD + GOOD2.replace(",,Victim", "," + "x" * 10_000_000 + ",Victim")
               + GOOD2.replace("M2", "M3"), name="big_cell.csv")
    b = ingest.read_exports([p], "merlin")
    got = rej(b)
    assert "10,000,000 characters long" in got[(3, "Others Present")]
    assert loaded_refs(b) == ["M1", "M3"]
    assert len(b.rejects[0].value) < 100  # the report does not copy 10 MB


def test_postcode_only_locations_load_and_are_counted(tmp_path):
    p = merlin(tmp_path, GOOD + GOOD2 + GOOD2.replace("M2", "M3").replace("SW19 8NP", "NOT A CODE"))
    b = ingest.read_exports([p], "merlin")
    loc = b.tables["locations"].set_index("location_id")
    assert loc.loc["MER-L-sw19-8np", ["latitude", "longitude", "postcode"]].tolist() == ["", "", "SW19 8NP"]
    assert "not a UK postcode" in rej(b)[(4, "Postcode")]
    assert "1 location(s) kept without a map point (1 with a postcode only)" in b.files[0].notes[0]


def test_cli_summary_per_file_and_rejects_report_names_original_file(tmp_path):
    good = merlin(tmp_path, GOOD + GOOD2, name="week1.csv")
    bad = merlin(tmp_path, GOOD.replace("M1", "M7").replace("14/03/2026", "14/13/2026") + GOOD2.replace("M2", "M8"),
                 name="week2.csv")
    db, report = tmp_path / "g.db", tmp_path / "rejects.csv"
    r = run("load", good, bad, "--db", db, "--source", "merlin", "--rejects", report)
    assert r.exit_code == 2, r.output
    assert "week1.csv: 2 read, 2 loaded, 0 rejected" in r.output
    assert "week2.csv: 2 read, 1 loaded, 1 rejected" in r.output
    rows = pd.read_csv(report, dtype=str)
    assert rows[["row", "field", "value"]].values.tolist() == [["2", "Date/Time of Report", "14/13/2026 21:40"]]
    assert rows["file"].tolist() == [str(bad)]
    # --strict: nothing at all.
    r = run("load", good, bad, "--db", tmp_path / "s.db", "--source", "merlin", "--strict", "--rejects", report)
    assert r.exit_code == 1


def test_encoding_without_source_is_refused(tmp_path):
    r = run("load", tmp_path, "--db", tmp_path / "g.db", "--encoding", "cp1252")
    assert r.exit_code == 1 and "--encoding applies to --source" in r.output


def test_many_rows_repeating_people_and_places(tmp_path):
    """3,000 rows naming the same people and places again and again collapse to one node each
    (speed is measured by benchmarks/ingest_exports.py, not here)."""
    rows = "".join(f"M{i},14/03/2026 21:40,Place {i % 50},Park,,51.40,-0.20,P{i % 300},Name{i % 300} SMITH,"
                   f"04/03/2010,Kai BRENNAN (01/02/2009); Amira HASSAN,Concern\n" for i in range(3_000))
    b = ingest.read_exports([merlin(tmp_path, rows)], "merlin")
    assert b.rejects == []
    assert ingest.mapped_counts(b) == {"incidents": 3_000, "locations": 50, "people": 302, "involvements": 9_000}
