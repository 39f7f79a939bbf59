"""The network picture and the peer-group assessment as plain data (graphmap.network_picture,
graphmap.group_assessment through graphmap.views), on real SQLite stores: the tiny fixture with
hostile names (ties worked out by hand below) and the generated demo borough.

Ties in the tiny store, window of 365 days to 2026-10-31 (reporting roles tie no one; a single
overlap of missing episodes makes no co-missing tie):
  P001-P002 friend                      P002-P003 friend + same place (I002, I003 at L002)
  P003-P004 olders (3C P) + same place   P002-P004 same incident I001 (merlin) + found together I002
  P002-P900 friend + same incident I900 (asb)
"""

from __future__ import annotations

import pytest

from graphmap import network_picture as picture
from graphmap import views
from graphmap.app.components import network_html, remote_references
from graphmap.store import open_store
from graphmap.window import Window
from tests.test_app import XSS_FORENAME, XSS_SURNAME, build_store

W = Window.ending("2026-10-31", 365)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    with open_store(build_store(tmp_path_factory.mktemp("vn") / "graphmap.db")) as s:
        analysis = views._analysis(s, W)
        yield s, analysis, views.network_source(s, W)


@pytest.fixture(scope="module")
def demo(sample_demo_db):
    with open_store(sample_demo_db) as s:
        analysis = views._analysis(s, W)
        yield s, analysis, views.network_source(s, W)


def pairs(view) -> set[tuple[str, str]]:
    return {(e["source"], e["target"]) for e in view["edges"]}


ALL_TIES = {("P001", "P002"), ("P002", "P003"), ("P003", "P004"), ("P002", "P004"), ("P002", "P900")}


def test_whole_window_draws_every_tie_with_its_evidence(tiny):
    _, analysis, source = tiny
    view = picture.network_view(source, analysis, mode="window")
    assert pairs(view) == ALL_TIES
    assert {n["id"] for n in view["nodes"]} == {"P001", "P002", "P003", "P004", "P900"}  # P005 only reported
    tie = next(e for e in view["edges"] if (e["source"], e["target"]) == ("P002", "P004"))
    assert tie["count"] == 2 and tie["ties"] == {"found_together": 1, "same_incident": 1}
    assert tie["records"] == ["I001", "I002"]
    assert "same incident · I001 · 2026-03-02 · police" in tie["evidence"]
    assert tie["title"].startswith("Jayden Smith – Liam Doyle: 2 piece(s) of evidence")
    olders = next(e for e in view["edges"] if (e["source"], e["target"]) == ("P003", "P004"))
    assert any("grading 3C P" in line for line in olders["evidence"])
    assert view["message"] is None and view["counts"]["evidence_kept"] == view["counts"]["evidence_in_window"]


@pytest.mark.parametrize("filters, expected", [
    ({"incident_types": {"missing"}}, ALL_TIES),  # associations have no incident: P002-P900 stays as friends
    ({"link_kinds": {"friend"}}, {("P001", "P002"), ("P002", "P003"), ("P002", "P900")}),
    ({"min_evidence": 2}, ALL_TIES - {("P001", "P002")}),
    ({"link_kinds": {"same_incident", "found_together"}, "min_evidence": 2}, {("P002", "P004")}),
])
def test_filters_change_which_ties_stand(tiny, filters, expected):
    _, analysis, source = tiny
    assert pairs(picture.network_view(source, analysis, mode="window", **filters)) == expected


def test_incident_type_and_grading_filters_drop_the_evidence_behind_a_tie(tiny):
    _, analysis, source = tiny
    view = picture.network_view(source, analysis, mode="window", incident_types={"missing"})
    records = {r for e in view["edges"] for r in e["records"]}
    assert "I001" not in records and "I900" not in records and "I002" in records
    graded = picture.network_view(source, analysis, mode="window", source_evaluations={"1", "2"})
    tie = next(e for e in graded["edges"] if (e["source"], e["target"]) == ("P003", "P004"))
    assert tie["ties"] == {"same_place": 1}  # the 3C olders association left out, the derived tie stays
    assert pairs(picture.network_view(source, analysis, mode="window", assessments={"A", "B"},
                                      min_evidence=2)) == ALL_TIES - {("P001", "P002"), ("P003", "P004")}
    assert graded["filters"]["source_evaluations"] == ["1", "2"] and graded["filters"]["link_kinds"] == "all"


