"""The network picture (pyvis) and the map (folium), built to work with no outside requests.

Locked-down council and police networks block public CDNs, so every script and stylesheet is
served by the app itself, by Streamlit's static file serving (``server.enableStaticServing``):
vis-network from ``static/vis-network`` (the copy pyvis bundles; the CDN tags pyvis's template
adds are removed) and Leaflet from ``static/leaflet`` (folium is pointed at it). A picture is
then a few kilobytes of data, not 0.7 MB of vis-network in-line in every frame, and the browser
keeps the library between pictures (``assets="inline"`` still gives a self-contained page).

Record text is untrusted (a name may contain ``<script>``). It never reaches the page as HTML:
tooltips and popups are set as DOM *text* (vis-network shows a string title with
``innerText``; popups here are built with ``innerText``), and every value is passed into
scripts as JSON with ``<``, ``>`` and ``&`` escaped, so it cannot close a ``<script>`` block.
Labels on the network are drawn on a canvas, which never interprets markup.

These functions return HTML strings and do not import Streamlit, so they can be tested alone.
"""

from __future__ import annotations

import functools
import html
import json
import re

import folium
from branca.element import MacroElement
from jinja2 import Environment, FileSystemLoader, Template
from pyvis.network import Network

from .. import schema
from ..views import layout

#: Where the app serves Leaflet from (``static/leaflet`` next to app.py). Relative, so it
#: resolves against the app's own address whatever page or base path is open.
LEAFLET_URL = "app/static/leaflet/"
#: Where the app serves vis-network from (``static/vis-network``: pyvis's own copy, 9.1.2).
VIS_URL = "app/static/vis-network/"

_REMOTE_TAG = re.compile(
    r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*>|<script\b[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>",
    re.IGNORECASE | re.DOTALL)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.IGNORECASE)


def script_json(value) -> str:
    """JSON that is safe inside an HTML ``<script>`` block (cannot close it or open a comment).

    >>> script_json({"name": "</script><script>alert(1)</script>"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"}'
    """
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def remote_references(page: str) -> list[str]:
    """Every ``src=`` / ``href=`` in ``page`` that points off the machine (should be none)."""
    return re.findall(r"(?:src|href)\s*=\s*[\"']((?:https?:)?//[^\"']+)", page, re.IGNORECASE)


def _legend_html(legend: list[tuple[str, str]], extra: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;border-radius:6px;'
        f'background:{html.escape(colour)};margin-right:6px"></span>{html.escape(label)}</div>'
        for label, colour in legend)
    items += "".join(f"<div>{html.escape(symbol)} {html.escape(label)}</div>" for symbol, label in extra)
    return ('<div id="graphmap-legend" style="position:absolute;top:8px;left:8px;z-index:10;'
            'background:rgba(255,255,255,.92);border:1px solid #ccc;border-radius:4px;padding:6px 8px;'
            f'font:12px sans-serif">{items}</div>')


def cap_network(nodes: list[dict], edges: list[dict], cap: int) -> tuple[list[dict], list[dict], str | None]:
    """Keep at most ``cap`` people: the centre and the most-linked (by evidence), with a message.

    A browser drawing thousands of nodes freezes; a meeting needs the dense part anyway.
    """
    if len(nodes) <= cap:
        return nodes, edges, None
    strength: dict[str, int] = {n["id"]: 0 for n in nodes}
    for e in edges:
        strength[e["source"]] += e.get("weight", 1)
        strength[e["target"]] += e.get("weight", 1)
    ranked = sorted(nodes, key=lambda n: (not n.get("centre"), -strength[n["id"]], n["id"]))
    keep = {n["id"] for n in ranked[:cap]}
    msg = (f"Showing the {cap} most-linked of {len(nodes)} people (the centre always kept). "
           "Narrow the window, the hops or the filters to see everyone.")
    return ([n for n in nodes if n["id"] in keep],
            [e for e in edges if e["source"] in keep and e["target"] in keep], msg)


@functools.lru_cache(maxsize=4)
def _template_env(folder: str) -> Environment:
    """One Jinja environment for pyvis's own template folder: it keeps the compiled template
    (each ``Network`` made its own environment and compiled the page template again, about
    0.1 s CPU per picture)."""
    return Environment(loader=FileSystemLoader(folder))


