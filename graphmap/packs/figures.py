"""Pictures for packs (PNG): the network and the places map, drawn the same way every time.

Packs go to meetings as files, so pictures are images, not live components. The network uses
the app's seeded layout (:func:`graphmap.views.layout`), so the
pack and the screen agree. Text on pictures is drawn by matplotlib as plain text (no markup is
interpreted: mathtext is switched off).
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402

from .. import schema  # noqa: E402
from ..views import layout  # noqa: E402


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


_MARKERS = {"adult_of_concern": "D", "location": "s"}  # shapes as well as colours (print is often grey)


def _layout_by_component(nodes: list[dict], edges: list[dict], *, seed: int) -> dict:
    """Each connected part laid out on its own (seeded) in a cell of a grid, largest first, so
    separate stars (an adult of concern and their young people) do not shrink to blots."""
    import math

    import networkx as nx

    G = nx.Graph()
    G.add_nodes_from(n["id"] for n in nodes)
    G.add_edges_from((e["source"], e["target"]) for e in edges)
    parts = sorted((sorted(c) for c in nx.connected_components(G)), key=lambda c: (-len(c), c[0]))
    cols = max(1, math.ceil(math.sqrt(len(parts))))
    pos = {}
    for i, part in enumerate(parts):
        keep = set(part)
        sub = layout([n for n in nodes if n["id"] in keep],
                     [e for e in edges if e["source"] in keep and e["target"] in keep], seed=seed)
        xs, ys = [p[0] for p in sub.values()], [p[1] for p in sub.values()]
        span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
        cx, cy = (i % cols) * 3.0, (i // cols) * 3.0
        for n, (x, y) in sub.items():
            pos[n] = (cx + (x - (max(xs) + min(xs)) / 2) * 2.0 / span, cy + (y - (max(ys) + min(ys)) / 2) * 2.0 / span)
    return pos


def network_png(view: dict, *, seed: int | None = None, by_component: bool = False) -> bytes:
    """The network of a view (nodes with ``id``, ``label``, ``colour``, ``role``; weighted edges).

    ``by_component``: lay each connected part out on its own, in a grid (for pictures of several
    separate groups, e.g. each adult of concern with their young people)."""
    seed = int(schema.setting("app.layout_seed")) if seed is None else seed
    pos = (_layout_by_component if by_component else layout)(view["nodes"], view["edges"], seed=seed)
    fig, ax = plt.subplots(figsize=(8, 6))
    for e in view["edges"]:
        (x1, y1), (x2, y2) = pos[e["source"]], pos[e["target"]]
        ax.plot([x1, x2], [-y1, -y2], color="#9aa5b1", linewidth=0.8 + e.get("weight", 1), zorder=1)
    for n in view["nodes"]:
        x, y = pos[n["id"]]
        ax.scatter([x], [-y], s=260 if n.get("centre") else 140, c=n["colour"], zorder=2,
                   marker=_MARKERS.get(n.get("role"), "o"), edgecolors="#222")
        ax.annotate(n["label"], (x, -y), xytext=(0, -14), textcoords="offset points", ha="center", va="top",
                    fontsize=8, usetex=False, parse_math=False)
    ax.set_axis_off()
    return _png(fig)


def places_png(places: list[dict], *, value_key: str = "incidents") -> bytes:
    """Mapped places as points sized by ``value_key`` (incidents by default), labelled with
    their ids and that number (no people)."""
    mapped = [p for p in places if p.get("latitude") is not None]
    fig, ax = plt.subplots(figsize=(8, 6))
    ax.set_facecolor("#eef2f5")
    for p in mapped:
        ax.scatter([p["longitude"]], [p["latitude"]], s=30 + 25 * min(p[value_key], 40), c="#d62728", alpha=0.6,
                   edgecolors="#7a1010")
        ax.annotate(f"{p['location_id']} ({p[value_key]})", (p["longitude"], p["latitude"]),
                    xytext=(6, 4), textcoords="offset points", fontsize=8, parse_math=False)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_aspect(1.6)  # roughly true shape at London's latitude (1 / cos 51.5°)
    return _png(fig)
