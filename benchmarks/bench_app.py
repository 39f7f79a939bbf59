"""Page render times in a real browser (issue 7: first render within 2 s, window change within 1 s
on the demo borough). Not a test: prints one line per page.

    uv run python benchmarks/bench_app.py [--db PATH | --borough PATH] [--chromium /usr/bin/chromium]

Builds the demo borough into a temporary store unless --db is given; ``--borough PATH`` times a
copy of a large store instead (the app writes its audit log to the store, so the file given is
never opened itself), with the person and groups chosen from it (the person named on most
incidents, the first recorded group, the first found group). Starts the app on a free port, times the first visit of each page after the server starts ("cold": imports and the
window's analyses), then a fresh load of each page with the server warm ("first render", until
the page is drawn: :data:`DRAWN`) and a change to a window no page has used yet ("window change", so
that page's views are computed afresh; timed from Enter, the value typed beforehand). Every tab opens in one browser profile, as a user's
tabs do: Streamlit's scripts and fonts (served as immutable, cached for a year) come from the
browser's cache after the first visit. ``--fresh-profile`` opens each tab in a new, empty
profile instead (a first visit ever: about 0.3 s more here).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The Overview is the default page: its address is the bare URL ("/overview" is "page not found").
def pages(person: str = "P0064", recorded: str = "G003", found: str = "PG001") -> list[str]:
    return ["", "data", f"network?mode=person&person={person}", f"network?mode=group&group={found}",
            "network?mode=window", f"peer-groups?group={recorded}", f"peer-groups?group={found}", "locations-board",
            f"person?person={person}", "complex-strategy", "weekly-review"]


def borough_copy(path: str) -> tuple[str, list[str]]:
    """A copy of a large store in a temporary folder, and the pages to time on it."""
    import shutil
    import sqlite3

    db = str(Path(tempfile.mkdtemp()) / "borough.db")
    shutil.copyfile(path, db)
    with sqlite3.connect(db) as con:
        person = con.execute("SELECT person_id FROM involvements GROUP BY person_id "
                             "ORDER BY count(*) DESC, person_id LIMIT 1").fetchone()[0]
        group = con.execute("SELECT group_id FROM groups ORDER BY group_id LIMIT 1").fetchone()
    return db, pages(person, group[0] if group else "PG002")
NAV = ["Data", "Network", "Peer group assessment", "Locations Board", "Person profile", "Complex strategy",
       "Weekly review"]
# Idle: the script run is over (Streamlit marks its root with the run state; the status widget
# alone is not reliable: it can be absent while a long cached computation still runs).
SCRIPT_DONE = ("(() => { const a = document.querySelector('[data-testid=stApp]');"
               " return !!a && a.getAttribute('data-test-script-state') === 'notRunning'; })()")
IDLE = f"() => {SCRIPT_DONE} && !!document.querySelector('h1')"
# Drawn: the run is over, every frame on the page (the network picture, the map) has loaded, no
# element is still a loading placeholder, and the page has not changed for QUIET_MS. Streamlit
# marks the run over before the browser has drawn what it sent: at that moment the network's frame
# is still loading and the tables are not on the page yet (session 7), so "idle" alone understates
# a first render, and a window change typed just after it waited for the browser to finish the
# first. In a new tab each kind of element (select boxes, tables...) is a script loaded on first
# use, shown as a grey placeholder (``stSkeleton``) until then. Evaluating those scripts blocks the
# page's thread for more than QUIET_MS with nothing changing, so without the placeholder check a
# page of placeholders passed as drawn (session 9: the Person profile "drawn" at 2.0 s with 46
# placeholders and 623 nodes; 1,825 nodes when really drawn). The time reported is that of the
# last change to the page (or frame load), not the end of the quiet period.
WATCH = ("window.__drawn = performance.now();"
         " new MutationObserver(() => { window.__drawn = performance.now(); })"
         ".observe(document, {subtree: true, childList: true, attributes: true, characterData: true});"
         " document.addEventListener('load', e => { if (e.target.tagName === 'IFRAME')"
         " window.__drawn = performance.now(); }, true);")
QUIET_MS = 300
DRAWN = (f"() => {SCRIPT_DONE} && !!document.querySelector('h1')"
         " && !document.querySelector('[data-testid=stSkeleton]')"
         " && [...document.querySelectorAll('iframe')].every(f => {"
         " try { return f.contentDocument.readyState === 'complete'; } catch (e) { return true; } })"
         f" && performance.now() - window.__drawn > {QUIET_MS}")

def drawn(pg, since: float | None = None, timeout: float = 600000) -> float:
    """Seconds from ``since`` (the page's clock, ms; default the navigation's start) until the
    page was drawn (:data:`DRAWN`)."""
    pg.wait_for_function(DRAWN, timeout=timeout)
    return (pg.evaluate("window.__drawn") - (since or 0.0)) / 1000


def demo_db() -> str:
    """A fresh demo store (``graphmap demo --no-app``) in a temporary folder."""
    db = str(Path(tempfile.mkdtemp()) / "demo.db")
    subprocess.run([sys.executable, "-m", "graphmap.cli", "demo", "--db", db, "--no-app"], check=True,
                   stdout=subprocess.DEVNULL)
    return db


@contextmanager
def app_server(db: str, script: Path = ROOT / "app.py"):
    """The app (or another Streamlit ``script``, with the project's config) served on a free
    local port for ``db``: yields its URL once healthy; stopped after."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
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
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # still computing a window for a closed tab
            proc.kill()
            proc.wait()


# Chromium 156 builds its address bar's suggestion popup as a web page (WebUI) for every new tab,
# in a renderer of its own, headless or not: a trace of one first render (session 9) showed it
# taking 0.8 s of CPU while the app's page drew, on this machine's two cores. A headless browser
# has no address bar to show it in, and on a user's desk it does not compete with the page for
# the only other core, so the benchmarks turn it off (``--omnibox-ui`` keeps it, to compare).
NO_OMNIBOX_UI = "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup"


def launch(p, chromium: str, extra: list[str] = (), *, omnibox_ui: bool = False):
    """Headless Chromium (the system browser) through Playwright's ``p``, with ``extra`` flags."""
    return p.chromium.launch(executable_path=chromium,
                             args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                   *([] if omnibox_ui else [NO_OMNIBOX_UI]), *extra])


