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


def network_png(view: dict, *, seed: int | None = None) -> bytes:
    """The network of a view (nodes with ``id``, ``label``, ``colour``, ``role``; weighted edges)."""
    seed = int(schema.setting("app.layout_seed")) if seed is None else seed
    pos = layout(view["nodes"], view["edges"], seed=seed)
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
