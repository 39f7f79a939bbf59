"""What a window change costs the app's server, page by page, in CPU seconds (issue 7's window
change target, measured where the browser's figures cannot be: on a busy shared machine CPU time
of the one process is comparable between runs, wall time is not). Not a test.

    uv run python benchmarks/bench_app_cpu.py --db PATH [--as-at 2026-10-31] [--dump FILE.json]

Every page runs in one process through ``streamlit.testing.v1.AppTest``, so the Streamlit caches
are shared between pages as in the server. Each page is opened at the default window (computed
by whichever page asks first: "first" column, the CPU of that run), then changed to a window
length no page has used yet ("change" column: that page's views computed afresh for the new
window). CPU is the process's (all threads), wall is shown beside it. ``--dump`` writes every
page's text, tables and pictures after the change, to compare two versions of the app
(``--compare A.json B.json``: same content for the same window, or the differences).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def page_script(page: str) -> None:
    import importlib

    from graphmap.app import state

    state.sidebar()
    importlib.import_module(f"graphmap.app.{page}").main()


def pages(db: str) -> list[tuple[str, str, dict]]:
    """(label, page module, query parameters): the pages bench_app.py times in the browser."""
    with sqlite3.connect(db) as con:
        person = con.execute("SELECT person_id FROM involvements GROUP BY person_id "
                             "ORDER BY count(*) DESC, person_id LIMIT 1").fetchone()[0]
        group = con.execute("SELECT group_id FROM groups ORDER BY group_id LIMIT 1").fetchone()
    recorded = group[0] if group else "G001"
    return [("Overview", "overview", {}),
            (f"Network, a person ({person})", "network", {"mode": "person", "person": person}),
            ("Network, a found group (PG001)", "network", {"mode": "group", "group": "PG001"}),
            ("Network, whole window", "network", {"mode": "window"}),
            (f"Peer group, recorded ({recorded})", "peer_groups", {"group": recorded}),
            ("Peer group, found (PG001)", "peer_groups", {"group": "PG001"}),
            ("Locations Board", "locations_board", {}),
            (f"Person profile ({person})", "person_profile", {"person": person}),
            ("Complex strategy", "complex_strategy", {}),
            ("Weekly review (not windowed)", "weekly_review", {})]


def content(at) -> dict:
    """What a page shows: its texts, metrics, tables and pictures (to compare two versions)."""
    out: dict = {}
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        out[kind] = [str(e.value) for e in getattr(at, kind)]
    out["metric"] = [[m.label, str(m.value)] for m in at.metric]
    # Grids and plain tables together (a table is one or the other by its length, session 7;
    # a plain table's text is escaped for Markdown: compared as the records hold it).
    out["dataframe"] = [df.value.astype(str).to_dict("split") for df in at.dataframe] + [
        df.value.astype(str).map(lambda v: re.sub(r"\\(.)", r"\1", v) if isinstance(v, str) else v).to_dict("split") for df in at.table]
    out["iframe"] = [e.proto.srcdoc for e in at.get("iframe")]
    out["selectbox"] = [[s.label, [str(o) for o in s.options]] for s in at.selectbox]
    out["exception"] = [str(e.value) for e in at.exception]
    return out


def children_cpu() -> float:
    """CPU seconds of this process's ended children (the app's second core)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(db: str, as_at: str, dump: str | None) -> None:
    from streamlit.testing.v1 import AppTest

    os.environ["GRAPHMAP_DB"] = db
    # No background warming: its thread's CPU (the rest of a window, computed once a page has
    # ended) counts in this process's time and fell into whichever page ran next (session 7;
    # earlier figures include some of it). ``--warm`` keeps it.
    os.environ.setdefault("GRAPHMAP_APP_WARM", "0")
    # AppTest scans every installed package for Streamlit components on each run (0.5-2 s CPU
    # here); the server does it once at start. Scan once, so the figures are the app's own.
    from streamlit.components.v2.component_manager import BidiComponentManager

    scan = BidiComponentManager.discover_and_register_components
    done: list = []

    def once(self, *a, **k):
        if not done:
            done.append(scan(self, *a, **k))
    BidiComponentManager.discover_and_register_components = once
    t0 = time.process_time()
    import graphmap.app.state as state  # (imports counted apart)
    print(f"imports {time.process_time() - t0:.2f} s CPU")
    # The Peer group page is drawn first without its late parts, then completed: the CPU up to
    # the moment it asks for the whole assessment is its first paint ("paint" column).
    marks: list[float] = []
    whole = state.peer_group

    def marked(group_id, *, first=False):
        if not first:
            marks.append(time.process_time())
        return whole(group_id, first=first)
    state.peer_group = marked
    # "second core": the CPU of the forked process that works out the Peer group page's late parts
    # meanwhile (graphmap.app.forked; windows of app.second_core_min_people or more), counted
    # once it has ended; the change's wall time is the page's whole wait.
    print(f"{'page':<36} {'first cpu':>9} {'wall':>6} {'change cpu':>10} {'wall':>6} {'paint cpu':>9} "
          f"{'second core':>11}")
    dumped = {}
    for i, (label, page, params) in enumerate(pages(db)):
        def open_at(days: int | None):
            at = AppTest.from_function(page_script, args=(page,), default_timeout=1800)
            at.session_state["as_at"] = date.fromisoformat(as_at)
            if days is not None:
                at.session_state["window_days"] = days
            for k, v in params.items():
                at.query_params[k] = v
            marks.clear()
            c, t, k = time.process_time(), time.perf_counter(), children_cpu()
            at.run()
            return (at, time.process_time() - c, time.perf_counter() - t, (marks[0] - c if marks else None),
                    children_cpu() - k)
        _, first_cpu, first_wall, _, _ = open_at(None)
        # A window length no page used before (the browser benchmark's change), on a fresh
        # session with the same page and choices.
        at, cpu, wall, paint, second = open_at(300 - i)
        if at.exception:
            print(f"  {label}: {[str(e.value) for e in at.exception]}")
        painted = f"{paint:>9.2f}" if paint is not None else f"{'':>9}"
        print(f"{label:<36} {first_cpu:>9.2f} {first_wall:>6.2f} {cpu:>10.2f} {wall:>6.2f} {painted} {second:>11.2f}",
              flush=True)
        dumped[label] = content(at)
    if dump:
        Path(dump).write_text(json.dumps(dumped, ensure_ascii=False, sort_keys=True))


