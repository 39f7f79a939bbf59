"""The second core's graph-only analyses on one person graph, against bare igraph (a script).

    uv run python benchmarks/bench_share.py --graph person_graph.pkl [--igraph-steps N] [--out F.json]

``--graph`` is a pickled NetworkX person graph (the one ``graphmap analyse`` builds: node
attribute ``role``). Times, in CPU seconds of this process (the figure that transfers on a
shared machine), each of ``bridge_betweenness``, ``disruption_targets`` and ``exposure`` as
``graphmap analyse`` calls them, then the same computations with igraph's betweenness in the
same run: the 500 sampled pivots, and the sequential removal (sampled adults of concern to
young people, one person removed per step) for ``--igraph-steps`` steps (default all; at
region size each step costs minutes, so its per-step figure is scaled to the full run).
The compiled kernel's one-off start (numba's import and its cached code) is timed apart.
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphmap import schema  # noqa: E402
from graphmap.network._brandes import _compiled  # noqa: E402
from graphmap.network._igraph import to_igraph  # noqa: E402
from graphmap.network.bridges import bridge_betweenness  # noqa: E402
from graphmap.network.disruption import disruption_targets  # noqa: E402
from graphmap.network.exposure import exposure  # noqa: E402


def clock(fn, *a, **k):
    c = time.process_time()
    w = time.perf_counter()
    out = fn(*a, **k)
    return out, round(time.process_time() - c, 3), round(time.perf_counter() - w, 3)


def bare_removal(g, young: np.ndarray, adults: np.ndarray, steps: int, m: int, seed: int = 0) -> list:
    """disruption_targets' loop in bare igraph: sampled adults -> young people betweenness (with
    the endpoint term left out), remove the top non-young person, components, repeat."""
    rng = np.random.default_rng(seed)
    hh, ad, yo = g.copy(), adults.copy(), young.copy()
    removed = []
    for _ in range(steps):
        src = np.flatnonzero(ad)
        src = np.sort(rng.choice(src, size=min(m, len(src)), replace=False))
        b = np.asarray(hh.betweenness(directed=False, sources=src, targets=np.flatnonzero(yo)))
        b[yo] = -1
        i = int(b.argmax())
        removed.append(i)
        hh.delete_vertices([i])
        ad, yo = np.delete(ad, i), np.delete(yo, i)
        hh.connected_components()
    return removed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--graph", type=Path, required=True)
    ap.add_argument("--igraph-steps", type=int, default=None)
    ap.add_argument("--skip", default="", help="comma-separated parts to leave out (igraph, exposure, ...)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    G, t_load, _ = clock(pickle.load, args.graph.open("rb"))
    fig: dict = {"machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}",
                 "graph": {"people": G.number_of_nodes(), "ties": G.number_of_edges()}, "cpu_s": {}, "wall_s": {}}

    def put(name, cpu, wall):
        fig["cpu_s"][name], fig["wall_s"][name] = cpu, wall
        print(f"{name}: CPU {cpu} s, wall {wall} s", flush=True)

    _, c, w = clock(to_igraph, G, "weight")  # as graphmap analyse does before its fork
    put("igraph_conversion", c, w)
    gc.freeze()
    _, c, w = clock(lambda: _compiled()["within"](np.array([0, 0], np.int64), np.zeros(0, np.int32),
                                                   np.zeros(1, np.int64), np.ones(1, np.bool_), 1))
    put("kernel_start (numba import + cached code)", c, w)
    (bc, method), c, w = clock(bridge_betweenness, G, seed=0)
    put(f"bridge_betweenness ({method})", c, w)
    if "disruption" not in skip:
        dis, c, w = clock(disruption_targets, G, seed=0)
        put("disruption_targets", c, w)
        fig["disruption_first"] = [(d["person_id"], d["young_people_within_hops"]) for d in dis[:3]]
    if "exposure" not in skip:
        _, c, w = clock(exposure, G)
        put("exposure", c, w)
    if "igraph" not in skip:
        g, nodes = to_igraph(G)
        n = g.vcount()
        k = int(schema.setting("network.bridges.pivots"))
        piv = sorted(np.random.default_rng(0).choice(n, size=k, replace=False).tolist())
        raw, c, w = clock(g.betweenness, directed=False, sources=piv, targets=None)
        put(f"igraph betweenness, same {k} pivots", c, w)
        ours = np.array([bc[v] for v in nodes])
        theirs = np.asarray(raw) * (n / k) * 2.0 / ((n - 1) * (n - 2))
        fig["pivots_max_relative_difference"] = float(np.abs(ours - theirs).max() / max(theirs.max(), 1e-300))
        role = dict(G.nodes(data="role"))
        young = np.array([role.get(v) == "young_person" for v in nodes])
        adults = np.array([role.get(v) == "adult_of_concern" for v in nodes])
        steps = int(schema.setting("network.disruption.steps"))
        run = min(steps, args.igraph_steps or steps)
        _, c, w = clock(bare_removal, g, young, adults, run, int(schema.setting("network.disruption.max_sources")))
        put(f"igraph sequential removal, {run} of {steps} steps", c, w)
        if run < steps:
            put(f"igraph sequential removal, {steps} steps (scaled)", round(c * steps / run, 1), round(w * steps / run, 1))
    fig["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(fig, indent=1))
    if args.out:
        args.out.write_text(json.dumps(fig, indent=1))


if __name__ == "__main__":
    main()
