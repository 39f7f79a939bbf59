"""The Streamlit app, page by page, through streamlit.testing.v1.AppTest on a real SQLite store.

Widgets are set by key; each test asserts no exception and the content the page must show.
The store holds the tiny fixture plus records whose text is hostile markup.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from graphmap.app.components import remote_references
from tests.conftest import DEMO, ROOT, write_csv

XSS_FORENAME = '<img src=x onerror="window.__xss=1;try{top.__xss=1}catch(e){}">'
XSS_SURNAME = "<script>window.__xss=2</script>"
XSS_PLACE = "<img src=x onerror=window.__xss=3>`${window.__xss=4}`"
XSS_GROUP = "Crew <b>bold</b> [x](javascript:alert(1))"


def write_hostile(folder):
    """Extra canonical files whose text is markup and script (names come from other systems)."""
    write_csv(folder / "people.csv",
              "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
              f"P900,\"{XSS_FORENAME.replace(chr(34), chr(34) * 2)}\",{XSS_SURNAME},2011-01-01,female,"
              "young_person,Merton,,csc\n")
    write_csv(folder / "locations.csv", "location_id,name,type,latitude,longitude,postcode,ward,source\n"
              f"L900,{XSS_PLACE},street,51.4150,-0.1920,,Abbey,police\n")
    write_csv(folder / "associations.csv", "person_id_a,person_id_b,kind,first_seen,last_seen,source,grading\n"
              "P900,P002,friend,2026-01-01,,peer_map,\n")
    write_csv(folder / "incidents.csv", "incident_id,type,start,end,location_id,summary,source,grading\n"
              "I900,asb,2026-04-20T22:00,,L900,Noise,police,\n")
    write_csv(folder / "involvements.csv", "incident_id,person_id,role\nI900,P900,subject\nI900,P002,present\n")
    write_csv(folder / "groups.csv", f"group_id,name,source\nG1,{XSS_GROUP},csc\n")
    write_csv(folder / "memberships.csv", "person_id,group_id,first_seen,last_seen,source,grading\n"
              "P001,G1,2026-01-01,,csc,\nP002,G1,2026-01-01,,csc,\nP900,G1,2026-02-01,,csc,\n")
    write_csv(folder / "assessments.csv",
              "assessment_id,person_id,assessed_on,assessor,status,framework,coercion_control,missing,sexual_health,"
              "weapons_violence,social_media,substance_misuse,health,places_spaces,peer_group,"
              "professional_engagement,education,family,self_identity,source\n"
              "A1,P002,2026-01-10,A. Worker,agreed,,moderate,significant,none,moderate,none,none,none,moderate,"
              "significant,none,none,none,none,csc\n")
    return folder


def build_store(path):
    from graphmap.store import open_store

    with open_store(path) as s:
        s.load([DEMO])
        r = s.load([write_hostile(path.parent / "hostile")])
        assert r.rejected_rows == 0, r.batch.rejects
    return path


@pytest.fixture(scope="module")
def app_db(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("app") / "graphmap.db")


@pytest.fixture
def db_env(app_db, monkeypatch):
    monkeypatch.setenv("GRAPHMAP_DB", str(app_db))
    return app_db


def page_script(page: str) -> None:
    """One page with the app's sidebar, as app.py runs it (AppTest cannot switch callable pages)."""
    import importlib

    from graphmap.app import state

    state.sidebar()
    importlib.import_module(f"graphmap.app.{page}").main()


def open_page(page: str, **state) -> AppTest:
    at = AppTest.from_function(page_script, args=(page,), default_timeout=60)
    at.session_state["as_at"] = __import__("datetime").date(2026, 10, 31)
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "success", "error")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def plain_tables(at: AppTest) -> list:
    """The plain tables on the page (``state.table_html``, up to ``app.plain_table_rows`` rows), read
    back from the HTML the browser gets: text as shown, numbers parsed, a blank cell missing."""
    from io import StringIO

    import pandas as pd

    return [t for e in at.get("html") if 'class="gm-table"' in e.proto.body
            for t in pd.read_html(StringIO(e.proto.body), keep_default_na=False, na_values=[""])]


def tables(at: AppTest) -> list:
    """Every table on the page, in page order within each kind: the grids (``st.dataframe``),
    then the plain tables (:func:`plain_tables`), then any ``st.table`` (the hour x day grid)."""
    return [e.value for e in at.dataframe] + plain_tables(at) + [e.value for e in at.table]


def frame(at: AppTest, *columns: str):
    """The first table on the page with these columns (AppTest does not expose dataframe keys)."""
    for df in tables(at):
        if set(columns) <= set(df.columns):
            return df
    raise AssertionError(f"no table with columns {columns}")


def iframes(at: AppTest) -> list[str]:
    return [e.proto.srcdoc for e in at.get("iframe")]


