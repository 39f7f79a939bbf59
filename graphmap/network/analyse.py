"""The whole network analysis of a window, as one plain document (what ``graphmap analyse`` writes).

Keys (lists ranked best first): ``as_at, window_days, peer_groups, bridges, recruiters,
co_missing, exposure, complex_strategy, disruption_targets, cross_borough, hotspots`` (filled by
the place analyses; an empty list here), and ``counts`` / ``timings_s`` / ``settings`` so a
reader can see what the numbers were computed over.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from .. import schema
from ..window import Window
from .bridges import bridges
from .co_missing import co_missing
from .complex_strategy import complex_strategy
from .cross_borough import cross_borough_links, family_pairs, schools_attended
from .disruption import disruption_targets
from .exposure import exposure
from .graphs import NON_LINKING_ROLES, Frames, load_frames, person_graph, place_evidence, tie_evidence
from .peer_groups import group_context, group_of, group_stability, peer_groups, stability_reruns
from .recruiters import likely_recruiters


def _timer(t: dict, cpu: dict):
    def timed(name, fn, *a, **k):
        t0, c0 = time.perf_counter(), time.process_time()
        r = fn(*a, **k)
        t[name] = round(time.perf_counter() - t0, 3)
        cpu[name] = round(time.process_time() - c0, 3)
        return r
    return timed


# What a forked worker reads: set just before the fork, so the graphs are inherited, not pickled.
_SHARED: dict = {}


def _second_core() -> tuple[dict, dict, dict]:
    """The share of the analyses run in the worker process: the peer-group stability re-runs, the
    person-place evidence, complex strategy and disruption targets. Returns (results, wall
    seconds, CPU seconds)."""
    frames, G, seed = _SHARED["frames"], _SHARED["G"], _SHARED["seed"]
    t: dict[str, float] = {}
    cpu: dict[str, float] = {}
    timed = _timer(t, cpu)
    reruns = timed("peer_group_stability", stability_reruns, G, seed=seed)
    # Complex strategy reads the person-place evidence as a table: the bipartite graph
    # (person_location_graph) is built only where it is drawn (the app, packs).
    places = timed("place_evidence", place_evidence, frames,
                   presence_kinds=schema.setting("network.complex_strategy.presence_kinds"))
    out = {"stability_reruns": reruns,
           "complex_strategy": timed("complex_strategy", complex_strategy, G, places=places,
                                     locations=frames.locations),
           "disruption_targets": timed("disruption_targets", disruption_targets, G, seed=seed)}
    return out, t, cpu


def analyse_frames(frames: Frames, *, seed: int = 0, workers: int = 1, evidence=None, graph=None) -> dict:
    """Every network analysis over one window's frames (see the module docstring for the keys).

    With ``workers=2`` (on a system that can fork) the peer-group stability re-runs, the
    person-place evidence, complex strategy and disruption targets run in a forked process
    while this one runs the rest: the same
    results, on two cores. Timings then overlap; ``wall_s`` is the whole.

    ``evidence`` and ``graph``, when the caller already holds them for these frames
    (:func:`tie_evidence` and :func:`person_graph`: the app keeps both per window), are used
    as they are instead of being built again; the analyses only read them.
    """
    t: dict[str, float] = {}
    cpu: dict[str, float] = {}
    timed = _timer(t, cpu)
    start = time.perf_counter()
    ev = timed("tie_evidence", tie_evidence, frames) if evidence is None else evidence
    G = timed("person_graph", person_graph, frames, evidence=ev) if graph is None else graph
    pool = future = None
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        _SHARED.update(frames=frames, G=G, seed=seed)
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        future = pool.submit(_second_core)  # the worker forks here, with G in its memory
        _SHARED.clear()
    groups = timed("peer_groups", peer_groups, G, seed=seed, stability_runs=0)
    timed("group_context", group_context, groups, frames)
    doc = {
        "as_at": frames.window.as_at.isoformat(),
        "window_days": frames.window.days,
        "window_start": frames.window.start_iso,
        "peer_groups": groups,
        "bridges": timed("bridges", bridges, G, groups=groups, seed=seed,
                         rank_by=str(schema.setting("network.bridges").get("rank_by", "betweenness"))),
        "recruiters": timed("recruiters", likely_recruiters, G, groups=groups,
                            first_incident=frames.first_incident.to_dict()),
        "co_missing": timed("co_missing", co_missing, frames),
        "exposure": timed("exposure", exposure, G),
    }
    if future is not None:
        try:
            out, t2, cpu2 = future.result()
        finally:
            pool.shutdown()
    else:
        _SHARED.update(frames=frames, G=G, seed=seed)
        try:
            out, t2, cpu2 = _second_core()
        finally:
            _SHARED.clear()
    t.update(t2)
    cpu.update(cpu2)
    c0 = time.process_time()
    group_stability(G, groups, seed=seed, reruns=out["stability_reruns"])  # re-runs timed on their own
    cpu["peer_group_stability"] = round(cpu["peer_group_stability"] + time.process_time() - c0, 3)
    doc["complex_strategy"] = out["complex_strategy"]
    doc["disruption_targets"] = out["disruption_targets"]
    doc["cross_borough"] = timed("cross_borough", lambda: cross_borough_links(
        G, schools=schools_attended(frames), family=family_pairs(frames)))
    doc["hotspots"] = []
    doc["counts"] = {"people": G.number_of_nodes(), "ties": G.number_of_edges(), "tie_evidence": len(ev),
                     "incidents": len(frames.incidents), "young_people": sum(
                         1 for _, r in G.nodes(data="role") if r == "young_person")}
    doc["settings"] = schema.setting("network")
    doc["seed"] = seed
    doc["workers"] = 2 if future is not None else 1
    doc["timings_s"] = t
    doc["cpu_s"] = cpu
    doc["wall_s"] = round(time.perf_counter() - start, 3)
    return doc


def analyse(store, window: Window, *, seed: int = 0, workers: int = 1) -> dict:
    """Load the window's frames from ``store``, run :func:`analyse_frames`, and add the place
    hotspots (graphmap.places) with "groups using a place" taken from these peer groups.

    A person known under several ids (identity resolution) is reported by the canonical id,
    with every id under ``source_ids``.
    """
    from ..places import hotspots_for_json
    from ..places.place_records import PlaceRecords

    # One read of the window and the one before it: the network analyses use the window, the
    # place trend both (two reads cost 2 s more at borough size, minutes at region size).
    span = store.window_records(window.previous().start_iso, window.end_iso, exclude_roles=NON_LINKING_ROLES)
    frames = load_frames(store, window, records=span)
    doc = analyse_frames(frames, seed=seed, workers=workers)
    t0, c0 = time.perf_counter(), time.process_time()
    doc["hotspots"] = hotspots_for_json(PlaceRecords.from_store(store, window, records=span), window,
                                        groups=group_of(doc["peer_groups"]))
    doc["timings_s"]["hotspots"] = round(time.perf_counter() - t0, 3)
    doc["cpu_s"]["hotspots"] = round(time.process_time() - c0, 3)
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
