"""Network analyses on small hand-made stores: ties, evidence, windows, recruiters, co-missing, CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from graphmap.cli import cli
from graphmap.network.analyse import RUN_KEYS, analyse
from graphmap.network.co_missing import co_missing
from graphmap.network.graphs import edge_evidence, edge_records, load_frames, person_graph
from graphmap.network.peer_groups import peer_groups
from graphmap.network.recruiters import likely_recruiters
from graphmap.window import Window
from tests.conftest import DEMO
from tests.test_network_eval import person, write_canonical

WINDOW = Window.ending(date(2026, 10, 31), 365)
KEYS = {"as_at", "window_days", "peer_groups", "bridges", "recruiters", "co_missing", "complex_strategy",
        "disruption_targets", "hotspots"}


def inc(iid, start, type_="merlin", end="", loc=""):
    return {"incident_id": iid, "type": type_, "start": start, "end": end, "location_id": loc, "source": "police"}


def inv(iid, pid, role="present"):
    return {"incident_id": iid, "person_id": pid, "role": role}


@pytest.fixture
def tiny(sqlite_store):
    sqlite_store.load([DEMO])
    return sqlite_store


def test_reporting_never_ties_and_ties_keep_their_evidence(tiny):
    G = person_graph(load_frames(tiny, WINDOW))
    assert G.degree("P005") == 0  # P005 only reported I001
    edge = G["P002"]["P004"]
    assert edge["ties"] == {"same_incident": 1, "found_together": 1}
    assert edge_records(G, "P002", "P004") == ["I001", "I002"]
    assert edge_evidence(G, "P003", "P004")[0]["grading"] == "3C P"
    # One overlap of missing episodes is not yet a tie (tie_min_episodes 2): it could be chance.
    assert "co_missing" not in G["P002"]["P003"]["ties"]


def test_window_leaves_out_what_happened_after_the_as_at_date(tiny):
    G = person_graph(load_frames(tiny, Window.ending(date(2026, 3, 31), 365)))
    assert "found_together" not in G["P002"]["P004"]["ties"]  # I002 is April 2026
    assert G["P002"]["P004"]["ties"] == {"same_incident": 1}


@pytest.fixture
def recruiting(sqlite_store, tmp_path):
    """An adult tied to four young people of two friendship clusters; a youth worker who reports
    incidents about all of them; an older sibling of three; a young person with the same peers."""
    ys = [f"Y{i}" for i in range(1, 7)]
    people = [person(y, "young_person", "2011-01-01") for y in ys] + [
        person("A1", "adult_of_concern", "1995-01-01"), person("W1", "associate", "1980-01-01"),
        person("S1", "associate", "2003-01-01")]
    assoc = [{"person_id_a": a, "person_id_b": b, "kind": k, "first_seen": "2025-12-01", "source": "csc"}
             for a, b, k in [("Y1", "Y2", "friend"), ("Y2", "Y3", "friend"), ("Y1", "Y3", "friend"),
                             ("Y4", "Y5", "friend"), ("Y5", "Y6", "friend"), ("Y4", "Y6", "friend"),
                             ("Y1", "A1", "olders"), ("Y4", "A1", "olders"),
                             ("S1", "Y1", "sibling"), ("S1", "Y2", "sibling"), ("S1", "Y5", "sibling")]]
    incidents, invs = [], []
    for i, y in enumerate(ys, 1):
        incidents.append(inc(f"I{i}", f"2026-0{1 + i % 6}-10T20:00"))
        invs += [inv(f"I{i}", y, "subject"), inv(f"I{i}", "W1", "reporting")]
    incidents.append(inc("I7", "2026-05-01T22:00", "found_with"))
    invs += [inv("I7", "Y2", "missing_person"), inv("I7", "A1", "found_with"),
             inv("I7", "Y5", "missing_person"), inv("I7", "S1", "reporting")]
    incidents.append(inc("I8", "2026-05-02T22:00"))
    invs += [inv("I8", "S1", "present"), inv("I8", "Y3", "present")]  # family, named together
    folder = write_canonical(tmp_path / "canon", people, assoc, incidents, invs)
    sqlite_store.load([folder])
    return sqlite_store


def test_recruiter_score_shows_its_parts_and_ignores_family_and_reporting(recruiting):
    frames = load_frames(recruiting, WINDOW)
    G = person_graph(frames)
    groups = peer_groups(G, seed=0)
    ranked = likely_recruiters(G, groups=groups, first_incident=frames.first_incident.to_dict())
    top = ranked[0]
    assert top["person_id"] == "A1"
    assert top["young_people"] == ["Y1", "Y2", "Y4", "Y5"]
    assert top["score"] == pytest.approx(sum(p["points"] for p in top["parts"].values()))
    assert top["parts"]["found_with"]["count"] == 2
    assert top["parts"]["tie_precedes_first_incident"]["count"] == 2  # Y1, Y4: olders since 2025-12
    assert top["parts"]["groups_spanned"]["count"] == 1
    ids = [r["person_id"] for r in ranked]
    assert "W1" not in ids  # reported everything, tied to no one
    assert "S1" not in ids  # sibling of Y1, Y2, Y5: only Y3 (family-free) would count, below the minimum


def test_co_missing_repeated_pattern_ranks_above_a_coincidence(sqlite_store, tmp_path):
    people = [person(y, "young_person", "2011-01-01") for y in ("Y1", "Y2", "Y3")]
    incidents, invs = [], []
    for n, (who, s, e) in enumerate([("Y1", "2026-02-01T20:00", "2026-02-02T10:00"),
                                     ("Y2", "2026-02-01T22:00", "2026-02-03T10:00"),
                                     ("Y1", "2026-03-05T20:00", "2026-03-06T10:00"),
                                     ("Y2", "2026-03-05T21:00", "2026-03-06T09:00"),
                                     ("Y3", "2026-03-06T08:00", "2026-03-06T12:00"),
                                     ("Y3", "2026-04-01T08:00", "2026-04-01T12:00")]):
        incidents.append(inc(f"M{n}", s, "missing", e))
        invs.append(inv(f"M{n}", who, "missing_person"))
    sqlite_store.load([write_canonical(tmp_path / "c", people, incidents=incidents, involvements=invs)])
    frames = load_frames(sqlite_store, WINDOW)
    pairs = co_missing(frames)
    G = person_graph(frames)
    assert G["Y1"]["Y2"]["ties"] == {"co_missing": 2} and not G.has_edge("Y1", "Y3")
    assert [(p["person_a"], p["person_b"], p["overlapping_episodes"], p["pattern"]) for p in pairs] == [
        ("Y1", "Y2", 2, True), ("Y1", "Y3", 1, False), ("Y2", "Y3", 1, False)]
    assert pairs[0]["records"] == [["M0", "M1"], ["M2", "M3"]]


def test_same_seed_same_groups(recruiting):
    G = person_graph(load_frames(recruiting, WINDOW))
    a, b = peer_groups(G, seed=3), peer_groups(G, seed=3)
    assert [g["members"] for g in a] == [g["members"] for g in b]
    assert [g["members"] for g in a] == [["Y1", "Y2", "Y3"], ["Y4", "Y5", "Y6"]]


def test_cli_analyse_writes_the_document(tiny, tmp_path):
    tiny.close()
    out = tmp_path / "analysis.json"
    res = CliRunner().invoke(cli, ["analyse", "--db", str(tmp_path / "graphmap.db"), "--as-at", "2026-10-31",
                                   "--window-days", "365", "--json", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert KEYS <= set(doc)
    assert doc["as_at"] == "2026-10-31" and doc["window_days"] == 365
    # Hotspots come from graphmap.places with groups from these peer groups; worked by hand for
    # L002: 2 incidents + 2x2 young people + 3x1 group + 4x1 adult of concern + 2x2 found there = 17.
    assert [(h["location_id"], h["score"]) for h in doc["hotspots"]] == [("L002", 17), ("L001", 10), ("L003", 5)]
    assert doc["hotspots"][0]["evidence"]["incident_ids"] == ["I002", "I003"]
    assert doc["recruiters"][0]["person_id"] == "P004"
    assert doc["co_missing"][0]["person_a"] == "P002"
    assert doc["disruption_targets"][0]["person_id"] == "P004"


def test_cli_analyse_bad_date_is_one_line(tmp_path):
    res = CliRunner().invoke(cli, ["analyse", "--db", str(tmp_path / "g.db"), "--as-at", "31/10/2026",
                                   "--json", str(tmp_path / "a.json")])
    assert res.exit_code == 1 and "Traceback" not in res.output


def test_analyse_is_repeatable(tiny):
    a, b = analyse(tiny, WINDOW, seed=1), analyse(tiny, WINDOW, seed=1)
    for k in KEYS:
        assert a[k] == b[k]


def test_analyse_reports_a_resolved_person_once_with_source_ids(tmp_path):
    """A child known to police under another id is one node, reported by the canonical id."""
    from graphmap.store import open_store
    from tests.conftest import DEMO, write_csv

    db = tmp_path / "g.db"
    with open_store(db) as s:
        s.load([DEMO])
        write_csv(tmp_path / "dup" / "people.csv",
                  "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
                  "X003,Kofi,Mensah,2009-11-21,male,young_person,Merton,,police\n")
        write_csv(tmp_path / "dup" / "associations.csv",
                  "person_id_a,person_id_b,kind,first_seen,last_seen,source,grading\n"
                  "X003,P001,friend,2026-02-01,,police,\n")
        s.load([tmp_path / "dup"])
    res = CliRunner().invoke(cli, ["identities", "--db", str(db), "--accept", "P003", "X003", "--by", "analyst1",
                                   "--reason", "same child: name, date of birth, school"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "a.json"
    res = CliRunner().invoke(cli, ["analyse", "--db", str(db), "--as-at", "2026-10-31", "--json", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert doc["source_ids"] == {"P003": ["P003", "X003"]}
    text = json.dumps({k: v for k, v in doc.items() if k != "source_ids"})
    assert "X003" not in text.replace('"P003": ["P003", "X003"]', "")
    members = {m for g in doc["peer_groups"] for m in g["members"]}
    assert "P003" in members and "X003" not in members
    # The police tie X003-P001 now belongs to P003 in the person graph.
    with open_store(db) as s:
        G = person_graph(load_frames(s, WINDOW))
    assert G.has_edge("P003", "P001") and "X003" not in G
    pair = next(c for c in doc["co_missing"] if {c["person_a"], c["person_b"]} == {"P002", "P003"})
    assert pair["source_ids"] == {"P003": ["P003", "X003"]}


def test_analyse_is_the_same_in_every_process(tmp_path):
    """Repeatable: two processes with different string-hash seeds write the same document."""
    import os
    import subprocess
    import sys

    from graphmap.store import open_store
    from tests.conftest import SAMPLE_DEMO

    db = tmp_path / "g.db"
    with open_store(db) as s:
        s.load([SAMPLE_DEMO])
    docs = []
    for seed in ("1", "2"):
        out = tmp_path / f"a{seed}.json"
        subprocess.run([sys.executable, "-m", "graphmap.cli", "analyse", "--db", str(db), "--as-at", "2026-10-31",
                        "--json", str(out)], check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})
        doc = json.loads(out.read_text())
        docs.append({k: v for k, v in doc.items() if k not in RUN_KEYS})
    assert docs[0] == docs[1]


def test_overlapping_episodes_sweep_equals_every_pair_checked():
    """The sweep finds exactly the overlapping pairs an all-pairs check finds, and its
    ``min_episodes`` / ``top`` cuts keep exactly the pairs the full count would."""
    import itertools

    import numpy as np
    import pandas as pd

    from graphmap.network.graphs import overlapping_episodes

    r = np.random.default_rng(3)
    n = 300
    start = pd.Timestamp("2026-01-01") + pd.to_timedelta(r.integers(0, 60 * 24, n), unit="h")
    end = start + pd.to_timedelta(r.integers(0, 72, n), unit="h")  # some zero-length: never overlap
    ep = pd.DataFrame({"incident_id": [f"I{i // 2:04d}" for i in range(n)],  # two children per record
                       "person_id": [f"Y{k:02d}" for k in r.integers(0, 40, n)], "start": start, "end": end})
    ep = ep.drop_duplicates(["incident_id", "person_id"]).reset_index(drop=True)
    brute = set()
    for a, b in itertools.combinations(ep.itertuples(index=False), 2):
        if a.person_id != b.person_id and max(a.start, b.start) < min(a.end, b.end):
            a, b = (a, b) if a.person_id < b.person_id else (b, a)
            brute.add((a.person_id, b.person_id, a.incident_id, b.incident_id))
    got = overlapping_episodes(ep)
    assert set(zip(got.person_a, got.person_b, got.incident_a, got.incident_b)) == brute and len(got) == len(brute)
    assert len(brute) > 100  # the case is not trivially empty

    per_pair = pd.Series([(a, b) for a, b, *_ in brute]).value_counts()
    cut = overlapping_episodes(ep, min_episodes=3)
    assert set(zip(cut.person_a, cut.person_b)) == set(per_pair[per_pair >= 3].index)
    top = overlapping_episodes(ep, min_episodes=99, top=5)
    assert len(set(zip(top.person_a, top.person_b))) == 5
    assert set(top.groupby(["person_a", "person_b"]).size()) <= set(per_pair.nlargest(5, keep="all"))
    other = overlapping_episodes(ep, exclude_same_record=True)
    assert not other["same_record"].any() and len(other) == len(got) - int(got["same_record"].sum())

def test_complex_strategy_from_the_evidence_table_equals_reading_the_graph(demo_db):
    # analyse reads person-place evidence as a table (no bipartite graph); the app draws the graph.
    from graphmap import schema
    from graphmap.network.complex_strategy import complex_strategy
    from graphmap.network.graphs import person_location_graph, place_evidence
    from graphmap.store import open_store

    store = open_store(demo_db)
    try:
        frames = load_frames(store, Window.ending(date(2026, 9, 19), 365))
    finally:
        store.close()
    G = person_graph(frames)
    kinds = schema.setting("network.complex_strategy.presence_kinds")
    B = person_location_graph(frames, presence_kinds=kinds)
    places = place_evidence(frames, presence_kinds=kinds)
    for least in (1, 3):
        from_graph = complex_strategy(G, B, min_young_people=least)
        from_table = complex_strategy(G, places=places, locations=frames.locations, min_young_people=least)
        assert any(c["subject_type"] == "location" for c in from_graph)
        assert json.dumps(from_table) == json.dumps(from_graph)  # same content, same key order


def _demo_frames(demo_db):
    from graphmap.store import open_store

    store = open_store(demo_db)
    try:
        return load_frames(store, Window.ending(date(2026, 9, 19), 365))
    finally:
        store.close()


def test_the_adults_ties_graph_gives_the_candidates_and_evidence_of_the_whole_graph(demo_db):
    # The complex strategy view builds only the adults of concern's ties (per redaction level).
    from graphmap.network.complex_strategy import adults_ties_graph, complex_strategy

    frames = _demo_frames(demo_db)
    G, A = person_graph(frames), adults_ties_graph(frames)
    assert 0 < A.number_of_edges() < G.number_of_edges() and set(A) == set(G)
    assert json.dumps(complex_strategy(A, min_young_people=1)) == json.dumps(complex_strategy(G, min_young_people=1))
    adults = [n for n, r in G.nodes(data="role") if r == "adult_of_concern"]
    ties = [(a, b) for a in adults for b in G[a]]
    assert ties and sorted(map(sorted, A.edges())) == sorted(map(sorted, {frozenset(t) for t in ties}))
    for a, b in ties:
        assert edge_evidence(A, a, b) == edge_evidence(G, a, b)
        assert {k: v for k, v in A[a][b].items() if k != "ev"} == {k: v for k, v in G[a][b].items() if k != "ev"}


def test_place_link_rows_are_the_person_location_graphs_evidence_in_its_order(demo_db):
    # The view reads each child's evidence at a place from the evidence table, not the graph.
    import pandas as pd

    from graphmap import schema, views
    from graphmap.network.graphs import person_location_graph, place_evidence

    frames = _demo_frames(demo_db)
    places = place_evidence(frames, presence_kinds=schema.setting("network.complex_strategy.presence_kinds"))
    # One link given rows that only the order rule places: an undated row, an empty date, and
    # two more rows on a date it has (they stay in the table's order, after the first).
    first = places.iloc[0]
    extra = pd.DataFrame([{**first.to_dict(), "record": r, "date": d, "tie": t}
                          for r, d, t in (("X3", None, "found_at"), ("X1", "", "frequents"),
                                          ("X2", first["date"], "stop_search"), ("X0", first["date"], "frequents"))])
    places = pd.concat([extra.iloc[:2], places, extra.iloc[2:]], ignore_index=True).astype(places.dtypes.to_dict())
    B = person_location_graph(frames, evidence=places)
    keep = {(v[1], u[1]) for u, v in B.edges() if u[0] == "person"} | {(u[1], v[1]) for u, v in B.edges()
                                                                       if u[0] == "location"}
    got = views._place_link_rows(places, keep)
    assert set(got) == keep
    for loc, p in keep:
        want = views._evidence_rows(edge_evidence(B, ("location", loc), ("person", p)))
        assert json.dumps(got[loc, p]) == json.dumps(want), (loc, p)
    mine = [e["records"] for e in got[first["l"], first["p"]]]
    assert mine[0] == "X1" and mine[-1] == "X3" and mine.index("X2") < mine.index("X0")
