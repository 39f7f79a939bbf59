"""The whole network analysis of a window, as one plain document (what ``graphmap analyse`` writes).

Keys (lists ranked best first): ``as_at, window_days, peer_groups, bridges, recruiters,
co_missing, exposure, complex_strategy, disruption_targets, cross_borough, hotspots`` (filled by
the place analyses; an empty list here), and ``counts`` / ``timings_s`` / ``settings`` so a
reader can see what the numbers were computed over.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .. import schema
from ..window import Window
from ._gc import gc_paused
from ._igraph import to_igraph
from .bridges import bridge_betweenness, bridges
from .co_missing import co_missing
from .complex_strategy import complex_strategy
from .cross_borough import cross_borough_links, family_pairs, schools_attended
from .disruption import disruption_targets
from .exposure import exposure
from .graphs import NON_LINKING_ROLES, WINDOW_COLUMNS, Frames, load_frames, person_graph, place_evidence, tie_evidence
from .peer_groups import group_context, group_of, group_stability, peer_groups, stability_reruns
from .recruiters import likely_recruiters


# The keys that differ from run to run of the same analysis (how long it took, in how many
# processes): every other key is the same for the same store, window and seed.
RUN_KEYS = ("timings_s", "cpu_s", "wall_s", "read_s", "total_s", "workers", "second_core")


def _timer(t: dict, cpu: dict):
    def timed(name, fn, *a, **k):
        t0, c0 = time.perf_counter(), time.process_time()
        r = fn(*a, **k)
        t[name] = round(time.perf_counter() - t0, 3)
        cpu[name] = round(time.process_time() - c0, 3)
        return r
    return timed


def _call(name, fn, *a, **k):
    return fn(*a, **k)


# How `graphmap analyse` calls the analyses that need more than the graph; the app's per-page
# parts (graphmap/app/state.py) call these too, so both compute the same entries.
def window_recruiters(G, groups: list[dict], frames: Frames) -> list[dict]:
    """:func:`likely_recruiters` with the window's first incidents."""
    first = frames.first_incident  # zip of plain lists: Series.to_dict boxes each Arrow value (0.1-0.25 s)
    return likely_recruiters(G, groups=groups, first_incident=dict(zip(first.index.tolist(), first.tolist())))


def window_complex_strategy(G, frames: Frames, *, timed=_call) -> list[dict]:
    """:func:`complex_strategy` over the window's person-place evidence (a table: the bipartite
    graph is built only where it is drawn, the app and packs)."""
    places = timed("place_evidence", place_evidence, frames,
                   presence_kinds=schema.setting("network.complex_strategy.presence_kinds"))
    return timed("complex_strategy", complex_strategy, G, places=places, locations=frames.locations)


def window_cross_borough(G, frames: Frames) -> list[dict]:
    """:func:`cross_borough_links` with the window's schools and family pairs."""
    return cross_borough_links(G, schools=schools_attended(frames), family=family_pairs(frames))


def bridges_rank_by() -> str:
    """What ``graphmap analyse`` ranks bridges by (``network.bridges.rank_by``)."""
    return str(schema.setting("network.bridges").get("rank_by", "betweenness"))


# What a forked worker reads: set just before the fork, so the graphs are inherited, not pickled.
_SHARED: dict = {}


def _shared_jobs() -> dict[str, Callable]:
    """The analyses either core may run: each needs only the graph, the frames and the seed (not
    the peer groups), and gives the same result wherever it runs. Longest first (measured on the
    borough and the region): the second core takes them from the front, the main one, once the
    peer groups and what needs them are done, from the back (:func:`_analyse_frames`), so the
    two finish together at any size without a fixed split. Each job is
    ``job(G, frames, seed, timed) -> result``."""
    runs = int(schema.setting("network.peer_groups.stability_runs"))
    jobs: dict[str, Callable] = {
        "disruption_targets": lambda G, f, s, timed: timed("disruption_targets", disruption_targets, G, seed=s),
        "bridge_betweenness": lambda G, f, s, timed: timed("bridge_betweenness", bridge_betweenness, G, seed=s)}
    for i in range(runs):
        jobs[f"stability_rerun_{i + 1}"] = (lambda G, f, s, timed, i=i: timed(
            f"stability_rerun_{i + 1}", stability_reruns, G, seed=s, part=slice(i, i + 1)))
    jobs.update({
        "co_missing": lambda G, f, s, timed: timed("co_missing", co_missing, f),
        "complex_strategy": lambda G, f, s, timed: window_complex_strategy(G, f, timed=timed),
        "exposure": lambda G, f, s, timed: timed("exposure", exposure, G),
        "cross_borough": lambda G, f, s, timed: timed("cross_borough", window_cross_borough, G, f)})
    return jobs