def _same_ids(doc: dict) -> dict:
    """folium names its map elements with random ids, and the store path differs per copy."""
    text = json.dumps(doc, sort_keys=True)
    text = re.sub(r"_[0-9a-f]{32}\b", "_ID", text)
    return json.loads(re.sub(r"sqlite:////[^`\\\"]*", "sqlite:////DB", text))


def compare(a: str, b: str) -> int:
    """Key by key: every page, every kind of element, every element in order."""
    da, db_ = (_same_ids(json.loads(Path(f).read_text())) for f in (a, b))
    diffs = 0
    for page in sorted(set(da) | set(db_)):
        pa, pb = da.get(page, {}), db_.get(page, {})
        for kind in sorted(set(pa) | set(pb)):
            xa, xb = pa.get(kind), pb.get(kind)
            if xa != xb:
                diffs += 1
                n = max(len(xa or []), len(xb or []))
                which = [j for j in range(n) if (xa or [None] * n)[j:j + 1] != (xb or [None] * n)[j:j + 1]]
                print(f"DIFFERENT: {page} / {kind} (elements {which[:10]})")
    print("same content" if not diffs else f"{diffs} differences")
    return 1 if diffs else 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--as-at", default="2026-10-31")
    ap.add_argument("--dump")
    ap.add_argument("--warm", action="store_true", help="keep the app's background warming on")
    ap.add_argument("--compare", nargs=2)
    args = ap.parse_args()
    if args.compare:
        raise SystemExit(compare(*args.compare))
    if args.warm:
        os.environ["GRAPHMAP_APP_WARM"] = "1"
    run(args.db, args.as_at, args.dump)


if __name__ == "__main__":
    main()
