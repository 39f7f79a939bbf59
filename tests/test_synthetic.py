"""The synthetic borough: repeatable, loads cleanly, and its ground truth holds in its data."""

from __future__ import annotations

import filecmp
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from graphmap import records, schema, synthetic
from graphmap.cli import cli
from graphmap.store import open_store
from graphmap.window import Window
from tests.conftest import SAMPLE_DEMO

FILES = [schema.record_specs()[n].file for n in synthetic.RECORD_TYPES] + [synthetic.GROUND_TRUTH]


@pytest.fixture(scope="module")
def demo():
    """The committed demo folder read as text frames, with its ground truth."""
    frames = {name: pd.read_csv(SAMPLE_DEMO / spec.file, dtype=str, keep_default_na=False)
              for name, spec in schema.record_specs().items() if name in synthetic.RECORD_TYPES}
    return frames, synthetic.load_truth(SAMPLE_DEMO)


def test_same_seed_byte_identical_and_committed_demo_is_current(tmp_path):
    # The committed demo was written by another process: a fresh run must match it byte for byte.
    a = tmp_path / "a"
    r = CliRunner().invoke(cli, ["synth", "--size", "demo", "--out", str(a)])
    assert r.exit_code == 0, r.output
    for f in FILES:
        assert filecmp.cmp(a / f, SAMPLE_DEMO / f, shallow=False), f"sample_data/demo/{f} differs: regenerate it"


def test_different_seed_differs(tmp_path):
    synthetic.generate(tmp_path / "x", "demo", seed=8)
    assert (tmp_path / "x" / "people.csv").read_bytes() != (SAMPLE_DEMO / "people.csv").read_bytes()
    assert (tmp_path / "x" / "incidents.csv").read_bytes() != (SAMPLE_DEMO / "incidents.csv").read_bytes()


def test_bad_size_is_a_clean_failure(tmp_path):
    r = CliRunner().invoke(cli, ["synth", "--size", "planet", "--out", str(tmp_path)])
    assert r.exit_code != 0 and "planet" in r.output


def test_recruiters_draw_from_several_groups_and_ties_come_first(demo):
    frames, truth = demo
    group_of = {p: g for g, members in truth["groups"].items() for p in members}
    assoc, inv, inc = frames["associations"], frames["involvements"], frames["incidents"]
    first = inv.merge(inc[["incident_id", "start"]], on="incident_id").groupby("person_id")["start"].min()
    assert len(truth["recruiters"]) >= 3
    for r in truth["recruiters"]:
        kids = truth["recruited"][r]
        assert len({group_of[k] for k in kids}) >= 2
        ties = assoc[(assoc["person_id_b"] == r) & (assoc["kind"] == "olders")]
        assert set(ties["person_id_a"]) == set(kids)
        for kid, fs in zip(ties["person_id_a"], ties["first_seen"]):
            assert fs < first[kid][:10], (r, kid)
        # found with the adult after going missing
        found = {c for c, a, _ in truth["found_with"] if a == r}
        assert found == set(kids)
    decoys = set(truth["recruiter_decoys"])
    assert not decoys & set(truth["recruiters"])
    kinds = set(truth["decoy_kinds"].values())
    assert {"youth_worker", "family", "sibling", "single_tie"} <= kinds
    # family decoys: parents and older siblings tied to young people of two groups
    for d in (p for p, k in truth["decoy_kinds"].items() if k in ("family", "sibling")):
        ties = assoc[assoc["person_id_b"] == d]
        assert set(ties["kind"]) == {truth["decoy_kinds"][d]}
        assert len({group_of.get(k) for k in ties["person_id_a"]} - {None}) >= 2
    # youth workers report many incidents across groups and have no ties
    for yw in (p for p, k in truth["decoy_kinds"].items() if k == "youth_worker"):
        mine = inv[inv["person_id"] == yw]
        assert set(mine["role"]) == {"reporting"} and len(mine) >= 20
        assert not ((assoc["person_id_a"] == yw) | (assoc["person_id_b"] == yw)).any()


def test_co_missing_pairs_really_overlap(demo):
    frames, truth = demo
    inc, inv = frames["incidents"], frames["involvements"]
    w = Window.ending(truth["as_at"], truth["window_days"])
    miss = inv[inv["role"] == "missing_person"].merge(inc[inc["type"] == "missing"], on="incident_id")
    miss = miss[w.contains(miss["start"]).to_numpy()]
    by = {p: list(zip(d["start"], d["end"])) for p, d in miss.groupby("person_id")}
    for a, b, n in truth["co_missing_pairs"] + truth["coincidental_pairs"]:
        overlaps = sum(1 for sa, ea in by[a] for sb, eb in by[b] if sa < eb and sb < ea)
        assert overlaps == n, (a, b)
    assert all(n >= 2 for *_, n in truth["co_missing_pairs"])
    planted = {(a, b) for a, b, _ in truth["co_missing_planted"]}
    assert planted <= {(a, b) for a, b, _ in truth["co_missing_pairs"]}
    coinc = {tuple(p) for p in truth["coincidental_planted"]}
    assert coinc and coinc <= {(a, b) for a, b, _ in truth["coincidental_pairs"]}


