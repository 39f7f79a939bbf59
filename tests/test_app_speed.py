"""Pages drawn first from the quick parts of a window, then completed (issue 7, session 6):
what they show once complete is what they showed when everything was computed first."""

from __future__ import annotations

from tests.test_app import frame, group_tab, texts


def _adults(g: dict) -> set[str]:
    return {a["person_id"] if isinstance(a, dict) else a for a in g["adults_of_concern"]}


def test_an_assessment_drawn_first_then_filled_in_is_the_whole_assessment(demo_db):
    from graphmap.group_assessment import group_assessment, with_late_parts
    from graphmap.network.analyse import analyse
    from graphmap.store import open_store
    from graphmap.window import Window

    w = Window.ending("2026-10-31", 365)
    with open_store(demo_db) as s:
        doc = analyse(s, w)
        # What the page has first: the groups before their stability re-runs, no disruption targets.
        first_doc = {**doc, "disruption_targets": [],
                     "peer_groups": [{**g, "stability": None, "partition_ari_reruns": None} for g in doc["peer_groups"]]}
        steps = {d["person_id"] for d in doc["disruption_targets"] if "person_id" in d}
        found = next(g["group_id"] for g in doc["peer_groups"] if steps & _adults(g))
        recorded = s.table("groups")["group_id"].iloc[0]
        for gid in (found, recorded):
            whole = group_assessment(s, w, gid, analysis=doc)
            first = group_assessment(s, w, gid, analysis=first_doc)
            assert with_late_parts(first, doc) == whole, gid
        assert first != whole or not whole["adults_of_concern"]  # the late parts do show
        whole = group_assessment(s, w, found, analysis=doc)
        assert any(a["disruption_step"] for a in whole["adults_of_concern"])
        assert "stability across re-runs None" not in whole["how"]


def test_the_peer_group_page_ends_complete(demo_db, monkeypatch):
    """The page's first draw says what is being worked out; when its run ends the "how it was
    found" line has the stability and the adults their disruption steps."""
    from graphmap.network.analyse import analyse
    from graphmap.store import open_store
    from graphmap.window import Window

    monkeypatch.setenv("GRAPHMAP_DB", str(demo_db))
    with open_store(demo_db) as s:
        doc = analyse(s, Window.ending("2026-10-31", 365))
    steps = {d["person_id"]: d["step"] for d in doc["disruption_targets"] if "person_id" in d}
    g = next(g for g in doc["peer_groups"] if set(steps) & _adults(g))
    at = group_tab("adults", group=g["group_id"], window_days=365)
    assert not at.exception
    shown = texts(at)
    assert f"stability across re-runs {g['stability']}" in shown.replace("\\", "")
    assert "working out" not in shown
    adults = frame(at, "members tied", "disruption step").set_index("id")
    assert {a: adults.loc[a, "disruption step"] for a in set(steps) & _adults(g)} == \
        {a: steps[a] for a in set(steps) & _adults(g)}


def test_the_app_runs_without_source_watching_or_a_full_collection_after_each_run():
    """Session 7: Streamlit's source watcher (every loaded module walked on each new tab and after
    each run) and its ``gc.collect(2)`` after every run took most of a demo page's server time
    and 1-4 s of a borough window change. The project's config turns both off, and ``graphmap
    app`` runs Streamlit from the folder that config is read from."""
    import tomllib

    from graphmap.cli import APP_SCRIPT
    from tests.conftest import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    assert config["runner"]["postScriptGC"] is False
    assert (APP_SCRIPT.parent / ".streamlit" / "config.toml").is_file()


def test_a_network_picture_is_made_once_per_content_and_forgotten_after_a_write(monkeypatch):
    from graphmap.app import components, state

    made = []
    real = components.network_html
    monkeypatch.setattr(components, "network_html", lambda view, **k: made.append(1) or real(view, **k))
    view = {"nodes": [{"id": "P1", "label": "Young person <b>", "colour": "#123456"},
                      {"id": "P2", "label": "P2", "colour": "#123456"}],
            "edges": [{"source": "P1", "target": "P2", "weight": 1, "title": "friend"}], "legend": []}
    first = state.network_page(view, height=300)
    again = state.network_page({**view, "nodes": [dict(n) for n in view["nodes"]]}, height=300)  # equal, not the same
    assert first == again and len(made) == 1
    other = state.network_page({**view, "edges": []}, height=300)
    assert other != first and len(made) == 2
    state.network_page(view, height=400)
    assert len(made) == 3  # the height is part of the page
    state.clear_after_write()
    assert state.network_page(view, height=300) == first and len(made) == 4


