"""The evidence behind the peer-group method: each candidate on the synthetic borough's planted
groups (adjusted Rand index) and on Davis Southern Women (Freeman's consensus split).

    uv run python benchmarks/peer_group_choice.py --folder sample_data/bench/borough --db /tmp/borough.db

``--folder`` is the generated borough (for ``ground_truth.json``), ``--db`` the store it was
loaded into. Davis is read from ../shared/eval-data through the store, as the test does. Prints a
markdown table: ARI, communities found, CPU seconds, and Davis (groups found, women differing
from the consensus; the test wants 2 groups and at most 1 differing).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def davis_graph():
    import pandas as pd

    import tests.test_network_eval as te
    from graphmap.store import open_store
    from tests.conftest import EVAL_DATA

    tmp = Path(tempfile.mkdtemp())
    att = pd.read_csv(EVAL_DATA / "networkx-classics" / "davis_attendance.csv")
    grp = pd.read_csv(EVAL_DATA / "networkx-classics" / "davis_groups.csv")
    ids = {w: f"W{int(o):02d}" for w, o in zip(grp["woman"], grp["dgg_order"])}
    events = sorted(att["event"].unique(), key=lambda e: int(e[1:]))
    when = {e: (te.AS_AT - timedelta(days=7 * (len(events) - i))).isoformat() + "T19:00" for i, e in enumerate(events, 1)}
    folder = te.write_canonical(
        tmp / "canon", [te.person(p, "young_person", "2010-01-01") for p in ids.values()],
        incidents=[{"incident_id": e, "type": "other", "start": when[e], "source": "eval"} for e in events],
        involvements=[{"incident_id": e, "person_id": ids[w], "role": "present"} for w, e in zip(att["woman"], att["event"])])
    with open_store(tmp / "d.db") as st:
        D = te.graph_through_store(st, folder)
    return D, {ids[w]: g for w, g in zip(grp["woman"], grp["freeman2003_consensus_group"])}


def main() -> None:
    import leidenalg
    import numpy as np

    from graphmap.network._igraph import to_igraph
    from graphmap.network.graphs import load_frames, person_graph, young_people
    from graphmap.network.peer_groups import adjusted_rand_index, communities
    from graphmap.store import open_store
    from graphmap.window import Window

    ap = argparse.ArgumentParser()
    ap.add_argument("--folder", type=Path, required=True)
    ap.add_argument("--db", required=True)
    a = ap.parse_args()
    truth = json.loads((a.folder / "ground_truth.json").read_text())
    with open_store(a.db) as store:
        G = person_graph(load_frames(store, Window.ending(truth["as_at"], truth["window_days"])))
    H = G.subgraph(young_people(G))
    D, consensus = davis_graph()
    planted = {m: g for g, ms in truth["groups"].items() for m in ms}
    people = sorted(planted)

    def ari(parts):
        found = {v: i for i, p in enumerate(parts) if len(p) >= 3 for v in p}
        return adjusted_rand_index([planted[p] for p in people], [found.get(p, "alone:" + p) for p in people])

    def davis(parts):
        return len(parts), sum(len(p) - max(sum(consensus[m] == 1 for m in p), sum(consensus[m] == 2 for m in p))
                               for p in parts)

    def leidenalg_parts(G, kind, **kw):
        g, nodes = to_igraph(G, "weight")
        p = leidenalg.find_partition(g, kind, seed=0, **kw)
        return [{nodes[i] for i in c} for c in p]

    C, S = leidenalg.CPMVertexPartition, leidenalg.SurpriseVertexPartition
    candidates = [("modularity (resolution 1)", lambda X: communities(X, seed=0))]
    for r in (2, 5, 20):
        candidates.append((f"modularity, resolution {r}", lambda X, r=r: communities(X, seed=0, resolution=r)))
    candidates += [
        ("CPM, resolution 0.2", lambda X: leidenalg_parts(X, C, weights="weight", resolution_parameter=0.2)),
        ("CPM, resolution 1.0", lambda X: leidenalg_parts(X, C, weights="weight", resolution_parameter=1.0)),
        ("surprise (unweighted)", lambda X: leidenalg_parts(X, S)),
        ("surprise (weighted)", lambda X: leidenalg_parts(X, S, weights="weight")),
    ]
    for q in (0.2, 0.3, 0.4):
        candidates.append((f"modularity, split again while split modularity >= {q}",
                           lambda X, q=q: communities(X, seed=0, split_min_modularity=q)))
    print(f"borough: {H.number_of_nodes():,} young people, {H.number_of_edges():,} ties, {len(truth['groups'])} planted groups\n")
    print("| method | borough ARI | communities | CPU s | Davis groups | Davis women differing |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, fn in candidates:
        c = time.process_time()
        parts = fn(H)
        cpu = time.process_time() - c
        n, differ = davis(fn(D))
        print(f"| {name} | {ari(parts):.3f} | {len(parts):,} | {cpu:.2f} | {n} | {differ} |", flush=True)
    del np


if __name__ == "__main__":
    main()
