"""Who uses the app and what their role lets them see (issue 8), through AppTest on real stores.

- single-user (no ``[auth]`` in secrets): a notice on every page, the role from $GRAPHMAP_ROLE;
- signed in (``[auth]`` configured, ``at.user``): role from roles.yaml ``sign_in``; not signed
  in: a sign-in button and nothing else;
- community_safety: on every page, every rendered text, table, option and component carries
  no name and no date of birth from the demo borough;
- panel_member: only the packs given to them;
- views audited once per view, not per rerun; pack downloads audited with their reason.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from graphmap import access
from graphmap.store import open_store
from tests.conftest import ROOT, SAMPLE_DEMO
from tests.test_app import build_store, tables

PAGES = ["overview", "data", "network", "peer_groups", "locations_board", "person_profile", "complex_strategy",
         "weekly_review", "shared_packs"]
AUTH = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s" * 32,
                 "microsoft": {"client_id": "abc", "client_secret": "x",
                               "server_metadata_url": "https://login.microsoftonline.com/t/v2.0/"
                                                      ".well-known/openid-configuration"}}}


def app_page(page: str) -> None:
    """One page as app.py runs it: identity, sidebar, the page under the role guard."""
    import importlib

    from graphmap.app import state

    state.actor()
    state.sidebar()
    path = {"peer_groups": "peer-groups", "locations_board": "locations-board", "person_profile": "person",
            "complex_strategy": "complex-strategy", "weekly_review": "weekly-review", "shared_packs": "packs"}
    state.run_page(importlib.import_module(f"graphmap.app.{page}").main, path.get(page, page))


def view_script(getter: str, args: list) -> None:
    """A view getter called directly, as a new page would (no navigation in front of it)."""
    from graphmap.app import state

    state.actor()
    state.sidebar()
    state.run_page(lambda: getattr(state, getter)(*args))


def run_page(page: str, as_at=dt.date(2026, 10, 31), **session) -> AppTest:
    at = AppTest.from_function(app_page, args=(page,), default_timeout=90)
    at.session_state["as_at"] = as_at
    for k, v in session.items():
        at.session_state[k] = v
    return at.run()


def everything_shown(at: AppTest) -> str:
    """Every piece of text the page sends to the browser: elements, tables, options, components."""
    parts: list[str] = []

    def walk(node) -> None:
        for attr in ("value", "label", "body", "placeholder", "help"):
            v = getattr(node, attr, None)
            if isinstance(v, pd.DataFrame):
                parts.append(v.to_csv(index=False))
            elif isinstance(v, (str, int, float)):
                parts.append(str(v))
        options = getattr(node, "options", None)
        if options:
            parts.extend(str(o) for o in options)
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(proto, "srcdoc", ""):
            parts.append(proto.srcdoc)
        for child in getattr(node, "children", {}).values() if isinstance(getattr(node, "children", None), dict) \
                else []:
            walk(child)

    walk(at._tree)
    for df in tables(at):
        parts.append(df.to_csv(index=False))
    for m in at.metric:
        parts.append(f"{m.label} {m.value}")
    for sb in at.selectbox:  # the labels the user would see for each option
        parts.extend(str(o) for o in sb.options)
    return "\n".join(parts)


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error).replace("\\", "")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "graphmap.db"
    with open_store(path) as s:
        s.load([SAMPLE_DEMO])
    return path


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("tiny") / "graphmap.db")


@pytest.fixture
def as_role(monkeypatch):
    def set_role(db, role, user="tester"):
        monkeypatch.setenv("GRAPHMAP_DB", str(db))
        monkeypatch.setenv("GRAPHMAP_ROLE", role)
        monkeypatch.setenv("GRAPHMAP_USER", user)
    return set_role


# --- who is using the app ------------------------------------------------------------------------

@pytest.mark.parametrize("page", ["overview", "person_profile", "data", "shared_packs"])
def test_single_user_notice_on_every_page(tiny_db, as_role, page):
    as_role(tiny_db, "analyst")
    at = run_page(page)
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("Single-user mode" in w and "'analyst' role" in w for w in warnings), warnings
    assert "single user, role: analyst" in " ".join(c.value for c in at.sidebar.caption)


def test_app_routes_by_role_and_says_single_user(tiny_db, as_role):
    as_role(tiny_db, "community_safety")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert any("Single-user mode" in w.value and "community_safety" in w.value for w in at.warning)
    from graphmap.app import state

    allowed = {p for p in state.PAGE_ACTIONS if access.role("community_safety").can(state.PAGE_ACTIONS[p])}
    assert allowed == {"overview", "locations-board", "packs"}


def test_signed_in_user_gets_the_mapped_role_and_no_notice(tiny_db, as_role):
    as_role(tiny_db, "analyst")  # ignored once sign-in is configured
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.secrets.update(AUTH)
    at.user = {"is_logged_in": True, "email": "chair@elsewhere.org"}
    at.run()
    assert not at.exception
    assert at.title[0].value == "Packs given to you"  # unmapped identity: the least role
    assert not any("Single-user" in w.value for w in at.warning)
    assert "Signed in as chair@elsewhere" in " ".join(c.value for c in at.sidebar.caption)


def test_not_signed_in_sees_only_the_sign_in_button(tiny_db, as_role):
    as_role(tiny_db, "analyst")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.secrets.update(AUTH)
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.key for b in at.button] == ["sign_in"]
    assert not at.title and not tables(at) and not at.sidebar.date_input


def test_unknown_role_is_refused_not_granted(tiny_db, as_role):
    as_role(tiny_db, "superuser")
    at = run_page("overview")
    assert not at.title and "unknown role 'superuser'" in errors(at)


# --- community_safety never sees a name or a date of birth ------------------------------------------

def _names_and_dobs(db) -> tuple[set[str], set[str]]:
    with open_store(db) as s:
        people = s.table("people")
    names = {f"{f} {s}" for f, s in zip(people["forename"], people["surname"]) if f and s}
    names |= {s for s in people["surname"] if len(s) >= 4}
    return names, {d for d in people["date_of_birth"] if d}


@pytest.mark.parametrize("page", ["overview", "locations_board", "network", "person_profile", "peer_groups",
                                  "complex_strategy", "weekly_review", "data", "shared_packs"])
def test_community_safety_sees_no_name_or_date_of_birth_anywhere(demo_db, as_role, page):
    as_role(demo_db, "community_safety")
    names, dobs = _names_and_dobs(demo_db)
    session = {}
    if page == "locations_board":  # the busiest place's profile too: groups, nearby places, actions
        from graphmap import views
        from graphmap.window import Window

        with open_store(demo_db) as s:
            session["board_place"] = views.places(s, Window.ending("2026-10-31", 365))["places"][0]["location_id"]
    at = run_page(page, **session)
    assert not at.exception
    shown = everything_shown(at)
    assert len(shown) > 200  # the page did render
    leaked = sorted(n for n in names if re.search(rf"\b{re.escape(n)}\b", shown))
    assert leaked == []
    assert sorted(d for d in dobs if d in shown) == []
    if page == "locations_board":
        hot = next(df for df in tables(at) if "rank" in df.columns)
        assert len(hot) and hot["incidents"].sum() > 0 and hot["place"].str.len().min() > 0  # places and counts
        assert "Incidents in window" in shown
        assert at.selectbox(key="redaction").options == ["professionals-only", "family-present"]
    elif page not in ("overview", "shared_packs"):
        assert "role community_safety" in errors(at)  # refused, with the reason


@pytest.mark.parametrize("getter,arg", [("person_profile", ["P001"]), ("ego_network", ["P001", 1]),
                                        ("peer_group", ["G1"])])
def test_view_getters_refuse_a_role_without_the_action(tiny_db, as_role, getter, arg):
    as_role(tiny_db, "community_safety")
    at = AppTest.from_function(view_script, args=(getter, arg), default_timeout=90).run()
    assert not at.exception
    assert "role community_safety" in errors(at)
    assert not tables(at)


def test_analyst_sees_names_where_community_safety_does_not(tiny_db, as_role):
    """Control for the scan above: the same scan finds names on a page shown to a role that
    may see them, and none on the same page for community_safety."""
    names, dobs = _names_and_dobs(tiny_db)
    as_role(tiny_db, "analyst")
    shown = everything_shown(run_page("weekly_review", as_at=dt.date(2026, 4, 16)))
    assert "Jayden Smith" in names and "Jayden Smith" in shown
    as_role(tiny_db, "community_safety")
    at = run_page("overview", as_at=dt.date(2026, 4, 16))
    assert not [n for n in names if re.search(rf"\b{re.escape(n)}\b", everything_shown(at))]


def test_reader_store_pseudonyms_map_back_for_the_audit(tiny_db):
    with open_store(tiny_db) as s:
        r = access.reader_store(s, "community_safety")
        shown = list(r.table("people")["person_id"])
        assert all(p.startswith("PS-") for p in shown)
        assert sorted(r.real_id(p) for p in shown) == sorted(s.table("people")["person_id"])
        assert access.reader_store(s, "analyst") is s  # a role that sees everything reads the store itself
        with pytest.raises(access.AccessDenied):
            r.load([ROOT / "tests" / "fixtures" / "tiny"])


# --- panel_member: only the packs given to them ----------------------------------------------------

def test_panel_member_sees_only_the_packs_given_to_them(tiny_db, as_role, tmp_path, monkeypatch):
    as_role(tiny_db, "panel_member", user="Chair@Merton.gov.uk")
    shared = tmp_path / "shared"
    (shared / "chair@merton.gov.uk").mkdir(parents=True)
    (shared / "chair@merton.gov.uk" / "mace-2026-12.html").write_text("<html><body><p>PACK FOR CHAIR</p></body></html>")
    (shared / "someone@else.org").mkdir()
    (shared / "someone@else.org" / "other.html").write_text("<p>NOT YOURS</p>")
    monkeypatch.setenv("GRAPHMAP_SHARED_PACKS", str(shared))
    names, dobs = _names_and_dobs(tiny_db)

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception
    assert at.title[0].value == "Packs given to you"
    assert at.selectbox(key="given_pack").options == ["mace-2026-12.html"]
    shown = everything_shown(at)
    assert "PACK FOR CHAIR" in shown and "NOT YOURS" not in shown
    assert at.selectbox(key="redaction").options == ["family-present"]
    with open_store(tiny_db) as s:
        opened = s.audit_entries({"action": "view_pack"})
    assert list(opened["subject"])[-1] == "pack:mace-2026-12.html" and opened["user"].iloc[-1] == "Chair@Merton.gov.uk"

    for page in PAGES[:-1]:  # every other page, opened directly: refused, and shows nothing of the store
        at = run_page(page)
        assert not at.exception, page
        shown = everything_shown(at)
        assert "role panel_member may not see this page" in errors(at), page
        assert not [n for n in names if n in shown] and not [d for d in dobs if d in shown], page
        assert not tables(at) and not at.metric, page


# --- audit: once per view ---------------------------------------------------------------------------

def _entries(db, action):
    with open_store(db) as s:
        return s.audit_entries({"action": action})


def test_person_and_group_views_audited_once_per_view(tiny_db, as_role):
    as_role(tiny_db, "social_care", user="sw1")
    before = len(_entries(tiny_db, "view_person"))
    at = run_page("person_profile", profile_person="P001")
    assert not at.exception
    at.run()
    at.run()  # reruns of the same view
    views = _entries(tiny_db, "view_person").iloc[before:]
    assert list(views["subject"]) == ["person:P001"] and list(views["user"]) == ["sw1"]
    assert views["role"].iloc[0] == "social_care" and '"as_at":"2026-10-31"' in views["detail"].iloc[0]
    at.selectbox(key="profile_person").set_value("P002").run()
    assert list(_entries(tiny_db, "view_person").iloc[before:]["subject"]) == ["person:P001", "person:P002"]

    before = len(_entries(tiny_db, "view_group"))
    at = run_page("peer_groups", group="G1")
    at.run()
    assert list(_entries(tiny_db, "view_group").iloc[before:]["subject"]) == ["group:G1"]


def test_pack_download_needs_a_reason_and_is_audited_with_it(tiny_db, as_role):
    as_role(tiny_db, "police", user="pc1")
    at = run_page("locations_board")
    buttons = {b.key: b for b in at.get("download_button")}
    assert buttons["pack_html_locations-board"].proto.disabled  # no reason yet
    at.text_input(key="pack_reason_locations-board").set_value("Locations Board 2026-11-05").run()
    buttons = {b.key: b for b in at.get("download_button")}
    assert not buttons["pack_html_locations-board"].proto.disabled
    from graphmap.app import packs_ui

    before = len(_entries(tiny_db, "export"))
    # AppTest cannot press a download button; run its callback as Streamlit would on the click.
    at2 = AppTest.from_function(_click_download, default_timeout=90)
    at2.session_state["as_at"] = dt.date(2026, 10, 31)
    at2.session_state["pack_reason_locations-board"] = "Locations Board 2026-11-05"
    at2.run()
    assert not at2.exception
    new = _entries(tiny_db, "export").iloc[before:]
    assert list(new["subject"]) == ["pack:locations-board"] and list(new["reason"]) == ["Locations Board 2026-11-05"]
    assert '"format":"html"' in new["detail"].iloc[0] and new["user"].iloc[0] == "pc1"
    assert packs_ui  # imported: the callback under test is the one the buttons carry


def _click_download() -> None:
    from graphmap.app import packs_ui, state

    state.actor()
    state.sidebar()
    packs_ui._downloaded("locations-board", "html", "locations-board-2026-10-31.html", {"location_id": None})


@pytest.fixture
def roles_with(schema_copy):
    """A copy of schema/ whose roles.yaml maps a signed-in e-mail to a role."""
    import yaml

    from tests.conftest import clear_schema_caches

    def set_email(email, role, change=None):
        data = yaml.safe_load((schema_copy / "roles.yaml").read_text())
        data["sign_in"]["by_email"] = {email: role}
        if change:
            change(data)
        (schema_copy / "roles.yaml").write_text(yaml.safe_dump(data))
        clear_schema_caches()

    return set_email


def test_a_load_from_the_app_is_audited_as_the_signed_in_user(tmp_path, as_role, demo_copy, roles_with):
    db = tmp_path / "g.db"
    as_role(db, "panel_member", user="svc-graphmap")  # the server's own account: not who acts
    roles_with("Ann.Analyst@merton.gov.uk", "analyst")
    at = AppTest.from_function(app_page, args=("data",), default_timeout=90)
    at.secrets.update(AUTH)
    at.user = {"is_logged_in": True, "email": "ann.analyst@merton.gov.uk"}
    at.run()
    at.text_input(key="load_path").set_value(str(demo_copy))
    at.button(key="check_path").click().run()
    at.button(key="load_batch").click().run()
    assert not at.exception
    loads = _entries(db, "load")
    assert list(loads["user"]) == ["ann.analyst@merton.gov.uk"] and list(loads["role"]) == ["analyst"]


@pytest.mark.parametrize("page,key", [("person_profile", "profile_person"), ("weekly_review", None)])
def test_person_pages_for_a_pseudonym_role_show_no_name_or_date_of_birth(demo_db, as_role, roles_with, page, key):
    """Redaction does not depend on a page being hidden: give community_safety the person and
    group actions (a policy change) and every person page, built from the role's view of the
    store, shows pseudonyms and never a name or date of birth."""
    def widen(data):
        data["roles"]["community_safety"]["actions"] += ["view_person", "view_group"]

    roles_with("nobody@x.org", "analyst", widen)
    as_role(demo_db, "community_safety")
    names, dobs = _names_and_dobs(demo_db)
    session = {}
    with open_store(demo_db) as s:
        last = dt.date.fromisoformat(s.info()["date_range"]["last"])  # a week with records in it
    at = run_page(page, as_at=last)
    if key:
        options = at.selectbox(key=key).options
        assert options
        pick = next((o for o in options if "PS-" in o), options[0])
        session[key] = pick.split(" (")[-1].rstrip(")") if "(" in pick else pick
        at = run_page(page, as_at=last, **session)
    assert not at.exception and not at.error
    shown = everything_shown(at)
    assert "PS-" in shown  # people are there, as pseudonyms
    assert sorted(n for n in names if re.search(rf"\b{re.escape(n)}\b", shown)) == []
    assert sorted(d for d in dobs if d in shown) == []
