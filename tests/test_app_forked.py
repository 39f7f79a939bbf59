"""The app's second core (issue 7, session 8): the Peer group page's late parts worked out in a
forked process while the page computes the rest; the same page, and a failed child costs only
the time (the parts are then computed in the server)."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from graphmap.app import forked

pytestmark = pytest.mark.skipif(not forked.available(), reason="fork is used on Linux only")


def test_forked_jobs_return_their_values_in_turn_and_report_a_failure():
    big = list(range(100_000))  # in the child's memory without being sent to it
    job = forked.Forked({"pid": os.getpid, "sum": lambda: sum(big), "fails": lambda: 1 / 0,
                         "waits": lambda: time.sleep(3) or "late"})
    assert job.result("pid") != os.getpid() and job.result("sum") == sum(big)
    t = time.monotonic()
    with pytest.raises(forked.ChildFailed, match="ZeroDivisionError"):
        job.result("fails")  # a failed job fails alone; the ones before it were sent already
    assert time.monotonic() - t < 2.5  # sent as soon as done, not after the last job
    assert job.result("waits") == "late" and job.result("sum") == sum(big)  # kept
    with pytest.raises(KeyError):
        job.result("unknown")
    # Warnings, prints and log lines in the child go nowhere (a stream's lock may have been held
    # by another thread at the fork).
    import logging
    import warnings

    noisy = forked.Forked({"noisy": lambda: (warnings.warn("w"), print("p"), logging.getLogger("x").error("e"), 7)[3]})
    assert noisy.result("noisy") == 7
    with pytest.raises(forked.ChildFailed, match="without a result"):
        forked.Forked({"dies": lambda: os._exit(3)}).result("dies")  # killed or crashed
    died = forked.Forked({"first": lambda: 1, "dies": lambda: os._exit(3), "after": lambda: 2})
    assert died.result("first") == 1
    with pytest.raises(forked.ChildFailed):
        died.result("after")


def test_a_fork_while_another_thread_runs_a_seeded_leiden_does_not_leave_the_child_locked():
    # The child's work takes the seeded Leiden's lock. Forked while another thread held it, the
    # child would wait for a thread it does not have (session 8's first try hung like this).
    from graphmap.network.peer_groups import _RNG_LOCK

    held = threading.Event()

    def hold():
        with _RNG_LOCK:
            held.set()
            time.sleep(0.5)

    t = threading.Thread(target=hold)
    t.start()
    held.wait()

    def child_work():
        with _RNG_LOCK:
            return "ran"

    job = forked.Forked({"work": child_work})  # waits for the lock, forks, releases it in both
    t.join()
    box: list = []
    waiter = threading.Thread(target=lambda: box.append(job.result("work")), daemon=True)
    waiter.start()
    waiter.join(timeout=30)
    assert box == ["ran"]
    assert _RNG_LOCK.acquire(timeout=5)  # and free in this process
    _RNG_LOCK.release()


def _page(at) -> str:
    """The page's texts and tables as text (a missing value compares equal to another)."""
    from tests.test_app import tables, texts

    assert not at.exception
    return texts(at).replace("\\", "") + json.dumps([t.to_dict("split") for t in tables(at)], default=str)


def _whole(gid: str) -> str:
    """Every tab of the Peer group page for ``gid`` (one session, the tabs chosen in turn)."""
    from graphmap.app.peer_groups import TABS
    from tests.test_app import open_page

    at = open_page("peer_groups", group=gid, window_days=250)
    shown = [_page(at)]
    for label in list(TABS.values())[1:]:
        at.session_state["group_tab"] = label
        shown.append(_page(at.run()))
    return "\n".join(shown)


def test_the_peer_group_page_is_the_same_with_its_late_parts_on_the_second_core(demo_db, monkeypatch):
    import streamlit as st

    from graphmap import schema
    from graphmap.app import state
    from graphmap.network.analyse import analyse
    from graphmap.store import open_store
    from graphmap.window import Window

    monkeypatch.setenv("GRAPHMAP_DB", str(demo_db))
    with open_store(demo_db) as s:
        doc = analyse(s, Window.ending("2026-10-31", 250))
    steps = {d["person_id"] for d in doc["disruption_targets"] if "person_id" in d}
    # A group with an adult of concern who has a disruption step, and one the re-runs do not
    # find whole (stability below 1): each late part shows on one of them.
    gids = [next(g["group_id"] for g in doc["peer_groups"]
                 if steps & {a["person_id"] if isinstance(a, dict) else a for a in g["adults_of_concern"]}),
            next(g["group_id"] for g in doc["peer_groups"] if g["stability"] < 1)]
    started: list = []
    real = forked.Forked

    def counted(jobs):
        started.append(jobs)
        return real(jobs)

    monkeypatch.setattr(forked, "Forked", counted)
    shown = {}
    setting = schema.setting
    for least in (10**9, 0):  # never (the demo is below the default), then every window
        monkeypatch.setattr(schema, "setting", lambda path, default=None, least=least:
                            least if path == "app.second_core_min_people" else setting(path, default))
        st.cache_data.clear()
        st.cache_resource.clear()
        shown[least] = [_whole(gid) for gid in gids]
    assert len(started) == 1  # only the second time
    assert shown[0] == shown[10**9]
    assert all("stability across re-runs" in page for page in shown[0])
    # A failed child: the parts are computed in the server, and the page is the same again.
    monkeypatch.setattr(state, "_second_core_jobs", lambda shared: {name: lambda: 1 / 0 for name in
                                                                    ("co_missing", "cross_borough", "reruns",
                                                                     "disruption_targets")})
    st.cache_data.clear()
    st.cache_resource.clear()
    assert [_whole(gid) for gid in gids] == shown[0]
    assert len(started) == 2
