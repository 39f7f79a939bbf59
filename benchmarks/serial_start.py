"""CPU seconds of the serial start of ``graphmap analyse`` (what runs before and beside the fork).

    uv run python benchmarks/serial_start.py --db /tmp/s3/bor.db --as-at 2026-10-31 [--reps 3]
        [--dump FILE.pkl]

Reads the window once, then times (``time.process_time``, the least of ``--reps`` runs, the
collector run before each) ``load_frames``, ``tie_evidence`` and its parts, ``person_graph``,
``peer_groups`` (without the stability re-runs; the igraph conversion included),
``group_context``, ``likely_recruiters``, ``place_evidence`` and ``complex_strategy``; prints
one JSON line. CPU, not wall: the machine is shared, so compare two checkouts by running this
alternately under each (``PYTHONPATH=<checkout> python benchmarks/serial_start.py ...``) in the
same period. ``--dump`` pickles the frames, tie evidence, graph (nodes, edges, evidence
columns), groups, recruiters and complex-strategy candidates, to check two checkouts give the
same results (compare ``repr`` of each: dict order included).
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import time
from datetime import date


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--as-at", default=None)
    ap.add_argument("--window-days", type=int, default=365)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--dump", default=None)
    a = ap.parse_args(argv)

    from graphmap import schema
    from graphmap.network import _igraph, graphs
    from graphmap.network.complex_strategy import complex_strategy
    from graphmap.network.peer_groups import group_context, peer_groups
    from graphmap.network.recruiters import likely_recruiters
    from graphmap.store import open_store
    from graphmap.window import Window

    store = open_store(a.db)
    window = Window.ending(date.fromisoformat(a.as_at) if a.as_at else date.today(), a.window_days)
    span = store.window_records(window.previous().start_iso, window.end_iso, exclude_roles=graphs.NON_LINKING_ROLES)
    cpu: dict[str, float] = {}

    def timed(name, fn, *args, **kw):
        best = None
        for _ in range(a.reps):
            gc.collect()
            c0 = time.process_time()
            out = fn(*args, **kw)
            c = time.process_time() - c0
            best = c if best is None else min(best, c)
        cpu[name] = round(best, 3)
        return out

    frames = timed("load_frames", graphs.load_frames, store, window, records=span)
    ev = timed("tie_evidence", graphs.tie_evidence, frames)
    timed("association_evidence", graphs.association_evidence, frames.associations)
    for part in ("incident_evidence", "co_missing_evidence", "same_place_evidence"):
        timed(part, getattr(graphs, part), frames)

    def graph():
        _igraph._CACHE.clear()  # each run converts afresh, as the first analysis of a window does
        return graphs.person_graph(frames, evidence=ev)

    G = timed("person_graph", graph)

    def groups_():
        _igraph._CACHE.clear()
        return peer_groups(G, seed=0, stability_runs=0)

    groups = timed("peer_groups", groups_)
    groups = timed("group_context", lambda: group_context([dict(g) for g in groups], frames))
    rec = timed("recruiters", likely_recruiters, G, groups=groups, first_incident=frames.first_incident.to_dict())
    places = timed("place_evidence", graphs.place_evidence, frames,
                   presence_kinds=schema.setting("network.complex_strategy.presence_kinds"))
    cs = timed("complex_strategy", complex_strategy, G, places=places, locations=frames.locations)
    if a.dump:
        with open(a.dump, "wb") as f:
            pickle.dump({"ev": ev, "nodes": list(G.nodes(data=True)), "edges": list(G.edges(data=True)),
                         "evcols": G.graph["evidence"], "groups": groups, "rec": rec, "cs": cs}, f)
    store.close()
    print(json.dumps(cpu))
    return cpu


if __name__ == "__main__":
    main()
