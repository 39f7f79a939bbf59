"""Benchmark the network analyses on a borough-sized store (a script, not a test).

    uv run python benchmarks/bench_network.py --folder /path/to/borough   # a generated canonical folder
    uv run python benchmarks/bench_network.py                             # a random one of the same size
    uv run python benchmarks/bench_network.py --db /tmp/borough.db        # an already loaded store

Times reading the store, building the graphs and every analysis (target: all analyses together
within 10 s on 2 cores), then times the same algorithms in NetworkX and igraph in the same run
and prints the ratio. ``--exact-check`` also computes exact betweenness to measure the error of
the sampled estimate used on large graphs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphmap import schema  # noqa: E402
from graphmap.network import analyse as an  # noqa: E402
from graphmap.network._igraph import to_igraph  # noqa: E402
from graphmap.network.bridges import betweenness  # noqa: E402
from graphmap.network.graphs import load_frames, young_people  # noqa: E402
from graphmap.store import open_store  # noqa: E402
from graphmap.window import Window  # noqa: E402

from bench_share import bare_removal  # noqa: E402  (the loop in bare igraph, one copy)


def random_borough(out: Path, people: int, incidents: int, as_at: date, seed: int = 7) -> Path:
    """A random canonical folder: young people in clusters of ~8, adults tied to several
    clusters, incidents naming 1-4 people (mostly one cluster), missing episodes, places."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    n_adult, n_assoc = people // 40, people // 20
    roles = np.array(["young_person"] * (people - n_adult - n_assoc) + ["adult_of_concern"] * n_adult
                     + ["associate"] * n_assoc)
    pid = np.array([f"P{i:06d}" for i in range(people)])
    n_loc = people // 10
    lid = np.array([f"L{i:05d}" for i in range(n_loc)])
    ny = int((roles == "young_person").sum())
    cluster = rng.integers(0, max(ny // 8, 1), ny)
    members: dict[int, np.ndarray] = {}
    order = np.argsort(cluster)
    bounds = np.searchsorted(cluster[order], np.arange(cluster.max() + 2))
    for c in range(cluster.max() + 1):
        members[c] = order[bounds[c]:bounds[c + 1]]

    def write(name, header, rows):
        with open(out / name, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)

    dob_y = np.where(roles == "young_person", rng.integers(2009, 2015, people), rng.integers(1970, 2004, people))
    write("people.csv", ["person_id", "forename", "surname", "date_of_birth", "gender", "role", "borough", "flags",
                         "source"],
          ((p, "", "", f"{y}-0{1 + i % 9}-1{i % 9}", "unknown", r, "Wandlebury", "", "bench")
           for i, (p, r, y) in enumerate(zip(pid, roles, dob_y))))
    write("locations.csv", ["location_id", "name", "type", "latitude", "longitude", "postcode", "ward", "source"],
          ((lc, "", "park", "", "", "", "", "bench") for lc in lid))
    start0 = as_at - timedelta(days=3 * 365)
    day = rng.integers(0, 3 * 365, incidents)
    hour = rng.integers(0, 24, incidents)
    types = rng.choice(["merlin", "missing", "asb", "stop_search", "intelligence"], incidents, p=[.4, .15, .2, .15, .1])
    loc = rng.integers(0, n_loc, incidents)
    inc_rows, inv_rows = [], []
    adults = np.flatnonzero(roles == "adult_of_concern")
    for i in range(incidents):
        d = start0 + timedelta(days=int(day[i]))
        s = f"{d.isoformat()}T{hour[i]:02d}:00"
        e = (f"{(d + timedelta(days=1)).isoformat()}T{hour[i]:02d}:00" if types[i] == "missing" else "")
        iid = f"I{i:07d}"
        inc_rows.append((iid, types[i], s, e, lid[loc[i]], "", "bench", ""))
        c = members[int(rng.integers(0, len(members)))]
        if not len(c):
            continue
        k = 1 if types[i] == "missing" else int(rng.integers(1, 5))
        who = set(pid[rng.choice(c, min(k, len(c)), replace=False)])
        if rng.random() < 0.05:
            who.add(pid[rng.choice(adults)])
        for j, p in enumerate(sorted(who)):
            inv_rows.append((iid, p, "missing_person" if types[i] == "missing" and j == 0 else "present"))
    write("incidents.csv", ["incident_id", "type", "start", "end", "location_id", "summary", "source", "grading"],
          inc_rows)
    write("involvements.csv", ["incident_id", "person_id", "role"], inv_rows)
    assoc = set()
    for _ in range(people):
        c = members[int(rng.integers(0, len(members)))]
        if len(c) >= 2:
            a, b = rng.choice(c, 2, replace=False)
            assoc.add((pid[a], pid[b], "friend"))
    for a in adults:
        for c in rng.integers(0, len(members), 3):
            if len(members[int(c)]):
                assoc.add((pid[a], pid[rng.choice(members[int(c)])], "youngers"))
    write("associations.csv", ["person_id_a", "person_id_b", "kind", "first_seen", "last_seen", "source", "grading"],
          ((a, b, k, "", "", "bench", "") for a, b, k in sorted(assoc)))
    write("presence.csv", ["person_id", "location_id", "kind", "first_seen", "last_seen", "source"],
          ((pid[i], lid[rng.integers(0, n_loc)], "frequents", "", "", "bench") for i in range(0, people, 3)))
    return out


def clock(fn, *a, **k):
    """(result, CPU seconds): the machines here are shared, so CPU time is the fairer figure."""
    t0 = time.process_time()
    r = fn(*a, **k)
    return r, time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", type=Path, help="canonical folder to load (e.g. the generated borough)")
    ap.add_argument("--db", help="an already loaded store (skips loading)")
    ap.add_argument("--people", type=int, default=20_000)
    ap.add_argument("--incidents", type=int, default=200_000)
    ap.add_argument("--as-at", default="2026-10-31")
    ap.add_argument("--exact-check", action="store_true", help="also compute exact betweenness (slow)")
    ap.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = ap.parse_args()
    as_at = date.fromisoformat(args.as_at)
    fig: dict = {"cores": os.cpu_count(), "load_avg_at_start": os.getloadavg()}
    tmp = Path(tempfile.mkdtemp(prefix="bench_network_"))
    if args.db:
        store = open_store(args.db)
    else:
        folder = args.folder
        if folder is None:
            folder, t = clock(random_borough, tmp / "csv", args.people, args.incidents, as_at)
            fig["generate_random_s"] = round(t, 1)
        store = open_store(tmp / "bench.db")
        _, t = clock(store.load, [folder])
        fig["load_s"] = round(t, 1)
    fig["counts"] = store.counts()
    window = Window.ending(as_at, int(schema.setting("analysis.window_days")))

    frames, t = clock(load_frames, store, window)
    fig["load_frames_cpu_s"] = round(t, 2)
    for workers in (1, 2):
        w0 = time.perf_counter()
        doc, t = clock(an.analyse_frames, frames, seed=0, workers=workers)
        fig[f"workers_{workers}"] = {
            "analyses_wall_s": round(time.perf_counter() - w0, 2), "main_process_cpu_s": round(t, 2),
            "wall_s": doc["timings_s"], "cpu_s": doc["cpu_s"],
            "cpu_s_without_stability": round(sum(v for k, v in doc["cpu_s"].items() if k != "peer_group_stability"), 2)}
    fig["graph"] = doc["counts"]

    # What graphmap calls against the bare igraph call doing the same computation, same run, same
    # graph (the igraph graph converted beforehand); NetworkX beside them for reference. graphmap
    # starts from the person graph as built, whose igraph copy the build makes from its tie
    # arrays (graphs.person_graph -> _igraph.prime: in person_graph's time, figure below).
    import igraph as ig  # noqa: F401
    import random as _random

    from graphmap.network.disruption import disruption_targets
    from graphmap.network.peer_groups import communities

    G = an.person_graph(frames)
    Y = G.subgraph(young_people(G))
    cmp = {}
    cfg = schema.setting("network.peer_groups")
    _, t_ours = clock(communities, Y, weight="weight", seed=0, split_min_modularity=None)
    gy, _ = to_igraph(Y, "weight")
    ig.set_random_number_generator(_random.Random(0))
    _, t_ig = clock(gy.community_leiden, objective_function="modularity", weights="weight", n_iterations=2)
    ig.set_random_number_generator(_random)
    _, t_nx = clock(nx.community.louvain_communities, Y, weight="weight", seed=0)
    cmp["Leiden modularity, one level (young people)"] = (t_ours, t_ig, t_nx)
    _, t_ours = clock(communities, Y, weight="weight", seed=0, split_min_modularity=float(cfg["split_min_modularity"]),
                      split_min_size=int(cfg["split_min_size"]))
    # The same split in igraph: its Leiden runs and the numpy between them, on the converted graph
    # (there is no igraph call that splits by level; this is that loop without graphmap around it).
    from graphmap.network.peer_groups import _split_by_level
    _, t_ig_split = clock(_split_by_level, gy, weights="weight", seed=0, resolution=1.0, quality="modularity",
                          iterations=2, min_modularity=float(cfg["split_min_modularity"]),
                          min_split=int(cfg["split_min_size"]))
    cmp["Leiden modularity + split again by level (igraph column: the same Leiden runs on a converted graph)"] = (
        t_ours, t_ig_split, None)
    k = int(schema.setting("network.bridges.pivots"))
    _, t_ours = clock(betweenness, G, k=k, seed=0)
    g, _ = to_igraph(G)
    piv = sorted(np.random.default_rng(0).choice(g.vcount(), size=k, replace=False).tolist())
    _, t_ig = clock(g.betweenness, directed=False, sources=piv, targets=None)
    kc = 100  # NetworkX is slow here: its figure is for 100 pivots (cost is linear in pivots)
    _, t_nx = clock(nx.betweenness_centrality, G, k=kc, seed=0)
    cmp[f"betweenness, {k} pivots (NetworkX: {kc})"] = (t_ours, t_ig, t_nx)
    _, t_ours = clock(lambda: to_igraph(G, copy=False)[0].articulation_points())  # what bridges() does
    _, t_ig = clock(g.articulation_points)
    _, t_nx = clock(lambda: list(nx.articulation_points(G)))
    cmp["articulation points (graphmap: with to_igraph's copy)"] = (t_ours, t_ig, t_nx)
    # The igraph copy: made by the build from arrays, against walking the built graph's dicts
    # (what every first to_igraph call did before the build made it).
    from graphmap.network._igraph import _convert
    _, t_walk = clock(_convert, G, "weight")
    fig["igraph_copy_cpu_s"] = {"walking_the_graph": round(t_walk, 3),
                                "person_graph_build_including_the_copy": doc["cpu_s"].get("person_graph")}
    from graphmap.network.bridges import ego_betweenness
    _, t_ours = clock(ego_betweenness, G, top=int(schema.setting("network.bridges.max_listed")))
    sample = list(G)[:2000]  # NetworkX's ego graphs: 2,000 people, scaled to all
    _, t_nx = clock(lambda: [nx.betweenness_centrality(nx.ego_graph(G, v), normalized=False)[v] for v in sample])
    cmp["brokerage (ego betweenness), top 200 (igraph has none; NetworkX ego graphs, scaled)"] = (
        t_ours, 0.0, t_nx * G.number_of_nodes() / len(sample))
    # Disruption: ours against the bare igraph loop (sampled subset betweenness, remove the top).
    role = dict(G.nodes(data="role"))
    _, t_ours = clock(disruption_targets, G, seed=0)
    names = list(G)
    adults = np.array([role.get(v) == "adult_of_concern" for v in names])
    young = np.array([role.get(v) == "young_person" for v in names])
    m = int(schema.setting("network.disruption.max_sources"))
    steps = int(schema.setting("network.disruption.steps"))
    _, t_ig = clock(bare_removal, g, young, adults, steps, m)
    cmp["disruption targets (sequential removal)"] = (t_ours, t_ig, None)
    fig["ours_vs_igraph_cpu_s"] = {
        name: {"graphmap": round(a, 3), "igraph": round(b, 3), "ratio": round(a / b, 2) if b else None,
               "networkx": None if c is None else round(c, 3)} for name, (a, b, c) in cmp.items()}
    if args.exact_check:
        exact, t = clock(betweenness, G)
        fig["exact_betweenness_igraph_cpu_s"] = round(t, 1)
        est = betweenness(G, k=k, seed=0)
        nodes = list(G)
        a = np.array([exact[v] for v in nodes])
        b = np.array([est[v] for v in nodes])
        top_exact = set(sorted(nodes, key=lambda v: -exact[v])[:50])
        top_est = set(sorted(nodes, key=lambda v: -est[v])[:50])
        fig["sampled_betweenness_error"] = {
            "pearson_r": round(float(np.corrcoef(a, b)[0, 1]), 4),
            "max_abs_error": round(float(np.abs(a - b).max()), 5),
            "top50_overlap": len(top_exact & top_est) / 50}
    print(json.dumps(fig, indent=1, default=str))
    if args.out:
        args.out.write_text(json.dumps(fig, indent=1, default=str))


if __name__ == "__main__":
    main()
