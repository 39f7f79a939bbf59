"""Page render times in a real browser (issue 7: first render within 2 s, window change within 1 s
on the demo borough). Not a test: prints one line per page.

    uv run python benchmarks/bench_app.py [--db PATH] [--chromium /usr/bin/chromium]

Builds the demo borough into a temporary store unless --db is given, starts the app on a free
port, opens each page once to warm the server, then times a fresh load of each page (until
Streamlit reports it idle) and a change of the window on each.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["overview", "data", "network?mode=person&person=P0064", "network?mode=group&group=PG001",
         "network?mode=window", "peer-groups?group=G003", "peer-groups?group=PG001", "locations-board",
         "person?person=P0064", "complex-strategy", "weekly-review"]
IDLE = "() => !document.querySelector('[data-testid=stStatusWidget]') && !!document.querySelector('h1')"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    db = args.db
    if not db:
        db = str(Path(tempfile.mkdtemp()) / "demo.db")
        subprocess.run([sys.executable, "-m", "graphmap.cli", "demo", "--db", db, "--no-app"], check=True,
                       stdout=subprocess.DEVNULL)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--server.enableStaticServing", "true", "--browser.gatherUsageStats", "false",
                             "--", "--db", db], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            try:
                if urllib.request.urlopen(url + "_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=args.chromium,
                                  args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for page in PAGES:  # warm: imports, caches
                pg = b.new_page()
                pg.goto(url + page)
                pg.wait_for_function(IDLE, timeout=180000)
                pg.close()
            print(f"{'page':<26} {'first render s':>14} {'window change s':>16}")
            for page in PAGES:
                pg = b.new_page()
                t = time.monotonic()
                pg.goto(url + page)
                pg.wait_for_function(IDLE, timeout=180000)
                first = time.monotonic() - t
                box = pg.get_by_label("Window (days)", exact=True)
                t = time.monotonic()
                box.fill("180")
                box.press("Enter")
                pg.wait_for_function("() => document.body.innerText.includes('window 180 days')", timeout=180000)
                pg.wait_for_function(IDLE, timeout=180000)
                change = time.monotonic() - t
                print(f"{page:<26} {first:>14.2f} {change:>16.2f}")
                pg.close()
            b.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


if __name__ == "__main__":
    main()