def test_hotspots_rank_and_the_old_one_does_not(demo):
    frames, truth = demo
    inc = frames["incidents"]
    w = Window.ending(truth["as_at"], truth["window_days"])
    counts = inc[w.contains(inc["start"]) & (inc["location_id"] != "")]["location_id"].value_counts()
    hot = truth["hotspots"]
    assert [counts[h] for h in hot] == sorted((counts[h] for h in hot), reverse=True)
    assert list(counts.index[: len(hot)]) == hot
    old = truth["old_hotspots"][0]
    before = inc[~w.contains(inc["start"]) & (inc["location_id"] == old)]
    assert len(before) > counts.iloc[0] and counts.get(old, 0) < counts[hot[-1]]


def test_places_inside_the_box_with_grid_wards(demo):
    frames, _ = demo
    loc = frames["locations"]
    b = synthetic.borough()
    pts = loc[loc["latitude"] != ""]
    lat, lon = pts["latitude"].astype(float).to_numpy(), pts["longitude"].astype(float).to_numpy()
    assert (synthetic.ward_of(lat, lon, b) == pts["ward"].to_numpy()).all()
    inside = pts[pts["ward"] != ""]
    assert len(inside) > 0.9 * len(pts)
    assert set(inside["ward"]) == set(b["wards"])
    assert set(loc["type"]) >= {"address", "park", "school", "shop_takeaway", "hotel_bnb", "street"}


def test_identity_truth(demo):
    frames, truth = demo
    people = frames["people"].set_index("person_id")
    lives = frames["presence"][frames["presence"]["kind"] == "lives"].set_index("person_id")["location_id"]
    assert ["P" in a and b.startswith("CS") for a, b in truth["duplicates"]]
    jayden = [(a, b) for a, b in truth["duplicates"] if people.loc[a, "forename"] == "Jayden"
              and people.loc[a, "surname"] == "Smith"]
    assert jayden and people.loc[jayden[0][1], ["forename", "surname"]].tolist() == ["Jaden", "Smyth"]
    assert people.loc[jayden[0][0], "date_of_birth"] == "2010-03-04"
    for a, b in truth["duplicates"]:
        assert lives[a] == lives[b] and people.loc[a, "source"] != people.loc[b, "source"]
    for a, b in truth["twins"]:
        assert people.loc[a, ["surname", "date_of_birth"]].tolist() == people.loc[b, ["surname", "date_of_birth"]].tolist()
        assert lives[a] == lives[b] and people.loc[a, "forename"] != people.loc[b, "forename"]
    dup = {tuple(sorted(p)) for p in truth["duplicates"]}
    assert truth["twins"] and not dup & {tuple(p) for p in truth["near_miss_pairs"]}


def test_cross_borough_and_bridges(demo):
    frames, truth = demo
    people = frames["people"].set_index("person_id")
    neighbours = set(synthetic.borough()["neighbouring_boroughs"])
    for a, b in truth["cross_borough_pairs"]:
        assert {people.loc[a, "borough"], people.loc[b, "borough"]} & neighbours
        assert people.loc[a, "borough"] != people.loc[b, "borough"]
    pres, assoc = frames["presence"], frames["associations"]
    school = dict(zip(pres.loc[pres["kind"] == "attends", "person_id"], pres.loc[pres["kind"] == "attends",
                                                                                "location_id"]))
    family = {frozenset(p) for p in zip(assoc.loc[assoc["kind"].isin(["family", "sibling"]), "person_id_a"],
                                         assoc.loc[assoc["kind"].isin(["family", "sibling"]), "person_id_b"])}
    for a, b in truth["cross_borough_pairs"]:
        assert school[a] != school[b] and frozenset((a, b)) not in family
    for a, b in truth["cross_borough_decoys"]:
        assert school[a] == school[b] or frozenset((a, b)) in family
    inv = frames["involvements"]
    group_of = {p: g for g, members in truth["groups"].items() for p in members}
    for p, (g1, g2) in truth["bridge_groups"].items():
        assert group_of[p] == g1
        shared = inv[inv["incident_id"].isin(inv.loc[inv["person_id"] == p, "incident_id"])]
        met = {group_of.get(x) for x in shared["person_id"] if x != p}
        assert {g1, g2} <= met


