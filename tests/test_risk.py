"""The risk matrix: framework checks, scoring against hand-worked figures, overrides, proposals.

Scores (schema/risk_matrix.yaml, from the practice guidance):
harm       coercion 3/6/12, missing 3/6/10, sexual 3/6/10, weapons 3/6/10, social media 2/4/8,
           substance 1/2/4, health 1/2/4                         (max 58)
context    places 3/6/12, peer 3/6/12, professionals 3/6/8, education 3/6/8, family 3/6/12,
           self 2/4/6                                           (max 58)
bands      harm 0-4 | 5-16 | 17-32 | 33+; context 0-5 | 6-16 | 17-32 | 33+;
           combined 0-9 | 10-32 | 33-64 | 65+
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from graphmap import proposals, risk
from graphmap.risk import load_framework, score
from graphmap.schema import SCHEMA_DIR, SchemaError
from graphmap.window import Window
from tests.conftest import DEMO

FW = risk.framework()
M, S, E, N = "moderate", "significant", "emerging", "none"

# (levels, expected total) for each band edge of each total, worked by hand from the scores.
HARM_EDGES = [
    ({}, 0, N),
    ({"substance_misuse": S}, 4, N),                                            # 4
    ({"social_media": M, "health": E}, 5, E),                                   # 4 + 1
    ({"coercion_control": S, "substance_misuse": S}, 16, E),                    # 12 + 4
    ({"coercion_control": S, "substance_misuse": S, "health": E}, 17, M),       # 12 + 4 + 1
    ({"coercion_control": S, "missing": S, "sexual_health": S}, 32, M),         # 12 + 10 + 10
    ({"coercion_control": S, "missing": S, "sexual_health": S, "health": E}, 33, S),
    ({d: S for d in ("coercion_control", "missing", "sexual_health", "weapons_violence", "social_media",
                     "substance_misuse", "health")}, 58, S),                     # 12+10+10+10+8+4+4
]
CONTEXT_EDGES = [
    ({"places_spaces": E, "self_identity": E}, 5, N),                           # 3 + 2
    ({"places_spaces": M}, 6, E),                                               # 6
    ({"places_spaces": S, "self_identity": M}, 16, E),                          # 12 + 4
    ({"places_spaces": S, "self_identity": E, "peer_group": E}, 17, M),         # 12 + 2 + 3
    ({"places_spaces": S, "peer_group": S, "professional_engagement": S}, 32, M),  # 12 + 12 + 8
    ({"places_spaces": S, "peer_group": S, "professional_engagement": M, "education": E}, 33, S),
    ({d: S for d in ("places_spaces", "peer_group", "professional_engagement", "education", "family",
                     "self_identity")}, 58, S),                                  # 12+12+8+8+12+6
]


@pytest.mark.parametrize("levels,total,band", HARM_EDGES)
def test_harm_band_edges(levels, total, band):
    s = score(levels, FW)
    assert (s.harm_total, s.harm_band) == (total, band)
    assert s.context_total == 0


@pytest.mark.parametrize("levels,total,band", CONTEXT_EDGES)
def test_context_band_edges(levels, total, band):
    s = score(levels, FW)
    assert (s.context_total, s.context_band) == (total, band)
    assert s.harm_total == 0


@pytest.mark.parametrize("harm_i,ctx_i,total,band,response,focus", [
    (1, 0, 9, N, "advice and guidance", ["prevent"]),           # 4 + 5
    (2, 0, 10, E, "early help", ["support"]),                   # 5 + 5
    (3, 2, 32, E, "early help", ["support"]),                   # 16 + 16
    (4, 2, 33, M, "assessment", ["support", "disrupt"]),        # 17 + 16
    (5, 4, 64, M, "assessment", ["support", "disrupt"]),        # 32 + 32
    (6, 4, 65, S, "strategy discussion and plan", ["protect", "disrupt"]),  # 33 + 32
    (7, 6, 116, S, "strategy discussion and plan", ["protect", "disrupt"]),  # 58 + 58
])
def test_combined_band_edges_response_and_focus(harm_i, ctx_i, total, band, response, focus):
    levels = {**HARM_EDGES[harm_i][0], **CONTEXT_EDGES[ctx_i][0]}
    s = score(levels, FW)
    assert (s.combined_total, s.combined_band, s.response, s.focus) == (total, band, response, focus)


def test_worked_example_context_significant_combined_moderate():
    # A worked case: harm 6+10+3+6+2+2+1 = 30 (moderate); context 6+12+3+6+3+4 = 34
    # (significant); combined 64 (moderate): assessment, support and disrupt, review in 3 months.
    levels = {"coercion_control": M, "missing": S, "sexual_health": E, "weapons_violence": M,
              "social_media": E, "substance_misuse": M, "health": E,
              "places_spaces": M, "peer_group": S, "professional_engagement": E, "education": M,
              "family": E, "self_identity": M}
    s = score(levels, FW, assessed_on="2026-01-31")
    assert (s.harm_total, s.harm_band, s.context_total, s.context_band) == (30, M, 34, S)
    assert (s.combined_total, s.combined_band, s.response) == (64, M, "assessment")
    assert s.top_harm == ["missing"] and s.top_context == ["peer_group"]
    assert s.complete and s.next_review == "2026-04-30"  # 3 months on from 31 Jan (end of April)


def test_top_domains_keep_ties_and_skip_zero():
    s = score({"missing": S, "sexual_health": S, "health": E}, FW)
    assert s.top_harm == ["missing", "sexual_health"] and s.top_context == []
    assert not s.complete and "coercion_control" in s.not_rated


@pytest.mark.parametrize("levels,on,due", [
    (HARM_EDGES[7][0] | CONTEXT_EDGES[6][0], "2026-05-01", "2026-06-12"),   # significant: 6 weeks
    (HARM_EDGES[5][0] | CONTEXT_EDGES[4][0], "2026-05-01", "2026-08-01"),   # moderate: 3 months
    (HARM_EDGES[2][0] | CONTEXT_EDGES[0][0], "2026-05-01", "2026-08-01"),   # emerging: 3 months
    ({}, "2026-05-01", "2026-11-01"),                                        # little or none: 6 months
])
def test_next_review_from_cadence(levels, on, due):
    assert score(levels, FW, assessed_on=on).next_review == due


def test_levels_checked_and_aliases_normalised():
    assert risk.check_levels({"peer_group": "Positive", "missing": "No concern"}, FW, status="draft") == \
        {"peer_group": "none", "missing": "none"}
    with pytest.raises(risk.AssessmentError, match="unknown domain 'coersion_control'"):
        risk.check_levels({"coersion_control": M}, FW, status="draft")
    with pytest.raises(risk.AssessmentError, match="unknown level 'high'"):
        risk.check_levels({"missing": "high"}, FW, status="draft")
    with pytest.raises(risk.AssessmentError, match="not rated: .*health"):
        risk.check_levels({"missing": M}, FW, status="agreed")


# --- settings files --------------------------------------------------------------------------

def _write_framework(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load((SCHEMA_DIR / "risk_matrix.yaml").read_text())
    edit(data)
    p = tmp_path / "fw.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return p


def test_changed_settings_file_changes_scores(tmp_path):
    def edit(d):
        d["id"] = "changed"
        d["harm"]["missing"]["scores"]["significant"] = 12
        d["bands"]["combined"] = {"none": [0, 11], "emerging": [12, 30], "moderate": [31, 60],
                                  "significant": [61, None]}
        d["response"]["significant"]["review"] = {"weeks": 4}
    fw = load_framework(_write_framework(tmp_path, edit))
    levels = {"missing": S}
    assert score(levels, FW).combined_total == 10 and score(levels, FW).combined_band == E
    s = score(levels, fw)
    assert (s.combined_total, s.combined_band, s.framework) == (12, E, "changed")
    big = HARM_EDGES[7][0]  # 60 under the changed scores: moderate, not significant
    assert (score(big, fw).combined_total, score(big, fw).combined_band) == (60, M)
    assert score(big | {"health": S, "education": E}, fw, assessed_on="2026-05-01").next_review == "2026-05-29"


def test_medway_example_uses_its_own_headings():
    fw = load_framework(SCHEMA_DIR / "frameworks" / "medway.yaml")
    assert fw.action_headings == ("prevent", "protect", "pursue", "provide_support")
    assert score(HARM_EDGES[6][0] | CONTEXT_EDGES[4][0], fw).focus == ["protect", "pursue"]
    assert set(risk.frameworks()) >= {"medway-example", "merton-2020"}


@pytest.mark.parametrize("edit,key,message", [
    (lambda d: d["harm"].update(coersion_control=d["harm"].pop("coercion_control")),
     "harm.coersion_control", "unknown domain"),
    (lambda d: d["bands"]["harm"].update(emerging=[5, 17]), "bands.harm.moderate",
     "overlapping bands: emerging 5-17 and moderate 17-32"),
    (lambda d: d["bands"]["context"].update(emerging=[7, 16]), "bands.context.emerging", "gap between bands"),
    (lambda d: d["bands"]["combined"].update(none=[1, 9]), "bands.combined.none", "must start at 0"),
    (lambda d: d["bands"]["combined"].update(significant=[65, 200]), "bands.combined.significant", "open-ended"),
    (lambda d: d["harm"]["missing"]["scores"].pop("moderate"), "harm.missing.scores", "a score for each level"),
    (lambda d: d["harm"]["missing"]["scores"].update(moderate=2), "harm.missing.scores", "must not fall"),
    (lambda d: d["contexts"]["family"]["scores"].update(significant="twelve"), "contexts.family.scores.significant",
     "whole number"),
    (lambda d: d["overrides"]["missing_over_48_hours"].update(kind="hours_over"),
     "overrides.missing_over_48_hours.kind", "unknown override kind"),
    (lambda d: d["overrides"]["missing_aged_12_or_under"].update(domain="runaway"),
     "overrides.missing_aged_12_or_under.domain", "unknown domain"),
    (lambda d: d["response"]["moderate"].update(focus=["support", "pursue"]), "response.moderate.focus",
     "'pursue' is not one of action_headings"),
    (lambda d: d["response"]["none"].update(review={"days": 30}), "response.none.review", "weeks"),
    (lambda d: d.update(levels=["none", "emerging", "moderate", "severe"]), "levels", "'severe'"),
    (lambda d: d.update(colour="red"), "colour", "unknown key"),
    (lambda d: d["referrals"].update(min_count=0), "referrals.min_count", "whole number"),
])
def test_invalid_settings_fail_naming_file_and_key(tmp_path, edit, key, message):
    p = _write_framework(tmp_path, edit)
    with pytest.raises(SchemaError) as err:
        load_framework(p)
    text = str(err.value)
    assert text.startswith(f"{p}: {key}:"), text
    assert message in text, text


def test_missing_framework_file(tmp_path):
    with pytest.raises(SchemaError, match="framework file not found"):
        load_framework(tmp_path / "nope.yaml")


# --- proposals and overrides -------------------------------------------------------------------

def _tables(people=(), incidents=(), involvements=(), associations=(), presence=(), locations=()) -> dict:
    from graphmap import records, schema

    specs = schema.record_specs()

    def frame(name, rows):
        cols = records.stored_columns(specs[name])
        return pd.DataFrame([{c: r.get(c, "") for c in cols} for r in rows], columns=cols)

    return {"people": frame("people", people), "incidents": frame("incidents", incidents),
            "involvements": frame("involvements", involvements), "associations": frame("associations", associations),
            "presence": frame("presence", presence), "locations": frame("locations", locations)}


def _missing(iid, start, end, pid="C1"):
    return ({"incident_id": iid, "type": "missing", "start": start, "end": end, "source": "csc", "summary": ""},
            {"incident_id": iid, "person_id": pid, "role": "missing_person"})


def _child(pid="C1", dob="2010-01-01", role="young_person"):
    return {"person_id": pid, "date_of_birth": dob, "role": role, "source": "csc"}


W = Window.ending("2026-06-30", 365)


@pytest.mark.parametrize("end,expected", [
    ("2026-03-03T18:00:00", False),   # exactly 48 h: not *over* 48 hours
    ("2026-03-03T18:01:00", True),    # 48 h 1 min
])
def test_override_missing_over_48_hours_edge(end, expected):
    inc, inv = _missing("M1", "2026-03-01T18:00:00", end)
    p = proposals.missing_proposal(_tables([_child()], [inc], [inv]), "C1", window=W)
    assert p["status"] == "proposed"
    assert (p["level"] == S) is expected and p["override"] is expected
    if expected:
        r = next(r for r in p["reasons"] if r["rule"] == "missing_over_48_hours")
        assert "M1 lasted 48 h" in r["reason"] and r["evidence"][0]["id"] == "M1"
    else:
        assert p["level"] == E  # one episode: emerging


def test_override_open_episode_counts_to_the_as_at_date():
    inc, inv = _missing("M1", "2026-06-29T10:00:00", "")
    t = _tables([_child()], [inc], [inv])
    assert proposals.missing_proposal(t, "C1", window=Window.ending("2026-06-30", 365))["level"] == E  # 38 h
    p = proposals.missing_proposal(t, "C1", window=Window.ending("2026-07-01", 365))
    assert p["level"] == S and "no return recorded: 62 h" in p["reasons"][0]["reason"]


@pytest.mark.parametrize("dob,age,expected", [("2013-03-02", 12, True), ("2013-03-01", 13, False)])
def test_override_missing_child_aged_12_or_under(dob, age, expected):
    inc, inv = _missing("M1", "2026-03-01T18:00:00", "2026-03-01T23:00:00")
    p = proposals.missing_proposal(_tables([_child(dob=dob)], [inc], [inv]), "C1", window=W)
    assert (p["level"] == S) is expected
    if expected:
        assert f"aged {age} at the start of M1" in p["reasons"][0]["reason"]
        assert proposals.unconfirmed_overrides({"missing": M}, [p]) == \
            [f"missing: the guidance sets significant ({p['reasons'][0]['reason']}); recorded: moderate"]
        assert proposals.unconfirmed_overrides({"missing": S}, [p]) == []
    else:
        assert proposals.unconfirmed_overrides({"missing": E}, [p]) == []


def test_missing_episode_counts_and_window():
    rows = [_missing(f"M{i}", f"2026-0{i}-01T18:00:00", f"2026-0{i}-01T23:00:00") for i in range(1, 7)]
    old = _missing("M0", "2025-01-01T18:00:00", "2025-01-01T23:00:00")  # before the window
    t = _tables([_child()], [r[0] for r in rows[:2]] + [old[0]], [r[1] for r in rows[:2]] + [old[1]])
    p = proposals.missing_proposal(t, "C1", window=W)
    assert p["level"] == M and [e["id"] for e in p["reasons"][0]["evidence"]] == ["M1", "M2"]
    t = _tables([_child()], [r[0] for r in rows], [r[1] for r in rows])
    assert proposals.missing_proposal(t, "C1", window=W)["level"] == S  # 6: persistent
    assert proposals.missing_proposal(_tables([_child()]), "C1", window=W) is None


def test_weapons_violence_proposals():
    def inc(iid, typ, summary, role="subject"):
        return ({"incident_id": iid, "type": typ, "start": "2026-05-01T20:00", "summary": summary, "source": "police"},
                {"incident_id": iid, "person_id": "C1", "role": role})
    rows = [inc("I1", "asb", "Group shouting outside shop")]
    t = _tables([_child()], [r[0] for r in rows], [r[1] for r in rows])
    assert proposals.weapons_violence_proposal(t, "C1", window=W)["level"] == E
    rows.append(inc("I2", "stop_search", "Found carrying a Knife"))
    t = _tables([_child()], [r[0] for r in rows], [r[1] for r in rows])
    p = proposals.weapons_violence_proposal(t, "C1", window=W)
    assert p["level"] == M
    w = next(r for r in p["reasons"] if r["rule"] == "weapon_violence")
    assert [(e["id"], e["matched"]) for e in w["evidence"]] == [("I2", "knife")]
    rows.append(inc("I3", "school", "Excluded: blade in bag"))
    t = _tables([_child()], [r[0] for r in rows], [r[1] for r in rows])
    assert proposals.weapons_violence_proposal(t, "C1", window=W)["level"] == S
    # Only reporting an incident never counts.
    t = _tables([_child()], [inc("I9", "asb", "assault", role="reporting")[0]],
                [inc("I9", "asb", "assault", role="reporting")[1]])
    assert proposals.weapons_violence_proposal(t, "C1", window=W) is None


def test_peer_group_and_places_on_the_fixture(sqlite_store):
    sqlite_store.load([DEMO])
    t = sqlite_store.tables()
    w = Window.ending("2026-04-30", 365)
    p3 = proposals.peer_group_proposal(t, "P003", window=w)   # olders tie to adult P004
    assert p3["level"] == M and p3["reasons"][0]["evidence"][0]["person_id"] == "P004"
    assert p3["reasons"][0]["evidence"][0]["ties"][0]["grading"] == "3C P"
    p2 = proposals.peer_group_proposal(t, "P002", window=w)   # found with P004 while missing (I002)
    assert p2["level"] == S and p2["reasons"][0]["rule"] == "found_with"
    assert p2["reasons"][0]["evidence"][0]["id"] == "I002"
    p1 = proposals.peer_group_proposal(t, "P001", window=w)   # P004 two steps away, through P002
    assert p1["level"] == E and p1["reasons"][0]["evidence"] == [{"person_id": "P004", "through": ["P002"]}]
    # The adjacency can come from elsewhere (the network analyses): an empty graph proposes nothing
    import networkx as nx
    assert proposals.peer_group_proposal(t, "P001", window=w, G=nx.Graph()) is None
    assert proposals.places_proposal(t, "P002", window=w, hotspots=set()) is None
    pl = proposals.places_proposal(t, "P002", window=w, hotspots={"L001"})
    assert pl["level"] == E and {e["record"] for e in pl["reasons"][0]["evidence"]} == {"presence", "incidents"}
    pl = proposals.places_proposal(t, "P003", window=w, hotspots={"L002"})
    assert pl["level"] == S  # found at the takeaway after going missing
    allp = proposals.propose_levels(t, "P002", window=w, hotspots={"L001"})
    assert {p["status"] for p in allp} == {"proposed"}
    assert all(r["evidence"] for p in allp for r in p["reasons"])


def test_age_helper():
    assert proposals._age_on("2013-03-02", date(2026, 3, 1)) == 12
    assert proposals._age_on("", date(2026, 3, 1)) is None