def test_app_routes_to_overview_with_marking_and_sidebar(db_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    marking = texts(at)
    assert "OFFICIAL-SENSITIVE · as at 2026-05-01" in marking  # default: the latest incident held
    assert "redaction: professionals-only" in marking
    assert {"as_at", "window_days", "redaction"} <= {w.key for w in at.sidebar.date_input} | \
        {w.key for w in at.sidebar.number_input} | {w.key for w in at.sidebar.selectbox}


def test_overview_counts_sources_and_awaiting(db_env):
    at = open_page("overview")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["People"] == "6" and metrics["Incidents"] == "5"
    assert "2026-03-02 to 2026-05-01" in texts(at)
    sources = frame(at, "source", "rows")
    assert dict(zip(sources["source"], sources["rows"]))["youth_service"] == 1
    assert len(frame(at, "load_id", "loaded_at")) == 2
    reviews = frame(at, "next_review", "days_overdue")
    assert reviews.iloc[0][["person_id", "status", "next_review", "combined_band"]].tolist() == \
        ["P002", "overdue", "2026-04-10", "moderate"]  # combined 40, moderate: every 3 months
    assert metrics["Reviews overdue"] == "1"


def test_sidebar_window_and_redaction_change_every_page_marking(db_env):
    at = open_page("overview", window_days=30, redaction="family-present")
    assert "window 30 days (2026-10-02 to 2026-10-31) · redaction: family-present" in texts(at)


def test_data_page_checks_a_folder_shows_rejects_then_loads(db_env, tmp_path, demo_copy):
    inv = demo_copy / "involvements.csv"
    inv.write_text(inv.read_text() + "I001,GHOST,present\n")
    (demo_copy / "people.csv").write_text((demo_copy / "people.csv").read_text()
                                          + "P010,New,Person,2011-02-02,female,young_person,Merton,,csc\n")
    at = open_page("data")
    at.text_input(key="load_path").set_value(str(demo_copy))
    at.button(key="check_path").click().run()
    assert not at.exception
    summary = frame(at, "file", "rows read")
    row = summary[summary["file"] == "involvements.csv"].iloc[0]
    assert (row["rows read"], row["valid"], row["rejected"]) == (8, 7, 1)
    rejects = frame(at, "field", "reason")
    assert list(rejects["value"]) == ["GHOST"] and rejects["row"].iloc[0] == 9
    at.button(key="load_batch").click().run()
    assert not at.exception
    assert "Loaded" in texts(at)
    from graphmap.store import open_store

    with open_store(db_env) as s:
        assert s.counts()["people"] == 7


def test_data_page_upload_refuses_unknown_names_and_checks_canonical(db_env):
    at = open_page("data")
    at.file_uploader(key="upload_files").set_value([
        ("../../etc/people.csv", (DEMO / "people.csv").read_bytes(), "text/csv"),
        ("evil.csv", b"a,b\n1,2\n", "text/csv")])
    at.run()
    at.button(key="check_uploads").click().run()
    assert not at.exception
    assert "evil.csv: not a canonical file name" in "\n".join(e.value for e in at.error).replace("\\", "")
    summary = frame(at, "file", "rows read")
    assert list(summary["file"]) == ["people.csv"] and summary["valid"].iloc[0] == 5


def test_network_page_draws_a_persons_network_offline(db_env):
    at = open_page("network", network_mode="A person's network", network_person="P002", network_hops=2)
    assert not at.exception
    [page] = iframes(at)
    assert "new vis.Network" in page and remote_references(page) == []
    assert XSS_SURNAME not in page and "\\u003cscript\\u003ewindow.__xss=2" in page
    assert '"enabled": false' in page and "graphmap-legend" in page  # physics stopped; a legend
    ties = frame(at, "records", "kinds")
    assert "same incident · I001 · 2026-03-02 · police" in " ".join(ties["records"])
    assert set(frame(at, "person", "peer group")["id"]) == {"P001", "P002", "P003", "P004", "P900"}
    assert "awaits" not in texts(at)


def test_network_page_group_mode_found_and_recorded(db_env):
    at = open_page("network", network_mode="A peer group", network_group="PG001")
    assert not at.exception
    people = frame(at, "person", "peer group")
    assert set(people["id"]) == {"P001", "P002", "P003", "P900", "P004"}  # members and the adult tied to them
    assert set(people.loc[people["id"] != "P004", "peer group"]) == {"PG001"}
    [page] = iframes(at)
    assert "peer group PG001" in page and "diamond: adult of concern" in page
    assert "awaits" not in texts(at)
    at = open_page("network", network_mode="A peer group", network_group="G1")
    assert not at.exception
    assert set(frame(at, "person", "peer group")["id"]) == {"P001", "P002", "P900", "P004"}


def test_network_page_whole_window_and_one_node_per_group(db_env):
    at = open_page("network", network_mode="The whole window", network_size_by="betweenness")
    assert not at.exception
    people = frame(at, "person", "peer group")
    assert set(people["id"]) == {"P001", "P002", "P003", "P004", "P900"}
    assert people.set_index("id")["betweenness within the picture"].idxmax() == "P002"
    at = open_page("network", network_mode="The whole window", network_draw="One node per peer group")
    assert not at.exception
    assert set(frame(at, "person", "peer group")["id"]) == {"PG001", "P004"}
    assert "Drawn as one node per peer group: 1 groups stand for 4 young people" in texts(at)


@pytest.mark.parametrize("filters, ties", [
    ({"network_incident_types": ["missing"]}, {"P001-P002", "P002-P003", "P003-P004", "P002-P004", "P002-P900"}),
    ({"network_link_kinds": ["friend"]}, {"P001-P002", "P002-P003", "P002-P900"}),
    ({"network_source_evaluations": ["1", "2"], "network_link_kinds": ["olders", "friend"]}, {"P001-P002", "P002-P003", "P002-P900"}),
    ({"network_min_evidence": 2}, {"P002-P003", "P003-P004", "P002-P004", "P002-P900"}),
])
def test_network_page_filters(db_env, filters, ties):
    at = open_page("network", network_mode="The whole window", **filters)
    assert not at.exception
    shown = frame(at, "records", "kinds")
    assert _ties(at) == ties
    if "network_incident_types" in filters:
        assert "I001" not in " ".join(shown["records"]) and "I900" not in " ".join(shown["records"])


def _ties(at) -> set[str]:
    shown = frame(at, "records", "kinds")
    people = frame(at, "person", "peer group")
    ids = dict(zip(people["person"], people["id"]))
    return {"-".join(sorted((ids[a], ids[b]))) for a, b in zip(shown["person"], shown["linked to"])}


def test_network_filters_are_made_when_opened_and_kept_when_folded(db_env):
    """The filter widgets are sent only while their expander is open (session 9); a filter set
    there still applies after it is folded away, and on the next run."""
    at = open_page("network", network_mode="The whole window")
    everything = _ties(at)
    assert "network_min_evidence" not in {w.key for w in at.number_input}
    at.session_state["network_filters"] = True  # what opening it in the browser sets
    at.run()
    at.number_input(key="network_min_evidence").set_value(2).run()
    assert not at.exception and _ties(at) == {"P002-P003", "P003-P004", "P002-P004", "P002-P900"} < everything
    at.session_state["network_filters"] = False
    at.run()
    assert "network_min_evidence" not in {w.key for w in at.number_input}
    assert _ties(at) == {"P002-P003", "P003-P004", "P002-P004", "P002-P900"}
    at.run()
    assert _ties(at) == {"P002-P003", "P003-P004", "P002-P004", "P002-P900"}
    at.session_state["network_filters"] = True
    at.run()
    assert at.number_input(key="network_min_evidence").value == 2


def test_network_page_cap_says_what_was_left_out(db_env, monkeypatch):
    from graphmap import schema

    real = schema.setting
    monkeypatch.setattr(schema, "setting", lambda path, default=None: 3 if path == "app.network_node_cap"
                        else real(path, default))
    at = open_page("network", network_mode="The whole window")
    assert not at.exception
    [warning] = [w.value for w in at.warning if "Single-user mode" not in w.value]
    assert warning.startswith("Large network: showing 3 of 5 people") and "app.network_node_cap" in warning
    assert len(frame(at, "person", "peer group")) == 3


def test_network_page_on_the_demo_borough_caps_the_whole_window(demo_env):
    at = open_page("network", network_mode="The whole window")
    assert not at.exception
    assert any(w.value.startswith("Large network: showing 250 of") for w in at.warning)
    assert "Bridges marked" in texts(at)
    # The long lists of people and ties are folded, and made only when opened (sessions 9, 10).
    assert not [t for t in tables(at) if "linked to" in t.columns or "peer group" in t.columns]
    at.session_state["network_people_open"] = True
    at.run()
    assert len(frame(at, "person", "peer group")) == 250
    assert not [t for t in tables(at) if "linked to" in t.columns]
    at.session_state["network_ties_open"] = True
    at.run()
    [ties] = [t for t in tables(at) if "linked to" in t.columns]
    drawn = int(re.search(r"· (\d+) ties ·", texts(at)).group(1))
    assert len(ties) == drawn > 300 and ties["weight"].is_monotonic_decreasing


def test_locations_board_map_hotspots_profile_and_packs(db_env):
    at = open_page("locations_board", board_place="L001")
    assert not at.exception
    [page] = iframes(at)
    assert 'src="app/static/leaflet/leaflet.js"' in page and remote_references(page) == []
    assert XSS_PLACE not in page
    hot = frame(at, "rank", "score", "trend")
    assert set(hot["id"]) == {"L001", "L002", "L003", "L900"}
    assert hot.iloc[0]["id"] == "L002" and hot.iloc[0]["incidents"] == 2  # I002, I003
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Incidents in window"] == "1" and metrics["Adults of concern"] == "1"
    assert metrics["Young people"] == "1"  # P002; P005 only reported it
    assert "Suggested actions" in texts(at)
    assert {b.key for b in at.get("download_button")} == {"pack_html_locations-board", "pack_docx_locations-board"}
    assert "Jayden" not in texts(at)  # people only as counts


def test_person_profile_shows_hostile_name_as_text(db_env):
    at = open_page("person_profile", profile_person="P900")
    assert not at.exception
    heading = at.subheader[0].value
    assert heading.replace("\\", "") == f"{XSS_FORENAME} {XSS_SURNAME}"
    assert "No agreed assessment" in texts(at)
    assert len(iframes(at)) == 1


def test_person_profile_matrix_ties_timeline_and_proposals(db_env):
    at = open_page("person_profile", profile_person="P002")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Combined"] == "40 (moderate)" and metrics["Next review"] == "2026-04-10"
    ties = frame(at, "person", "evidence", "records")
    assert set(ties["id"]) >= {"P001", "P003", "P004", "P900"}
    assert "I001" in " ".join(ties["records"])
    timeline = frame(at, "date", "record")
    assert {"I001", "I002"} <= set(timeline["id"])
    assert "a proposal, never a score" in texts(at)


def test_person_profile_preselected_from_address(db_env):
    at = AppTest.from_function(page_script, args=("person_profile",), default_timeout=60)
    at.query_params["person"] = "P003"
    at.run()
    assert not at.exception
    assert at.selectbox(key="profile_person").value == "P003"


def group_tab(tab: str, **state) -> AppTest:
    """The Peer group page with its ``tab`` open (``app.lazy_tabs``: only that tab is made)."""
    from graphmap.app.peer_groups import TABS

    return open_page("peer_groups", group_tab=TABS[tab], **state)


def test_peer_group_page_members_and_family_present_redaction(db_env):
    at = open_page("peer_groups", group="G1", redaction="family-present")
    assert not at.exception
    members = frame(at, "person_id", "age")
    assert list(members["person_id"]) == ["P001", "P002", "P900"]
    assert list(members["name"]) == ["P001", "P002", "P900"]  # family-present: pseudonyms only
    assert list(members["matrix band"]) == ["not assessed", "moderate", "not assessed"]
    assert at.subheader[0].value.startswith("Crew \\<b\\>bold")
    at = group_tab("adults", group="G1", redaction="family-present")
    assert "Liam" not in " ".join(frame(at, "members tied", "score")["name"])


def test_peer_group_page_for_a_found_group(db_env):
    at = open_page("peer_groups", group="PG001")
    assert not at.exception
    assert at.subheader[0].value.replace("\\", "") == "Peer group PG001 (found in the data)"
    assert list(frame(at, "person_id", "age")["person_id"]) == ["P001", "P002", "P003", "P900"]
    [network] = iframes(at)  # the first tab: members and network; no other tab is made
    assert "new vis.Network" in network and remote_references(network) == []
    assert not [t for t in tables(at) if {"place", "members named", "heading"} & set(t.columns)]
    assert {b.key for b in at.get("download_button")} == {"pack_html_peer-group", "pack_docx_peer-group"}
    at = group_tab("places", group="PG001")
    [board] = iframes(at)
    assert 'src="app/static/leaflet/leaflet.js"' in board and remote_references(board) == []
    assert set(frame(at, "place", "members")["id"]) == {"L002", "L900"}
    assert not [t for t in tables(at) if "person_id" in t.columns]  # the members' tab is not made
    at = group_tab("timeline", group="PG001")
    assert list(frame(at, "members named", "grading")["id"]) == ["I001", "I002", "I003", "I900"]
    at = group_tab("adults", group="PG001")
    adults = frame(at, "members tied", "score")
    assert list(adults["id"]) == ["P004"] and adults["likely-recruiter rank"].iloc[0] == 1
    assert "young people 2 x 1" in adults["score parts"].iloc[0]
    at = group_tab("actions", group="PG001")
    cohorts = frame(at, "cohort", "ids").set_index("cohort")
    assert cohorts.loc["children missing", "ids"] == "P002, P003"
    actions = frame(at, "heading", "suggested action")
    assert list(dict.fromkeys(actions["heading"])) == ["Identify", "Prevent", "Support", "Protect", "Disrupt"]
    assert "Child Abduction Warning Notices" in " ".join(actions["suggested action"])
    assert {b.key for b in at.get("download_button")} == {"pack_html_peer-group", "pack_docx_peer-group"}
    assert "awaits" not in texts(at)


def test_peer_group_page_sends_every_tab_when_tabs_are_not_lazy(db_env, monkeypatch):
    """``app.lazy_tabs: false``: the whole assessment at once, as before session 9."""
    from graphmap import schema

    real = schema.setting
    monkeypatch.setattr(schema, "setting", lambda path, default=None: False if path == "app.lazy_tabs"
                        else real(path, default))
    at = open_page("peer_groups", group="PG001")
    assert not at.exception and len(iframes(at)) == 2
    for columns in (("person_id", "age"), ("place", "members"), ("members named", "grading"),
                    ("members tied", "score"), ("heading", "suggested action")):
        assert len(frame(at, *columns))


def test_peer_group_page_on_the_demo_borough(demo_env):
    from graphmap.network.analyse import analyse
    from graphmap.store import open_store
    from graphmap.window import Window

    with open_store(demo_env) as s:  # the largest found group with adults of concern around it
        pg = next(g for g in analyse(s, Window.ending("2026-10-31", 365))["peer_groups"] if g["adults_of_concern"])
    at = open_page("peer_groups", group=pg["group_id"])
    assert not at.exception
    assert list(frame(at, "person_id", "age")["person_id"]) == pg["members"]
    assert len(iframes(at)) == 1
    at = group_tab("adults", group=pg["group_id"])
    assert set(frame(at, "members tied", "score")["id"]) == {a["person_id"] for a in pg["adults_of_concern"]}
    assert len(iframes(group_tab("places", group=pg["group_id"]))) == 1


@pytest.fixture
def demo_env(demo_db, monkeypatch):
    """The app on the demo borough (sample_data/demo plus one hostile name; tests/conftest.py), read only."""
    monkeypatch.setenv("GRAPHMAP_DB", str(demo_db))
    return demo_db


def test_complex_strategy_lists_adults_and_places_with_the_evidence(demo_env):
    from datetime import date

    at = open_page("complex_strategy", as_at=date(2026, 9, 19))
    assert not at.exception
    assert "3 or more young people" in texts(at) and "4 adult(s) of concern and " in texts(at)
    cands = frame(at, "subject", "young people")
    assert cands["id"].iloc[0] == "P0302" and set(cands["id"][:4]) == {"P0301", "P0302", "P0303", "P0304"}
    assert list(cands["young people"][:1]) == [9]
    assert iframes(at) and remote_references(iframes(at)[0]) == []
    assert {b.label for b in at.get("download_button")} == {"Pack (HTML)", "Pack (Word)"}
    at.selectbox(key="complex_subject").set_value("P0302").run()
    assert not at.exception
    links = frame(at, "young person", "how linked")
    assert len(links) == 9 and "<script>alert(1)</script> <img src=x onerror=alert(2)>" in set(links["young person"])
    evidence = frame(at, "young person", "records", "basis")
    assert {"Fact", "Opinion"} <= set(evidence["basis"])
    assert "2C P" in set(evidence["grading"]) and "2C C" not in set(evidence["grading"])  # professionals-only
    assert "Shay Baptiste \\(P0302\\)" in texts(at)


def test_complex_strategy_at_family_present_names_no_other_child(demo_env):
    from datetime import date

    at = open_page("complex_strategy", as_at=date(2026, 9, 19), redaction="family-present")
    assert not at.exception
    cands = frame(at, "subject", "young people")
    assert cands["subject"].iloc[0].startswith("Adult of concern ") and "Shay" not in " ".join(cands["subject"])
    assert "Withheld and left out of every count" in texts(at)


def test_weekly_review_shows_the_week_repeat_co_missing_and_new_ties(demo_env):
    from datetime import date

    at = open_page("weekly_review", as_at=date(2026, 9, 19))
    assert not at.exception
    page = texts(at)
    assert "2026-09-13 to 2026-09-19" in page
    assert "Repeat missing here means: missing 3 or more times in the 90 days up to 2026-09-19" in page
    rows = frame(at, "incident_id", "people")
    assert set(rows["type"]) <= {"missing", "merlin"} and "I9001" in set(rows["incident_id"])
    assert (rows["start"].str[:10] >= "2026-09-13").all()
    assert len(frame(at, "young person", "episodes in the period")) >= 1
    assert len(frame(at, "young person", "with", "pattern")) >= 1
    ties = frame(at, "person", "tied to", "why it matters")
    assert "Shay Baptiste is an adult of concern" in set(ties["why it matters"])
    assert len(iframes(at)) == 2 and all(remote_references(f) == [] for f in iframes(at))  # map and network
    assert "awaits" not in page  # nothing on this page waits for an analysis any more
    assert {b.label for b in at.get("download_button")} == {"Pack (HTML)", "Pack (Word)"}


def test_weekly_review_on_a_quiet_week_says_so(db_env):
    at = open_page("weekly_review")
    at.session_state["as_at"] = __import__("datetime").date(2026, 4, 16)
    at.run()
    assert not at.exception
    rows = frame(at, "incident_id", "people")
    assert list(rows["incident_id"]) == ["I002", "I003"]  # missing 10 April; the Merlin of 2 March is older
    assert rows.iloc[0]["people"] == "Jayden Smith (missing person); Liam Doyle (found with)"
    assert "2026-04-10 to 2026-04-16" in texts(at) and "Repeat missing (0)" in texts(at)


# --- Data, Person profile, Overview and Locations Board: changing the store from the app ------------
# Each test that writes gets its own copy of a pristine store, so no test sees another's writes.

@pytest.fixture(scope="module")
def pristine_db(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("pristine") / "graphmap.db")


@pytest.fixture(scope="module")
def resolved_demo_db(tmp_path_factory):
    """The generated demo borough (sample_data/demo, copied to tmp), identities resolved once."""
    import shutil

    from graphmap import identity
    from graphmap.store import open_store
    from tests.conftest import SAMPLE_DEMO

    folder = tmp_path_factory.mktemp("demo")
    shutil.copytree(SAMPLE_DEMO, folder / "demo")
    with open_store(folder / "graphmap.db") as s:
        s.load([folder / "demo"])
        found = identity.resolve(s)
    assert found["candidates"] > 0  # the generator plants near-duplicates a person must decide
    return folder / "graphmap.db"


def _fresh(db, tmp_path, monkeypatch):
    import shutil

    copy = tmp_path / "store" / "graphmap.db"
    copy.parent.mkdir()
    shutil.copy(db, copy)  # stores are closed after building: the WAL is checkpointed
    monkeypatch.setenv("GRAPHMAP_DB", str(copy))
    monkeypatch.setenv("GRAPHMAP_USER", "test.analyst")
    return copy


@pytest.fixture
def fresh_env(pristine_db, tmp_path, monkeypatch):
    return _fresh(pristine_db, tmp_path, monkeypatch)


@pytest.fixture
def resolved_demo_env(resolved_demo_db, tmp_path, monkeypatch):
    """A writable copy of the demo borough with identity candidates found."""
    return _fresh(resolved_demo_db, tmp_path, monkeypatch)


def plain(at: AppTest) -> str:
    """The page's text with Streamlit markdown escapes removed (record text is shown escaped)."""
    return texts(at).replace("\\", "")


def _open(db):
    from graphmap.store import open_store

    return open_store(db)


def test_data_upload_with_a_bad_row_names_file_row_field_and_loads_only_the_good_rows(fresh_env):
    people = ("person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
              "P020,Nia,Campbell,2012-06-01,female,young_person,Merton,,csc\n"
              "P021,Bad,Date,=1+cmd|' /C calc'!A0,male,young_person,Merton,,csc\n")
    at = open_page("data")
    at.file_uploader(key="upload_files").set_value([("../../../tmp/people.csv", people.encode(), "text/csv")])
    at.run()
    at.button(key="check_uploads").click().run()
    assert not at.exception
    rejects = frame(at, "field", "reason")
    assert rejects[["file", "row", "field"]].values.tolist() == [["people.csv", 3, "date_of_birth"]]
    summary = frame(at, "file", "rows read")
    assert summary[["file", "rows read", "valid", "rejected"]].values.tolist() == [["people.csv", 2, 1, 1]]
    from graphmap import safe
    from graphmap.app.data import rejects_frame

    # The download is the rejects table as graphmap.safe writes CSV: the formula is neutralised.
    assert "'=1+cmd" in safe.csv_text(rejects_frame(at.session_state["batch"]))
    assert {b.key for b in at.get("download_button")} == {"download_rejects"}
    at.button(key="load_batch").click().run()
    assert not at.exception
    assert "Loaded 1 row(s)" in plain(at)
    with _open(fresh_env) as s:
        assert s.existing_ids("people", {"P020", "P021"}) == {"P020"}
        loads = s.audit_entries({"action": "load"})
        assert loads.iloc[-1]["user"] == "test.analyst"
        assert '"rejected":1' in loads.iloc[-1]["detail"] and "people.csv" in loads.iloc[-1]["detail"]


def test_data_strict_load_of_a_bad_upload_changes_nothing(fresh_env):
    with _open(fresh_env) as s:
        before = s.counts()
    at = open_page("data", strict=True)
    at.file_uploader(key="upload_files").set_value([("people.csv", (
        "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
        "P022,Ok,Row,2012-06-01,female,young_person,Merton,,csc\n"
        "P023,Bad,Role,2012-06-01,female,gang_member,Merton,,csc\n").encode(), "text/csv")])
    at.run()
    at.button(key="check_uploads").click().run()
    assert frame(at, "field", "reason")["field"].tolist() == ["role"]
    assert at.button(key="load_batch").disabled  # strict: nothing may load while a row is rejected
    with _open(fresh_env) as s:
        assert s.counts() == before


def test_data_source_mapping_upload_reads_an_export_as_load_source_does(fresh_env):
    export = (ROOT / "sample_data" / "exports" / "merlin.csv").read_text(encoding="utf-8")
    lines = export.splitlines()
    bad = lines[1].split(",")
    bad[1] = "31/02/2026 10:00"  # no such day
    text = "\n".join([lines[0], lines[1].replace(lines[1].split(",")[0], "MER/26/99999", 1), ",".join(bad)]) + "\n"
    at = open_page("data", load_mapping="merlin", load_encoding="cp1252")
    at.file_uploader(key="upload_files").set_value([("merlin-october.csv", text.encode("cp1252"), "text/csv")])
    at.run()
    at.button(key="check_uploads").click().run()
    assert not at.exception
    summary = frame(at, "file", "rows read")
    assert summary[["file", "record", "rows read", "valid", "rejected"]].values.tolist() == \
        [["merlin-october.csv", "merlin", 2, 1, 1]]
    rejects = frame(at, "field", "reason")
    assert rejects[["file", "row", "field"]].values.tolist() == [["merlin-october.csv", 3, "Date/Time of Report"]]
    at.button(key="load_batch").click().run()
    with _open(fresh_env) as s:
        inc = s.table("incidents")
        assert set(inc.loc[inc["source"] == "met_merlin", "incident_id"]) == {"MER-MER/26/99999"}


def test_data_identity_candidate_accepted_is_recorded_and_audited(resolved_demo_env):
    from graphmap import identity

    with _open(resolved_demo_env) as s:
        first = identity.candidates(s).iloc[0]
    at = open_page("data")
    shown = frame(at, "person", "same_as_person", "evidence")
    assert shown.iloc[0]["link_id"] == first["link_id"] and "date of birth exact" in shown.iloc[0]["evidence"]
    at.button(key="identity_accept").click().run()  # no reason: refused, nothing recorded
    assert "why (the reason box)" in "\n".join(e.value for e in at.error).replace("\\", "")
    with _open(resolved_demo_env) as s:
        assert len(identity.candidates(s)) == len(shown)
    at.text_input(key="identity_reason").set_value("Same school and address; social worker confirmed")
    at.selectbox(key="identity_candidate").set_value(first["link_id"])
    at.button(key="identity_accept").click().run()
    assert not at.exception
    assert "accepted" in plain(at)
    with _open(resolved_demo_env) as s:
        links = identity.current_links(s)
        pair = links[(links["person_id"] == min(first["person_id"], first["same_as"]))
                     & (links["same_as"] == max(first["person_id"], first["same_as"]))].iloc[0]
        assert (pair["status"], pair["decided_by"]) == ("accepted", "test.analyst")
        assert identity.canonical_ids(s)[first["person_id"]] == identity.canonical_ids(s)[first["same_as"]]
        merge = s.audit_entries({"action": "merge"}).iloc[-1]
        assert merge["user"] == "test.analyst" and f"person:{first['person_id']}" in merge["subject"]
        assert merge["reason"] == "Same school and address; social worker confirmed"
    # ... and undone from the same page: the link stays, a new one records the undo.
    at.text_input(key="identity_reason").set_value("Checked again: twins")
    at.selectbox(key="identity_undo_link").set_value(pair["link_id"]).run()
    at.button(key="identity_undo").click().run()
    assert not at.exception
    with _open(resolved_demo_env) as s:
        assert identity.canonical_ids(s)[first["person_id"]] != identity.canonical_ids(s)[first["same_as"]]
        assert s.audit_entries({"action": "unmerge"}).iloc[-1]["reason"] == "Checked again: twins"


def _fill_matrix(at, levels: dict, **fields):
    for domain, level in levels.items():
        at.selectbox(key=f"assess_level_{domain}").set_value(level)
    for key, value in fields.items():
        (at.radio if key == "assess_status" else at.text_area if key == "assess_summary"
         else at.text_input)(key=key).set_value(value)
    return at.run()


def test_person_profile_matrix_form_previews_then_saves_an_assessment(fresh_env):
    from graphmap import risk

    fw = risk.framework()
    levels = {d: "none" for d in fw.domains} | {"missing": "significant", "coercion_control": "moderate",
                                                 "peer_group": "significant", "places_spaces": "moderate"}
    at = open_page("person_profile", profile_person="P003", assess_form=True)
    at = _fill_matrix(at, levels, assess_assessor="A. Worker", assess_status="agreed",
                      assess_summary="Missing with P002 in April; older male tied to him")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # harm 10 + 6 = 16 (emerging); context 12 + 6 = 18 (moderate); combined 34: moderate, review in 3 months
    assert metrics["Form: combined"] == "34 (moderate)" and metrics["Form: harm"] == "16 (emerging)"
    assert metrics["Form: next review"] == "2027-01-31"  # assessed on the as-at date, 2026-10-31
    at.button(key="assess_save").click().run()
    assert not at.exception
    assert "Saved A-20261031-" in plain(at) and "combined 34 moderate" in plain(at)
    with _open(fresh_env) as s:
        saved = s.table("assessments")
        saved = saved[saved["person_id"] == "P003"]
        assert len(saved) == 1
        row = saved.iloc[0]
        assert (row["status"], row["assessor"], row["missing"], row["summary"]) == \
            ("agreed", "A. Worker", "significant", "Missing with P002 in April; older male tied to him")
        scored = risk.score_assessments(saved)[0]
        assert (scored["combined_total"], scored["combined_band"]) == (34, "moderate")
        audit = s.audit_entries({"action": "assess"}).iloc[-1]
        assert audit["user"] == "test.analyst"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Combined"] == "34 (moderate)"  # now the current agreed assessment
    assert "assess_level_missing" not in {w.key for w in at.selectbox}  # saved: the form closed again


def test_person_profile_matrix_form_is_made_only_when_opened(db_env):
    """Its 40 widgets cost a new tab of the profile about 0.75 s to draw, closed or not, so
    they are made and sent only once the expander is opened."""
    at = open_page("person_profile", profile_person="P002")
    assert not at.exception and "Risk matrix" in texts(at)
    assert not {w.key for w in at.selectbox} & {"assess_start", "assess_level_missing"}
    at.session_state["assess_form"] = True  # what opening it in the browser sets
    at.run()
    assert not at.exception and {"assess_start", "assess_level_missing"} <= {w.key for w in at.selectbox}
    # Folded half-way through and opened again: what was typed is still there.
    at.selectbox(key="assess_level_missing").set_value("significant")
    at.text_input(key="assess_assessor").set_value("A. Worker").run()
    at.session_state["assess_form"] = False
    at.run()
    at.run()
    assert "assess_level_missing" not in {w.key for w in at.selectbox}
    at.session_state["assess_form"] = True
    at.run()
    assert at.selectbox(key="assess_level_missing").value == "significant"
    assert at.text_input(key="assess_assessor").value == "A. Worker"


def test_person_profile_matrix_form_refuses_an_incomplete_agreed_assessment(fresh_env):
    at = open_page("person_profile", profile_person="P003", assess_form=True)
    at = _fill_matrix(at, {"missing": "significant"}, assess_assessor="A. Worker", assess_status="agreed",
                      assess_summary="Partial")
    at.button(key="assess_save").click().run()
    assert not at.exception
    errors = "\n".join(e.value for e in at.error).replace("\\", "")
    assert "an agreed assessment rates every domain" in errors
    with _open(fresh_env) as s:
        assert "P003" not in set(s.table("assessments")["person_id"])
        assert s.audit_entries({"action": "assess"}).empty


def test_person_profile_review_starts_from_an_earlier_assessment(db_env):
    at = open_page("person_profile", profile_person="P002", assess_form=True)
    at.selectbox(key="assess_start").set_value("A1").run()
    assert at.selectbox(key="assess_level_missing").value == "significant"
    assert {m.label: m.value for m in at.metric}["Form: combined"] == "40 (moderate)"


def test_overview_new_links_to_adults_and_rising_places(fresh_env, tmp_path):
    extra = tmp_path / "extra"
    write_csv(extra / "incidents.csv", "incident_id,type,start,end,location_id,summary,source,grading\n"
              "I950,merlin,2026-04-25T22:10,,L001,Stopped with an older male,police,\n")
    write_csv(extra / "involvements.csv", "incident_id,person_id,role\nI950,P001,subject\nI950,P004,present\n")
    with _open(fresh_env) as s:
        assert s.load([extra]).rejected_rows == 0
    at = open_page("overview")
    at.session_state["as_at"] = __import__("datetime").date(2026, 5, 1)
    at.run()
    assert not at.exception
    links = frame(at, "young person", "adult of concern")
    # P002 and P003 were tied to P004 before the meeting period (2026-04-04 on); only P001 is new.
    assert links[["young person", "adult of concern", "first seen", "records"]].values.tolist() == \
        [["Amara Okafor (P001)", "Liam Doyle (P004)", "2026-04-25", "I950"]]
    assert "on or after 2026-04-04" in plain(at).replace("\\", "")
    rising = frame(at, "trend", "before")
    assert set(rising["trend"]) <= {"rising", "new"} and "L002" in set(rising["id"])  # I002, I003: 2 new
    assert "awaits" not in plain(at)


def test_person_profile_on_the_demo_marks_hotspots_and_found_groups(resolved_demo_env):
    from graphmap import schema
    from graphmap.network.analyse import analyse
    from graphmap.window import Window

    with _open(resolved_demo_env) as s:  # in a recorded group and in one found in the app's default window
        last = s.info()["date_range"]["last"]
        window = Window.ending(last, int(schema.setting("analysis.window_days")))
        recorded = set(s.table("memberships")["person_id"])
        member = min(m for g in analyse(s, window)["peer_groups"] for m in g["members"] if m in recorded)
    at = open_page("person_profile", profile_person=member)
    assert not at.exception
    places = frame(at, "place", "hotspot")
    assert (places["hotspot"] == "hotspot").any()
    groups = frame(at, "group", "basis")
    assert {"recorded", "found in the data"} <= set(groups["basis"])
    assert "awaits" not in plain(at)


def test_locations_board_draws_hotspot_cells(db_env):
    at = open_page("locations_board")
    assert not at.exception
    [page] = iframes(at)
    cells = frame(at, "cell", "places")
    assert len(cells) >= 1 and cells.iloc[0]["rank"] == 1
    assert "L.polygon" in page and cells.iloc[0]["cell"] in page
    assert "Jayden" not in page


def test_data_source_mapping_reads_an_xlsx_export(fresh_env):
    at = open_page("data", load_mapping="missing_episodes")
    xlsx = (ROOT / "sample_data" / "exports" / "missing_episodes.xlsx").read_bytes()
    at.file_uploader(key="upload_files").set_value([("missing_episodes.xlsx", xlsx, "application/octet-stream")])
    at.run()
    at.button(key="check_uploads").click().run()
    assert not at.exception
    summary = frame(at, "file", "rows read")
    assert summary[["file", "rows read", "valid", "rejected"]].values.tolist() == [["missing_episodes.xlsx", 5, 5, 0]]
    at.button(key="load_batch").click().run()
    assert "Loaded 5 row(s)" in plain(at)


def _demo_window():
    from graphmap import schema
    from graphmap.window import Window

    return Window.ending("2026-10-31", int(schema.setting("analysis.window_days")))


def test_locations_board_counts_the_found_peer_groups_as_graphmap_analyse(resolved_demo_env):
    """"Groups using the place" counts the peer groups found in the window, as `graphmap
    analyse`'s hotspots do (recorded groups alone undercount: most groups are not recorded)."""
    from graphmap.network.analyse import analyse

    at = open_page("locations_board")
    assert not at.exception
    hot = frame(at, "rank", "score", "trend")
    with _open(resolved_demo_env) as s:
        doc = analyse(s, _demo_window())
    assert list(hot["id"]) == [h["location_id"] for h in doc["hotspots"]]
    assert list(hot["groups"]) == [h["groups"] for h in doc["hotspots"]]
    assert list(hot["score"]) == [h["score"] for h in doc["hotspots"]]


def test_app_network_analysis_is_graphmap_analyse(resolved_demo_env):
    """The app builds the analysis document from the window's shared frames and place analysis:
    it must stay the document `graphmap analyse` writes (timings aside)."""
    import json

    from graphmap.app import state
    from graphmap.network.analyse import RUN_KEYS, _plain, analyse
    from graphmap.network.peer_groups import group_of

    w = _demo_window()
    with _open(resolved_demo_env) as s:
        version = state.store_version(s)
        ref = analyse(s, w)
        assert views_found_groups(s, w) == group_of(ref["peer_groups"])
    view = json.dumps([str(resolved_demo_env), version, "analyst"])
    doc = state._analysis("network", view, version, w.as_at.isoformat(), w.days)
    skip = set(RUN_KEYS)

    def same(d):
        return json.dumps({k: v for k, v in d.items() if k not in skip}, default=_plain, sort_keys=True)

    assert same(doc) == same(ref)


def test_page_parts_are_graphmap_analyse(resolved_demo_env):
    """Each page's parts of the analysis (state.PARTS) are `graphmap analyse`'s entries, except
    what the parts leave out on purpose: the groups before the stability re-runs (only the Peer
    group page shows stability, from "stable_groups"), and the bridges' whole-network
    betweenness estimate, which no page shows (ranked by brokerage, the app computes none)."""
    import json

    from graphmap import schema
    from graphmap.app import state
    from graphmap.network.analyse import _plain, analyse

    assert schema.setting("network.bridges.rank_by") == "brokerage"  # else the app keeps the estimate
    w = _demo_window()
    with _open(resolved_demo_env) as s:
        version = state.store_version(s)
        ref = analyse(s, w)
    view = json.dumps([str(resolved_demo_env), version, "analyst"])

    def same(x):
        return json.dumps(x, default=_plain, sort_keys=True)

    parts = set(state.NETWORK_PARTS) | set(state.PEER_GROUP_PARTS) | set(state.PROFILE_PARTS)
    for name in sorted(parts):
        key = state.PARTS[name][0]
        got = state._part(name, view, version, w.as_at.isoformat(), w.days)
        want = ref[key]
        if name == "groups":
            want = [{**g, "stability": None, "partition_ari_reruns": None} for g in want]
        if name == "bridges":
            want = [{k: v for k, v in b.items() if k not in ("betweenness", "method")} for b in want]
        assert got and same(got) == same(want), name
    assert ref["source_ids"]  # the resolved demo has merged people: their ids are carried too


def test_a_window_change_computes_only_what_the_page_shows(resolved_demo_env, monkeypatch):
    """Issue 7 (a window change within 1 s): the Network page needs the found groups and the
    bridges, the Person profile the groups and hotspots; the rest of the analysis (disruption,
    stability re-runs, recruiters, exposure...) only when the Peer group page asks for it."""
    from graphmap.app import state

    computed: list[str] = []

    def recording(name, fn):
        def run(*a, **k):
            computed.append(name)
            return fn(*a, **k)
        return run

    monkeypatch.setattr(state, "PARTS", {n: (key, recording(n, fn)) for n, (key, fn) in state.PARTS.items()})
    days = 123  # a window no other test uses: nothing cached
    at = open_page("network", window_days=days, network_mode="The whole window")
    assert not at.exception and iframes(at)
    assert sorted(computed) == ["bridges", "groups"]
    at = open_page("person_profile", window_days=days, profile_person="P0064")
    assert not at.exception
    assert sorted(computed) == ["bridges", "groups", "hotspots"]
    at = open_page("peer_groups", window_days=days, group="PG001")
    assert not at.exception and "Peer group PG001" in texts(at)
    assert sorted(computed) == ["bridges", "co_missing", "cross_borough", "disruption_targets", "groups",
                                "hotspots", "recruiters", "stable_groups"]
    open_page("network", window_days=days, network_mode="A peer group", network_group="PG001")
    assert len(computed) == 8  # computed once per window, whichever page asks first


def test_views_read_each_table_once_per_store_version(app_db):
    """The app's views read a whole table once per store version and each gets its own copy."""
    from graphmap.app import state

    with _open(app_db) as s:
        calls: list[str] = []
        read = s.table
        s.table = lambda record: (calls.append(record), read(record))[1]
        once = state._ReadOnce(s)
        mine = once.table("people")
        mine["forename"] = "changed by a view"
        again = once.tables()["people"]
        assert calls.count("people") == 1
        assert again.equals(read("people")) and "changed by a view" not in set(again["forename"])
        assert once.counts() == s.counts()  # anything else is the store's own


def views_found_groups(store, window):
    from graphmap import views

    return views.found_groups(store, window)


def test_data_identity_candidates_follow_the_redaction_level(resolved_demo_env):
    from graphmap import identity

    with _open(resolved_demo_env) as s:
        cands = identity.candidates(s)
        people = s.table("people").set_index("person_id")
    first = cands.iloc[0]
    name = people.loc[first["person_id"], "surname"]
    at = open_page("data")
    assert not at.exception
    assert name in " ".join(frame(at, "link_id", "same_as_person")["person"])  # professionals-only: names
    at = open_page("data", redaction="family-present")
    assert not at.exception
    shown = frame(at, "link_id", "same_as_person")
    assert list(shown["person"]) == list(shown["person_id"]) and list(shown["same_as_person"]) == list(shown["same_as"])
    page = plain(at) + " ".join(str(o) for o in at.selectbox(key="identity_candidate").options)
    assert name not in page and people.loc[first["person_id"], "date_of_birth"] not in page


def test_identity_pairs_for_a_role_without_names_are_pseudonymised(resolved_demo_env):
    from graphmap import identity, views

    with _open(resolved_demo_env) as s:
        cands = identity.candidates(s)
        shown = views.identity_pairs(cands, s, "community_safety", "professionals-only")
        people = s.table("people")
    real = set(cands["person_id"]) | set(cands["same_as"])
    assert not (set(shown["person_id"]) | set(shown["same_as"])) & real
    text = shown.to_string()
    assert not any(n in text for n in people.loc[people["person_id"].isin(real), "surname"])
    assert list(shown["link_id"]) == list(cands["link_id"])


def test_locations_board_place_picker_offers_hotspots_or_what_matches(demo_env, monkeypatch):
    """The picker lists the ranked hotspots, or the places matching what is typed (at most
    ``app.place_picker_matches``), and keeps the place already chosen (session 10)."""
    from graphmap import schema

    at = open_page("locations_board")
    assert not at.exception
    hot = list(frame(at, "rank", "score", "trend")["id"])
    picker = at.selectbox(key="board_place")
    assert [o.rsplit("(", 1)[1].rstrip(")") for o in picker.options] == hot and 1 < len(hot) < 300
    real = schema.setting
    monkeypatch.setattr(schema, "setting", lambda path, default=None: 3 if path == "app.place_picker_matches"
                        else real(path, default))
    at.text_input(key="board_find").input("L0").run()
    ids = [o.rsplit("(", 1)[1].rstrip(")") for o in at.selectbox(key="board_place").options]
    assert len(ids) == 3 and all("L0" in i for i in ids) and ids[0] == next(h for h in hot if "L0" in h)
    assert any("places match; the first 3 are listed" in c.value for c in at.caption)
    # A place outside the hotspots is profiled, and stays offered once the search is cleared.
    other = next(f"L{i:04d}" for i in range(1, 301) if f"L{i:04d}" not in hot)
    at.text_input(key="board_find").input(other.lower()).run()
    assert [o.rsplit("(", 1)[1].rstrip(")") for o in at.selectbox(key="board_place").options] == [other]
    at.selectbox(key="board_place").set_value(other).run()
    at.text_input(key="board_find").input("").run()
    offered = [o.rsplit("(", 1)[1].rstrip(")") for o in at.selectbox(key="board_place").options]
    assert not at.exception and offered == [other] + hot
    assert any(other in s.value for s in at.subheader)  # its profile is drawn
    # Typed text is literal, never a pattern.
    at.text_input(key="board_find").input("(*[").run()
    assert not at.exception and any(c.value == "No place held matches." for c in at.caption)


@pytest.mark.parametrize("page, key", [("peer_groups", "group"), ("network", "network_group")])
def test_a_chosen_group_stays_chosen_when_the_window_changes(db_env, page, key):
    """The chosen group survives a window change that changes its label (PG001: 4 people in
    365 days to 31 October, 3 in 90), with the box's own widget state sent as the browser sends
    it (state.pick_group; the drop seen on the borough, session 10, is not reproduced here)."""
    extra = {"network_mode": "A peer group"} if page == "network" else {}
    at = open_page(page, window_days=365, **extra)
    at.selectbox(key=key).set_value("PG001").run()
    assert at.selectbox(key=key).value == "PG001" and "· 4 people" in at.selectbox(key=key).format_func("PG001")
    at.number_input(key="window_days").set_value(90).run()
    assert not at.exception
    assert at.selectbox(key=key).value == "PG001" and "· 3 people" in at.selectbox(key=key).format_func("PG001")
    if page == "peer_groups":
        assert {m.label: m.value for m in at.metric}["Members"] == "3"