def test_a_map_is_made_once_per_content(monkeypatch):
    from graphmap.app import components, state

    made = []
    real = components.map_html
    monkeypatch.setattr(components, "map_html", lambda points, **k: made.append(1) or real(points, **k))
    points = [{"latitude": 51.4, "longitude": -0.19, "label": "Place <b>", "popup": "two\nlines"}]
    first = state.map_page(points, height=300)
    assert state.map_page([dict(p) for p in points], height=300) == first and len(made) == 1
    assert state.map_page(points, height=300, areas=[]) and len(made) == 2  # areas are part of the map
    assert state.network_page({"nodes": [], "edges": [], "legend": []}, height=300) and len(made) == 2


def test_pictures_and_maps_are_made_with_the_collector_paused():
    """Session 9: a borough's map set off a full collection (0.3-0.4 s) mid-page; the collector
    is paused while a picture or map is made, and on again after."""
    import gc

    from graphmap.app import state

    assert gc.isenabled()
    assert state._kept(gc.isenabled, "probe", "collector") is False
    assert gc.isenabled()


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def _tables_script(rows: int, text: str) -> None:
    import pandas as pd

    from graphmap.app import state

    state.show_table(pd.DataFrame({"name": [text] * rows, "n": range(rows), "score": [0.123456, None] * (rows // 2)
                                   + [2.0] * (rows % 2), "missing": [None] * rows}), hide_index=True, key="t")


def test_short_tables_are_html_with_record_text_escaped_and_long_ones_grids():
    """Sessions 7 and 9: up to ``app.plain_table_rows`` rows a plain HTML table (a new tab draws
    eight small ones 0.9 s sooner than grids, 0.6 s sooner than ``st.table``), longer a grid.
    Every cell is escaped: markup, a link or an image in record text shows as typed."""
    from streamlit.testing.v1 import AppTest

    from graphmap import schema
    from tests.test_app import XSS_GROUP, tables

    hostile = XSS_GROUP + " ![x](https://example.org/p.png) **bold** <script>alert(2)</script>"
    limit = int(schema.setting("app.plain_table_rows"))
    short = AppTest.from_function(_tables_script, args=(limit, hostile)).run()
    assert not short.exception and not short.dataframe and not short.table
    [body] = [e.proto.body for e in short.get("html")]
    assert "<b>" not in body and "<script>" not in body and "&lt;script&gt;alert(2)&lt;/script&gt;" in body
    assert "&lt;b&gt;bold&lt;/b&gt;" in body
    shown = tables(short)[0]
    assert shown["name"].tolist() == [hostile] * limit  # read back: what the record holds, as typed
    assert shown["n"].tolist() == list(range(limit))  # numbers stay numbers
    assert shown["score"].iloc[0] == 0.1235 and pd_isna(shown["score"].iloc[1])  # 4 places; missing blank
    assert shown["missing"].isna().all() and "None" not in body and "nan" not in body
    long = AppTest.from_function(_tables_script, args=(limit + 1, hostile)).run()
    assert not long.exception and len(long.dataframe) == 1 and not long.table
    assert long.dataframe[0].value["name"].iloc[0] == hostile  # a grid shows cells as text


def _run_memo_script() -> None:
    import streamlit as st

    from graphmap.app import state

    made = st.session_state.setdefault("made", [0])

    def make() -> int:
        made[0] += 1
        return made[0]

    first, again = state._this_run("x", make), state._this_run("x", make)
    state._forget_this_run()  # what a write does (clear_after_write)
    st.markdown(f"{first} {again} {state._this_run('x', make)}")


def test_store_version_and_user_are_worked_out_once_a_run():
    """Session 9: a page asked for the store's version and for the user dozens of times a run
    (a third of a warm page's run). They are kept for the run, forgotten after a write and
    worked out afresh on the next run; outside a run nothing is kept."""
    from streamlit.testing.v1 import AppTest

    from graphmap.app import state

    at = AppTest.from_function(_run_memo_script).run()
    assert not at.exception and at.markdown[0].value == "1 1 2"
    at.run()
    assert at.markdown[0].value == "3 3 4"  # a new run: worked out again
    calls = []
    assert [state._this_run("y", lambda: calls.append(1) or len(calls)) for _ in range(2)] == [1, 2]
