"""The app's in-memory window cut (graphmap/app/held_records.py) gives the store's own window read."""

from __future__ import annotations

import pandas as pd
import pytest

from graphmap.app.held_records import HeldRecords
from graphmap.network.graphs import NON_LINKING_ROLES, WINDOW_COLUMNS, load_frames
from graphmap.store import open_store
from graphmap.store.base import Store
from graphmap.window import Window
from tests.conftest import write_csv

WINDOWS = [("2026-10-31", 365), ("2026-10-31", 300), ("2026-09-19", 28), ("2025-06-30", 90), ("2026-10-31", 3650),
           ("2020-01-01", 30)]  # the last holds nothing


def _same(a, b) -> None:
    # No rows: SQLite's read and the whole-table rule differ in the dtype of empty columns.
    pd.testing.assert_frame_equal(a[0], b[0], check_dtype=len(a[0]) > 0, check_index_type=len(a[0]) > 0)
    pd.testing.assert_frame_equal(a[1], b[1], check_dtype=len(a[1]) > 0, check_index_type=len(a[1]) > 0)
    if a[2] is None:
        assert b[2] is None
    else:
        pd.testing.assert_series_equal(a[2], b[2], check_dtype=len(a[2]) > 0)


@pytest.mark.parametrize("as_at,days", WINDOWS)
def test_cut_equals_sqlite_read_on_the_demo_borough(demo_db, as_at, days):
    with open_store(demo_db) as s:
        held = HeldRecords(s)
        w = Window.ending(as_at, days)
        for first in (True, False):
            for roles in (NON_LINKING_ROLES, ()):
                _same(s.window_records(w.start_iso, w.end_iso, exclude_roles=roles, first=first),
                      held.window_records(w.start_iso, w.end_iso, exclude_roles=roles, first=first))
        # only the columns graphmap analyse reads, as the engine gives them
        _same(s.window_records(w.start_iso, w.end_iso, exclude_roles=NON_LINKING_ROLES, columns=WINDOW_COLUMNS),
              held.window_records(w.start_iso, w.end_iso, exclude_roles=NON_LINKING_ROLES, columns=WINDOW_COLUMNS))
        # and the frames every network analysis is built from
        records = held.window_records(w.start_iso, w.end_iso, exclude_roles=NON_LINKING_ROLES)
        a, b = load_frames(s, w), load_frames(s, w, records=records)
        for name in ("incidents", "involvements", "associations", "presence"):
            pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
        pd.testing.assert_series_equal(a.first_incident, b.first_incident, check_dtype=len(a.first_incident) > 0)


def test_edge_cases_undated_date_only_seconds_and_reporting_roles(sqlite_store, tmp_path):
    """A date-only start and one with seconds at either edge of a window are cut at 19
    characters; a reporting role is left out of first incidents only (undated starts are
    rejected at load)."""
    src = tmp_path / "edge"
    write_csv(src / "people.csv", "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
              "P1,A,B,2010-01-01,male,young_person,Merton,,csc\nP2,C,D,1990-01-01,male,adult_of_concern,Merton,,police\n"
              "P3,E,F,1980-01-01,female,associate,Merton,,police\n")
    write_csv(src / "incidents.csv", "incident_id,type,start,end,location_id,summary,source,grading\n"
              "I2,merlin,2026-03-01,,,,police,\nI3,merlin,2026-03-31T23:59:59,,,,police,\n"
              "I4,merlin,2026-04-01T00:00:00,,,,police,\nI5,merlin,2025-01-01T10:00,,,,police,\n")
    write_csv(src / "involvements.csv", "incident_id,person_id,role\nI2,P1,subject\nI2,P3,reporting\n"
              "I3,P1,subject\nI3,P2,suspect\nI4,P3,reporting\nI5,P3,reporting\nI5,P1,subject\n")
    r = sqlite_store.load([src])
    assert r.rejected_rows == 0, r.batch.rejects
    held = HeldRecords(sqlite_store)
    for as_at, days in [("2026-03-31", 31), ("2026-04-01", 1), ("2026-02-28", 30), ("2026-12-31", 400)]:
        w = Window.ending(as_at, days)
        for roles in (NON_LINKING_ROLES, ()):
            mine = held.window_records(w.start_iso, w.end_iso, exclude_roles=roles)
            _same(sqlite_store.window_records(w.start_iso, w.end_iso, exclude_roles=roles), mine)
            _same(Store.window_records(sqlite_store, w.start_iso, w.end_iso, exclude_roles=roles), mine)
    w = Window.ending("2026-03-31", 31)
    incidents, _, first = held.window_records(w.start_iso, w.end_iso, exclude_roles=NON_LINKING_ROLES)
    assert list(incidents["incident_id"]) == ["I2", "I3"]
    assert first.to_dict() == {"P1": "2025-01-01T10:00:00", "P2": "2026-03-31T23:59:59"}  # P3 only reports


def test_app_store_view_cuts_windows_from_held_tables(demo_db, monkeypatch):
    """The app's store view (state._ReadOnce) answers window reads from memory, equal to SQLite's."""
    from graphmap.app import state

    with open_store(demo_db) as s:
        view = state._ReadOnce(s)
        w = Window.ending("2026-10-31", 200)
        _same(s.window_records(w.start_iso, w.end_iso, exclude_roles=NON_LINKING_ROLES),
              view.window_records(w.start_iso, w.end_iso, exclude_roles=NON_LINKING_ROLES))
        assert view._held is not None
        calls = []
        monkeypatch.setattr(type(s), "window_records", lambda *a, **k: calls.append(a))
        view.window_records(w.start_iso, w.end_iso)
        assert not calls  # never the engine's own read


@pytest.mark.parametrize("level", ["full", "professionals-only", "family-present"])
def test_complex_strategy_from_a_levels_held_records_is_the_same(demo_db, level):
    """The app's Complex strategy page reads each redaction level's window from records held in
    memory (state._HeldLevel): the same candidates, evidence and redaction note as the level's own read."""
    from graphmap import views
    from graphmap.app import state
    from graphmap.redaction import withholding

    with open_store(demo_db) as s:
        held = HeldRecords(withholding(s, level))
        for as_at, days in (WINDOWS[0], WINDOWS[2]):
            w = Window.ending(as_at, days)
            fn = lambda src: views.complex_strategy(src, w, redaction=level)  # noqa: E731
            mine = views.at_level(fn, s, level, withholding=lambda st_, lv: state._HeldLevel(st_, lv, held))
            assert mine == views.at_level(fn, s, level)
            assert mine["candidates"]
