"""Person profile, cohort overlap and the risk commands, over real SQLite stores."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from graphmap import assessments, risk
from graphmap.cli import cli
from graphmap.cohorts import cohort_overlap, upset_frame
from graphmap.profile import person_profile
from graphmap.schema import SCHEMA_DIR
from graphmap.window import Window
from tests.conftest import DEMO, write_csv

FW = risk.framework()
W = Window.ending("2026-06-30", 365)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def borough(sqlite_store, tmp_path):
    """The tiny fixture plus a group, actions and three assessments for P002."""
    write_csv(tmp_path / "x" / "groups.csv", "group_id,name,source\nG1,Park group,peer_map\n")
    write_csv(tmp_path / "x" / "memberships.csv", "person_id,group_id,first_seen,last_seen,source,grading\n"
              "P002,G1,2026-01-01,,peer_map,2B P\n")
    write_csv(tmp_path / "x" / "actions.csv",
              "action_id,person_id,group_id,location_id,heading,text,owner,raised_on,due,status,source\n"
              "X1,P002,,,disrupt,CAWN for adult of concern,Police,2026-05-01,2026-07-01,open,panel\n"
              "X2,,G1,,prevent,Detached youth work at the park,Youth service,2026-05-01,2026-06-15,open,panel\n"
              "X3,P002,,,support,Referral to Catch22,SW,2026-04-01,2026-04-15,done,panel\n"
              "X4,P003,,,protect,Safety plan,SW,2026-04-01,2026-08-01,open,panel\n")
    sqlite_store.load([DEMO, tmp_path / "x"])
    none = {d: "none" for d in FW.domains}
    rows = [
        {"assessment_id": "A1", "person_id": "P002", "assessed_on": "2026-02-01", "assessor": "SW", "status": "agreed",
         **none, "missing": "emerging"},
        {"assessment_id": "A2", "person_id": "P002", "assessed_on": "2026-05-01", "assessor": "SW", "status": "agreed",
         **none, "missing": "moderate", "peer_group": "significant", "places_spaces": "moderate",
         "why_peer_group": "found with an adult of concern"},
        {"assessment_id": "A3", "person_id": "P002", "assessed_on": "2026-06-01", "assessor": "SW", "status": "draft",
         "missing": "significant"},
    ]
    b = assessments.assessment_batch(rows, file="form", lookup=sqlite_store.existing_ids, stored=sqlite_store.get)
    assert not b.rejects
    sqlite_store.load_batch(b)
    return sqlite_store


def test_person_profile(borough):
    p = person_profile(borough.tables(), "P002", window=W, hotspots={"L002"}, groups={"P002": "peer-7"})
    kinds = [(i["record"], i["id"]) for i in p["timeline"]]
    assert kinds == [
        ("associations", "P001|P002|friend|peer_map"), ("associations", "P002|P003|friend|peer_map"),
        ("memberships", "P002|G1|peer_map"), ("presence", "P002|L001|frequents|police"),
        ("assessments", "A1"), ("incidents", "I001"), ("actions", "X3"), ("incidents", "I002"),
        ("actions", "X1"), ("assessments", "A2"), ("assessments", "A3")]
    inc = next(i for i in p["timeline"] if i["id"] == "I001")
    assert inc["role"] == "subject" and inc["source"] == "police" and "grading" in inc
    mem = next(i for i in p["timeline"] if i["record"] == "memberships")
    assert mem["grading"] == "2B P"
    ties = {t["person_id"]: t for t in p["ties"]}
    assert set(ties) == {"P001", "P003", "P004"}   # never P005, who only reported I001
    assert ties["P004"]["role"] == "adult_of_concern"
    assert [e["id"] for e in ties["P004"]["evidence"]] == ["I001", "I002"]
    places = {pl["location_id"]: pl for pl in p["places"]}
    assert places["L002"]["hotspot"] and not places["L001"]["hotspot"]
    assert {e["record"] for e in places["L001"]["evidence"]} == {"presence", "incidents"}
    assert [(g["group_id"], g["basis"]) for g in p["groups"]] == [("G1", "recorded"), ("peer-7", "derived")]
    m = p["matrix"]
    assert m["current"]["assessment_id"] == "A2" and [x["assessment_id"] for x in m["past"]] == ["A1"]
    assert m["current"]["combined_total"] == 6 + 12 + 6 and m["current"]["combined_band"] == "emerging"
    assert m["current"]["rationales"] == {"peer_group": "found with an adult of concern"}
    assert m["current"]["next_review"] == "2026-08-01"
    assert [d["assessment_id"] for d in m["drafts"]] == ["A3"] and m["drafts"][0]["next_review"] is None
    assert [a["action_id"] for a in p["open_actions"]] == ["X2", "X1"]   # soonest due first; group action included
    assert all(pr["status"] == "proposed" for pr in p["proposals"])
    # As at an earlier date, later records are not yet known.
    early = person_profile(borough.tables(), "P002", window=Window.ending("2026-03-01", 365))
    assert early["matrix"]["current"]["assessment_id"] == "A1"
    assert "I002" not in {i["id"] for i in early["timeline"]}
    with pytest.raises(KeyError):
        person_profile(borough.tables(), "NOBODY", window=W)


def _cohort_tables(flags: dict[str, str], missing: dict[str, str]) -> dict:
    people = pd.DataFrame({"person_id": list(flags), "role": ["young_person"] * len(flags),
                           "flags": list(flags.values())})
    inc = pd.DataFrame({"incident_id": [f"M{p}" for p in missing], "type": ["missing"] * len(missing),
                        "start": list(missing.values())})
    inv = pd.DataFrame({"incident_id": [f"M{p}" for p in missing], "person_id": list(missing),
                        "role": ["missing_person"] * len(missing)})
    return {"people": pd.concat([people, pd.DataFrame({"person_id": ["ADULT"], "role": ["adult_of_concern"],
                                                        "flags": ["CSE"]})]),
            "incidents": inc, "involvements": inv}


def test_cohort_overlap_counts_every_combination():
    # 7 young people. CSE: A B C D E F G... hand-worked below.
    flags = {"A": "CSE", "B": "CSE", "C": "CSE;CCE", "D": "CSE;LAC", "E": "CCE", "F": "YJ;CCE", "G": "",
             "H": "CSE"}
    missing = {"A": "2026-05-01T20:00", "C": "2026-06-01T20:00", "E": "2026-01-01T20:00",
               "H": "2025-01-01T20:00"}  # H's episode is before the window
    out = cohort_overlap(_cohort_tables(flags, missing), window=W)
    assert out["population"] == 8   # the adult is not in the population
    counts = {c["key"]: c["count"] for c in out["cohorts"]}
    assert counts == {"missing": 3, "cse": 5, "cce": 3, "missing_education": 0, "youth_justice": 1,
                      "looked_after": 1}
    combos = {tuple(c["cohorts"]): c for c in out["combinations"]}
    assert len(combos) == 2 ** 6 - 1
    assert combos[("cse",)]["exactly"] == 2            # B, H
    assert combos[("missing", "cse")] == {"cohorts": ["missing", "cse"], "exactly": 1, "at_least": 2}  # A | A, C
    assert combos[("missing", "cse", "cce")]["exactly"] == 1   # C
    assert combos[("missing", "cce")]["exactly"] == 1          # E
    assert combos[("cce", "youth_justice")]["exactly"] == 1    # F
    assert combos[("cse", "looked_after")]["exactly"] == 1     # D
    assert sum(c["exactly"] for c in out["combinations"]) + out["in_none"] == 8 and out["in_none"] == 1  # G
    share = next(s for s in out["shares"] if s["of"] == "cse" and s["also_in"] == "missing")
    assert (share["count"], share["of_count"], share["share"]) == (2, 5, 0.4)   # "40% of CSE had a missing episode"
    assert next(s for s in out["shares"] if s["of"] == "missing_education")["share"] is None
    up = upset_frame(out)
    assert up["count"].sum() == 7 and list(up.columns[:2]) == ["missing", "cse"]
    assert dict(next(c for c in out["cohorts"] if c["key"] == "missing"))["members"] == ["A", "C", "E"]


def test_cli_assess_reviews_profile_cohorts(tmp_path):
    db = tmp_path / "g.db"
    assert run("load", DEMO, "--db", db).exit_code == 0
    levels = ",".join(FW.domains)
    write_csv(tmp_path / "a.csv", f"person_id,assessed_on,assessor,status,{levels},why_missing\n"
              "P002,2026-03-01,SW,agreed," + ",".join("significant" if d in ("missing", "coercion_control")
                                                      else "positive" if d == "peer_group" else "none"
                                                      for d in FW.domains) + ",missing 3 days\n"
              "P003,2026-03-01,SW,agreed," + ",".join("moderate" if d == "missing" else "" for d in FW.domains) + ",\n")
    r = run("assess", "--from", tmp_path / "a.csv", "--db", db, "--rejects", tmp_path / "rej.csv")
    assert r.exit_code == 2, r.output
    assert "a.csv: 2 read, 1 loaded, 1 rejected" in r.output
    assert "(P002, 2026-03-01, agreed): harm 22 moderate, context 0 none, combined 22 emerging -> early help" in r.output
    assert "next review 2026-06-01" in r.output
    assert "row 3: coercion_control: an agreed assessment rates every domain" in r.output
    r = run("assess", "--db", db, "--person", "P003", "--on", "2026-04-12", "--assessor", "SW",
            "--level", "missing=moderate", "--why", "missing=two nights", "--rejects", tmp_path / "r.csv")
    assert r.exit_code == 0 and "(P003, 2026-04-12, draft)" in r.output
    r = run("assess", "--db", db, "--person", "P003", "--on", "2026-04-12", "--assessor", "SW", "--level", "missing")
    assert r.exit_code == 1 and "expected DOMAIN=VALUE" in r.output

    r = run("reviews", "--db", db, "--as-at", "2026-06-10", "--json", tmp_path / "rv.json")
    assert r.exit_code == 0, r.output
    assert "P002: overdue by 9 day(s), review 2026-06-01 (emerging" in r.output
    rv = json.loads((tmp_path / "rv.json").read_text())
    assert [(x["person_id"], x["status"]) for x in rv["reviews"]] == [("P002", "overdue"),
                                                                     ("P003", "no agreed assessment")]

    r = run("profile", "P002", "--db", db, "--as-at", "2026-06-30", "--hotspot", "L002", "--json", tmp_path / "p.json")
    assert r.exit_code == 0, r.output
    assert "proposed (not agreed) peer_group: significant" in r.output
    p = json.loads((tmp_path / "p.json").read_text())
    assert p["matrix"]["current"]["combined_total"] == 22 and p["person"]["person_id"] == "P002"
    assert run("profile", "NOBODY", "--db", db).exit_code == 1

    r = run("cohorts", "--db", db, "--as-at", "2026-06-30", "--json", tmp_path / "c.json")
    assert r.exit_code == 0 and "population 3" in r.output
    c = json.loads((tmp_path / "c.json").read_text())
    assert {x["key"]: x["count"] for x in c["cohorts"]}["missing"] == 2


def _schema_copy(tmp_path, framework_line: str | None = None, edit_framework=None):
    dst = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, dst)
    if framework_line:
        s = (dst / "settings.yaml").read_text().replace("framework: risk_matrix.yaml", framework_line)
        (dst / "settings.yaml").write_text(s)
    if edit_framework:
        p = dst / "risk_matrix.yaml"
        p.write_text(edit_framework(p.read_text()))
    return dst


@pytest.fixture
def schema_dir(monkeypatch):
    """Point graphmap at another schema folder in this process (as $GRAPHMAP_SCHEMA does)."""
    from graphmap import cohorts, schema

    caches = (schema.settings, schema.vocabularies, schema.record_specs, risk.framework, risk._framework_files,
              cohorts.cohort_definitions)

    def use(path):
        monkeypatch.setattr(schema, "SCHEMA_DIR", path)
        for c in caches:
            c.cache_clear()

    yield use
    monkeypatch.undo()
    for c in caches:
        c.cache_clear()


def test_framework_setting_and_startup_check(tmp_path, schema_dir):
    db = tmp_path / "g.db"
    assert run("load", DEMO, "--db", db).exit_code == 0
    # A partnership points the setting at the Medway example: no code touched.
    schema_dir(_schema_copy(tmp_path, "framework: frameworks/medway.yaml"))
    r = run("assess", "--db", db, "--person", "P002", "--on", "2026-01-01", "--assessor", "x",
            "--level", "missing=significant", "--level", "coercion_control=significant")
    assert r.exit_code == 0, r.output
    assert "focus prevent, provide_support" in r.output
    assert risk.framework().id == "medway-example"
    # A broken framework stops every risk command at start, naming the file and key.
    bad = _schema_copy(tmp_path / "b", edit_framework=lambda t: t.replace("moderate: [17, 32]", "moderate: [15, 32]", 1))
    schema_dir(bad)
    for args in (["reviews"], ["cohorts"], ["profile", "P002"], ["assess", "--person", "P002"]):
        r = run(*args, "--db", db)
        assert r.exit_code == 1
        assert r.output.strip() == (f"graphmap: error: {bad / 'risk_matrix.yaml'}: bands.harm.moderate: "
                                    "overlapping bands: emerging 5-16 and moderate 15-32")