def first_and_change(tab, url: str, days: int) -> tuple[float, float]:
    """Open ``url`` in a new tab (``tab()``): seconds until drawn, then until drawn again after
    the window box is set to ``days`` (from Enter; the value is typed beforehand)."""
    pg = tab()
    pg.add_init_script(WATCH)
    pg.goto(url, timeout=600000)
    first = drawn(pg, timeout=180000)
    box = pg.get_by_label("Window (days)", exact=True)
    # Playwright's default 30 s wait for the box is too short on a loaded machine.
    box.fill(str(days), timeout=600000)
    t = pg.evaluate("performance.now()")
    box.press("Enter", timeout=600000)
    pg.wait_for_function(f"() => document.body.innerText.includes('window {days} days')", timeout=600000)
    change = drawn(pg, since=t)
    pg.close()
    return first, change


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--borough", help="a large store (copied first, never written)")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--fresh-profile", action="store_true", help="each tab in a new, empty browser profile")
    ap.add_argument("--browser-arg", action="append", default=[], help="another Chromium flag (repeatable)")
    ap.add_argument("--omnibox-ui", action="store_true", help="keep Chromium's address-bar popup page (see launch)")
    ap.add_argument("--only", action="append", default=[], help="time only pages whose address has this (repeatable)")
    args = ap.parse_args()
    db, urls = args.db, pages()
    if args.borough:
        db, urls = borough_copy(args.borough)
    if args.only:
        urls = [u for u in urls if any(o in u for o in args.only)]
    with app_server(db or demo_db()) as url:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            b = launch(p, args.chromium, args.browser_arg, omnibox_ui=args.omnibox_ui)
            profile = b.new_context()
            tab = b.new_page if args.fresh_profile else profile.new_page
            cold = {}
            for page in urls:  # the first visit after the server starts: imports, analyses, caches
                pg = tab()
                pg.add_init_script(WATCH)
                pg.goto(url + page, timeout=600000)
                cold[page] = drawn(pg)
                pg.close()
            print(f"{'page':<34} {'cold s':>7} {'first render s':>14} {'window change s':>16}")
            for i, page in enumerate(urls):
                # A window no page has used yet, so the change computes this page's views afresh.
                first, change = first_and_change(tab, url + page, 300 - i)
                print(f"{page or '(overview)':<34} {cold[page]:>7.2f} {first:>14.2f} {change:>16.2f}", flush=True)
            # Moving between pages with the sidebar (how people use the app): no new tab, so no
            # start-up of Streamlit's front end; timed until the new page's title shows and the
            # script is idle.
            pg = tab()
            pg.add_init_script(WATCH)
            pg.goto(url, timeout=600000)
            drawn(pg, timeout=180000)
            print(f"\n{'page (sidebar navigation)':<34} {'render s':>8}")
            for title in NAV + ["Overview"]:
                t = pg.evaluate("performance.now()")
                pg.locator("[data-testid=stSidebarNav] a", has_text=title).first.click(timeout=600000)
                pg.wait_for_function("t => { const h = document.querySelector('h1'); return h && h.innerText.trim() === t; }",
                                     arg=title, timeout=600000)
                print(f"{title:<34} {drawn(pg, since=t):>8.2f}", flush=True)
            pg.close()
            b.close()


if __name__ == "__main__":
    main()
