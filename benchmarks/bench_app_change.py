"""Where a demo window change's time goes in the browser, with warming mid-step (issue 7).

    uv run python benchmarks/bench_app_change.py [--db PATH] [--page URL] [--changes N] [--pause S]

Opens one page (default the network of a person), waits ``--pause`` seconds after each run (the
warming thread starts ``app.warm_after_seconds`` after a run, so it is mid-step), then changes
the window and prints, from Enter: the first websocket message from the server, the marking
with the new window, the end of the run, and how many times a frame loaded (each loads vis-network) and when.
Not a test: timings on a shared machine move between runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench_app import IDLE, app_server, demo_db, launch  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--page", default="network?mode=person&person=P0064")
    ap.add_argument("--changes", type=int, default=6)
    ap.add_argument("--pause", type=float, default=1.6)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    with app_server(args.db or demo_db()) as url:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            b = launch(p, args.chromium)
            pg = b.new_page()
            events: dict[str, list] = {"ws": [], "vis": []}
            pg.on("websocket", lambda ws: ws.on("framereceived",
                                                lambda m: events["ws"].append((time.monotonic(), len(m)))))
            # A frame drawing the network: each load of a frame element loads vis-network (a
            # capturing listener sees every iframe's load event).
            pg.add_init_script("window.__frameLoads = []; document.addEventListener('load', e => {"
                               " if (e.target.tagName === 'IFRAME') window.__frameLoads.push(performance.now()); },"
                               " true);")
            pg.goto(url + args.page, timeout=600000)
            pg.wait_for_function(IDLE, timeout=600000)
            print(f"{'days':>5} {'first message s':>15} {'first content s':>15} {'marking s':>9} {'run ends s':>10}"
                  f" {'frames':>6} (frame loads, s after Enter)")
            for i in range(args.changes):
                time.sleep(args.pause)
                days = str(300 - 40 * i)  # pictures that differ
                box = pg.get_by_label("Window (days)", exact=True)
                box.fill(days, timeout=600000)
                events["ws"].clear()
                t = time.monotonic()
                t_page = pg.evaluate("performance.now()")
                box.press("Enter", timeout=600000)
                pg.wait_for_function(f"() => document.body.innerText.includes('window {days} days')", timeout=600000)
                marking = time.monotonic() - t
                pg.wait_for_function(IDLE, timeout=600000)
                end = time.monotonic() - t
                time.sleep(0.5)  # a frame still loading after the run
                first = min((x for x, _ in events["ws"] if x >= t), default=t) - t
                # the first message carrying page content (not a status message)
                content = min((x for x, n in events["ws"] if x >= t and n > 300), default=t) - t
                loads = [round((x - t_page) / 1000, 2) for x in pg.evaluate("window.__frameLoads") if x >= t_page]
                print(f"{days:>5} {first:>15.2f} {content:>15.2f} {marking:>9.2f} {end:>10.2f} {len(loads):>6} {loads}",
                      flush=True)
            b.close()


if __name__ == "__main__":
    main()
