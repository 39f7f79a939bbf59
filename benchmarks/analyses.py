"""The analyses the benchmark times, each plugged in by name.

An entry is ``name -> function(store, tables) -> dict`` returning at least ``seconds`` (the
analysis alone, not reading the store) and optionally ``rows`` (items produced),
``igraph_seconds`` (the same computation in igraph, same run) and ``note``. An analysis whose
module has not landed yet reports ``{"error": "not available: ..."}`` instead of failing the run.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

REGISTRY: dict[str, Callable] = {}


def analysis(name: str):
    def register(fn):
        REGISTRY[name] = fn
        return fn
    return register


def names() -> list[str]:
    return list(REGISTRY)


def run(name: str, db: Path) -> dict:
    from graphmap.store import open_store

    if name not in REGISTRY:
        raise SystemExit(f"unknown stage {name!r} (known: {', '.join(names())})")
    import igraph  # noqa: F401  (imported before timing: a cold import is seconds on a busy machine)
    import leidenalg  # noqa: F401
    import networkx  # noqa: F401

    with open_store(db) as store:
        t = time.perf_counter()
        tables = store.tables()
        read = time.perf_counter() - t
        c = time.process_time()
        out = REGISTRY[name](store, tables)
        if "error" in out:
            raise SystemExit(out["error"])
        out["cpu_seconds"] = time.process_time() - c
    out.setdefault("note", "")
    out["note"] = (out["note"] + f"; store read {read:.1f} s (not counted)").lstrip("; ")
    return out


def _timed(fn, *args, **kw):
    t = time.perf_counter()
    value = fn(*args, **kw)
    return value, time.perf_counter() - t


# --- a plain graph, used until graphmap.network provides its own builder ----------------------

def person_graph(tables):
    """People linked by associations and by being named on the same incident (baseline build)."""
    import networkx as nx

    G = nx.Graph()
    G.add_nodes_from(tables["people"]["person_id"].tolist())
    a = tables["associations"]
    G.add_edges_from(zip(a["person_id_a"].tolist(), a["person_id_b"].tolist()))
    v = tables["involvements"]
    v = v[v["role"] != "reporting"][["incident_id", "person_id"]].drop_duplicates()
    pairs = v.merge(v, on="incident_id")
    pairs = pairs[pairs["person_id_x"] < pairs["person_id_y"]]
    G.add_edges_from(zip(pairs["person_id_x"].tolist(), pairs["person_id_y"].tolist()))
    return G


def _graph(store, tables):
    try:
        from graphmap import network  # noqa: F401  (lands from the network branch)
        build = getattr(network, "build_graph", None)
    except ImportError:
        build = None
    if build is not None:
        return _timed(build, tables) + ("graphmap.network.build_graph",)
    return _timed(person_graph, tables) + ("baseline person graph (benchmarks/analyses.py)",)


def _to_igraph(G):
    import igraph as ig

    nodes = list(G)
    index = {n: i for i, n in enumerate(nodes)}
    return ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in G.edges()]), nodes


@analysis("graph")
def graph_build(store, tables):
    G, secs, how = _graph(store, tables)
    g, igs = _timed(_to_igraph, G)
    return {"seconds": secs, "rows": G.number_of_edges(),
            "note": f"{how}: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges; "
                    f"igraph conversion {igs:.2f} s"}


@analysis("communities")
def communities(store, tables):
    """Louvain in NetworkX against Leiden (modularity) in igraph/leidenalg on the same graph."""
    import leidenalg
    import networkx as nx

    G, _, how = _graph(store, tables)
    parts, secs = _timed(nx.community.louvain_communities, G, seed=7)
    g, _ = _to_igraph(G)
    lp, igs = _timed(leidenalg.find_partition, g, leidenalg.ModularityVertexPartition, seed=7)
    q_nx = nx.community.modularity(G, parts)
    return {"seconds": secs, "rows": len(parts), "igraph_seconds": igs,
            "note": f"nx louvain {len(parts)} groups Q={q_nx:.3f}; leidenalg {len(lp)} groups Q={lp.modularity:.3f}"}


@analysis("betweenness")
def betweenness(store, tables):
    """Sampled betweenness (k=200) in NetworkX against exact igraph betweenness."""
    import networkx as nx
    import numpy as np

    G, _, how = _graph(store, tables)
    k = min(200, G.number_of_nodes())
    bc, secs = _timed(nx.betweenness_centrality, G, k=k, seed=7)
    g, nodes = _to_igraph(G)
    exact, igs = _timed(g.betweenness)
    n = len(nodes)
    scale = 2 / ((n - 1) * (n - 2)) if n > 2 else 1
    x = np.array([bc[v] for v in nodes])
    y = np.array(exact) * scale
    r = float(np.corrcoef(x, y)[0, 1]) if n > 2 and x.std() and y.std() else float("nan")
    return {"seconds": secs, "rows": n, "igraph_seconds": igs,
            "note": f"nx sampled k={k} vs igraph exact; Pearson r={r:.3f}"}


# --- analyses from the network and places branches (plugged in as they land) -----------------

def _window(tables):
    """The window every analysis takes: the 365 days up to the latest incident."""
    from graphmap.window import Window

    starts = tables["incidents"]["start"]
    return Window.ending(str(starts[starts != ""].max())[:10], 365)


@analysis("hotspots")
def hotspots(store, tables):
    try:
        from graphmap import places
        fn = getattr(places, "hotspots")
    except (ImportError, AttributeError) as exc:
        return {"error": f"not available yet: {exc}"}
    window = _window(tables)
    result, secs = _timed(fn, tables, window=window)
    return {"seconds": secs, "rows": len(result), "note": f"graphmap.places.hotspots, window ending {window.end_iso[:10]}"}