def _page(net: Network) -> str:
    """pyvis's page for ``net``, rendered as :meth:`Network.generate_html` does but always with
    vis-network's own tooltip, which shows a string title as text (``innerText``).

    ``generate_html`` switches every tooltip to an ``innerHTML`` popup when any title contains
    "href", and record text may. The titles go into the nodes' and edges' data, where the
    template's ``tojson`` escapes ``<``, ``>``, ``&`` and ``'``: they used to be added by a second
    script (``nodes.update``), which cost a whole-window picture of 250 people about 0.1 s in the
    browser (a Chrome trace, session 10) as vis-network set every node's options again.
    """
    nodes, edges, heading, height, width, options = net.get_network_data()
    return net.templateEnv.get_template(net.path).render(
        height=height, width=width, nodes=nodes, edges=edges, heading=heading, options=options,
        physics_enabled=net.options["physics"]["enabled"], use_DOT=False, dot_lang=net.dot_lang, widget=net.widget,
        bgcolor=net.bgcolor, conf=net.conf, tooltip_link=False, neighborhood_highlight=net.neighborhood_highlight,
        select_menu=net.select_menu, filter_menu=net.filter_menu, notebook=False, cdn_resources=net.cdn_resources)


def network_html(view: dict, *, height: int = 600, cap: int | None = None,
                 seed: int | None = None, assets: str = "app") -> tuple[str, str | None]:
    """A self-contained pyvis page for a network view (see :func:`graphmap.views.ego_network`).

    Positions come from a seeded layout computed here and physics is off, so the picture does
    not move after it loads and looks the same at every meeting. Hovering a person or a tie
    shows its text (the evidence for a tie) as plain text. ``assets="app"`` loads vis-network
    from the app (:data:`VIS_URL`); ``"inline"`` puts it in the page (a file opened on its own).

    Returns
    -------
    (html, message)
        ``message`` says what was left out when the graph was capped, else ``None``.
    """
    cap = int(schema.setting("app.network_node_cap")) if cap is None else cap
    seed = int(schema.setting("app.layout_seed")) if seed is None else seed
    nodes, edges, message = cap_network(view["nodes"], view["edges"], cap)
    pos = layout(nodes, edges, seed=seed)
    if assets not in ("app", "inline"):
        raise ValueError(f"assets must be 'app' or 'inline', not {assets!r}")
    net = Network(height=f"{height}px", width="100%", cdn_resources="in_line" if assets == "inline" else "remote")
    net.templateEnv = _template_env(net.template_dir)  # pyvis made (and compiled) its template anew each time
    net.set_options(json.dumps({
        "physics": {"enabled": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
        "edges": {"smooth": False, "color": {"color": "#9aa5b1", "highlight": "#333"}},
        "nodes": {"font": {"size": 14, "face": "sans-serif"}},
    }))
    for n in nodes:
        x, y = pos[n["id"]]
        # A view may set shape, size and border (the Network page: size by a measure, bridges
        # with an orange border); otherwise adults of concern are diamonds and the centre larger.
        colour = ({"background": n["colour"], "border": n["border"],
                   "highlight": {"background": n["colour"], "border": n["border"]}} if n.get("border") else n["colour"])
        net.add_node(n["id"], label=n["label"], color=colour, x=x, y=y, title=n.get("title", ""),
                     shape=n.get("shape") or ("diamond" if n.get("role") == "adult_of_concern" else "dot"),
                     size=n.get("size") or (26 if n.get("centre") else 16),
                     borderWidth=n.get("border_width") or (4 if n.get("centre") else 1))
    for i, e in enumerate(edges):
        net.add_edge(e["source"], e["target"], id=f"e{i}", value=e.get("weight", 1), title=e.get("title", ""))
    page = _page(net)
    page = _EMPTY_HEADING.sub("", _REMOTE_TAG.sub("", page))
    if assets == "app":
        page = page.replace("<head>", f'<head><link rel="stylesheet" href="{VIS_URL}vis-network.css">'
                                      f'<script src="{VIS_URL}vis-network.min.js"></script>', 1)
    extra = view.get("marks") or [("◆", "diamond: adult of concern"), ("◎", "thick border: the person at the centre"),
                                  ("━", "thicker line: more evidence")]
    inject = (_legend_html(view.get("legend", []), extra)
              + "<script>document.getElementById('mynetwork').style.position='relative';</script>")
    page = page.replace("</body>", inject + "</body>", 1)
    return page, message


# --- maps ----------------------------------------------------------------------------------------
class TextLayer(MacroElement):
    """Many Leaflet shapes from one script: the shapes as JSON, each with a tooltip and an
    optional popup that are plain-text boxes (``innerText``, never markup).

    ``make`` is the JavaScript that makes one shape from ``p`` (code of this module, never record
    text). One folium element per shape, with its tooltip and popup as two more, meant three
    template renders per shape, and branca compiles each rendered script as a template again: a
    borough's 5,294 places took 15 s CPU to draw on every window change, its hotspot cells 0.3 s
    (py-spy, sessions 6 and 10).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            {{ this.items_json }}.forEach(function (p) {
                var shape = {{ this.make }};
                var tip = document.createElement("div");
                tip.innerText = p.label;
                shape.bindTooltip(tip, {sticky: true});
                if (p.popup) {
                    var box = document.createElement("div");
                    box.innerText = p.popup;
                    shape.bindPopup(box);
                }
                shape.addTo(map);
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, name: str, make: str, items: list[dict]):
        super().__init__()
        self._name = name
        self.make = make
        self.items_json = script_json(items)


def point_layer(points: list[dict]) -> TextLayer:
    """Circle markers: ``latitude``, ``longitude``, ``label``, ``popup``, ``radius``, ``colour``."""
    return TextLayer("PointLayer", "L.circleMarker([p.lat, p.lon], {radius: p.radius, color: p.colour, fill: true, "
                                   "fillOpacity: 0.6, weight: 2})", [
        {"lat": float(p["latitude"]), "lon": float(p["longitude"]), "radius": p.get("radius", 7),
         "colour": str(p.get("colour", "#d62728")), "label": str(p.get("label", "")),
         "popup": str(p.get("popup") or "")} for p in points])


def area_layer(areas: list[dict]) -> TextLayer:
    """Polygons (grid cells, wards): ``outline`` (a ring of ``[lat, lon]``), ``label``, ``popup``,
    ``colour``, ``opacity`` (fill)."""
    return TextLayer("AreaLayer", "L.polygon(p.outline, {color: p.colour, weight: 1, fill: true, "
                                  "fillOpacity: p.opacity})", [
        {"outline": [[float(lat), float(lon)] for lat, lon in a["outline"]],
         "colour": str(a.get("colour", "#ff7f0e")), "opacity": float(a.get("opacity", 0.3)),
         "label": str(a.get("label", "")), "popup": str(a.get("popup") or "")} for a in areas])


def map_html(points: list[dict], *, height: int = 520, tile_url: str | None = None,
             attribution: str | None = None, areas: list[dict] | None = None) -> str:
    """A folium map of points (and areas), with no outside requests unless a tile URL is set.

    Parameters
    ----------
    points : list of dict
        Each with ``latitude``, ``longitude``, ``label`` (tooltip text), ``popup`` (text, may
        span lines), optional ``radius`` and ``colour``. Points without coordinates are skipped.
    areas : list of dict, optional
        Polygons drawn under the points (grid cells, wards): ``outline`` (a ring of
        ``[lat, lon]``), ``label``, ``popup``, optional ``colour`` and ``opacity`` (fill).
    tile_url : str, optional
        Default ``app.map_tile_url`` in settings; empty means a plain background (no tiles).
    """
    tile_url = schema.setting("app.map_tile_url", "") if tile_url is None else tile_url
    attribution = attribution or schema.setting("app.map_tile_attribution", "") or "map tiles"
    centre = list(schema.setting("app.map_centre"))
    # Canvas, not one SVG element per marker: a borough's 5,700 places as SVG took the browser 1-2 s
    # to lay out after each window change (session 10); Leaflet's canvas keeps tooltips and popups.
    m = folium.Map(location=centre, zoom_start=14, tiles=None, height=height, control_scale=True, prefer_canvas=True)
    # Only Leaflet itself, from the app: no jQuery, Bootstrap or icon fonts from CDNs.
    m.default_js = [("leaflet", LEAFLET_URL + "leaflet.js")]
    m.default_css = [("leaflet_css", LEAFLET_URL + "leaflet.css")]
    # A plain light background where no tiles are configured (locked-down networks).
    m.get_root().header.add_child(folium.Element("<style>.leaflet-container{background:#eef2f5}</style>"))
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=attribution, name="base").add_to(m)
    if areas:
        area_layer(areas).add_to(m)
    mapped = [p for p in points if p.get("latitude") is not None and p.get("longitude") is not None]
    if mapped:
        point_layer(mapped).add_to(m)
    if len(mapped) > 1:
        lats = [p["latitude"] for p in mapped]
        lons = [p["longitude"] for p in mapped]
        m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(20, 20))
    elif mapped:
        m.location = [mapped[0]["latitude"], mapped[0]["longitude"]]
    return m.get_root().render()
