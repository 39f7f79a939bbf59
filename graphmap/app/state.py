"""What the app caches and shares between pages: the store, view and analysis results, the sidebar.

The only module that holds Streamlit caches, so library code never depends on Streamlit:

- the store is opened once per URL (``st.cache_resource``), from ``--db URL`` after ``--`` on
  the ``streamlit run`` line, else ``$GRAPHMAP_DB``, else the settings default;
- views and analyses are cached (``st.cache_data``) by store URL, **store version** (the load
  history and row counts, so any load or purge starts afresh) and window;
- what several pages of one window are built from is built once per window and shared
  (``st.cache_resource``, never changed by the views): the window's frames, tie evidence and
  person graph (:func:`_window_graph`), the peer groups found in it, its place analysis
  (:func:`_place_analysis`) and the network analyses one part at a time (:func:`_part`:
  groups, bridges, recruiters, disruption...); a window change computes each once, whichever
  page asks first, and each page asks only for the parts it shows (:data:`NETWORK_PARTS`,
  :data:`PEER_GROUP_PARTS`...): the Network page never waits for disruption targets or
  stability re-runs. The whole document (:func:`_analysis`) is assembled from the same parts;
- on a large window the Peer group page's parts that need only the window's graph (co-missing,
  cross-borough, the stability re-runs, disruption) are worked out on a second core, in a
  forked process (:func:`_second_core`, :mod:`graphmap.app.forked`);
- the sidebar sets the as-at date, the window and the redaction level for every page, and every
  page carries the OFFICIAL-SENSITIVE marking with those three.

Who is using the app and what their role may see (issue 8), in one place so new pages get it:

- :func:`actor`: with an ``[auth]`` section in ``.streamlit/secrets.toml`` the user signs in
  (``st.login``, OIDC; councils use Microsoft Entra ID) and the role comes from roles.yaml
  ``sign_in``; without it the app runs single-user (``$GRAPHMAP_ROLE``, default analyst) and
  :func:`marking` says so on every page;
- every cached getter reads ``_store(view)``, and ``view`` (from :func:`_key`) names the store
  *as the user's role may see it* (:func:`graphmap.access.reader_store`): a community_safety
  user's views are built from pseudonymised tables with no names, dates of birth, flags,
  free text or intelligence, so nothing a page derives can contain them; a packs-only role
  (panel_member) gets no store at all;
- person, group and place views are checked against the role's actions and audited once per
  view (not per rerun) by :func:`audit_view`.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import threading
import time
from datetime import date
from typing import Any, Callable

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from .. import access, audit, schema, views
from ..redaction import WithholdingStore
from ..store import Store, default_url, open_store
from ..window import Window

MARKING = "OFFICIAL-SENSITIVE"

#: Analyses shown by the pages, by name: ``fn(view, version, as_at, days) -> plain data`` (the
#: cache key of a window). When an analysis lands, wiring it is one entry here (results are
#: cached by store version and window).
def _network(url: str, version: str, as_at: str, days: int) -> dict:
    """``graphmap analyse``'s document for the window (:func:`graphmap.network.analyse.analyse`:
    the same keys and entries, global betweenness included), assembled from the window's shared
    parts (:func:`_part`), so what the pages computed already is not computed again. No page
    shows all of it; pages ask :func:`_doc` for the parts they show."""
    from ..network.analyse import add_source_ids

    doc = _doc(url, version, as_at, days, FULL_PARTS)
    frames, G = (_window_graph(url, version, as_at, days)[k] for k in ("frames", "graph"))
    doc["counts"] = {"people": G.number_of_nodes(), "ties": G.number_of_edges(),
                     "tie_evidence": len(_window_graph(url, version, as_at, days)["evidence"]),
                     "incidents": len(frames.incidents),
                     "young_people": sum(1 for _, r in G.nodes(data="role") if r == "young_person")}
    doc["settings"] = schema.setting("network")
    doc["seed"] = 0
    doc["workers"] = 1
    add_source_ids(doc, frames.source_ids)
    return doc


ANALYSES: dict[str, Callable[[str, str, str, int], Any]] = {"network": _network}


# --- the window's network analyses, one part at a time -------------------------------------------
# A window change used to run the whole network analysis (every analysis ``graphmap analyse``
# runs) for whichever page asked first; each page now asks only for the parts it shows, and a
# part is computed once per window whichever page asks first. Each is the library function
# called as ``analyse_frames`` calls it (seed 0, settings' options) on the window's shared graph.
def _groups_part(shared: dict, url: str, version: str, as_at: str, days: int) -> list[dict]:
    """The found peer groups with their context (incident mix, incidents, places), before the
    stability re-runs; the same groups :func:`graphmap.views.found_groups` names."""
    from ..network.peer_groups import group_context, peer_groups

    groups = peer_groups(shared["graph"], seed=0, stability_runs=0)
    return group_context(groups, shared["frames"])


def _stable_groups_part(shared: dict, url: str, version: str, as_at: str, days: int) -> list[dict]:
    """The peer groups with ``stability`` and ``partition_ari_reruns`` filled from the re-runs
    (only the Peer group page's "how it was found" shows them); copies, so the groups other
    pages share never change."""
    from ..network.peer_groups import group_stability

    groups = [dict(g) for g in _part("groups", url, version, as_at, days)]
    return group_stability(shared["graph"], groups, seed=0,
                           reruns=_from_second_core("reruns", url, version, as_at, days))


def _bridges_part(shared: dict, url: str, version: str, as_at: str, days: int, *, full: bool = False) -> list[dict]:
    """The bridges (:func:`graphmap.network.bridges.bridges`). Ranked by brokerage (the
    settings' default), everything the pages show (score, cut points, groups connected,
    participation, ties into groups) comes from ego networks; only the ``betweenness`` column
    needs the whole-network estimate (500 pivots at borough size: 4.3 s CPU of the 4.9 s), and
    no page shows it. So the app hands ``bridges`` no betweenness at all (``scores=``) and drops
    the ``betweenness`` and ``method`` keys; ``full`` (the whole document) keeps them."""
    from ..network.bridges import bridges

    from ..network.analyse import bridges_rank_by

    rank_by = bridges_rank_by()
    skip = not full and rank_by == "brokerage"
    out = bridges(shared["graph"], groups=_part("groups", url, version, as_at, days), seed=0, rank_by=rank_by,
                  scores=({}, "not computed") if skip else None)
    if skip:
        out = [{key: v for key, v in b.items() if key not in ("betweenness", "method")} for b in out]
    return out


def _simple(fn: Callable[[dict], Any]) -> Callable[..., Any]:
    return lambda shared, url, version, as_at, days: fn(shared)


def _with_groups(fn: Callable[[dict, list], Any]) -> Callable[..., Any]:
    return lambda shared, url, version, as_at, days: fn(shared, _part("groups", url, version, as_at, days))


def _recruiters(shared: dict, groups: list) -> list:
    from ..network.analyse import window_recruiters

    return window_recruiters(shared["graph"], groups, shared["frames"])


def _complex_strategy_part(shared: dict) -> list:
    from ..network.analyse import window_complex_strategy

    return window_complex_strategy(shared["graph"], shared["frames"])


def _cross_borough(shared: dict) -> list:
    from ..network.analyse import window_cross_borough

    return window_cross_borough(shared["graph"], shared["frames"])


def _co_missing(shared: dict) -> list:
    from ..network.co_missing import co_missing

    return co_missing(shared["frames"])


def _or_second_core(name: str, fn: Callable[[dict], Any]) -> Callable[..., Any]:
    """A part that takes job ``name``'s result from the window's second core when one runs."""
    def part(shared: dict, url: str, version: str, as_at: str, days: int) -> Any:
        done = _from_second_core(name, url, version, as_at, days)
        return fn(shared) if done is None else done
    return part


def _exposure(shared: dict) -> list:
    from ..network.exposure import exposure

    return exposure(shared["graph"])


def _disruption(shared: dict) -> list:
    from ..network.disruption import disruption_targets

    return disruption_targets(shared["graph"], seed=0)


def _second_core_jobs(shared: dict) -> dict[str, Callable[[], Any]]:
    """What the second core works out for the Peer group page, in the order the page needs it,
    each as its part would (:data:`PEER_GROUP_PARTS`): co-missing and cross-borough links (its
    first draw), then the stability re-runs (:func:`graphmap.network.peer_groups.stability_reruns`,
    what ``group_stability`` compares the groups with) and the disruption targets."""
    from ..network.disruption import disruption_targets
    from ..network.peer_groups import stability_reruns

    G = shared["graph"]
    return {"co_missing": lambda: _co_missing(shared), "cross_borough": lambda: _cross_borough(shared),
            "reruns": lambda: stability_reruns(G, seed=0), "disruption_targets": lambda: disruption_targets(G, seed=0)}


@st.cache_resource(show_spinner=False, max_entries=4)
def _second_core(url: str, version: str, as_at: str, days: int):
    """:func:`_second_core_jobs` running in a forked process (:class:`graphmap.app.forked.Forked`)
    on the second core, or None (not Linux, or a window smaller than
    ``app.second_core_min_people``: forking costs more than it saves). Started by the Peer group
    page before it computes anything else, so both cores work; the parts take its results."""
    from ..network._brandes import preload
    from . import forked

    least = schema.setting("app.second_core_min_people")
    if least is False or least is None or not forked.available():
        return None
    shared = _window_graph(url, version, as_at, days)
    if shared["graph"].number_of_nodes() < int(least):
        return None
    preload()  # the disruption's compiled kernels, loaded once in the server, not in every child
    return forked.Forked(_second_core_jobs(shared))


def _from_second_core(name: str, url: str, version: str, as_at: str, days: int):
    """Job ``name``'s result from the window's second core, or None (none started, or the job
    or the child failed: the part then computes it here, as without a second core)."""
    from .forked import ChildFailed

    job = _second_core(url, version, as_at, days)
    if job is None:
        return None
    try:
        return job.result(name)
    except ChildFailed:
        return None


def _hotspots_part(shared: dict, url: str, version: str, as_at: str, days: int) -> list:
    from ..places import hotspot_records

    return hotspot_records(_place_analysis(url, version, as_at, days),
                           limit=int(schema.setting("places.hotspots_limit")))


#: name -> (document key, ``fn(shared, url, version, as_at, days)``).
PARTS: dict[str, tuple[str, Callable[..., Any]]] = {
    "groups": ("peer_groups", _groups_part),
    "stable_groups": ("peer_groups", _stable_groups_part),
    "bridges": ("bridges", _bridges_part),
    "bridges_full": ("bridges", lambda *a: _bridges_part(*a, full=True)),
    "recruiters": ("recruiters", _with_groups(_recruiters)),
    "co_missing": ("co_missing", _or_second_core("co_missing", _co_missing)),
    "exposure": ("exposure", _simple(_exposure)),
    "complex_strategy": ("complex_strategy", _simple(_complex_strategy_part)),
    "disruption_targets": ("disruption_targets", _or_second_core("disruption_targets", _disruption)),
    "cross_borough": ("cross_borough", _or_second_core("cross_borough", _cross_borough)),
    "hotspots": ("hotspots", _hotspots_part),
}
#: What each page shows of the window's network analyses.
NETWORK_PARTS = ("groups", "bridges")  # the Network page: colours by group, marked bridges
CHOICE_PARTS = ("groups",)  # the group pickers: ids and sizes
PROFILE_PARTS = ("groups", "hotspots")  # the Person profile: the person's found group, hotspots
PEER_GROUP_PARTS = ("stable_groups", "bridges", "recruiters", "disruption_targets", "co_missing", "cross_borough",
                    "hotspots")  # the Peer group page and pack (group_assessment reads these keys)
#: The Peer group page is drawn first from these, then the "how it was found" line and the
#: adults' disruption steps are filled in from :data:`PEER_GROUP_LATE_PARTS` (the slowest two).
PEER_GROUP_FIRST_PARTS = ("groups", "bridges", "recruiters", "co_missing", "cross_borough", "hotspots")
PEER_GROUP_LATE_PARTS = ("stable_groups", "disruption_targets")
FULL_PARTS = ("stable_groups", "bridges_full", "recruiters", "co_missing", "exposure", "complex_strategy",
              "disruption_targets", "cross_borough", "hotspots")


# --- the store ---------------------------------------------------------------------------------
def store_url() -> str:
    """``--db URL`` from the ``streamlit run app.py -- --db URL`` line, else the default."""
    def parse() -> str:
        parser = argparse.ArgumentParser(add_help=False)
        parser.add_argument("--db", default=None)
        args, _ = parser.parse_known_args(sys.argv[1:])
        return args.db or default_url()
    return _this_run("store_url", parse)


@st.cache_resource(show_spinner=False)
def _base(url: str) -> Store:
    """The store itself, opened once per URL (writes and the audit log go here)."""
    return open_store(url)


class _ReadOnce:
    """A store as the views of one store version read it: each whole table is read once and
    handed out as a copy (a view may change its copy; the next view gets the table as stored).

    Every page reads whole tables (people, incidents, assessments... :meth:`Store.tables`), and
    at borough size each read is seconds of SQLite and pandas; the store cannot change under a
    version (:func:`store_version`), so reading once per version is the same data. Windows
    are cut from those tables in memory too (:meth:`window_records`). Anything else (the
    audit log, writes) is the store's own.
    """

    def __init__(self, store: Store):
        self._store = store
        self._tables: dict[str, Any] = {}
        self._held = None
        self._lock = threading.Lock()
        self._held_lock = threading.Lock()

    def table(self, record: str):
        with self._lock:
            if record not in self._tables:
                self._tables[record] = self._store.table(record)
            # Copy-on-write (pandas 3): a shallow copy is safe against a view changing its copy,
            # and a deep copy of a borough's involvements costs tenths of a second per read.
            return self._tables[record].copy(deep=False)

    def window_records(self, start_iso: str, end_iso: str, *, exclude_roles=(), first: bool = True):
        """Any window's records cut in memory from the incidents and involvements read once
        per version (:class:`graphmap.app.held_records.HeldRecords`: the same frames as the
        engine's read; a window change no longer queries the store: 2.6 s -> 0.3 s CPU at
        borough size)."""
        from .held_records import HeldRecords

        with self._held_lock:
            if self._held is None:
                self._held = HeldRecords(self)
        return self._held.window_records(start_iso, end_iso, exclude_roles=exclude_roles, first=first)

    def tables(self) -> dict:
        from .. import records

        return {name: self.table(name) for name in records.load_order()}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@st.cache_resource(show_spinner=False, max_entries=16)
def _store(view: str) -> Store:
    """The store as one role may see it. ``view`` is the JSON ``[url, version, role]`` made by
    :func:`_key`, so every cached getter ``_x(view, version, ...)`` reads through the role's
    redaction, and a new store version builds a fresh view. A role that sees everything reads
    the store itself, each table once per version (:class:`_ReadOnce`); any other role's
    :class:`graphmap.access.ReaderStore` already holds its redacted tables."""
    url, _version, role = json.loads(view)
    s = access.reader_store(_base(url), role)
    return _ReadOnce(s) if s is _base(url) else s


@st.cache_resource(show_spinner=False)
def write_lock(url: str) -> threading.Lock:
    """One writer at a time per store from this app (sessions share the connection)."""
    return threading.Lock()


def store() -> Store:
    """The store itself, for writes (loads) and the audit log. Views read :func:`reader`."""
    return _base(store_url())


def reader() -> Store:
    """The store as the signed-in user's role may see it (packs are built from this)."""
    return _store(_key()[0])


def store_version(s: Store | None = None) -> str:
    """Changes whenever the store's contents change: load history plus row counts."""
    s = s or store()
    loads = s.loads()
    last = str(loads["load_id"].iloc[-1]) if len(loads) else ""
    counts = ",".join(f"{k}={v}" for k, v in sorted(s.counts().items()))
    return f"{len(loads)}|{last}|{counts}"


# --- cached views and analyses -----------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=32)
def _overview(url: str, version: str) -> dict:
    return views.overview(_store(url))


# --- what the pages of one window share (built once per window, read-only) ---------------------
@st.cache_resource(show_spinner="Reading the window's records...", max_entries=4)
def _window_graph(url: str, version: str, as_at: str, days: int) -> dict:
    """The window's frames (:func:`graphmap.network.graphs.load_frames`), their tie evidence and
    the person graph: read once per window for the network analyses, the network pictures and
    the Overview's new links."""
    from ..network._gc import gc_paused
    from ..network.graphs import NON_LINKING_ROLES, load_frames, person_graph, tie_evidence

    w, s = Window.ending(as_at, days), _store(url)
    # The collector paused, as `graphmap analyse` reads and builds: columns, frames and one dict
    # per person and tie, no cycles among them, while other windows' graphs are held.
    with gc_paused():
        # load_frames's own read, with each person's first incident kept per as-at date (below).
        incidents, involvements, _ = s.window_records(w.start_iso, w.end_iso, exclude_roles=NON_LINKING_ROLES,
                                                      first=False)
        frames = load_frames(s, w, records=(incidents, involvements, _first_incidents(url, version, as_at)))
        ev = tie_evidence(frames)
        return {"frames": frames, "evidence": ev, "graph": person_graph(frames, evidence=ev)}


@st.cache_resource(show_spinner=False, max_entries=4)
def _first_incidents(url: str, version: str, as_at: str):
    """Each person's first incident up to the as-at date (all history, for "ties preceding first
    incidents"): the same for every window ending that day, and a costly part of the window's
    read (every incident up to that day: 2.8 of 5.2 s CPU at borough size before SQLite's
    window_records took the earlier rows by the start index, 1.0 s since), so a change of
    window length does not pay it again. As :func:`graphmap.network.graphs.load_frames` reads it."""
    from ..network.graphs import NON_LINKING_ROLES

    end = Window.ending(as_at, 1).end_iso
    return _store(url).window_records(end[:10], end, exclude_roles=NON_LINKING_ROLES)[2]


@st.cache_resource(show_spinner="Running the analysis...", max_entries=64)
def _part(name: str, url: str, version: str, as_at: str, days: int) -> Any:
    """One part of the window's network analyses (:data:`PARTS`), computed once per window
    whichever page asks first. A resource, not data (a borough's parts are MBs; st.cache_data
    would copy them on every rerun); views only read it. Entries about a merged person carry
    their ``source_ids``, as in ``graphmap analyse``."""
    from ..network._gc import gc_paused
    from ..network.analyse import add_source_ids

    shared = _window_graph(url, version, as_at, days)
    key, fn = PARTS[name]
    with gc_paused():  # as analyse_frames runs every part
        out = fn(shared, url, version, as_at, days)
    add_source_ids({key: out}, shared["frames"].source_ids)
    return out


def _doc(url: str, version: str, as_at: str, days: int, parts: tuple[str, ...]) -> dict:
    """The analysis document with only ``parts`` filled (what one page shows): the keys and
    entries of :func:`graphmap.network.analyse.analyse_frames`'s document for those parts."""
    w = Window.ending(as_at, days)
    doc: dict = {"as_at": w.as_at.isoformat(), "window_days": w.days, "window_start": w.start_iso}
    for name in parts:
        doc[PARTS[name][0]] = _part(name, url, version, as_at, days)
    doc["source_ids"] = _window_graph(url, version, as_at, days)["frames"].source_ids
    return doc


@st.cache_data(show_spinner="Finding the peer groups...", max_entries=32)
def _found_groups(url: str, version: str, as_at: str, days: int) -> dict[str, str]:
    # The groups views.found_groups finds (peer_groups, seed 0, no re-runs), shared with the pages.
    from ..network.peer_groups import group_of

    return group_of(_part("groups", url, version, as_at, days))


@st.cache_resource(show_spinner=False, max_entries=4)
def _place_records(url: str, version: str):
    """The columns the place analyses read, once per store version (not once per window)."""
    from ..places.place_records import PlaceRecords

    return PlaceRecords.from_store(_store(url))


@st.cache_resource(show_spinner="Working out the hotspots...", max_entries=4)
def _place_analysis(url: str, version: str, as_at: str, days: int):
    """The window's place analysis (places, cells, counts, trend), shared by the Locations Board,
    the Overview's rising places, the network analysis's hotspots and the Person profile."""
    return views.place_analysis(_store(url), Window.ending(as_at, days),
                                groups=_found_groups(url, version, as_at, days),
                                records=_place_records(url, version))


# --- views ---------------------------------------------------------------------------------------
@st.cache_data(show_spinner="Finding the network...", max_entries=64)
def _ego_network(url: str, version: str, as_at: str, days: int, person_id: str, hops: int, redaction: str) -> dict:
    return views.ego_network(_store(url), Window.ending(as_at, days), person_id, hops=hops, redaction=redaction)


@st.cache_data(show_spinner=False, max_entries=32)
def _places(url: str, version: str, as_at: str, days: int) -> dict:
    return views.places(_store(url), Window.ending(as_at, days))


@st.cache_data(show_spinner="Working out the hotspots...", max_entries=32)
def _locations_board(url: str, version: str, as_at: str, days: int, location_id: str | None) -> dict:
    from ..network._gc import gc_paused

    analysis = _place_analysis(url, version, as_at, days)
    with gc_paused():  # every place as a dict while a borough's tables are held
        return views.locations_board(_store(url), Window.ending(as_at, days), location_id, analysis=analysis,
                                     incidents=_window_graph(url, version, as_at, days)["frames"].incidents)


@st.cache_data(show_spinner=False, max_entries=32)
def _recorded_groups(url: str, version: str, as_at: str, days: int) -> list[dict]:
    return views.recorded_groups(_store(url), Window.ending(as_at, days))


@st.cache_data(show_spinner="Assessing the group...", max_entries=32)
def _peer_group_first(url: str, version: str, as_at: str, days: int, group_id: str, redaction: str) -> dict:
    """The group's assessment without its late parts (no stability in "how", no disruption
    steps): what the Peer group page draws first."""
    from ..network._gc import gc_paused

    analysis, source = _doc(url, version, as_at, days, PEER_GROUP_FIRST_PARTS), _network_source(url, version, as_at, days)
    with gc_paused():  # tens of thousands of rows built while a borough's tables and graphs are held
        return views.peer_group(_store(url), Window.ending(as_at, days), group_id, redaction=redaction,
                                analysis=analysis, source=source)


@st.cache_data(show_spinner="Working out the groups' stability and the disruption steps...", max_entries=32)
def _peer_group(url: str, version: str, as_at: str, days: int, group_id: str, redaction: str) -> dict:
    """The whole assessment (page and pack): ``views.peer_group`` of :data:`PEER_GROUP_PARTS`,
    made as the first one with its late parts filled in (tested equal)."""
    from ..group_assessment import with_late_parts

    return with_late_parts(_peer_group_first(url, version, as_at, days, group_id, redaction),
                           _doc(url, version, as_at, days, PEER_GROUP_LATE_PARTS))


@st.cache_data(show_spinner="Writing the pack...", max_entries=8)
def _peer_group_pack(url: str, version: str, as_at: str, days: int, group_id: str, redaction: str) -> tuple[str, bytes]:
    from ..packs import render_docx, render_html
    from ..packs.peer_group import peer_group_pack

    w = Window.ending(as_at, days)
    pack = peer_group_pack(_peer_group(url, version, as_at, days, group_id, redaction), window=w, redaction=redaction)
    return render_html(pack), render_docx(pack)


@st.cache_resource(show_spinner="Gathering the ties...", max_entries=4)
def _network_source(url: str, version: str, as_at: str, days: int) -> dict:
    # A resource (not copied per use): the tie evidence of a whole window; views never change it.
    from ..network._gc import gc_paused

    shared = _window_graph(url, version, as_at, days)
    with gc_paused():  # a column of tuples per piece of evidence, while the window's graph is held
        return views.network_source(_store(url), Window.ending(as_at, days), frames=shared["frames"],
                                    evidence=shared["evidence"])


@st.cache_data(show_spinner="Drawing the network...", max_entries=64)
def _network_view(url: str, version: str, as_at: str, days: int, options: tuple) -> dict:
    from ..network._gc import gc_paused

    analysis, source = _doc(url, version, as_at, days, NETWORK_PARTS), _network_source(url, version, as_at, days)
    with gc_paused():  # the window's ties as tuples (tens of thousands) while its graphs are held
        return views.network_view(_store(url), Window.ending(as_at, days), **dict(options), analysis=analysis,
                                  source=source)


@st.cache_data(show_spinner=False, max_entries=32)
def _group_choices(url: str, version: str, as_at: str, days: int) -> list[dict]:
    return views.group_choices(_store(url), Window.ending(as_at, days),
                               analysis=_doc(url, version, as_at, days, CHOICE_PARTS))


@st.cache_data(show_spinner="Gathering the week...", max_entries=32)
def _weekly_review(url: str, version: str, as_at: str, redaction: str) -> dict:
    # At the pack's redaction level, so the page shows what the weekly-review pack will.
    return views.at_level(lambda s: views.weekly_review(s, as_at, redaction=redaction), _store(url), redaction)


@st.cache_resource(show_spinner="Finding adults of concern and places linked to several young people...",
                   max_entries=4)
def _complex_strategy(url: str, version: str, as_at: str, days: int, redaction: str) -> dict:
    # A resource, not data: a borough's view is ~30 MB of evidence rows (every place's links),
    # which st.cache_data pickled when computed (0.8 s CPU) and unpickled on every rerun of the
    # page (choosing a subject); the page only reads it.
    from ..network._gc import gc_paused

    w = Window.ending(as_at, days)
    # The collector paused while ~130,000 evidence rows are built (at borough size it re-scanned
    # the held tables and graphs at every few thousand new dicts).
    with gc_paused():
        return views.at_level(lambda s: views.complex_strategy(s, w, redaction=redaction), _store(url), redaction,
                              withholding=lambda store, level: _HeldLevel(store, level,
                                                                          _level_records(url, version, level)))


@st.cache_resource(show_spinner=False, max_entries=8)
def _level_records(url: str, version: str, level: str):
    """The records a redaction level lets through, held once per store version and level
    (:class:`graphmap.app.held_records.HeldRecords` over :func:`graphmap.redaction.withholding`)."""
    from .. import redaction as levels
    from .held_records import HeldRecords

    return HeldRecords(levels.withholding(_store(url), level))


class _HeldLevel(WithholdingStore):
    """A redaction level's view (:class:`graphmap.redaction.WithholdingStore`) whose window
    reads are cut from the level's held records (:func:`_level_records`: the same frames as its
    own whole-table read, which was 5-7 s CPU of a borough's complex strategy view)."""

    def __init__(self, store, level: str, held):
        super().__init__(store, level)
        self._held = held

    def window_records(self, start_iso: str, end_iso: str, *, exclude_roles=(), first: bool = True):
        # Read as Store.window_records reads it, so what the level withheld is counted alike
        # (the page's and pack's redaction note).
        self.table("incidents")
        return self._held.window_records(start_iso, end_iso, exclude_roles=exclude_roles, first=first)


@st.cache_data(show_spinner=False, max_entries=32)
def _reviews_due(url: str, version: str, as_at: str, redaction: str) -> dict:
    return views.reviews_due(_store(url), as_at, redaction=redaction)


@st.cache_data(show_spinner="Gathering the records...", max_entries=64)
def _person_profile(url: str, version: str, as_at: str, days: int, person_id: str, redaction: str) -> dict:
    # Hotspots and peer groups from the same cached analyses the other pages show (the network
    # analysis's hotspots are the Locations Board's ranked places).
    net = _doc(url, version, as_at, days, PROFILE_PARTS)
    hot = [h["location_id"] for h in net["hotspots"]]
    return views.person_profile(_store(url), Window.ending(as_at, days), person_id, redaction=redaction,
                                hotspots=hot, peer_groups=net["peer_groups"], source_ids=net.get("source_ids"))


@st.cache_data(show_spinner="Looking for new links to adults of concern...", max_entries=32)
def _new_adult_links(url: str, version: str, as_at: str, days: int, redaction: str) -> dict:
    shared = _window_graph(url, version, as_at, days)
    return views.new_adult_links(_store(url), Window.ending(as_at, days), redaction=redaction,
                                 frames=shared["frames"], graph=shared["graph"])


@st.cache_data(show_spinner=False, max_entries=32)
def _rising_places(url: str, version: str, as_at: str, days: int) -> dict:
    return views.rising_places(_store(url), Window.ending(as_at, days),
                               analysis=_place_analysis(url, version, as_at, days))


@st.cache_data(show_spinner=False, max_entries=8)
def _people(url: str, version: str) -> list[dict]:
    df = _store(url).table("people")
    return df[["person_id", "forename", "surname", "role", "date_of_birth"]].to_dict("records")


@st.cache_resource(show_spinner="Running the analysis...", max_entries=8)
def _analysis(name: str, url: str, version: str, as_at: str, days: int) -> Any:
    # A resource, not data: a borough's document is tens of MB, and st.cache_data would copy it
    # (pickle and unpickle) on every rerun of every page. Views only read it.
    return ANALYSES[name](url, version, as_at, days)


@st.cache_data(show_spinner="Making the pack...", max_entries=16)
def _pack_files(url: str, version: str, as_at: str, days: int, redaction: str, kind: str,
                ids: tuple[tuple[str, str], ...]) -> tuple[str, bytes]:
    from ..packs import render_docx, render_html
    from ..packs.build import build_pack

    pack = build_pack(kind, _store(url), Window.ending(as_at, days), redaction=redaction, **dict(ids))
    return render_html(pack), render_docx(pack)


def pack_files(kind: str, **ids: str | None) -> Callable[[], tuple[str, bytes]]:
    """A page's pack as a function giving (HTML, DOCX bytes), made only when called (a download
    button runs it on click, on another thread: so the page's settings are read here, now) and
    cached like the views. The same content as `graphmap report`."""
    w = window()
    args = (*_key(), w.as_at.isoformat(), w.days, redaction(), kind,
            tuple(sorted((k, v) for k, v in ids.items() if v)))
    return lambda: _pack_files(*args)


def _this_run(name: str, make: Callable[[], Any]) -> Any:
    """``make()``, worked out once per run of the page script (and again after a write).

    A page asks for the store's version and for who is using the app dozens of times a run (every
    cached view's key, every audit and permission check): reading the load history and counting
    every table, and parsing the secrets, took a third of a warm page's run (py-spy, session 9).
    Outside a script run (a thread, a bare test) nothing is kept. Streamlit gives each run a new
    ``cursors`` dict; the memo holds on to that dict, so a later run can never be mistaken for it.
    """
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return make()
    memo = getattr(ctx, "_graphmap_run", None)
    if memo is None or memo[0] is not ctx.cursors:
        memo = (ctx.cursors, {})
        ctx._graphmap_run = memo
    if name not in memo[1]:
        memo[1][name] = make()
    return memo[1][name]


def _forget_this_run() -> None:
    """Drop the run's memo (:func:`_this_run`): the store has just been written to."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None:
        ctx._graphmap_run = None


def _key() -> tuple[str, str]:
    """``(view, version)`` for the cached getters: the view names the store URL, its version and
    the user's role, so results are cached per role and never shared across roles."""
    version = _this_run("store_version", store_version)
    return json.dumps([store_url(), version, actor().role]), version


# --- who is using the app ------------------------------------------------------------------------
#: The action a page needs (roles.yaml). A page not listed needs view_person, the most
#: sensitive, so a new page is closed until someone decides who may see it.
PAGE_ACTIONS = {"overview": "view_places", "data": "load", "network": "view_person",
                "peer-groups": "view_group", "locations-board": "view_places", "person": "view_person",
                "complex-strategy": "view_person", "weekly-review": "view_person", "packs": "view_pack"}


def _secrets() -> dict:
    def read() -> dict:
        try:
            return st.secrets.to_dict()
        except Exception:  # no secrets.toml at all: sign-in is not configured
            return {}
    return _this_run("secrets", read)


def actor() -> access.Actor:
    """Who is using the app. With sign-in configured and nobody signed in, shows the sign-in
    button (``st.login``) and stops the page; an identity the settings cannot map stops too."""
    secrets = _secrets()
    try:
        identity = st.user.to_dict() if access.sign_in_configured(secrets) else None
        who, _ = access.app_actor(secrets, identity)
    except access.AccessDenied as exc:
        st.error(str(exc))
        st.stop()
    if who is None:
        st.markdown(f"**{MARKING}**: sign in to continue.")
        if st.button("Sign in", key="sign_in", type="primary"):
            st.login(access.login_provider(secrets))
        st.stop()
    return who


def notice() -> str:
    """The single-user notice when sign-in is not configured, else ``""``."""
    secrets = _secrets()
    return "" if access.sign_in_configured(secrets) else access.single_user_notice(actor())


def may(action: str) -> bool:
    return access.role(actor().role).can(action)


def page_allowed(url_path: str) -> bool:
    return may(PAGE_ACTIONS.get(url_path, "view_person"))


def require(action: str) -> None:
    """Stop with a clear message when the user's role may not ``action`` (see roles.yaml)."""
    access.require(actor(), action)


def audit_view(action: str, subject: str, **detail: Any) -> None:
    """Audit a view once per session, subject and window (a rerun of the same view is not a
    new view). Person subjects are recorded by their stored id, also when the role sees a
    pseudonym."""
    who = actor()
    access.require(who, action)
    if subject.startswith("person:"):
        r = reader()
        if isinstance(r, access.ReaderStore):
            subject = "person:" + r.real_id(subject.split(":", 1)[1])
    w = window()
    key = json.dumps([store_url(), action, subject, w.as_at.isoformat(), w.days, who.user])
    done = st.session_state.setdefault("_audited_views", set())
    if key in done:
        return
    audit.record(store(), action, actor=who, subject=subject,
                 detail={"as_at": w.as_at.isoformat(), "days": w.days, **detail})
    done.add(key)


def overview() -> dict:
    return _overview(*_key())


def ego_network(person_id: str, hops: int) -> dict:
    audit_view("view_person", f"person:{person_id}", hops=hops)
    w = window()
    return _ego_network(*_key(), w.as_at.isoformat(), w.days, person_id, hops, redaction())


def places() -> dict:
    require("view_places")
    w = window()
    return _places(*_key(), w.as_at.isoformat(), w.days)


def locations_board(location_id: str | None) -> dict:
    audit_view("view_places", f"location:{location_id}" if location_id else "places")
    w = window()
    return _locations_board(*_key(), w.as_at.isoformat(), w.days, location_id)


def recorded_groups() -> list[dict]:
    require("view_group")
    w = window()
    return _recorded_groups(*_key(), w.as_at.isoformat(), w.days)


def peer_group(group_id: str, *, first: bool = False) -> dict:
    """The group's assessment; ``first``: without its late parts (:func:`_peer_group_first`)."""
    audit_view("view_group", f"group:{group_id}")
    w = window()
    return (_peer_group_first if first else _peer_group)(*_key(), w.as_at.isoformat(), w.days, group_id, redaction())


def start_second_core() -> None:
    """Start the window's second core (:func:`_second_core`), if not yet: the Peer group page
    calls this before anything else, so the child works while the page finds the groups and
    draws the rest."""
    w = window()
    _second_core(*_key(), w.as_at.isoformat(), w.days)


def peer_group_pack(group_id: str) -> tuple[str, bytes]:
    """The peer-group pack (HTML, DOCX) of the group on screen, built from the same cached data."""
    w = window()
    return _peer_group_pack(*_key(), w.as_at.isoformat(), w.days, group_id, redaction())


def network_source() -> dict:
    w = window()
    return _network_source(*_key(), w.as_at.isoformat(), w.days)


def network_view(**options) -> dict:
    """The Network page's picture (:func:`graphmap.views.network_view`) for the sidebar's window
    and redaction level; set-valued filters are passed as sorted tuples (hashable cache keys)."""
    w = window()
    opts = tuple(sorted({**options, "redaction": redaction()}.items()))
    return _network_view(*_key(), w.as_at.isoformat(), w.days, opts)


def group_choices() -> list[dict]:
    w = window()
    return _group_choices(*_key(), w.as_at.isoformat(), w.days)


def weekly_review() -> dict:
    require("view_person")
    return _weekly_review(*_key(), window().as_at.isoformat(), redaction())


def complex_strategy() -> dict:
    w = window()
    return _complex_strategy(*_key(), w.as_at.isoformat(), w.days, redaction())


def reviews_due() -> dict:
    return _reviews_due(*_key(), window().as_at.isoformat(), redaction())


def person_profile(person_id: str) -> dict:
    audit_view("view_person", f"person:{person_id}")
    w = window()
    return _person_profile(*_key(), w.as_at.isoformat(), w.days, person_id, redaction())


def people() -> list[dict]:
    return _people(*_key())


def new_adult_links() -> dict:
    w = window()
    return _new_adult_links(*_key(), w.as_at.isoformat(), w.days, redaction())


def rising_places() -> dict:
    w = window()
    return _rising_places(*_key(), w.as_at.isoformat(), w.days)


def analysis(name: str) -> Any | None:
    """A cached analysis result for the sidebar's window, or ``None`` when not wired yet."""
    if name not in ANALYSES:
        return None
    w = window()
    return _analysis(name, *_key(), w.as_at.isoformat(), w.days)


def clear_after_write() -> None:
    """Views are keyed by store version, so nothing is stale; this just frees memory (the
    store connections, also cached resources, are kept)."""
    _forget_this_run()  # the store's version changed
    st.cache_data.clear()
    _store.clear()  # the tables read for the old version (the connections are _base's)
    for shared in (_window_graph, _first_incidents, _place_records, _place_analysis, _part, _analysis,
                   _network_source, _complex_strategy):
        shared.clear()
    with _pictures_lock:  # pictures of records a deletion removed are not kept either
        _PICTURES.clear()


# --- sidebar and marking -----------------------------------------------------------------------
def _default_as_at() -> date:
    """The day of the latest incident held (a meeting looks at what is loaded), else today."""
    last = overview()["date_range"]["last"]
    return min(date.fromisoformat(last), date.today()) if last else date.today()


def sidebar() -> None:
    """As-at date, window and redaction level: set once, used by every page; and who is using
    the app. The redaction levels offered are only those the user's role may choose."""
    who = actor()
    ss = st.session_state
    if "as_at" not in ss:
        ss["as_at"] = _default_as_at() if access.role(who.role).scope != "packs" else date.today()
    if "window_days" not in ss:
        ss["window_days"] = int(schema.setting("analysis.window_days"))
    levels = access.redaction_levels(who.role)
    if ss.get("redaction") not in levels:
        default = schema.setting("app.default_redaction")
        ss["redaction"] = default if default in levels else levels[0]
    with st.sidebar:
        st.markdown(f"**{MARKING}**")
        st.date_input("As at", key="as_at", format="YYYY-MM-DD",
                      help="What was known up to this day (inclusive). Default: the latest incident loaded.")
        st.number_input("Window (days)", key="window_days", min_value=1, max_value=3650, step=1,
                        help="How far back from the as-at date records count.")
        st.selectbox("Redaction level", levels, key="redaction",
                     help="Printed on every page and pack; the levels offered are those your role may choose.")
        w = window()
        st.caption(f"Window: {w.start_iso} to {w.as_at.isoformat()}")
        if access.sign_in_configured(_secrets()):
            st.caption(f"Signed in as {md(who.user)} · role: {who.role.replace('_', ' ')}")
            if st.button("Sign out", key="sign_out"):
                st.logout()
        else:
            st.caption(f"Store: {store().engine} · single user, role: {who.role.replace('_', ' ')} "
                       "(no sign-in configured)")


def pick_group(key: str, groups: list[dict]) -> str | None:
    """The group select box (the window's found and recorded groups, :func:`group_choices`);
    ``?group=ID`` in the address preselects one.

    A chosen group stays chosen when the window changes, as long as the new window has a group
    of that id. On the borough in the browser the choice was dropped after some window changes
    and not others, and the page emptied (session 10). The likely cause: Streamlit sends a
    select box's value back as its label, and a group's label carries its size in the window.
    Setting the chosen id again before the box is made kept it in every change tried, as
    :func:`keep_while_folded` keeps folded widgets' values. AppTest keeps Python values, and the
    small test store did not show the drop, so the tests guard the behaviour, not that cause.
    """
    ss = st.session_state
    by_id = {g["group_id"]: g for g in groups}
    if key not in ss and st.query_params.get("group") in by_id:
        ss[key] = st.query_params["group"]
    elif ss.get(key) in by_id:
        keep_while_folded(key)
    return st.selectbox("Group", list(by_id), index=None, key=key, placeholder="Choose a group",
                        format_func=lambda g: f"{by_id[g]['name']} · {g} · {by_id[g]['size']} people")


def keep_while_folded(*keys: str) -> None:
    """Keep these widgets' values while they are not drawn (a folded lazy expander).

    Streamlit drops the state of a widget not drawn in a run unless the script sets it, so each
    key held is set to itself, before its widget would be made.
    """
    ss = st.session_state
    for key in keys:
        if key in ss:
            ss[key] = ss[key]


def window() -> Window:
    ss = st.session_state
    as_at = ss.get("as_at") or date.today()
    return Window.ending(as_at, int(ss.get("window_days") or schema.setting("analysis.window_days")))


def redaction() -> str:
    return str(st.session_state.get("redaction") or schema.setting("app.default_redaction"))


def marking() -> None:
    """The protective marking, as-at date, window and redaction level, at the top of every page,
    and the single-user notice when sign-in is not configured."""
    st.markdown(
        "<div style='background:#fde8e8;border:1px solid #d62728;padding:4px 10px;border-radius:4px;"
        f"font-weight:600'>{html.escape(marking_text())}</div>", unsafe_allow_html=True)
    text = notice()
    if text:
        st.warning(text, icon=":material/person_alert:")


def marking_text() -> str:
    w = window()
    return (f"{MARKING} · as at {w.as_at.isoformat()} · window {w.days} days "
            f"({w.start_iso} to {w.as_at.isoformat()}) · redaction: {redaction()}")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def md(text: object) -> str:
    r"""Record text made inert for Streamlit markdown (headings, captions): shown as typed.

    >>> md("<img src=x> [a](javascript:x)")
    '\\<img src=x\\> \\[a\\]\\(javascript\\:x\\)'
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def awaiting(what: str, analysis: str) -> None:
    """Say which analysis a part of a page waits for (never a made-up number)."""
    st.info(f"**{what}**: awaits {views.AWAITING[analysis]}.")


def run_page(run: Callable[[], Any], url_path: str | None = None) -> None:
    """Run a page; a page or view the user's role may not see stops with the reason, not a
    traceback (the navigation already hides such pages; this covers any other way in)."""
    with _warm_lock:
        _warm_state["running"] += 1
    try:
        if url_path is not None and not page_allowed(url_path):
            action = PAGE_ACTIONS.get(url_path, "view_person")
            raise access.AccessDenied(f"role {actor().role} may not see this page (it needs {action})")
        run()
    except access.AccessDenied as exc:
        st.error(md(str(exc)))
        return
    finally:
        with _warm_lock:
            _warm_state["running"] -= 1
            _warm_state["page_ended"] = time.monotonic()
    warm()


# --- the rest of a window, computed while the user reads the page ------------------------------
# A window change computes what the page on screen shows; the other pages of that window would
# each compute theirs when opened (at borough size seconds each: the peer groups' stability and
# disruption steps, the place analysis, the complex strategy view). After a page has run, one
# background thread computes them into the same caches, in the order the pages need them, so the
# next page opened finds its window ready. Streamlit's caches take one lock per entry: a page
# asking for an entry being computed waits for it, nothing is computed twice. A newer window
# (any session) stops the older one's thread at its next step, so warming never queues up.
# Warming is for idle time only: each step waits until no page is running in any session and
# none has ended for ``app.warm_after_seconds``, so it never competes on the CPU (2 cores here)
# with a page being computed or, just after, with the browser drawing what that page sent.
_warm_lock = threading.Lock()
_warm_state: dict[str, Any] = {"latest": None, "done": [], "running": 0, "page_ended": 0.0}


def _warm_steps(view: str, version: str, as_at: str, days: int, level: str) -> list[tuple[str, Callable[[], Any]]]:
    """(the action a role needs to see it, the cached getter to call) for one window."""
    from ..network._brandes import preload

    a = (view, version, as_at, days)
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("view_group", preload), ("view_group", lambda: _window_graph(*a)), ("view_group", lambda: _part("groups", *a)),
        ("view_person", lambda: _network_source(*a)), ("view_group", lambda: _part("bridges", *a)),
        ("view_places", lambda: _place_analysis(*a)), ("view_places", lambda: _rising_places(*a)),
        ("view_person", lambda: _new_adult_links(*a, level)), ("view_places", lambda: _part("hotspots", *a))]
    steps += [("view_group", lambda name=name: _part(name, *a)) for name in PEER_GROUP_PARTS]
    # Not the complex strategy view: 2-3 s at borough size, the longest step by far, and a page
    # run meanwhile waits for it (warming cannot stop a step half done). A borough Peer group
    # change typed 3 s after the page was drawn took 4.0-5.0 s with it warmed, 2.6-3.9 s without
    # (session 11). Opened, the page computes it in about that time.
    return steps + [("view_places", lambda: _locations_board(*a, None))]


def _idle(key: tuple, quiet: float) -> bool:
    """Wait until no page runs and none has ended for ``quiet`` seconds; ``False`` when a newer
    window asked meanwhile (it goes first)."""
    while True:
        with _warm_lock:
            if _warm_state["latest"] != key:
                return False
            wait = quiet - (time.monotonic() - _warm_state["page_ended"])
            if _warm_state["running"] == 0 and wait <= 0:
                return True
        time.sleep(min(max(wait, 0.05), 0.25))


def _warm_run(key: tuple, steps: list[Callable[[], Any]], delay: float = 0.0) -> None:
    for step in steps:  # a window typed digit by digit: only the last one is warmed
        if not _idle(key, delay):
            return
        try:
            step()
        except Exception:  # a store closed or changed under us: the page computes it when asked
            return
    with _warm_lock:
        _warm_state["done"] = ([key] + _warm_state["done"])[:8]


def warm() -> None:
    """Compute the rest of the sidebar's window in a background thread (see above); each window
    once. Off with ``GRAPHMAP_APP_WARM=0`` (measuring one page's own work)."""
    import os

    if os.environ.get("GRAPHMAP_APP_WARM", "1") == "0" or access.role(actor().role).scope == "packs":
        return
    view, version = _key()
    w = window()
    key = (view, version, w.as_at.isoformat(), w.days, redaction())
    with _warm_lock:
        if key == _warm_state["latest"] or key in _warm_state["done"]:
            return
        _warm_state["latest"] = key
    steps = [fn for action, fn in _warm_steps(*key) if may(action)]
    threading.Thread(target=_warm_run, args=(key, steps, float(schema.setting("app.warm_after_seconds"))),
                     name="graphmap-warm", daemon=True).start()


# The look of a plain table (st.table's: grey headings, light rules, numbers to the right); a long
# one scrolls in a box of about a grid's height, its headings staying in view.
_TABLE_CSS = ("<style>.gm-table{border-collapse:collapse;width:100%;font-size:.875rem;margin:0 0 .5rem}"
              ".gm-table th{text-align:left;font-weight:400;color:rgba(49,51,63,.6);padding:.25rem .5rem;"
              "border-bottom:1px solid rgba(49,51,63,.2);background:#fff}.gm-table td{padding:.25rem .5rem;"
              "vertical-align:top;border-bottom:1px solid rgba(49,51,63,.1)}.gm-table .n{text-align:right}"
              ".gm-scroll{max-height:26rem;overflow:auto}.gm-scroll thead th{position:sticky;top:0}</style>")
#: A plain table of more rows than this scrolls in its box.
_SCROLL_ROWS = 12


def _cell(value: Any) -> str:
    """One cell's text: missing values blank, whole floats without ".0", others to 4 places."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def table_html(data: pd.DataFrame, *, index: bool = False) -> str:
    """``data`` as one HTML table, every heading and cell escaped (``html.escape``).

    Record text is shown exactly as typed: markup, a link or an image in a name stays text, and
    Streamlit's ``st.html`` sanitises the page again (DOMPurify) on top of the escaping.
    """
    numeric = [pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])
               for c in data.columns]
    head = ("<th></th>" if index else "") + "".join(
        f'<th{" class=n" if n else ""}>{html.escape(str(c))}</th>' for c, n in zip(data.columns, numeric))
    rows = []
    for label, values in zip(data.index.tolist(), data.itertuples(index=False, name=None)):
        cells = "".join(f'<td{" class=n" if n else ""}>{html.escape(_cell(v))}</td>' for v, n in zip(values, numeric))
        rows.append("<tr>" + (f"<th>{html.escape(_cell(label))}</th>" if index else "") + cells + "</tr>")
    table = f'<table class="gm-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return _TABLE_CSS + (f'<div class="gm-scroll">{table}</div>' if len(rows) > _SCROLL_ROWS else table)


def show_table(data: Any, *, where: Any = None, key: str | None = None, hide_index: bool | None = None, **kw: Any):
    """A table: up to ``app.plain_table_rows`` rows plain (:func:`table_html`), longer ones as
    Streamlit's scrollable, sortable grid (``st.dataframe``, with ``key`` and ``kw``).

    What a new tab costs to draw (``benchmarks/bench_app_floor.py``, sessions 7 and 9): eight
    small tables added 1.25 s as grids (a large script drawing on a canvas), 0.95 s as
    ``st.table`` (a React component per cell, each cell rendered as Markdown) and 0.37 s as HTML;
    one grid of 250 rows 0.64 s, the same rows as HTML 0.13 s. Above a few hundred rows the grid,
    which draws only the rows in view, is the lighter. The app orders its tables (a timeline by
    date, ties by weight), so a plain table's lack of sorting costs little. ``where``: the
    container or slot (default the page).
    """
    where = st if where is None else where
    styled = isinstance(data, Styler)
    if len(data.data if styled else data) > int(schema.setting("app.plain_table_rows")):
        return where.dataframe(data, key=key, hide_index=hide_index, **kw)
    if styled:  # the app's own numbers with their colours (the hour x day grid)
        return where.table(data, hide_index=hide_index, border="horizontal")
    return where.html(table_html(data, index=not hide_index))


# Pictures and maps drawn last, by their content: the seeded layout (0.2 s for a 250-person
# picture), pyvis's page and folium's map (thousands of places on a borough) were made again on
# every run of a page (a new tab, any widget). Keyed by a digest of the pickled content (2-3 ms;
# Streamlit's own argument hashing took 0.1 s for a picture).
_PICTURES: dict[str, Any] = {}
_PICTURES_KEPT = 64
_pictures_lock = threading.Lock()


def _kept(make: Callable[[], Any], *content: Any) -> Any:
    """``make()``, or what it gave last time for the same ``content`` (most recent kept)."""
    import hashlib
    import pickle

    from ..network._gc import gc_paused

    key = hashlib.sha256(pickle.dumps(content, protocol=5)).hexdigest()
    with _pictures_lock:
        hit = _PICTURES.pop(key, None)
    if hit is None:
        # The collector paused while a map or picture is made: a borough's map (a dict per place,
        # a folium element per hotspot cell) set off a full collection over every object the
        # caches hold, 0.3-0.4 s of a Locations Board window change (session 9). The map's own
        # reference cycles (folium's parent and child links) are young and go at the next
        # collection after.
        with gc_paused():
            hit = make()
    with _pictures_lock:  # most recently used last; the oldest dropped
        _PICTURES[key] = hit
        while len(_PICTURES) > _PICTURES_KEPT:
            del _PICTURES[next(iter(_PICTURES))]
    return hit


def network_page(view: dict, *, height: int, cap: int | None = None) -> tuple[str, str | None]:
    """:func:`graphmap.app.components.network_html` of ``view``, kept per content (see above)."""
    from . import components

    return _kept(lambda: components.network_html(view, height=height, cap=cap), "network", view, height, cap)


def map_page(points: list[dict], *, height: int, areas: list[dict] | None = None) -> str:
    """:func:`graphmap.app.components.map_html`, kept per content (see above)."""
    from . import components

    return _kept(lambda: components.map_html(points, height=height, areas=areas), "map", points, height, areas)


def show_network(view: dict, *, height: int, caption: str | None = None) -> None:
    """A pyvis picture of ``view`` (offline, seeded), the cap message if people were left out,
    and a caption."""
    page, message = network_page(view, height=height)
    if message:
        st.warning(message)
    st.iframe(page, height=height + 20)
    if caption:
        st.caption(caption)


def acting(action: str) -> access.Actor | None:
    """This session's user when their role may ``action`` (a write: load, assess, merge...);
    otherwise the reason is shown and ``None`` returned."""
    try:
        who = actor()
        access.require(who, action)
    except access.AccessDenied as exc:
        st.error(md(str(exc)))
        return None
    return who
