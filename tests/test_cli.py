"""The CLI contract, driven through click's runner and, for exit codes, a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
from click.testing import CliRunner

from graphmap.cli import cli
from tests.conftest import DEMO, write_csv


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_load_info_export(tmp_path):
    db = tmp_path / "g.db"
    r = run("load", DEMO, "--db", db)
    assert r.exit_code == 0, r.output
    assert "people.csv: 5 read, 5 loaded, 0 rejected" in r.output
    r = run("info", "--db", db, "--json")
    info = json.loads(r.output)
    assert info["counts"]["people"] == 5 and info["counts"]["involvements"] == 7
    r = run("export", "--db", db, "--out", tmp_path / "out", "--reason", "test")
    assert r.exit_code == 0
    assert (tmp_path / "out" / "people.csv").read_text().splitlines()[0] == \
        "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source"


def test_partial_load_exit_2_with_rejects_report(tmp_path, demo_copy):
    inv = demo_copy / "involvements.csv"
    inv.write_text(inv.read_text() + "I001,GHOST,present\nI999,P001,subject\nI001,P003,bystander\n")
    db, rej = tmp_path / "g.db", tmp_path / "rejects.csv"
    r = run("load", demo_copy, "--db", db, "--rejects", rej)
    assert r.exit_code == 2, r.output
    assert "involvements.csv: 10 read, 7 loaded, 3 rejected" in r.output
    rejects = pd.read_csv(rej, dtype=str)
    assert list(rejects.columns) == ["file", "row", "field", "value", "reason"]
    got = {(row.row, row.field, row.value) for row in rejects.itertuples()}
    assert got == {("9", "person_id", "GHOST"), ("10", "incident_id", "I999"), ("11", "role", "bystander")}
    assert json.loads(run("info", "--db", db, "--json").output)["counts"]["involvements"] == 7


def test_strict_loads_nothing(tmp_path, demo_copy):
    p = demo_copy / "people.csv"
    p.write_text(p.read_text() + "P099,Bad,Date,2010-02-30,male,young_person,Merton,,csc\n")
    db = tmp_path / "g.db"
    r = run("load", demo_copy, "--db", db, "--strict", "--rejects", tmp_path / "r.csv")
    assert r.exit_code == 1
    assert "people.csv: row 7: date_of_birth" in r.output
    assert set(json.loads(run("info", "--db", db, "--json").output)["counts"].values()) == {0}


def test_wrong_header_loads_nothing_one_line_error(tmp_path, demo_copy):
    write_csv(demo_copy / "locations.csv", "location_id,name,kind\nL1,x,park\n")
    db = tmp_path / "g.db"
    proc = subprocess.run([sys.executable, "-m", "graphmap.cli", "load", str(demo_copy), "--db", str(db)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
    assert "locations.csv: row 1: header lacks required column(s) type" in proc.stderr
    assert set(json.loads(run("info", "--db", db, "--json").output)["counts"].values()) == {0}


def test_not_utf8_is_reported(tmp_path):
    write_csv(tmp_path / "in" / "people.csv",
              "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
              "P1,Chlo\u00e9,Smith,2010-01-01,female,young_person,Merton,,csc\n", encoding="cp1252")
    r = CliRunner().invoke(cli, ["load", str(tmp_path / "in"), "--db", str(tmp_path / "g.db")])
    assert r.exit_code == 1
    assert "people.csv: row 2: not UTF-8" in r.output


def test_missing_path_is_one_line(tmp_path):
    r = CliRunner().invoke(cli, ["load", str(tmp_path / "nope"), "--db", str(tmp_path / "g.db")])
    assert r.exit_code == 1 and "no such file or folder" in r.output


def test_demo_builds_once(tmp_path):
    db = tmp_path / "demo.db"
    r = run("demo", "--db", db)
    assert r.exit_code == 0 and "people.csv" in r.output
    r = run("demo", "--db", db)
    assert "people.csv" not in r.output and "people" in r.output
