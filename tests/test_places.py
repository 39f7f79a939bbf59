"""Place analyses on a real SQLite store built from a hand-made borough (tests/places_fixture.py)."""

from __future__ import annotations

import json

import pytest

from graphmap.places import (PlaceAnalysis, adult_places, cell_profile, found_missing_places, hotspots_for_json,
                             location_profile, shared_places, time_profile)
from graphmap.store import open_store
from graphmap.window import Window
from tests.places_fixture import AS_AT, DAYS, NAMES, write_borough


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("places")
    path = tmp / "graphmap.db"
    with open_store(path) as s:
        result = s.load([write_borough(tmp / "csv")])
        assert result.rejected_rows == 0, result.batch.rejects
    return path


@pytest.fixture(scope="module")
def analysis(db):
    with open_store(db) as s:
        return PlaceAnalysis(s, Window.ending(AS_AT, DAYS))


def by_unit(df):
    return df.set_index("unit")


def test_place_hotspots_counts_and_score_parts(analysis):
    hs = by_unit(analysis.hotspots("place"))
    l1 = hs.loc["L1"]
    assert (l1.incidents, l1.n_merlin, l1.n_asb, l1.n_intelligence) == (7, 3, 3, 1)
    # Y1, Y2, Y3 named there; Y9 and W1 only reported an incident and do not count.
    assert (l1.young_people, l1.groups, l1.adults_of_concern, l1.found_missing) == (3, 2, 1, 0)
    # score = 1 x 7 incidents + 2 x 3 young people + 3 x 2 groups + 4 x 1 adult (schema weights)
    assert l1.score == 23
    assert l1.points_groups == 6 and l1["rank"] == 1
    l3 = hs.loc["L3"]
    assert (l3.incidents, l3.found_missing, l3.trend) == (2, 2, "steady")  # Y4 (episodes) and Y5 (found_at)


def test_old_hotspot_does_not_rank_but_shows_falling(analysis):
    hs = analysis.hotspots("place")
    assert "L2" not in set(hs["unit"])  # 8 incidents, all before the window
    tr = by_unit(analysis.trend("place"))
    assert tr.loc["L2", "trend"] == "falling" and (tr.loc["L2", "incidents"], tr.loc["L2", "previous"]) == (0, 8)
    assert tr.loc["L1", "trend"] == "rising" and tr.loc["L1", "previous"] == 1
    assert tr.loc["L6", "trend"] == "new"


def test_unmapped_places_keep_their_records(analysis):
    assert analysis.unmapped["count"] == 2
    assert analysis.unmapped["by_reason"] == {"free text only": 1, "postcode only": 1}
    hs = by_unit(analysis.hotspots("place"))
    assert hs.loc["L4", "incidents"] == 1 and not hs.loc["L4", "mapped"]  # still ranks as a place
    cells = analysis.hotspots("cell")
    mapped_total = hs.loc[hs["mapped"].astype(bool), "incidents"].sum()
    assert cells["incidents"].sum() == mapped_total == 10  # L1 7 + L3 2 + L6 1; L4 is in no cell


def test_cells_are_bng_aligned_and_group_places(analysis):
    cells = analysis.hotspots("cell")
    for cid in cells["unit"]:
        e, n = (int(v) for v in cid[1:].split("N"))
        assert e % 250 == 0 and n % 250 == 0
    # L1 and L6 (about 150 m apart): their cell's young people are counted once.
    p = analysis.places.set_index("location_id")
    if p.loc["L1", "cell_id"] == p.loc["L6", "cell_id"]:
        assert by_unit(cells).loc[p.loc["L1", "cell_id"], "young_people"] == 3


def test_groups_from_the_network_package_override_memberships(db):
    with open_store(db) as s:
        a = PlaceAnalysis(s, Window.ending(AS_AT, DAYS), groups={"Y1": "X", "Y2": "X", "Y3": "X"})
    assert by_unit(a.hotspots()).loc["L1", "groups"] == 1
    assert shared_places(a) == []


def test_shared_adult_and_found_missing_places(analysis):
    shared = shared_places(analysis)
    assert [d["location_id"] for d in shared] == ["L1"]
    assert shared[0]["groups"] == [{"group_id": "G1", "young_people": 2}, {"group_id": "G2", "young_people": 1}]
    adults = {d["location_id"]: d for d in adult_places(analysis)}
    assert set(adults) == {"L1", "L4"} and adults["L4"]["adult_ids"] == ["A1"] and adults["L4"]["young_people"] == 1
    found = found_missing_places(analysis)
    assert [(d["location_id"], d["children_found"], d["missing_episode_ids"]) for d in found] == \
        [("L3", 2, ["P3-1", "P3-2"])]


def test_hotspots_for_json_contract(db):
    with open_store(db) as s:
        items = hotspots_for_json(s, Window.ending(AS_AT, DAYS))
    json.dumps(items, allow_nan=False)
    top = items[0]
    assert top["location_id"] == "L1" and top["rank"] == 1
    assert top["score"] == sum(p["points"] for p in top["parts"].values())
    assert len(top["evidence"]["incident_ids"]) == top["incidents"] == 7
    assert top["trend"]["label"] == "rising" and top["trend"]["previous"] == 1
    assert top["incidents_by_type"] == {"merlin": 3, "asb": 3, "intelligence": 1}
    assert "L2" not in {i["location_id"] for i in items}


