"""What Streamlit itself costs on this machine, before any page of ours (issue 7's 2 s first
render and 1 s window change). Not a test: prints one line per kind of page.

    uv run python benchmarks/bench_app_floor.py [--tabs 6] [--chromium /usr/bin/chromium]

Serves a few one-file Streamlit pages with the project's own config (``.streamlit/``), each
with the app's window box in the sidebar and a title, and times them as ``bench_app.py`` times
the app's pages (fresh tab in one browser profile until drawn; a window change from Enter):
an empty page, six small tables as ``st.dataframe`` (the app's tables), the same as
``st.table``, and a 600-pixel frame of 200 KB of HTML (about a network picture's size). The
first tab of each kind is the first visit (the browser cache empty) and is left out of the
medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench_app import app_server, first_and_change, launch  # noqa: E402

PAGE = '''
import pandas as pd
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
days = st.sidebar.number_input("Window (days)", min_value=1, value=365, key="window_days")
st.title("Floor")
st.caption(f"OFFICIAL-SENSITIVE · window {{days}} days")
table = pd.DataFrame({{"id": [f"P{{i:04d}}" for i in range(30)], "name": ["Young person A"] * 30,
                      "incidents": range(30), "last seen": ["2026-10-01"] * 30}})
for i in range({tables}):
    st.subheader(f"Table {{i}}")
    st.{kind}(table)
if {frame}:
    st.iframe("<html><body>" + "<div>x</div>" * 16000 + "</body></html>", height=600)
'''
KINDS = {"empty page": dict(tables=0, kind="table", frame=False),
         "6 tables, st.dataframe": dict(tables=6, kind="dataframe", frame=False),
         "6 tables, st.table": dict(tables=6, kind="table", frame=False),
         "a frame of 200 KB": dict(tables=0, kind="table", frame=True)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tabs", type=int, default=6)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"{'page':<26} {'first visit s':>13} {'first render s (median, range)':>32} {'window change s':>22}")
    for label, kind in KINDS.items():
        script = Path(tempfile.mkdtemp()) / "floor.py"
        script.write_text(PAGE.format(**kind))
        with app_server("unused", script) as url, sync_playwright() as p:
            b = launch(p, args.chromium)
            profile = b.new_context()
            firsts, changes = [], []
            for i in range(args.tabs + 1):
                first, change = first_and_change(profile.new_page, url, 300 - i)
                firsts.append(first)
                changes.append(change)
            b.close()
        f, c = firsts[1:], changes[1:]
        print(f"{label:<26} {firsts[0]:>13.2f} {statistics.median(f):>14.2f} ({min(f):.2f}-{max(f):.2f}) "
              f"{statistics.median(c):>14.2f} ({min(c):.2f}-{max(c):.2f})", flush=True)


if __name__ == "__main__":
    main()
