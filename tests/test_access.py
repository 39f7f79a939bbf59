"""Roles decide what each reader sees; the same functions serve the CLI and the app."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from graphmap import access, audit
from graphmap.access import AccessDenied, Actor
from graphmap.cli import cli
from tests.conftest import DEMO

NAMES = {"Amara", "Okafor", "Jayden", "Smith", "Kofi", "Mensah", "Liam", "Doyle", "Sam", "Rivers"}


@pytest.fixture
def loaded(sqlite_store, tmp_path):
    # The tiny fixture plus intelligence with handling code C (may be shared only with conditions).
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "incidents.csv").write_text(
        "incident_id,type,start,end,location_id,summary,source,grading\n"
        "I005,intelligence,2026-05-03,,L001,Liam Doyle seen handing packages to Kofi,police,2B C\n")
    (extra / "involvements.csv").write_text("incident_id,person_id,role\nI005,P004,subject\nI005,P003,present\n")
    sqlite_store.load([DEMO])
    sqlite_store.load([extra])
    return sqlite_store


def all_text(tables) -> str:
    return json.dumps({k: v.astype(str).to_dict("records") for k, v in tables.items()})


def test_roles_are_settings_with_the_required_five():
    roles = access.roles()
    assert {"analyst", "social_care", "police", "community_safety", "panel_member"} <= set(roles)
    assert roles["community_safety"].identity == "pseudonyms" and roles["community_safety"].scope == "places"
    assert roles["panel_member"].scope == "packs" and roles["panel_member"].actions == {"view_pack"}


def test_analyst_sees_everything(loaded):
    t = loaded.tables()
    red = access.redact_tables(t, "analyst")
    for name in t:
        pd.testing.assert_frame_equal(red[name], t[name].reset_index(drop=True))


def test_community_safety_sees_places_counts_pseudonyms_never_names_or_dobs(loaded):
    secret = access.store_secret(loaded)
    red = access.redact_tables(loaded.tables(), "community_safety", secret=secret)
    text = all_text(red)
    assert not any(n in text for n in NAMES)
    assert "2010-05-14" not in text and "P001" not in text and "P004" not in text
    assert not any(g in text for g in ("2B P", "2B C", "3C P"))
    assert set(red["incidents"]["type"]) == {"merlin", "missing"}  # intelligence withheld
    assert set(red["incidents"]["summary"]) == {""}  # free text can name people
    assert red["associations"].empty  # a network of pseudonyms is still a network of people
    assert list(red["people"].columns) == list(loaded.table("people").columns)
    assert red["people"]["person_id"].str.match(r"^PS-[0-9a-f]{12}$").all()
    # Stable and keyed: the same person gets the same code in every table and view...
    p2 = access.pseudonym("P002", secret)
    assert p2 in set(red["people"]["person_id"]) and p2 in set(red["involvements"]["person_id"])
    # ...and a different store key gives unrelated codes.
    assert access.pseudonym("P002", b"another key") != p2
    # Involvements of withheld intelligence go with it, so counts never include it.
    assert "I004" not in set(red["involvements"]["incident_id"])
    assert "I005" not in set(red["involvements"]["incident_id"])


def test_pseudonym_secret_is_per_store_and_stable(loaded, tmp_path, monkeypatch):
    from graphmap.store import open_store

    monkeypatch.delenv("GRAPHMAP_PSEUDONYM_KEY", raising=False)
    a = access.store_secret(loaded)
    assert a == access.store_secret(loaded) and len(a) == 32
    with open_store(tmp_path / "other.db") as other:
        assert access.store_secret(other) != a
    monkeypatch.setenv("GRAPHMAP_PSEUDONYM_KEY", "shared across the partnership")
    assert access.store_secret(loaded) == b"shared across the partnership"


def test_social_care_sees_shareable_intelligence_only(loaded):
    red = access.redact_tables(loaded.tables(), "social_care")
    assert "I004" in set(red["incidents"]["incident_id"])  # 2B P: may be shared
    assert "I005" not in set(red["incidents"]["incident_id"])  # 2B C: conditions apply
    assert "I005" not in set(red["involvements"]["incident_id"])
    assert "Amara" in set(red["people"]["forename"])
    police = access.redact_tables(loaded.tables(), "police")
    assert "I005" in set(police["incidents"]["incident_id"])


def test_panel_member_gets_nothing_from_the_store(loaded):
    with pytest.raises(AccessDenied, match="only the packs"):
        access.redact_tables(loaded.tables(), "panel_member")
    with pytest.raises(AccessDenied, match="may not view person"):
        access.view_person(loaded, Actor("p", "panel_member"), "P002")


def test_redact_walks_result_dicts(loaded):
    secret = access.store_secret(loaded)
    result = {
        "group": "G1",
        "members": ["P001", "P002"],
        "centrality": {"P002": 0.5, "P004": 0.25},
        "people": [{"person_id": "P004", "forename": "Liam", "surname": "Doyle", "date_of_birth": "1996-02-02"}],
        "evidence": [{"incident_id": "I004", "type": "intelligence", "grading": "2B P"},
                     {"incident_id": "I001", "type": "merlin", "summary": "Found in park with Liam"}],
        "bridges": [("P002", "P003")],
    }
    out = access.redact(result, "community_safety", secret=secret, person_ids=loaded.table("people")["person_id"])
    text = json.dumps(out)
    assert "Liam" not in text and "1996" not in text and "P00" not in text
    assert out["members"] == [access.pseudonym("P001", secret), access.pseudonym("P002", secret)]
    assert set(out["centrality"]) == {access.pseudonym("P002", secret), access.pseudonym("P004", secret)}
    assert [e["incident_id"] for e in out["evidence"]] == ["I001"]
    assert out["group"] == "G1"
    assert access.redact(result, "analyst") == result


def test_view_person_is_checked_audited_and_redacted(loaded):
    t = access.view_person(loaded, Actor("sw1", "social_care"), "P002", hops=2)
    assert "Jayden" in set(t["people"]["forename"])
    assert "I005" not in set(t["incidents"]["incident_id"])
    e = loaded.audit_entries({"action": "view_person"}).iloc[-1]
    assert (e["user"], e["role"], e["subject"]) == ("sw1", "social_care", "person:P002")
    with pytest.raises(AccessDenied):
        access.view_person(loaded, Actor("cs", "community_safety"), "P002")
    access.view_group(loaded, Actor("pc", "police"), "G7", ["P001", "P002"])
    assert loaded.audit_entries({"action": "view_group"}).iloc[-1]["subject"] == "group:G7"
    assert audit.verify_audit(loaded).ok


def test_place_summary_for_the_locations_board(loaded):
    df = access.place_summary(loaded, Actor("cs1", "community_safety"))
    text = df.to_json()
    assert not any(n in text for n in NAMES) and "P00" not in text
    park = df.set_index("location_id").loc["L001"]
    # I005 (intelligence) is withheld; I001 names P002 and P004 (P005 only reported it).
    assert park["incidents"] == 1 and park["people"] == 2 and park["incident_ids"] == "I001"
    assert loaded.audit_entries({"action": "view_places"}).iloc[-1]["user"] == "cs1"
    full = access.place_summary(loaded, Actor("an", "analyst")).set_index("location_id")
    assert full.loc["L001", "incidents"] == 2 and "P004" in full.loc["L001", "people_seen"]


def test_cli_export_follows_the_role(tmp_path, loaded):
    db = loaded.url
    r = CliRunner(env={"GRAPHMAP_ROLE": "community_safety", "GRAPHMAP_USER": "cs1"}).invoke(
        cli, ["export", "--db", db, "--out", str(tmp_path / "out"), "--reason", "Locations Board"])
    assert r.exit_code == 0, r.output
    people = (tmp_path / "out" / "people.csv").read_text()
    assert "Amara" not in people and "2010-05-14" not in people and "PS-" in people
    r = CliRunner(env={"GRAPHMAP_ROLE": "panel_member"}).invoke(
        cli, ["export", "--db", db, "--out", str(tmp_path / "o2"), "--reason", "x"])
    assert r.exit_code == 1 and "may not export" in r.output
    r = CliRunner(env={"GRAPHMAP_ROLE": "superuser"}).invoke(
        cli, ["export", "--db", db, "--out", str(tmp_path / "o3"), "--reason", "x"])
    assert r.exit_code == 1 and "unknown role" in r.output


def test_cli_pack_follows_the_role_and_is_audited_with_its_reason(tmp_path, loaded):
    db = loaded.url
    cs = CliRunner(env={"GRAPHMAP_ROLE": "community_safety", "GRAPHMAP_USER": "cs1"}).invoke
    base = ["pack", "locations-board", "--db", db, "--as-at", "2026-10-31", "--location", "L001"]
    r = cs(cli, [*base, "--redaction", "full", "--out", str(tmp_path / "a.html"), "--reason", "board"])
    assert r.exit_code == 1 and "may make packs at redaction professionals-only, family-present" in r.output
    r = cs(cli, [*base, "--out", str(tmp_path / "b.html")])
    assert r.exit_code == 1 and "needs a reason" in r.output and not (tmp_path / "b.html").exists()
    r = cs(cli, [*base, "--out", str(tmp_path / "c.html"), "--reason", "Locations Board 5 Nov"])
    assert r.exit_code == 0, r.output
    # Pictures are embedded as base64, where any short name can turn up by chance: check the text.
    page = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", (tmp_path / "c.html").read_text())
    assert not [n for n in NAMES if n in page] and "2010-05-14" not in page
    e = loaded.audit_entries({"action": "export"}).iloc[-1]
    assert (e["user"], e["role"], e["reason"], e["subject"]) == ("cs1", "community_safety", "Locations Board 5 Nov",
                                                                  "pack:locations-board")
    r = CliRunner(env={"GRAPHMAP_ROLE": "panel_member"}).invoke(
        cli, [*base, "--out", str(tmp_path / "d.html"), "--reason", "x"])
    assert r.exit_code == 1 and "may not export" in r.output


def test_given_packs_stay_in_the_users_folder(tmp_path):
    (tmp_path / "chair@x.org").mkdir()
    (tmp_path / "chair@x.org" / "p.html").write_text("x")
    (tmp_path / "chair@x.org" / "notes.txt").write_text("x")
    (tmp_path / "secret.html").write_text("x")
    (tmp_path / "chair@x.org" / "link.html").symlink_to(tmp_path / "secret.html")
    assert [p.name for p in access.given_packs(Actor("Chair@X.org", "panel_member"), tmp_path)] == ["p.html"]
    (tmp_path / "p.html").write_text("x")  # a pack at the top, for a user named ".."
    for user in ("..", ".", "../chair@x.org", "a/b"):
        assert access.given_packs(Actor(user, "panel_member"), tmp_path / "chair@x.org") == []


# --- sign-in ------------------------------------------------------------------------------------

AUTH = {"auth": {"redirect_uri": "https://gm.example/oauth2callback", "cookie_secret": "s",
                 "microsoft": {"client_id": "c", "client_secret": "x",
                               "server_metadata_url": "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration"}}}


def test_sign_in_configured_only_with_a_complete_auth_section():
    assert access.sign_in_configured(AUTH)
    assert not access.sign_in_configured({})
    assert not access.sign_in_configured(None)
    assert not access.sign_in_configured({"auth": {"redirect_uri": "x", "cookie_secret": "y"}})
    assert "Single-user mode" in access.single_user_notice() and "analyst" in access.single_user_notice()
    assert access.single_user_actor().role == "analyst"


def test_identity_maps_to_a_role(monkeypatch):
    from graphmap import schema

    rules = dict(schema.roles_file())
    rules["sign_in"] = {"single_user_role": "analyst", "default_role": "panel_member",
                        "by_email": {"Ann.Analyst@merton.gov.uk": "analyst"},
                        "by_group": {"gm-police": "police", "gm-csc": "social_care"},
                        "by_domain": {"met.police.uk": "police", "merton.gov.uk": "community_safety"}}
    monkeypatch.setattr(schema, "roles_file", lambda: rules)
    assert access.actor_from_identity({"email": "ann.analyst@merton.gov.uk"}) == Actor("ann.analyst@merton.gov.uk", "analyst")
    assert access.actor_from_identity({"email": "x@merton.gov.uk", "groups": ["gm-csc"]}).role == "social_care"
    assert access.actor_from_identity({"email": "pc@met.police.uk"}).role == "police"
    assert access.actor_from_identity({"email": "y@merton.gov.uk"}).role == "community_safety"
    assert access.actor_from_identity({"email": "someone@elsewhere.org"}).role == "panel_member"
    with pytest.raises(AccessDenied, match="no e-mail"):
        access.actor_from_identity({"name": "no email"})
    rules["sign_in"]["by_domain"] = {"elsewhere.org": "root"}
    with pytest.raises(AccessDenied, match="unknown role"):
        access.actor_from_identity({"email": "someone@elsewhere.org"})


def test_app_actor_for_each_sign_in_state():
    actor, notice = access.app_actor({}, None)
    assert actor == access.single_user_actor() and notice.startswith("Single-user mode")
    assert access.app_actor(AUTH, {"is_logged_in": False}) == (None, "")
    actor, notice = access.app_actor(AUTH, {"is_logged_in": True, "email": "x@elsewhere.org"})
    assert actor.role == "panel_member" and notice == ""


def test_redact_hides_known_ids_in_any_text_column_whatever_its_dtype(loaded):
    """pandas 3 stores text as its ``str`` dtype, not ``object``: a column of person ids under a
    name roles.yaml does not list (``who``, ``linked_to``) must still be pseudonymised."""
    secret = access.store_secret(loaded)
    ids = loaded.table("people")["person_id"]
    for dtype in ("str", object):
        df = pd.DataFrame({"who": ["P001", "P002"], "linked_to": ["P004", "someone else"], "n": [1, 2]}).astype(
            {"who": dtype, "linked_to": dtype})
        out = access.redact(df, "community_safety", secret=secret, person_ids=ids)
        assert list(out["who"]) == [access.pseudonym("P001", secret), access.pseudonym("P002", secret)], dtype
        assert list(out["linked_to"]) == [access.pseudonym("P004", secret), "someone else"], dtype
        assert list(out["n"]) == [1, 2]