def test_person_mode_counts_hops_and_marks_the_centre(tiny):
    _, analysis, source = tiny
    one = picture.network_view(source, analysis, mode="person", person_id="P001", hops=1)
    assert {n["id"] for n in one["nodes"]} == {"P001", "P002"}
    two = picture.network_view(source, analysis, mode="person", person_id="P001", hops=2)
    assert {n["id"] for n in two["nodes"]} == {"P001", "P002", "P003", "P004", "P900"}
    centre = next(n for n in two["nodes"] if n["centre"])
    assert centre["id"] == "P001" and centre["border"] == picture.CENTRE_BORDER and centre["hops"] == 0
    alone = picture.network_view(source, analysis, mode="person", person_id="P005", hops=2)
    assert [n["id"] for n in alone["nodes"]] == ["P005"] and alone["edges"] == []


def test_group_mode_colours_by_peer_group_and_marks_adults(tiny):
    _, analysis, source = tiny
    [group] = analysis["peer_groups"]
    assert group["members"] == ["P001", "P002", "P003", "P900"]
    view = picture.network_view(source, analysis, mode="group", members=group["members"], size_by="betweenness")
    nodes = {n["id"]: n for n in view["nodes"]}
    assert set(nodes) == {"P001", "P002", "P003", "P900", "P004"}  # members and the adult tied to them
    assert {nodes[m]["colour"] for m in group["members"]} == {picture.GROUP_COLOURS[0]}
    assert nodes["P004"]["shape"] == "diamond" and nodes["P004"]["colour"] == picture.ADULT_COLOUR
    assert max(nodes.values(), key=lambda n: n["measure"])["id"] == "P002"  # every path runs through P002
    assert nodes["P002"]["size"] == 35.0 and nodes["P001"]["size"] == 10.0
    assert ("peer group PG001", picture.GROUP_COLOURS[0]) in view["legend"]
    assert "betweenness within the picture: " in nodes["P002"]["title"]


def test_recorded_group_through_views(tiny):
    store, analysis, source = tiny
    view = views.network_view(store, W, mode="group", group_id="G1", analysis=analysis, source=source)
    assert {n["id"] for n in view["nodes"]} == {"P001", "P002", "P900", "P004"}
    with pytest.raises(KeyError):
        views.network_view(store, W, mode="group", group_id="NOPE", analysis=analysis, source=source)
    with pytest.raises(ValueError):
        picture.network_view(source, analysis, mode="galaxy")


def test_cap_keeps_the_strongest_ties_and_says_what_was_left_out(tiny):
    _, analysis, source = tiny
    view = picture.network_view(source, analysis, mode="window", cap=3)
    kept = {n["id"] for n in view["nodes"]}
    strongest = max(picture.network_view(source, analysis, mode="window")["edges"], key=lambda e: e["weight"])
    assert len(kept) == 3 and {strongest["source"], strongest["target"]} <= kept
    assert view["message"].startswith("Large network: showing 3 of 5 people")
    assert "setting app.network_node_cap" in view["message"] and "Left out: 2 people" in view["message"]
    person = picture.network_view(source, analysis, mode="person", person_id="P001", hops=2, cap=2)
    assert {n["id"] for n in person["nodes"]} == {"P001", "P002"}  # the centre is always kept


def test_one_node_per_group_for_the_whole_window(tiny):
    _, analysis, source = tiny
    view = picture.network_view(source, analysis, mode="window", aggregate=True)
    assert {n["id"] for n in view["nodes"]} == {"PG001", "P004"}
    assert view["nodes"][0]["label"] == "PG001 (4)"
    [edge] = view["edges"]
    assert (edge["source"], edge["target"]) == ("P004", "PG001") and edge["ties"] == {"people tied": 2}
    assert "I001" in edge["records"] and view["message"].startswith("Drawn as one node per peer group: 1 groups")