def test_empty_window_is_an_empty_valid_result(db, tmp_path):
    with open_store(db) as s:
        assert hotspots_for_json(s, Window.ending("2020-01-01", 30)) == []
        a = PlaceAnalysis(s, Window.ending("2020-01-01", 30))
    assert a.hotspots("cell").empty and a.trend().empty
    table, note = a.statistics("cell")
    assert (table["gi_class"] == "").all() and note["incidents_in_areas"] == 0
    prof = location_profile(a, "L1")
    assert prof["counts"]["incidents"] == 0 and all(v == [] for v in prof["actions"].values())
    with open_store(tmp_path / "empty.db") as empty:
        assert hotspots_for_json(empty, Window.ending(AS_AT, DAYS)) == []
        assert PlaceAnalysis(empty, Window.ending(AS_AT, DAYS)).statistics("cell")[0].empty


def test_location_profile_has_counts_actions_and_no_names(analysis):
    prof = location_profile(analysis, "L1")
    text = json.dumps(prof, allow_nan=False)
    for name in NAMES + ["date_of_birth", "2010-01-01"]:
        assert name not in text
    assert prof["counts"]["by_type"] == {"asb": 3, "intelligence": 1, "merlin": 3}
    assert prof["groups"] == [{"group_id": "G1", "young_people": 2}, {"group_id": "G2", "young_people": 1}]
    tp = prof["time_profile"]
    assert tp["no_time"] == 1 and sum(tp["by_hour"]) == 6  # the date-only intelligence is not midnight
    assert tp["night_share"] == round(5 / 6, 3)
    acts = {a["id"]: a for heading in prof["actions"].values() for a in heading}
    assert {"targeted_patrols", "lighting_review", "peer_group_mapping", "disrupt_adults",
            "detached_youth_work", "guardianship_audit"} <= set(acts)
    assert "closure_or_licence_review" not in acts  # a park, not an address/hotel/takeaway
    assert acts["lighting_review"]["reason"] == "83% of 7 incidents happened between 18:00 and 06:00"
    assert acts["peer_group_mapping"]["reason"] == "young people of 2 peer groups linked to the place in the window"
    near = {d["location_id"]: d for d in prof["nearby"]}
    assert set(near) == {"L6"} and near["L6"]["shared_young_people"] == 1 and 100 < near["L6"]["distance_m"] < 200


def test_cell_profile_and_found_missing_action(analysis):
    cid = analysis.places.set_index("location_id").loc["L3", "cell_id"]
    prof = cell_profile(analysis, cid)
    assert prof["places"] == ["L3"] and prof["counts"]["found_missing"] == 2
    assert [a["id"] for a in prof["actions"]["Support"]] == ["found_missing_support"]
    with pytest.raises(KeyError):
        location_profile(analysis, "NOPE")


def test_time_profile_days_and_hours():
    p = time_profile(__import__("pandas").Series(["2026-06-01T23:30", "2026-06-02T00:10", "2026-06-02", "bad"]))
    assert p["by_day"][:2] == [1, 2] and p["counts"][0][23] == 1 and p["counts"][1][0] == 1
    assert p["no_time"] == 1 and p["night_share"] == 1.0


def test_generated_borough_hotspots_match_ground_truth(tmp_path):
    """On the synthetic borough: the planted hotspots rank, the old (pre-window) hotspot does not."""
    from tests.conftest import SAMPLE_DEMO

    truth = json.loads((SAMPLE_DEMO / "ground_truth.json").read_text())
    with open_store(tmp_path / "demo.db") as s:
        s.load([SAMPLE_DEMO])
        a = PlaceAnalysis(s, Window.ending(truth["as_at"], truth["window_days"]))
    hs = a.hotspots("place")
    planted = set(truth["hotspots"])
    by_incidents = hs.sort_values(["incidents", "unit"], ascending=[False, True])
    assert set(by_incidents["unit"][:len(planted)]) == planted
    for h in planted:
        assert hs.set_index("unit").loc[h, "incidents"] == truth["hotspot_incidents"][h]
    top10 = set(hs["unit"][:10])
    assert planted <= top10
    assert not set(truth["old_hotspots"]) & top10
    tr = a.trend("place").set_index("unit")
    for old in truth["old_hotspots"]:
        assert tr.loc[old, "trend"] == "falling"
        assert tr.loc[old, "incidents"] == truth["old_hotspot_incidents"][old]["window"]


def test_place_records_locate_places_once_for_every_window(tmp_path):
    """The app keeps one PlaceRecords per store version: places are put on the map once, and a
    window's analysis may add columns without changing what the next window gets."""
    from graphmap.places import PlaceAnalysis
    from graphmap.places.place_records import PlaceRecords, located_places
    from graphmap.store import open_store
    from graphmap.window import Window
    from tests.conftest import DEMO

    with open_store(tmp_path / "g.db") as s:
        s.load([DEMO])
        records = PlaceRecords.from_store(s)
    first = PlaceAnalysis(records, Window.ending("2026-05-01", 90))
    assert "cell_id" in first.places.columns and "cell_id" not in records.located().columns
    assert records.located() is not records.located()
    expected = located_places(records.locations)
    again = PlaceAnalysis(records, Window.ending("2026-05-01", 30))
    assert again.places[list(expected.columns)].equals(expected)


@pytest.mark.parametrize("days", [30, 365])
def test_locations_board_from_the_windows_incidents_equals_the_stores(demo_db, days):
    """The app hands the board the window's incidents it already holds (session 10): the board
    must be the one read from the store's whole history."""
    from datetime import date

    from graphmap import views
    from graphmap.network.graphs import load_frames

    store = open_store(demo_db)
    try:
        w = Window(as_at=date(2026, 10, 31), days=days)
        held = load_frames(store, w).incidents
        assert views.places(store, w, incidents=held) == views.places(store, w)
        analysis = views.place_analysis(store, w)
        board = views.locations_board(store, w, analysis=analysis, incidents=held)
        assert board == views.locations_board(store, w, analysis=analysis)
        assert sum(p["incidents"] for p in board["places"]) > 0
    finally:
        store.close()