def test_intelligence_graded_and_flags_valid(demo):
    frames, _ = demo
    inc = frames["incidents"]
    intel = inc[inc["type"] == "intelligence"]
    assert (intel["grading"].map(schema.parse_grading) == intel["grading"]).all()
    assert set(intel["fact_or_opinion"]) == {"fact", "opinion"}
    assert set(inc["type"]) >= {"merlin", "missing", "asb", "arrest", "stop_search", "intelligence", "school",
                                "found_with"}
    flags = set(";".join(frames["people"]["flags"]).split(";")) - {""}
    assert {"LAC", "CP", "CIN", "CSE", "CCE", "CME", "YJ", "MISSING"} <= flags
    assert set(frames["involvements"]["role"]) == set(schema.vocabulary("involvement_role"))


def test_ground_truth_is_json_with_documented_keys(demo):
    _, truth = demo
    for key in ("as_at", "window_days", "groups", "recruiters", "recruiter_decoys", "bridges", "co_missing_pairs",
                "coincidental_pairs", "hotspots", "old_hotspots", "cross_borough_pairs", "duplicates",
                "near_miss_pairs"):
        assert key in truth and key in synthetic.__doc__
    assert truth["as_at"] == "2026-10-31"
    json.dumps(truth)
    assert np.all([len(m) >= 3 for m in truth["groups"].values()])


def test_graphmap_demo_loads_with_zero_rejects_and_the_counts_truth_states(tmp_path, demo):
    _, truth = demo
    db = tmp_path / "demo.db"
    r = CliRunner().invoke(cli, ["demo", "--db", str(db)])
    assert r.exit_code == 0, r.output
    lines = [line for line in r.output.splitlines() if " read, " in line]
    assert len(lines) == len(truth["counts"]) and all(line.endswith(" 0 rejected") for line in lines)
    with open_store(db) as store:
        counts = store.counts()
    for name, n in truth["counts"].items():
        assert counts[name] == n, name
    assert 250 <= len([p for p in truth["young_people"] if p.startswith("P")]) <= 350
    assert 2500 <= truth["counts"]["incidents"] <= 3500


def test_places_truth_holds(demo):
    frames, truth = demo
    inc, pres = frames["incidents"], frames["presence"]
    w = Window.ending(truth["as_at"], truth["window_days"])
    for loc, groups in truth["shared_places"].items():
        assert len(groups) >= 2 and all(loc in truth["group_places"][g] for g in groups)
    for loc, n in truth["place_trends"].items():
        assert n["previous"] == int((w.previous().contains(inc["start"]) & (inc["location_id"] == loc)).sum())
    old = truth["old_hotspots"][0]
    assert truth["place_trends"][old]["previous"] > truth["place_trends"][old]["window"]
    assert all(truth["place_trends"][h]["window"] > truth["place_trends"][h]["previous"] for h in truth["hotspots"])
    assert truth["hotspot_profile"]["evening_share"] > 0.6
    # found-at presence for every found-with record, at the found-with incident's place
    fw = inc.set_index("incident_id").loc[[i for *_, i in truth["found_with"]], "location_id"]
    found_at = set(zip(pres.loc[pres["kind"] == "found_at", "person_id"], pres.loc[pres["kind"] == "found_at",
                                                                                  "location_id"]))
    assert {(c, fw[i]) for c, _, i in truth["found_with"]} <= found_at


def test_missing_overrides_truth(demo):
    frames, truth = demo
    inc, inv, people = frames["incidents"], frames["involvements"], frames["people"].set_index("person_id")
    w = Window.ending(truth["as_at"], truth["window_days"])
    m = inv[inv["role"] == "missing_person"].merge(inc[(inc["type"] == "missing") & w.contains(inc["start"])],
                                                   on="incident_id")
    hours = (pd.to_datetime(m["end"]) - pd.to_datetime(m["start"])).dt.total_seconds() / 3600
    assert sorted(set(m.loc[hours > 48, "person_id"])) == truth["missing_over_48h"] != []
    assert truth["missing_aged_12_or_under"]
    for p in truth["missing_aged_12_or_under"]:
        assert people.loc[p, "date_of_birth"] > str(int(truth["as_at"][:4]) - 14)


def test_blocks_stream_to_one_folder_with_unique_ids_and_valid_truth(tmp_path, monkeypatch):
    # The region size's path (several blocks appended, truth spliced from fragments), made small.
    monkeypatch.setitem(synthetic.SIZES, "mini", synthetic.Size(young=150, incidents=1200, blocks=2, base=0.9))
    out = tmp_path / "mini"
    summary = synthetic.generate(out, "mini", seed=3)
    truth = synthetic.load_truth(out)
    assert truth["counts"] == summary["counts"]
    people = pd.read_csv(out / "people.csv", dtype=str, keep_default_na=False)
    assert people["person_id"].is_unique and len(people) == truth["counts"]["people"]
    assert len(truth["recruiters"]) == 8 and len(truth["old_hotspots"]) == 2
    assert sum(map(len, truth["groups"].values())) == len({p for m in truth["groups"].values() for p in m})
    assert not (out / ".ground_truth.parts").exists()
    batch = records.read_batch([out])
    assert batch.rejects == []
