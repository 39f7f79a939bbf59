"""Meeting packs: how long each kind takes to build and render, and how big it is.

    uv run python benchmarks/bench_packs.py --db sample_data/bench/demo.db --as-at 2026-09-19 [--level full]

For each pack kind: seconds to build (the view at the redaction level, pictures included), to
render HTML and DOCX, and the sizes. Wall time with CPU time beside it: on a shared machine the
CPU figure is the one to compare. Targets (issue 7: a page within 2 s on the demo borough, 5 s
on the 20,000-person borough) apply to the pages; a pack is made on request, so these are
reported, never asserted.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphmap.packs import render_docx, render_html  # noqa: E402
from graphmap.packs.build import build_pack  # noqa: E402
from graphmap.store import open_store  # noqa: E402
from graphmap.window import Window  # noqa: E402


def timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--as-at", default="2026-09-19")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--level", default="professionals-only")
    ap.add_argument("--group", default="G011")
    ap.add_argument("--person", default="P0045")
    args = ap.parse_args()
    window = Window.ending(args.as_at, args.days)
    ids = {"peer-group": {"group_id": args.group}, "locations-board": {}, "complex-strategy": {},
           "weekly-review": {}, "person": {"person_id": args.person}}
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}; {args.db}, "
          f"as at {args.as_at}, {args.days} days, {args.level}\n")
    print("| kind | build s (cpu) | HTML s (cpu) | DOCX s (cpu) | sections | table rows | pictures | HTML KB | DOCX KB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    with open_store(args.db) as store:
        store.table("people")  # warm the store's table cache once, as an app would be
        for kind, kw in ids.items():
            pack, bw, bc = timed(lambda: build_pack(kind, store, window, redaction=args.level, **kw))
            page, hw, hc = timed(lambda: render_html(pack))
            docx, dw, dc = timed(lambda: render_docx(pack))
            rows = sum(len(t.rows) for s in pack.sections for t in s.tables)
            pics = sum(len(s.images) for s in pack.sections)
            print(f"| {kind} | {bw:.2f} ({bc:.2f}) | {hw:.2f} ({hc:.2f}) | {dw:.2f} ({dc:.2f}) | {len(pack.sections)} | "
                  f"{rows} | {pics} | {len(page.encode()) / 1024:.0f} | {len(docx) / 1024:.0f} |")


if __name__ == "__main__":
    main()
