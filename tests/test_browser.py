"""The running app in a real headless Chromium (Debian's, driven by Playwright).

Starts ``streamlit run app.py`` on a free localhost port against a store holding records whose
names are markup and script, then checks that the pyvis network and the folium map render with
no outside request, that hostile names show as text, and that no record script runs (a window
flag the payloads would set stays unset in every frame). Screenshots go to
``$GRAPHMAP_SCREENSHOTS`` (default: the test's temporary folder) to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_app import XSS_PLACE, XSS_SURNAME, build_store

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("GRAPHMAP_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    db = build_store(tmp_path_factory.mktemp("browser") / "graphmap.db")
    port = free_port()
    log = open(db.parent / "streamlit.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.enableStaticServing", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", "--", "--db", str(db)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start: " + (db.parent / "streamlit.log").read_text()[-2000:])
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} missing: install Debian's chromium (apt-get install chromium); .ci/run does")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    """A page that refuses, and records, every request leaving this machine."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.outside = []

    def route(r):
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "about:", "blob:")):
            return r.continue_()
        pg.outside.append(r.request.url)
        return r.abort()

    context.route("**/*", route)
    yield pg
    context.close()


def shots(name: str, pg, tmp_path) -> Path:
    folder = Path(os.environ.get("GRAPHMAP_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path


def frame_with(pg, selector: str, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for f in pg.frames:
            try:
                if f.query_selector(selector):
                    return f
            except Exception:  # a frame detached while Streamlit re-rendered
                continue
        pg.wait_for_timeout(200)
    raise AssertionError(f"no frame shows {selector}")


# The page's script has finished (Streamlit marks its root; benchmarks/bench_app.py waits for it too).
SCRIPT_DONE = ("() => { const a = document.querySelector('[data-testid=stApp]');"
               " return !!a && a.getAttribute('data-test-script-state') === 'notRunning'; }")


def hover_node(pg, net, node: str, timeout: float = 90):
    """Move the mouse onto ``node`` in the network frame ``net`` until vis-network shows its
    tooltip, within the same margin as the other waits here (90 s). On a loaded machine a
    late table or iframe above the network can shift it after its position was read, and a
    single mouse move is then lost: each try reads the position again, leaves and comes back."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + timeout
    while True:
        net.frame_element().scroll_into_view_if_needed()  # the risk matrix form sits above the network
        pos = net.evaluate(f"(() => {{ const p = network.canvasToDOM(network.getPositions(['{node}'])['{node}']);"
                           " return [p.x, p.y]; })()")
        box = net.frame_element().bounding_box()
        pg.mouse.move(box["x"] + pos[0], box["y"] + pos[1], steps=4)
        try:
            return net.wait_for_selector(".vis-tooltip", state="visible", timeout=5000)
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise
            pg.mouse.move(1, 1)  # away, so the next move is a new hover


def no_script_ran(pg) -> None:
    for f in pg.frames:
        assert f.evaluate("typeof window.__xss") == "undefined", f.url


def test_network_renders_offline_and_hostile_names_stay_text(page, app_url, tmp_path):
    page.goto(app_url + "/person?person=P900")
    page.get_by_text(XSS_SURNAME, exact=False).first.wait_for(timeout=90000)
    page.wait_for_function(SCRIPT_DONE, timeout=90000)  # the whole page sent: nothing moves it any more
    net = frame_with(page, "#mynetwork canvas")
    net.wait_for_function(timeout=30000, expression="typeof network !== 'undefined' && nodes.get('P900') && nodes.get('P900').title")
    # Hover the hostile person: vis-network shows the title as text in its tooltip.
    tip = hover_node(page, net, "P900")
    assert XSS_SURNAME in tip.inner_text()
    assert tip.query_selector("img, script") is None
    assert net.query_selector("#graphmap-legend") is not None
    shots("person-profile", page, tmp_path)
    no_script_ran(page)
    assert page.outside == []


def test_locations_board_map_renders_from_the_app_and_popups_are_text(page, app_url, tmp_path):
    page.goto(app_url + "/locations-board")
    m = frame_with(page, ".leaflet-container canvas.leaflet-zoom-animated")  # drawn on a canvas (prefer_canvas)
    # Three places (L003 has no coordinates) and the hotspot grid cells, as squares.
    markers = "(() => { const map = Object.values(window).find(v => v instanceof L.Map); const out = [];" \
              " map.eachLayer(l => { if (l instanceof L.CircleMarker) out.push(l); }); return out; })()"
    assert m.evaluate(markers + ".length") == 3
    # The markers and cells are painted on Leaflet's canvas (not left blank).
    assert m.evaluate("(() => { const c = document.querySelector('.leaflet-container canvas');"
                      " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
                      " for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; })()") > 100
    areas = "(() => { const map = Object.values(window).find(v => v instanceof L.Map); const out = [];" \
            " map.eachLayer(l => { if (l instanceof L.Polygon) out.push(l); }); return out; })()"
    assert m.evaluate(areas + ".length") >= 1
    # A cell's tooltip is its text, never markup.
    m.evaluate(areas + ".forEach(l => l.openTooltip())")
    assert "hotspot cell #1" in " ".join(e.inner_text() for e in m.query_selector_all(".leaflet-tooltip"))
    assert m.evaluate("typeof L") == "object"  # Leaflet came from the app's static folder
    # Open every marker's popup; the hostile place name must appear as typed.
    m.evaluate(markers + ".forEach(l => l.openPopup())")
    texts = " ".join(e.inner_text() for e in m.query_selector_all(".leaflet-popup-content"))
    assert XSS_PLACE in texts
    assert m.query_selector(".leaflet-popup-content img") is None
    shots("locations-board", page, tmp_path)
    no_script_ran(page)
    # The pack is built when its button is clicked (deferred download), and is the board's pack.
    page.get_by_label("Reason for the pack").fill("Locations Board 3 December")
    page.get_by_label("Reason for the pack").press("Enter")
    with page.expect_download(timeout=60000) as got:
        page.get_by_role("button", name="Pack (HTML)").click()
    body = Path(got.value.path()).read_text(encoding="utf-8")
    assert "OFFICIAL-SENSITIVE" in body and "Locations Board" in body
    assert page.outside == []


CANVAS_PAINTED = """(() => { const c = document.querySelector('#mynetwork canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
    for (let i = 0; i < d.length; i += 4) { if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) n++; }
    return n; })()"""


def network_frame(page, count: int):
    """The pyvis frame once vis-network has drawn ``count`` people."""
    net = frame_with(page, "#mynetwork canvas")
    net.wait_for_function(timeout=30000, expression=f"typeof network !== 'undefined' && nodes.length === {count}")
    return net


@pytest.mark.parametrize("mode, query, people", [
    ("group", "mode=group&group=PG001", {"P001", "P002", "P003", "P900", "P004"}),
    ("person", "mode=person&person=P001", {"P001", "P002"}),
    ("window", "mode=window", {"P001", "P002", "P003", "P004", "P900"}),
])
def test_network_page_renders_each_mode_still_and_offline(page, app_url, tmp_path, mode, query, people):
    page.goto(f"{app_url}/network?{query}")
    net = network_frame(page, len(people))
    assert set(net.evaluate("nodes.getIds()")) == people
    assert net.evaluate(CANVAS_PAINTED) > 500  # the canvas was drawn on, not left blank
    assert net.evaluate("network.physics.options.enabled") is False
    before = net.evaluate("network.getPositions()")
    page.wait_for_timeout(1000)
    assert net.evaluate("network.getPositions()") == before  # nothing moves after loading
    assert "adult of concern" in net.inner_text("#graphmap-legend")
    shots(f"network-{mode}", page, tmp_path)
    if mode == "group":  # a fresh load draws the same picture (seeded layout)
        page.reload()
        assert network_frame(page, len(people)).evaluate("network.getPositions()") == before
    no_script_ran(page)
    assert page.outside == []


def test_folded_forms_are_made_when_opened(page, app_url):
    """The risk matrix form and the network filters are sent only once their expander is opened
    (session 9): opening one in the browser reruns the page and shows the widgets."""
    page.goto(app_url + "/person?person=P002")
    page.get_by_text("Enter or review an assessment").click(timeout=90000)
    page.get_by_label("Assessor").wait_for(timeout=90000)
    page.goto(app_url + "/network?mode=window")
    page.get_by_text("Filters and size").click(timeout=90000)
    page.get_by_label("Minimum pieces of evidence per tie").wait_for(timeout=90000)
    assert page.outside == []


def _dialogs(pg) -> list[str]:
    seen: list[str] = []
    pg.on("dialog", lambda d: (seen.append(d.message), d.dismiss()))
    return seen


def test_app_tables_and_markdown_run_no_record_script(page, app_url, tmp_path):
    """Group, person and place names with markup, script and a javascript: link, on the pages
    that show them in headings, captions, markdown and tables: shown as text; nothing runs, no
    dialog opens, and no javascript: link is made."""
    from tests.test_app import XSS_GROUP

    dialogs = _dialogs(page)
    for path, shown in [("/peer-groups?group=G1", "Crew <b>bold</b>"), ("/person?person=P900", XSS_SURNAME),
                        ("/locations-board", "Locations Board")]:
        page.goto(app_url + path)
        page.get_by_text(shown, exact=False).first.wait_for(timeout=90000)
        page.wait_for_timeout(1500)  # let every table and component render
        for f in page.frames:
            try:
                links = f.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
            except Exception:  # a frame detached while Streamlit re-rendered
                continue
            assert not [h for h in links if h.strip().lower().startswith("javascript:")], (path, links)
        no_script_ran(page)
    page.goto(app_url + "/peer-groups?group=G1")
    heading = page.get_by_text(XSS_GROUP, exact=False).first  # markup and the link stay text, as typed
    heading.wait_for(timeout=90000)
    assert dialogs == []
    assert page.outside == []


def test_html_pack_runs_no_record_script(browser, tmp_path):
    """The HTML pack of a group whose names are script and markup, opened in Chromium."""
    from graphmap import views
    from graphmap.packs import render_html
    from graphmap.packs.build import build_pack
    from graphmap.store import open_store
    from graphmap.window import Window

    db = build_store(tmp_path / "graphmap.db")
    out = []
    with open_store(db) as s:
        w = Window.ending("2026-10-31", 365)
        for kind, ids in [("peer-group", {"group_id": "G1"}), ("locations-board", {"location_id": "L900"})]:
            path = tmp_path / f"{kind}.html"
            path.write_text(render_html(build_pack(kind, s, w, redaction="full", **ids)), encoding="utf-8")
            out.append(path)
        assert views.peer_group(s, w, "G1")["members"]
    pg = browser.new_page()
    dialogs = _dialogs(pg)
    try:
        control = tmp_path / "control.html"
        control.write_text(f"<html><body>{XSS_SURNAME}</body></html>")
        pg.goto(control.as_uri())
        assert pg.evaluate("window.__xss") == 2, "control: the payload unescaped does run"
        for path in out:
            pg.goto(path.as_uri())
            pg.wait_for_timeout(300)
            assert pg.evaluate("typeof window.__xss") == "undefined", path.name
            assert pg.query_selector("script") is None or all(
                "__xss" not in (e.inner_text() or "") for e in pg.query_selector_all("script"))
            assert not pg.query_selector_all("img[onerror], a[href^='javascript:' i]"), path.name
        text = pg.inner_text("body")
        assert "<img src=x onerror=window.__xss=3>" in text  # the place name, shown as typed
        assert dialogs == []
    finally:
        pg.close()


def test_a_chosen_group_stays_chosen_when_the_window_changes(page, app_url):
    """The chosen group survives an as-at and a window change that change its label (PG001: 4
    people in 365 days to 31 October, 3 in 90). On the borough a change dropped the choice
    (session 10, state.pick_group); this store did not show that drop, so this guards the
    behaviour in a real browser."""
    page.goto(app_url + "/peer-groups?group=PG001")
    heading = page.get_by_role("heading", name="Peer group PG001 (found in the data)")
    heading.wait_for(timeout=90000)

    def members_once(shown: str) -> list[str]:
        page.wait_for_function(f"() => document.body.innerText.includes({shown!r})", timeout=90000)
        page.wait_for_function(SCRIPT_DONE, timeout=90000)
        heading.wait_for(timeout=30000)
        return page.get_by_test_id("stMetric").filter(has_text="Members").inner_text().split()

    page.wait_for_function(SCRIPT_DONE, timeout=90000)
    # The as-at date: typed into its year, month and day, committed when the field loses focus.
    page.get_by_label("As at", exact=True).get_by_role("spinbutton").first.click()
    page.keyboard.type("20261031", delay=50)
    page.get_by_role("heading", name="Peer group assessment").click()
    assert members_once("as at 2026-10-31 · window 365 days") == ["Members", "4"]
    box = page.get_by_label("Window (days)", exact=True)
    box.fill("90")
    box.press("Enter")
    assert members_once("as at 2026-10-31 · window 90 days") == ["Members", "3"]
    assert page.outside == []