def test_redaction_and_hover_text_stay_text(tiny):
    _, analysis, source = tiny
    view = picture.network_view(source, analysis, mode="person", person_id="P900", redaction="family-present")
    labels = {n["id"]: n["label"] for n in view["nodes"]}
    assert labels == {"P900": f"{XSS_FORENAME} {XSS_SURNAME}", "P002": "P002"}  # only the centre is named
    full = picture.network_view(source, analysis, mode="person", person_id="P900", redaction="full")
    page, _ = network_html(full)
    assert XSS_SURNAME in next(n["title"] for n in full["nodes"] if n["id"] == "P900")
    assert XSS_SURNAME not in page and remote_references(page) == []
    fam = picture.network_view(source, analysis, mode="window", redaction="family-present")
    assert all(n["label"] == n["id"] for n in fam["nodes"])  # no centre: pseudonyms for everyone


def test_same_picture_at_every_render(tiny):
    _, analysis, source = tiny
    a, _ = network_html(picture.network_view(source, analysis, mode="window"))
    b, _ = network_html(picture.network_view(source, analysis, mode="window"))
    assert a == b and '"enabled": false' in a  # seeded positions, physics off


def test_peer_group_assessment_of_a_found_group(tiny):
    store, analysis, source = tiny
    g = views.peer_group(store, W, "PG001", analysis=analysis, source=source)
    assert g["kind"] == "found" and [m["person_id"] for m in g["members"]] == ["P001", "P002", "P003", "P900"]
    p2 = next(m for m in g["members"] if m["person_id"] == "P002")
    assert p2["age"] == 16 and p2["matrix_band"] == "moderate" and "looked after" in p2["cohorts"]
    assert [t["incident_id"] for t in g["timeline"]] == ["I001", "I002", "I003", "I900"]  # not I004 (P004 alone)
    assert {p["location_id"]: p["people"] for p in g["places"]} == {"L002": ["P002", "P003"], "L900": ["P002", "P900"]}
    [adult] = g["adults_of_concern"]
    assert adult["person_id"] == "P004" and adult["members_tied"] == 2 and adult["recruiter"]["rank"] == 1
    assert {t["person_id"]: t["records"] for t in adult["ties"]}["P002"] == ["I001", "I002"]
    assert {c["key"]: c["members"] for c in g["cohorts"]}["missing"] == ["P002", "P003"]
    ids = {h: [a["id"] for a in acts] for h, acts in g["actions"].items()}
    assert list(ids) == ["Identify", "Prevent", "Support", "Protect", "Disrupt"]
    assert "cawn" in ids["Disrupt"] and "return_home_interviews" in ids["Support"]
    cawn = next(a for a in g["actions"]["Disrupt"] if a["id"] == "cawn")
    assert cawn["reason"] == "1 missing episode(s) where a member was found with an adult of concern"
    assert g["metrics"]["shared_places"] == 2 and g["awaiting"] == {}


def test_demo_whole_window_is_capped_and_bridges_marked(demo):
    _, analysis, source = demo
    view = picture.network_view(source, analysis, mode="window", cap=250)
    assert len(view["nodes"]) == 250 < view["counts"]["people_in_scope"]
    assert "Large network: showing 250 of" in view["message"]
    marked = picture.marked_bridges(analysis)
    assert 0 < len(marked) <= 10
    for n in view["nodes"]:
        assert n["bridge"] == (n["id"] in marked)
        assert (n["border"] == picture.BRIDGE_BORDER) == n["bridge"]
        if n["bridge"]:  # the hover names the measure the score is (brokerage by the settings)
            rank_by = marked[n["id"]]["rank_by"]
            assert f"({rank_by} {marked[n['id']]['score']:.3f}" in n["title"]
    assert any(n["bridge"] for n in view["nodes"]) and {b["rank_by"] for b in marked.values()} == {"brokerage"}
    groups = {g["group_id"]: set(g["members"]) for g in analysis["peer_groups"]}
    for n in view["nodes"]:
        if n["group"]:
            assert n["id"] in groups[n["group"]]


def test_demo_found_group_matches_the_analysis(demo):
    store, analysis, source = demo
    pg = analysis["peer_groups"][0]
    g = views.peer_group(store, W, pg["group_id"], analysis=analysis, source=source)
    assert [m["person_id"] for m in g["members"]] == pg["members"]
    tied = {a["person_id"]: a["members_tied"] for a in g["adults_of_concern"]}
    assert tied == {a["person_id"]: a["members_tied"] for a in pg["adults_of_concern"]}
    assert set(pg["incidents"]) == {t["incident_id"] for t in g["timeline"]}