def _run_job(name: str) -> tuple[Any, dict, dict]:
    """Run shared job ``name`` on :data:`_SHARED`'s graph, frames and seed, in this process
    (the forked worker, or the main one). Returns (result, wall seconds, CPU seconds)."""
    t: dict[str, float] = {}
    cpu: dict[str, float] = {}
    res = _shared_jobs()[name](_SHARED["G"], _SHARED["frames"], _SHARED["seed"], _timer(t, cpu))
    return res, t, cpu


def analyse_frames(frames: Frames, *, seed: int = 0, workers: int = 1, evidence=None, graph=None,
                   places=None) -> dict:
    """Every network analysis over one window's frames (see the module docstring for the keys).

    With ``workers=2`` (on a system that can fork) a forked process works through the analyses
    that need no peer groups (:func:`_shared_jobs`: disruption targets, the bridges'
    betweenness, the stability re-runs, ...) from the front while this one finds the peer
    groups, runs what needs them, then takes the rest from the back: the same results, on two
    cores. Timings then overlap; ``wall_s`` is the whole; ``second_core`` names the jobs the
    forked process ran.

    ``evidence`` and ``graph``, when the caller already holds them for these frames
    (:func:`tie_evidence` and :func:`person_graph`: the app keeps both per window), are used
    as they are instead of being built again; the analyses only read them.

    ``places`` (a :class:`graphmap.places.place_records.PlaceRecords` of the window), when
    given, fills ``hotspots`` here, on this core while the other works; otherwise ``hotspots``
    is an empty list for the caller to fill.

    The cyclic collector is off throughout (:func:`gc_paused`): the analyses build hundreds of
    thousands of containers and no cycles worth collecting, and every collection walked the
    young ones again (measured on the borough: 5-9 % of the CPU, peak memory unchanged).
    """
    with gc_paused():
        return _analyse_frames(frames, seed=seed, workers=workers, evidence=evidence, graph=graph, places=places)


def _analyse_frames(frames: Frames, *, seed: int = 0, workers: int = 1, evidence=None, graph=None,
                   places=None) -> dict:
    """:func:`analyse_frames` with the collector already paused."""
    t: dict[str, float] = {}
    cpu: dict[str, float] = {}
    timed = _timer(t, cpu)
    start = time.perf_counter()
    ev = timed("tie_evidence", tie_evidence, frames) if evidence is None else evidence
    G = timed("person_graph", person_graph, frames, evidence=ev) if graph is None else graph
    # The frames, evidence and graph live to the end: frozen out of the cyclic collector's sight
    # too, so that a collection some library asks for does not walk millions of objects that
    # cannot be garbage (nor, after a fork, write to their pages). Unfrozen at the end.
    gc.freeze()
    names = list(_shared_jobs())
    _SHARED.update(G=G, frames=frames, seed=seed)
    pool, futures, there = None, {}, []
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        # The igraph copy every analysis cuts from (to_igraph's cache), made once before the
        # fork, so that both processes inherit it instead of each converting the graph.
        to_igraph(G, "weight", copy=False)  # (person_graph made it already; a graph passed in may not have it)
        # One worker, forked at the first submit with the graph and frames in its memory; it
        # runs the jobs in the order submitted.
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        futures = {name: pool.submit(_run_job, name) for name in names}
    results: dict[str, Any] = {}

    def collect(name: str, here: bool) -> None:
        res, t2, cpu2 = _run_job(name) if here else futures[name].result()
        results[name] = res
        t.update(t2)
        cpu.update(cpu2)
        if not here:
            there.append(name)

    try:
        groups = timed("peer_groups", peer_groups, G, seed=seed, stability_runs=0)
        timed("group_context", group_context, groups, frames)
        recruiters = timed("recruiters", window_recruiters, G, groups, frames)
        hot = []
        if places is not None:
            from ..places import hotspots_for_json
            hot = timed("hotspots", hotspots_for_json, places, frames.window, groups=group_of(groups))
        # Then the shared jobs from the back, while the worker has not started them (a future
        # the pool has handed to the worker can no longer be cancelled, nor can any before it).
        for name in reversed(names):
            if not futures or futures[name].cancel():
                collect(name, here=True)
            else:
                break
        for name in names:
            if name not in results:
                collect(name, here=False)
        bridged = timed("bridges", bridges, G, groups=groups, seed=seed, scores=results["bridge_betweenness"],
                        rank_by=bridges_rank_by())
    finally:
        _SHARED.clear()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        gc.unfreeze()
    reruns = [n for n in names if n.startswith("stability_rerun_")]
    c0 = time.process_time()
    group_stability(G, groups, seed=seed, reruns=[r for n in reruns for r in results[n]])  # re-runs timed on their own
    # One figure for the re-runs wherever they ran (CPU adds up; wall: the longer process's share).
    walls = {n: t.pop(n) for n in reruns}
    t["peer_group_stability"] = round(max(sum(w for n, w in walls.items() if n in there),
                                          sum(w for n, w in walls.items() if n not in there)), 3)
    cpu["peer_group_stability"] = round(sum(cpu.pop(n) for n in reruns) + time.process_time() - c0, 3)
    doc = {
        "as_at": frames.window.as_at.isoformat(),
        "window_days": frames.window.days,
        "window_start": frames.window.start_iso,
        "peer_groups": groups,
        "bridges": bridged,
        "recruiters": recruiters,
        "co_missing": results["co_missing"],
        "exposure": results["exposure"],
        "complex_strategy": results["complex_strategy"],
        "disruption_targets": results["disruption_targets"],
        "cross_borough": results["cross_borough"],
        "hotspots": hot,
    }
    doc["counts"] = {"people": G.number_of_nodes(), "ties": G.number_of_edges(), "tie_evidence": len(ev),
                     "incidents": len(frames.incidents), "young_people": sum(
                         1 for _, r in G.nodes(data="role") if r == "young_person")}
    doc["settings"] = schema.setting("network")
    doc["seed"] = seed
    doc["workers"] = 2 if pool is not None else 1
    doc["second_core"] = there
    doc["timings_s"] = t
    doc["cpu_s"] = cpu
    doc["wall_s"] = round(time.perf_counter() - start, 3)
    return doc


