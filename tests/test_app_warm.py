"""After a page runs, the rest of its window is computed in the background (graphmap/app/state.warm)."""

from __future__ import annotations

import threading
import time

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def _join_warm_threads() -> None:
    for t in threading.enumerate():
        if t.name == "graphmap-warm":
            t.join(timeout=300)


def test_a_page_run_computes_the_other_pages_of_its_window(demo_db, monkeypatch):
    from graphmap import schema, views
    from graphmap.app import state

    monkeypatch.setenv("GRAPHMAP_DB", str(demo_db))
    monkeypatch.delenv("GRAPHMAP_APP_WARM", raising=False)
    monkeypatch.setitem(state._warm_state, "latest", None)
    monkeypatch.setitem(state._warm_state, "done", [])
    # The complex strategy view is left to its page (the longest step: a page run meanwhile
    # waited for it): counted, never computed here.
    strategy_views = []
    real_strategy = views.complex_strategy
    monkeypatch.setattr(views, "complex_strategy", lambda *a, **k: strategy_views.append(1) or real_strategy(*a, **k))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()  # the Overview
    assert not at.exception
    _join_warm_threads()
    assert state._warm_state["done"], "the window was not warmed"
    key = state._warm_state["done"][0]
    assert key[3] == int(schema.setting("analysis.window_days"))  # the sidebar's default window
    assert not strategy_views
    # The Locations Board's view (not shown on the Overview) is now cached for the window.
    def computed(*a, **k):
        raise AssertionError("computed again")
    monkeypatch.setattr(views, "locations_board", computed)
    assert state._locations_board(*key[:4], None)["hotspots"]
    assert state._part("disruption_targets", *key[:4]) is not None


def test_a_newer_window_stops_an_older_windows_warming(monkeypatch):
    from graphmap.app import state

    done: list[int] = []
    monkeypatch.setitem(state._warm_state, "latest", ("newer",))
    monkeypatch.setitem(state._warm_state, "done", [])
    state._warm_run(("older",), [lambda: done.append(1)])
    assert not done and not state._warm_state["done"]
    state._warm_run(("newer",), [lambda: done.append(1)])
    assert done == [1] and state._warm_state["done"] == [("newer",)]


def test_warming_waits_while_a_page_runs(monkeypatch):
    """Warming is for idle time: it does not start a step while any session's page is running
    (the flaky browser hover: the warming thread competed with the page and the browser)."""
    from graphmap.app import state

    done: list[int] = []
    monkeypatch.setitem(state._warm_state, "latest", ("w",))
    monkeypatch.setitem(state._warm_state, "done", [])
    monkeypatch.setitem(state._warm_state, "running", 1)  # a page is being computed
    monkeypatch.setitem(state._warm_state, "page_ended", 0.0)
    t = threading.Thread(target=state._warm_run, args=(("w",), [lambda: done.append(1)], 0.2))
    t.start()
    t.join(timeout=1.0)
    assert t.is_alive() and not done
    with state._warm_lock:
        state._warm_state["running"] = 0
        state._warm_state["page_ended"] = time.monotonic()
    t.join(timeout=10)
    assert done == [1] and state._warm_state["done"] == [("w",)]
