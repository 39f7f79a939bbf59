"""Network analyses checked against published results on data nobody here wrote.

Each dataset is written as canonical CSVs in a temporary folder, loaded through the real
SQLite store, read back with :func:`load_frames` and analysed with the same functions
``graphmap analyse`` calls. The data stay in ../shared/eval-data (read at run time).
"""

from __future__ import annotations

import csv
from datetime import date, timedelta

import networkx as nx
import pandas as pd
import pytest

from graphmap.network.bridges import betweenness, bridges
from graphmap.network.disruption import sequential_removal
from graphmap.network.graphs import load_frames, person_graph
from graphmap.network.peer_groups import peer_groups
from graphmap.window import Window
from tests.conftest import EVAL_DATA

AS_AT = date(2026, 10, 31)
WINDOW = Window.ending(AS_AT, 365)

pytestmark = pytest.mark.skipif(not EVAL_DATA.exists(), reason="eval data not available")


def write_canonical(folder, people, associations=(), incidents=(), involvements=()):
    """Write canonical CSVs (only the columns the contract requires)."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "people.csv": (["person_id", "forename", "surname", "date_of_birth", "gender", "role", "borough", "flags",
                        "source"], people),
        "associations.csv": (["person_id_a", "person_id_b", "kind", "first_seen", "last_seen", "source", "grading"],
                             associations),
        "incidents.csv": (["incident_id", "type", "start", "end", "location_id", "summary", "source", "grading"],
                          incidents),
        "involvements.csv": (["incident_id", "person_id", "role"], involvements),
    }
    for name, (cols, rows) in tables.items():
        with open(folder / name, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=cols)
            w.writeheader()
            for r in rows:
                w.writerow({c: r.get(c, "") for c in cols})
    return folder


def person(pid, role="associate", dob=""):
    return {"person_id": pid, "role": role, "date_of_birth": dob, "source": "eval"}


def graph_through_store(sqlite_store, folder):
    result = sqlite_store.load([folder])
    assert not result.batch.rejects, result.batch.rejects[:3]
    return person_graph(load_frames(sqlite_store, WINDOW))


def edge_list_graph(sqlite_store, tmp_path, pairs, role="associate"):
    """People and asserted associations from an edge list, through the store."""
    ids = list(dict.fromkeys(p for e in pairs for p in e))
    assoc = [{"person_id_a": a, "person_id_b": b, "kind": "other", "source": src}
             for (a, b), src in zip(pairs, [f"eval{i}" for i in range(len(pairs))]) if a != b]
    folder = write_canonical(tmp_path / "canon", [person(p, role) for p in ids], assoc)
    return graph_through_store(sqlite_store, folder)


# --- Florentine families -------------------------------------------------------------------
def test_florentine_medici_top_bridge_and_articulation_points(sqlite_store, tmp_path):
    edges = pd.read_csv(EVAL_DATA / "networkx-classics" / "florentine_marriage_edges.csv")
    G = edge_list_graph(sqlite_store, tmp_path, list(zip(edges["source"], edges["target"])))
    assert (G.number_of_nodes(), G.number_of_edges()) == (15, 20)
    ranked = bridges(G)
    assert ranked[0]["person_id"] == "Medici"
    assert ranked[0]["score"] == pytest.approx(0.5220, abs=5e-5)
    assert ranked[1]["person_id"] == "Guadagni" and ranked[1]["score"] == pytest.approx(0.2546, abs=5e-5)
    assert {r["person_id"] for r in ranked if r["articulation_point"]} == {"Albizzi", "Guadagni", "Medici", "Salviati"}


def test_betweenness_equals_networkx_exactly():
    G = nx.karate_club_graph()
    ours, theirs = betweenness(G), nx.betweenness_centrality(G)
    assert max(abs(ours[v] - theirs[v]) for v in G) < 1e-12


# --- Davis Southern Women -------------------------------------------------------------------
def test_davis_peer_groups_match_freeman_consensus(sqlite_store, tmp_path):
    att = pd.read_csv(EVAL_DATA / "networkx-classics" / "davis_attendance.csv")
    grp = pd.read_csv(EVAL_DATA / "networkx-classics" / "davis_groups.csv")
    ids = {w: f"W{int(o):02d}" for w, o in zip(grp["woman"], grp["dgg_order"])}
    events = sorted(att["event"].unique(), key=lambda e: int(e[1:]))
    # Women as young people, events as incidents naming them (one a week, the last at as-at).
    when = {e: (AS_AT - timedelta(days=7 * (len(events) - i))).isoformat() + "T19:00" for i, e in enumerate(events, 1)}
    folder = write_canonical(
        tmp_path / "canon", [person(p, "young_person", "2010-01-01") for p in ids.values()],
        incidents=[{"incident_id": e, "type": "other", "start": when[e], "source": "eval"} for e in events],
        involvements=[{"incident_id": e, "person_id": ids[w], "role": "present"}
                      for w, e in zip(att["woman"], att["event"])])
    G = graph_through_store(sqlite_store, folder)
    assert G.number_of_edges() == 139  # the women projection
    groups = peer_groups(G, seed=1, min_size=1)
    consensus = {ids[w]: g for w, g in zip(grp["woman"], grp["freeman2003_consensus_group"])}
    assert len(groups) == 2
    # Each found group maps to the consensus group most of its members are in; count the rest.
    differ = 0
    for g in groups:
        labels = [consensus[m] for m in g["members"]]
        differ += len(labels) - max(labels.count(1), labels.count(2))
    assert differ <= 1
    assert {g["stability"] for g in groups} and all(g["stability"] is not None for g in groups)


# --- CAVIAR ---------------------------------------------------------------------------------
def caviar_pairs():
    pairs = []
    for i in range(1, 12):
        m = pd.read_csv(EVAL_DATA / "caviar" / f"phase{i}.csv", index_col=0)
        for caller, row in m.iterrows():
            for callee, n in row.items():
                if n > 0 and str(caller) != str(callee):
                    pairs.append((f"N{caller}", f"N{callee}"))
    return pairs


def test_caviar_n1_top_bridge_n12_n3_in_top_five(sqlite_store, tmp_path):
    G = edge_list_graph(sqlite_store, tmp_path, caviar_pairs())
    assert (G.number_of_nodes(), G.number_of_edges()) == (107, 214)  # the union of the 11 phases
    top5 = [r["person_id"] for r in bridges(G)[:5]]
    assert top5[0] == "N1"
    assert {"N12", "N3"} <= set(top5)
    assert bridges(G)[0]["score"] == pytest.approx(0.554, abs=5e-4)


# --- Sicilian Mafia, Montagna meetings ------------------------------------------------------
def test_montagna_sequential_betweenness_curve_equals_published(sqlite_store, tmp_path):
    rows = [line.split() for line in (EVAL_DATA / "sicilian-mafia-montagna" / "Montagna_meetings_edgelist.csv")
            .read_text().splitlines() if line.strip()]
    G = edge_list_graph(sqlite_store, tmp_path, [(a, b) for a, b, *_ in rows])
    published = pd.read_csv(EVAL_DATA / "sicilian-mafia-montagna" / "published_lcc_sequential_meeting_Unweighted.csv")
    # Ties go to the node the authors' loader inserted last (first appearance in their file).
    file_order = list(dict.fromkeys(p for a, b, *_ in rows for p in (a, b)))
    steps = sequential_removal(G, until=5, tie_order=file_order)
    # The authors record the fraction before each removal while more than 5 nodes remain:
    # 1.0, then after each of the first 95 removals (101 nodes).
    assert len(steps) == G.number_of_nodes() - 5
    curve = [1.0] + [s["largest_component_fraction"] for s in steps][:len(published) - 1]
    assert curve == pytest.approx(list(published["Betweenness"]), abs=1e-12)
    assert [s["person_id"] for s in steps[:6]] == ["18", "25", "29", "22", "68", "47"]
