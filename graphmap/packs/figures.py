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


#: Above this many nodes (or places) a picture names only the most-linked (largest); the rest
#: are drawn unnamed, so a borough-sized picture stays readable and quick to draw.
LABEL_LIMIT = 60


def _capped(nodes: list[dict], edges: list[dict], cap: int) -> tuple[list[dict], list[dict], str]:
    """The centre and the ``cap`` most-linked nodes (by evidence), and a note when some were left out."""
    if len(nodes) <= cap:
        return nodes, edges, ""
    strength = {n["id"]: 0.0 for n in nodes}
    for e in edges:
        strength[e["source"]] += e.get("weight", 1)
        strength[e["target"]] += e.get("weight", 1)
    keep = {n["id"] for n in sorted(nodes, key=lambda n: (not n.get("centre"), -strength[n["id"]], n["id"]))[:cap]}
    return ([n for n in nodes if n["id"] in keep], [e for e in edges if e["source"] in keep and e["target"] in keep],
            f"the {cap} most-linked of {len(nodes)} shown")


def network_png(view: dict, *, seed: int | None = None, by_component: bool = False, cap: int | None = None) -> bytes:
    """The network of a view (nodes with ``id``, ``label``, ``colour``, ``role``; weighted edges).

    ``by_component``: lay each connected part out on its own, in a grid (for pictures of several
    separate groups, e.g. each adult of concern with their young people). At most ``cap``
    (``app.network_node_cap``) nodes are drawn, the most-linked, and the picture says so."""
    from matplotlib.collections import LineCollection

    seed = int(schema.setting("app.layout_seed")) if seed is None else seed
    cap = int(schema.setting("app.network_node_cap")) if cap is None else cap
    nodes, edges, note = _capped(view["nodes"], view["edges"], cap)
    pos = (_layout_by_component if by_component else layout)(nodes, edges, seed=seed)
    fig, ax = plt.subplots(figsize=(8, 6))
    if edges:
        segs = [[(pos[e["source"]][0], -pos[e["source"]][1]), (pos[e["target"]][0], -pos[e["target"]][1])]
                for e in edges]
        ax.add_collection(LineCollection(segs, colors="#9aa5b1", zorder=1,
                                         linewidths=[0.8 + min(e.get("weight", 1), 6) for e in edges]))
    for marker in sorted({_MARKERS.get(n.get("role"), "o") for n in nodes}):
        group = [n for n in nodes if _MARKERS.get(n.get("role"), "o") == marker]
        ax.scatter([pos[n["id"]][0] for n in group], [-pos[n["id"]][1] for n in group],
                   s=[260 if n.get("centre") else 140 for n in group], c=[n["colour"] for n in group], zorder=2,
                   marker=marker, edgecolors=[n.get("border") or "#222" for n in group],
                   linewidths=[2.5 if n.get("border") else 1.0 for n in group])  # bridges: an orange border
    named = nodes if len(nodes) <= LABEL_LIMIT else _capped(nodes, edges, LABEL_LIMIT)[0]
    for n in named:
        x, y = pos[n["id"]]
        ax.annotate(n["label"], (x, -y), xytext=(0, -14), textcoords="offset points", ha="center", va="top",
                    fontsize=8, usetex=False, parse_math=False)
    if note or len(named) < len(nodes):
        ax.set_title("; ".join(x for x in (note, f"the {len(named)} most-linked named" if len(named) < len(nodes)
                                            else "") if x), fontsize=9)
    ax.autoscale_view()
    ax.set_axis_off()
    return _png(fig)


def places_png(places: list[dict], *, value_key: str = "incidents") -> bytes:
    """Mapped places as points sized by ``value_key`` (incidents by default), labelled with
    their ids and that number (no people); above :data:`LABEL_LIMIT` places only the largest
    are labelled."""
    mapped = [p for p in places if p.get("latitude") is not None]
    fig, ax = plt.subplots(figsize=(8, 6))
    ax.set_facecolor("#eef2f5")
    if mapped:
        ax.scatter([p["longitude"] for p in mapped], [p["latitude"] for p in mapped],
                   s=[30 + 25 * min(p[value_key], 40) for p in mapped], c="#d62728", alpha=0.6, edgecolors="#7a1010")
    named = sorted(mapped, key=lambda p: (-p[value_key], p["location_id"]))[:LABEL_LIMIT]
    for p in named:
        ax.annotate(f"{p['location_id']} ({p[value_key]})", (p["longitude"], p["latitude"]),
                    xytext=(6, 4), textcoords="offset points", fontsize=8, parse_math=False)
    if len(named) < len(mapped):
        ax.set_title(f"{len(mapped)} places; the {len(named)} largest labelled", fontsize=9)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_aspect(1.6)  # roughly true shape at London's latitude (1 / cos 51.5°)
    return _png(fig)
