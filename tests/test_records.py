"""Validation of canonical files: each bad value is a reject naming file, row, field, reason."""

from __future__ import annotations

from datetime import date

import pytest

from graphmap import records
from tests.conftest import write_csv

HDR = "incident_id,type,start,end,location_id,summary,source,grading\n"


def reasons(batch):
    return {(r.row, r.field): r.reason for r in batch.rejects}


def test_incident_checks(tmp_path):
    write_csv(tmp_path / "incidents.csv", HDR +
              "I1,merlin,2026-01-01T10:00,,,ok,police,\n"
              "I2,merlin,2026-13-01,,,bad month,police,\n"
              "I3,missing,2026-01-05T10:00,2026-01-04T10:00,,end before start,csc,\n"
              "I4,gossip,2026-01-01,,,unknown type,police,\n"
              "I5,intelligence,2026-01-01,,,bad grading,police,4F X\n"
              "I1,merlin,2026-01-02,,,duplicate,police,\n"
              "I6,merlin,2026-01-01T10:00+01:00,,,offset,police,\n"
              ",merlin,2026-01-01,,,no id,police,\n")
    b = records.read_batch([tmp_path / "incidents.csv"], today=date(2026, 11, 30))
    got = reasons(b)
    assert "not a valid date/time" in got[(3, "start")]
    assert "end is before start" in got[(4, "end")]
    assert "unknown incident_type" in got[(5, "type")]
    assert "3x5x2" in got[(6, "grading")]
    assert "first given at row 2" in got[(7, "incident_id")]
    assert got[(9, "incident_id")] == "required value is empty"
    ok = b.tables["incidents"].set_index("incident_id")
    assert list(ok.index) == ["I1", "I6"]
    assert ok.loc["I6", "start"] == "2026-01-01T09:00:00"  # 10:00 at +01:00 is 09:00 UTC: 09:00 in London in January
    assert b.tables["incidents"].set_index("incident_id").loc["I1", "start"] == "2026-01-01T10:00:00"
    assert b.files[0].read == 8 and b.files[0].loaded == 2 and b.files[0].rejected == 6


def test_coordinates_must_be_in_uk_and_paired(tmp_path):
    write_csv(tmp_path / "locations.csv", "location_id,name,type,latitude,longitude,postcode,ward,source\n"
              "L1,Paris,park,48.85,2.35,,,police\n"
              "L2,Half,park,51.4,,,,police\n"
              "L3,Postcode only,address,,,SW19 1AA,,csc\n"
              "L4,Bad postcode,address,,,NOT A CODE,,csc\n")
    b = records.read_batch([tmp_path / "locations.csv"])
    got = reasons(b)
    assert "outside the UK" in got[(2, "latitude")] and "outside the UK" in got[(2, "longitude")]
    assert "together" in got[(3, "latitude/longitude")]
    assert got[(5, "postcode")] == "not a UK postcode"
    assert list(b.tables["locations"]["location_id"]) == ["L3"]


def test_future_and_ancient_dates_rejected(tmp_path):
    write_csv(tmp_path / "people.csv", "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
              "P1,A,B,1850-01-01,male,young_person,,,csc\n"
              "P2,A,B,2030-01-01,male,young_person,,,csc\n"
              "P3,A,B,2010-01-01,male,young_person,,XYZ,csc\n")
    b = records.read_batch([tmp_path / "people.csv"], today=date(2026, 11, 30))
    got = reasons(b)
    assert "outside" in got[(2, "date_of_birth")] and "outside" in got[(3, "date_of_birth")]
    assert "unknown flag(s) XYZ" in got[(4, "flags")]


def test_bom_and_crlf_accepted(tmp_path):
    write_csv(tmp_path / "people.csv", "\ufeffperson_id,forename,surname,date_of_birth,gender,role,borough,flags,source\r\n"
              "P1,A,B,2010-01-01,male,young_person,,,csc\r\n")
    b = records.read_batch([tmp_path / "people.csv"])
    assert not b.rejects and b.tables["people"]["person_id"].tolist() == ["P1"]


def test_empty_file_is_an_input_error(tmp_path):
    write_csv(tmp_path / "people.csv", "")
    with pytest.raises(records.InputError, match="people.csv: empty file"):
        records.read_batch([tmp_path / "people.csv"])


def test_cascading_reference_rejects(tmp_path):
    write_csv(tmp_path / "people.csv", "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
              "P1,A,B,2010-01-01,male,young_person,,,csc\n"
              "P2,A,B,2010-01-01,male,villain,,,csc\n")
    write_csv(tmp_path / "associations.csv", "person_id_a,person_id_b,kind,first_seen,last_seen,source,grading\n"
              "P1,P2,friend,,,csc,\n")
    b = records.read_batch([tmp_path])
    got = reasons(b)
    assert "unknown person_role" in got[(3, "role")]
    assert "'P2' is not in people.csv or the store" in got[(2, "person_id_b")]
    assert b.tables["associations"].empty


def test_formula_neutralised_on_write_and_restored_on_read(tmp_path):
    write_csv(tmp_path / "in" / "people.csv",
              "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
              "P1,=HYPERLINK(\"http://evil\"),@SUM(1),,,young_person,-x,,csc\n")
    b = records.read_batch([tmp_path / "in"])
    records.write_canonical(b.tables, tmp_path / "out")
    text = (tmp_path / "out" / "people.csv").read_text()
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text and "'-x" in text
    again = records.read_batch([tmp_path / "out"])
    assert again.tables["people"].iloc[0]["forename"] == '=HYPERLINK("http://evil")'


def test_date_only_times_stay_dates_and_cover_their_day(tmp_path):
    write_csv(tmp_path / "incidents.csv", HDR +
              "I1,intelligence,2026-01-05,,,no time recorded,police,\n"
              "I2,missing,2026-01-05T21:00,2026-01-05,,returned later that day,csc,\n"
              "I3,missing,2026-01-05T21:00,2026-01-04,,returned the day before,csc,\n")
    b = records.read_batch([tmp_path / "incidents.csv"], today=date(2026, 11, 30))
    ok = b.tables["incidents"].set_index("incident_id")
    assert ok.loc["I1", "start"] == "2026-01-05"  # not 2026-01-05T00:00:00: the time is unknown
    assert ok.loc["I2", "end"] == "2026-01-05"
    assert list(ok.index) == ["I1", "I2"] and "end is before start" in reasons(b)[(4, "end")]
