"""The Streamlit app, page by page, through streamlit.testing.v1.AppTest on a real SQLite store.

Widgets are set by key; each test asserts no exception and the content the page must show.
The store holds the tiny fixture plus records whose text is hostile markup.
"""

from __future__ import annotations

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


def frame(at: AppTest, *columns: str):
    """The first table on the page with these columns (AppTest does not expose dataframe keys)."""
    for df in at.dataframe:
        if set(columns) <= set(df.value.columns):
            return df.value
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
    at = open_page("network", network_person="P002", network_hops=2)
    assert not at.exception
    [page] = iframes(at)
    assert "new vis.Network" in page and remote_references(page) == []
    assert XSS_SURNAME not in page and "\\u003cscript\\u003ewindow.__xss=2" in page
    ties = frame(at, "records")
    assert "named together on merlin · I001" in " ".join(ties["records"])
    assert "awaits the network analyses" in texts(at)


def test_network_page_group_and_window_modes_say_what_they_await(db_env):
    at = open_page("network", network_mode="A peer group")
    assert not at.exception and not iframes(at)
    assert "awaits the network analyses (issue 4" in texts(at)


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


def test_peer_group_page_members_and_family_present_redaction(db_env):
    at = open_page("peer_groups", group="G1", redaction="family-present")
    assert not at.exception
    members = frame(at, "person_id", "age")
    assert list(members["person_id"]) == ["P001", "P002", "P900"]
    assert list(members["name"]) == ["P001", "P002", "P900"]  # family-present: pseudonyms only
    assert list(members["matrix band"]) == ["not assessed", "moderate", "not assessed"]
    assert at.subheader[0].value.startswith("Crew \\<b\\>bold")


@pytest.fixture
def demo_env(demo_db, monkeypatch):
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
