"""How far sampled betweenness is from exact on a borough's person graph (issue 9: sampled
betweenness is fine where its error is measured and stated).

    uv run python benchmarks/betweenness_error.py --db sample_data/bench/borough.db [--as-at 2026-10-31]

Exact betweenness (igraph, every source) against the ``k``-pivot estimate used by
:func:`graphmap.network.bridges.betweenness` for several ``k`` and seeds: Pearson and Spearman
correlation over all people, the largest absolute error, and how many of the exact top 50 /
top 200 the estimate also puts in its top 50 / top 200. CPU and wall seconds of each.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    import numpy as np
    from scipy.stats import spearmanr

    from graphmap.network.bridges import betweenness
    from graphmap.network.graphs import load_frames, person_graph
    from graphmap.store import open_store
    from graphmap.window import Window

    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--as-at", default="2026-10-31")
    ap.add_argument("--k", default="100,200,500,1000")
    ap.add_argument("--seeds", default="0,1,2")
    a = ap.parse_args()
    with open_store(a.db) as store:
        G = person_graph(load_frames(store, Window.ending(a.as_at, None)))
    nodes = list(G)
    t, c = time.perf_counter(), time.process_time()
    exact = betweenness(G)
    print(f"graph: {G.number_of_nodes():,} people, {G.number_of_edges():,} ties")
    print(f"exact: {time.perf_counter() - t:.1f} s wall, {time.process_time() - c:.1f} s CPU\n")
    x = np.array([exact[v] for v in nodes])
    top = {n: set(np.argsort(-x, kind="stable")[:n]) for n in (50, 200)}
    print("| pivots k | seed | wall s | CPU s | Pearson r | Spearman rho | max abs error | top-50 overlap | top-200 overlap |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for k in map(int, a.k.split(",")):
        for seed in map(int, a.seeds.split(",")):
            t, c = time.perf_counter(), time.process_time()
            est = betweenness(G, k=k, seed=seed)
            w, cpu = time.perf_counter() - t, time.process_time() - c
            y = np.array([est[v] for v in nodes])
            r = float(np.corrcoef(x, y)[0, 1])
            rho = float(spearmanr(x, y).statistic)
            ov = {n: len(top[n] & set(np.argsort(-y, kind="stable")[:n])) / n for n in (50, 200)}
            print(f"| {k} | {seed} | {w:.2f} | {cpu:.2f} | {r:.3f} | {rho:.3f} | {np.abs(x - y).max():.4f} | "
                  f"{ov[50]:.2f} | {ov[200]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
