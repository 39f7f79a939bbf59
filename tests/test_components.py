"""The network and map components: offline, seeded, capped, and record text never markup."""

from __future__ import annotations

import json
import random
import re

import pytest

from graphmap.app.components import cap_network, map_html, network_html, remote_references, script_json

from graphmap.views import layout

HOSTILE = '</script><script>window.__xss=1</script><img src=x onerror=alert(1)>`${x}`'


def star(n: int) -> dict:
    nodes = [{"id": f"P{i:04d}", "label": HOSTILE if i == 1 else f"P{i}", "colour": "#1f77b4",
              "title": HOSTILE + " href", "centre": i == 0} for i in range(n)]
    edges = [{"source": "P0000", "target": f"P{i:04d}", "weight": 1 + (i % 3), "title": HOSTILE} for i in range(1, n)]
    return {"nodes": nodes, "edges": edges, "legend": [("young <b>person</b>", "#1f77b4")]}


def test_network_is_offline_and_record_text_cannot_close_the_script():
    page, message = network_html(star(5), cap=100)
    assert message is None and remote_references(page) == []
    assert "</script><script>window.__xss" not in page and "<img src=x" not in page
    assert "young &lt;b&gt;person&lt;/b&gt;" in page  # legend escaped
    assert "popup.innerHTML" not in page  # pyvis's HTML-popup mode never switched on
    assert '"physics": {"enabled": false}' in page.replace("\n", "")


def test_titles_arrive_as_json_text_in_the_first_data():
    page, _ = network_html(star(3), cap=100)
    nodes = json.loads(re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page).group(1))
    edges = json.loads(re.search(r"edges = new vis\.DataSet\((\[.*?\])\);", page).group(1))
    assert nodes[1]["title"] == HOSTILE + " href" and edges[0]["title"] == HOSTILE
    assert "nodes.update([" not in page  # one pass: vis-network sets each node's options once


def test_large_graph_capped_with_a_message_keeping_the_centre():
    view = star(400)
    nodes, edges, message = cap_network(view["nodes"], view["edges"], 50)
    assert len(nodes) == 50 and "P0000" in {n["id"] for n in nodes}
    assert all(e["source"] in {n["id"] for n in nodes} and e["target"] in {n["id"] for n in nodes} for e in edges)
    assert message.startswith("Showing the 50 most-linked of 400 people")


def test_layout_is_the_same_every_time_for_the_same_seed():
    view = star(30)
    assert layout(view["nodes"], view["edges"], seed=7) == layout(list(reversed(view["nodes"])), view["edges"], seed=7)
    assert layout(view["nodes"], view["edges"], seed=7) != layout(view["nodes"], view["edges"], seed=8)


@pytest.mark.parametrize("people, ties, seed", [(2, 1, 7), (40, 60, 7), (249, 540, 7), (249, 540, 42), (120, 90, 3)])
def test_layout_is_networkx_spring_layout_to_the_last_bit(people, ties, seed):
    """views.layout computes NetworkX's dense spring layout itself (session 10, five times
    faster): the positions must be NetworkX's exactly, components and lone pairs included."""
    import math

    import networkx as nx

    rng = random.Random(people + ties)
    ids = [f"P{i:04d}" for i in range(people)]
    pairs = {tuple(sorted(rng.sample(ids, 2))) for _ in range(ties)}
    nodes = [{"id": i} for i in ids]
    edges = [{"source": a, "target": b, "weight": rng.randint(1, 9)} for a, b in sorted(pairs)]
    G = nx.Graph()
    G.add_nodes_from(sorted(ids))
    G.add_weighted_edges_from(sorted((e["source"], e["target"], e["weight"]) for e in edges))
    scale = 160 * math.sqrt(people)
    expected = {n: (float(x) * scale, float(y) * scale)
                for n, (x, y) in nx.spring_layout(G, seed=seed, weight="weight").items()}
    assert layout(nodes, edges, seed=seed) == expected


def test_map_uses_the_apps_leaflet_and_text_popups():
    cell = [[51.41, -0.19], [51.41, -0.18], [51.42, -0.18], [51.42, -0.19]]
    page = map_html([{"latitude": 51.41, "longitude": -0.19, "label": HOSTILE, "popup": HOSTILE},
                     {"latitude": None, "longitude": None, "label": "unmapped"}], tile_url="",
                    areas=[{"outline": cell, "label": HOSTILE, "popup": HOSTILE, "opacity": 0.4}])
    assert remote_references(page) == []
    assert 'src="app/static/leaflet/leaflet.js"' in page and "jquery" not in page.lower()
    assert HOSTILE not in page and "<img src=x" not in page
    assert page.count("`${x}`") == page.count("`${x}`\"") == 4  # only ever inside JSON strings
    assert script_json(HOSTILE) in page and "unmapped" not in page
    assert "innerText = p.label" in page and "innerText = p.popup" in page  # text, never HTML
    assert "innerHTML" not in page.split("<body>", 1)[1] and page.count("L.polygon(p.outline") == 1
    areas = json.loads(re.search(r"(\[\{\"outline\".*?\}\])\.forEach", page).group(1))
    assert areas[0]["outline"] == cell and areas[0]["opacity"] == 0.4 and areas[0]["label"] == HOSTILE


def test_script_json_round_trips():
    assert json.loads(script_json({"a": HOSTILE + "\u2028"})) == {"a": HOSTILE + "\u2028"}


def test_network_loads_vis_network_from_the_app_not_in_line():
    from pathlib import Path

    import pyvis

    from tests.conftest import ROOT

    page, _ = network_html(star(3), cap=100)
    assert 'src="app/static/vis-network/vis-network.min.js"' in page and len(page) < 100_000
    inline, _ = network_html(star(3), cap=100, assets="inline")
    assert "app/static/vis-network" not in inline and len(inline) > 400_000 and remote_references(inline) == []
    # The served copy is the one pyvis bundles (an upgrade of pyvis must bring a new copy).
    bundled = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
    for name in ("vis-network.min.js", "vis-network.css"):
        assert (ROOT / "static" / "vis-network" / name).read_bytes() == (bundled / name).read_bytes()