def analyse(store, window: Window, *, seed: int = 0, workers: int = 1) -> dict:
    """Load the window's frames from ``store``, run :func:`analyse_frames`, and add the place
    hotspots (graphmap.places) with "groups using a place" taken from these peer groups.

    A person known under several ids (identity resolution) is reported by the canonical id,
    with every id under ``source_ids``.

    Timings: ``wall_s`` is the graphs, the analyses and the hotspots; ``read_s`` the window read
    from the store and its frames (``timings_s.read_window``, ``load_frames``,
    ``place_records``); ``total_s`` both.
    """
    with gc_paused():  # as analyse_frames: the read builds columns and frames, no cycles
        return _analyse(store, window, seed=seed, workers=workers)


def _analyse(store, window: Window, *, seed: int, workers: int) -> dict:
    from ..places.place_records import PlaceRecords

    t0 = time.perf_counter()
    t: dict[str, float] = {}
    cpu: dict[str, float] = {}
    timed = _timer(t, cpu)
    # One read of the window and the one before it: the network analyses use the window, the
    # place trend both (two reads cost 2 s more at borough size, minutes at region size).
    span = timed("read_window", store.window_records, window.previous().start_iso, window.end_iso,
                 exclude_roles=NON_LINKING_ROLES, columns=WINDOW_COLUMNS)
    frames = timed("load_frames", load_frames, store, window, records=span)
    places = timed("place_records", PlaceRecords.from_store, store, window, records=span)
    read_s = time.perf_counter() - t0
    doc = analyse_frames(frames, seed=seed, workers=workers, places=places)
    doc["timings_s"].update(t)
    doc["cpu_s"].update(cpu)
    doc["read_s"] = round(read_s, 3)
    doc["total_s"] = round(time.perf_counter() - t0, 3)
    add_source_ids(doc, frames.source_ids)
    return doc


def add_source_ids(doc: dict, source_ids: dict[str, list[str]]) -> None:
    """Give every result entry about a merged person its ``source_ids`` (and list them all)."""
    doc["source_ids"] = source_ids
    if not source_ids:
        return
    for value in doc.values():
        if isinstance(value, list):
            for entry in value:
                if isinstance(entry, dict):
                    for key in ("person_id", "subject_id", "person_a", "person_b"):
                        pid = entry.get(key)
                        if isinstance(pid, str) and pid in source_ids:
                            entry.setdefault("source_ids", {})[pid] = source_ids[pid]


def _plain(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return None if np.isnan(o) else float(o)
    if isinstance(o, (set, frozenset, tuple)):
        return sorted(o) if isinstance(o, (set, frozenset)) else list(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def write_json(doc: dict, path: str | Path) -> Path:
    """Write an analysis document as UTF-8 JSON.

    One line, no indentation: Python's C encoder is used only without ``indent``, and a
    borough's document (about 40 MB) took 26 s to indent against under 1 s without.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # json.dumps, not json.dump: only dumps (one shot) takes the C encoder.
    path.write_text(json.dumps(doc, default=_plain, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path