def test_pictures_of_a_window_share_one_tie_graph_and_draw_as_if_built_alone(demo):
    """Session 7: the unfiltered tie graph is built once per window's source and kept there; a
    filtered picture builds its own and leaves it alone. Every picture is the one a fresh
    source draws."""
    s, analysis, _ = demo
    shared = views.network_source(s, W)
    person = max(analysis["peer_groups"], key=lambda g: g["size"])["members"][0]
    asks = [dict(mode="person", person_id=person, hops=2), dict(mode="window"),
            dict(mode="person", person_id=person, hops=1, link_kinds=("friend",)),
            dict(mode="group", members=analysis["peer_groups"][0]["members"]),
            dict(mode="window", min_evidence=2), dict(mode="person", person_id=person, hops=2)]
    for ask in asks:
        assert picture.network_view(shared, analysis, **ask) == \
            picture.network_view(views.network_source(s, W), analysis, **ask), ask
    kept = shared["_tie_graphs"]
    assert sorted(kept) == [1, 2]  # one per minimum evidence; the filtered picture kept none
    G = kept[1]
    assert picture.network_view(shared, analysis, mode="window") and shared["_tie_graphs"][1] is G
    assert G.number_of_edges() == len(set(zip(shared["evidence"]["a"], shared["evidence"]["b"])))


def test_ties_among_a_few_people_come_in_the_graph_order(demo):
    import networkx as nx

    G = nx.Graph()
    G.add_nodes_from(["z", "a", "m", "q", "b", "c", "d", "e", "f", "g", "h", "i"])
    G.add_edges_from([("m", "z"), ("a", "z"), ("q", "a"), ("m", "a"), ("b", "c"), ("z", "q")])
    few = ["q", "a", "z"]  # a quarter of the graph or less: only their ties are walked
    whole = [(min(u, v), max(u, v), d) for u, v, d in G.edges(data=True) if u in few and v in few]
    assert picture.edges_within(G, few) == whole == [("a", "z", {}), ("q", "z", {}), ("a", "q", {})]


@pytest.mark.parametrize("days, least", [(365, 1), (120, 1), (365, 2)])
def test_a_group_picture_from_its_own_evidence_is_the_whole_graphs(demo, days, least):
    """Session 9: a group's first picture of a window is built from only the evidence among
    the people it draws, not the whole window's tie graph. Every found and recorded group
    (and two adults of concern tied to each other) draws the same picture either way; once
    the whole graph is kept, pictures use it."""
    s, _, _ = demo
    w = Window.ending("2026-10-31", days)
    from graphmap.network.analyse import analyse

    analysis = analyse(s, w)
    groups = [g["members"] for g in analysis["peer_groups"]]
    groups += [g["members"] for g in views.recorded_groups(s, w) if g.get("members")]
    assert len(groups) > 10
    alone = views.network_source(s, w)
    whole = views.network_source(s, w)
    # Two adults of concern around one group tied to each other too (drawn: a tie outside the
    # members' own evidence), with as many pieces as the minimum asks.
    import pandas as pd

    adults = next(sorted(a["person_id"] if isinstance(a, dict) else a for a in g["adults_of_concern"])[:2]
                  for g in analysis["peer_groups"] if len(g["adults_of_concern"]) >= 2)
    extra = pd.concat([alone["evidence"].iloc[:1]] * least).assign(a=adults[0], b=adults[1])
    for source in (alone, whole):
        source["evidence"] = pd.concat([source["evidence"], extra], ignore_index=True)
    picture.network_view(whole, analysis, mode="window", min_evidence=least)  # builds and keeps it
    assert least in whole["_tie_graphs"]
    for members in groups:
        own = picture.network_view(alone, analysis, mode="group", members=members, min_evidence=least)
        assert "_tie_graphs" not in alone  # never built for a group
        assert own == picture.network_view(whole, analysis, mode="group", members=members, min_evidence=least)
    assert any((e["source"], e["target"]) == tuple(adults)
               for m in groups for e in picture.network_view(alone, analysis, mode="group", members=m,
                                                             min_evidence=least)["edges"])
