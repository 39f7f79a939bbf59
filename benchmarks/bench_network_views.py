"""Time the Network and Peer group views (the data behind the pages, no browser). Not a test.

    uv run python benchmarks/bench_network_views.py --db PATH [--as-at 2026-10-31] [--days 365]

Runs the network analyses once, then times the window's tie evidence (``views.network_source``,
cached per window by the app), each Network mode (with the cap or one node per group), the
pyvis page built from it, and one found group's assessment. Prints one line per step.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from graphmap import views
    from graphmap.app.components import network_html
    from graphmap.store import open_store
    from graphmap.window import Window

    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--as-at", default="2026-10-31")
    ap.add_argument("--days", type=int, default=365)
    args = ap.parse_args()
    w = Window.ending(args.as_at, args.days)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with open_store(args.db) as s:
        t = time.perf_counter()
        a = views._analysis(s, w)
        print(f"{'analyse (cached by the app)':<48} {time.perf_counter() - t:7.2f} s  {a['counts']}")
        t = time.perf_counter()
        src = views.network_source(s, w)
        print(f"{'network_source (cached by the app)':<48} {time.perf_counter() - t:7.2f} s  "
              f"{len(src['evidence'])} pieces of evidence")
        group = a["peer_groups"][0]["group_id"] if a["peer_groups"] else None
        person = a["recruiters"][0]["person_id"] if a["recruiters"] else src["people"]["person_id"].iloc[0]
        runs = [("window", {}), ("window, one node per group", {"aggregate": True}),
                ("window, size by betweenness", {"size_by": "betweenness"}),
                ("window, missing + found_with, min 2", {"incident_types": ("missing", "found_with"), "min_evidence": 2}),
                (f"group {group}", {"mode": "group", "group_id": group}),
                (f"person {person}, 3 hops", {"mode": "person", "person_id": person, "hops": 3})]
        for name, opts in runs:
            if opts.get("mode") == "group" and not group:
                continue
            opts = {"mode": "window", **opts}
            t = time.perf_counter()
            v = views.network_view(s, w, analysis=a, source=src, **opts)
            view_s = time.perf_counter() - t
            t = time.perf_counter()
            network_html(v, cap=max(len(v["nodes"]), 1))
            print(f"{name:<48} {view_s:7.2f} s  page {time.perf_counter() - t:5.2f} s  "
                  f"{v['counts']['drawn_nodes']} of {v['counts']['people_in_scope']} drawn")
        if group:
            t = time.perf_counter()
            views.peer_group(s, w, group, analysis=a, source=src)
            print(f"{'peer group assessment ' + group:<48} {time.perf_counter() - t:7.2f} s")


if __name__ == "__main__":
    main()
