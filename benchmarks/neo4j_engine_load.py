"""Load rate of the Neo4j engine on embedded FalkorDB (through the adapter), beside SQLite.

Not a test: a rough figure for the report. Builds a synthetic canonical folder of about
``--rows`` rows (fictional ids and values only), then times validation (shared by both engines)
and the engine write (one transaction) separately.

    uv run python benchmarks/neo4j_engine_load.py --rows 50000
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from graphmap import records
from graphmap.store import open_store
from graphmap.store.falkordb_adapter import FalkorDriver
from graphmap.store.neo4j import Neo4jStore

TINY = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "tiny"


def synthetic_folder(out: Path, rows: int, seed: int = 7) -> Path:
    """A canonical folder of about ``rows`` rows: 20% people, 4% places, 16% incidents,
    30% involvements, 20% associations, 10% presence."""
    rng = np.random.default_rng(seed)
    n_p, n_l, n_i = rows * 20 // 100, rows * 4 // 100, rows * 16 // 100
    n_v, n_a, n_pr = rows * 30 // 100, rows * 20 // 100, rows * 10 // 100
    out.mkdir(parents=True, exist_ok=True)
    pid = np.array([f"P{i:06d}" for i in range(n_p)])
    lid = np.array([f"L{i:05d}" for i in range(n_l)])
    iid = np.array([f"I{i:06d}" for i in range(n_i)])
    day = lambda n: pd.to_datetime("2025-01-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="D")  # noqa: E731
    pd.DataFrame({"person_id": pid, "forename": "Test", "surname": [f"Person{i}" for i in range(n_p)],
                  "date_of_birth": day(n_p).strftime("%Y-%m-%d").str.replace("2025", "2010").str.replace("2026", "2011"),
                  "gender": rng.choice(["female", "male"], n_p), "role": rng.choice(["young_person", "associate"], n_p),
                  "borough": "Synthetic", "flags": rng.choice(["", "LAC", "CP;CIN"], n_p), "source": "csc"}
                 ).to_csv(out / "people.csv", index=False)
    pd.DataFrame({"location_id": lid, "name": [f"Place {i}" for i in range(n_l)], "type": "street",
                  "latitude": np.round(rng.uniform(51.35, 51.45, n_l), 5),
                  "longitude": np.round(rng.uniform(-0.25, -0.1, n_l), 5), "postcode": "", "ward": "Abbey",
                  "source": "police"}).to_csv(out / "locations.csv", index=False)
    pd.DataFrame({"incident_id": iid, "type": rng.choice(["merlin", "missing", "asb"], n_i),
                  "start": day(n_i).strftime("%Y-%m-%dT21:30"), "end": "", "location_id": rng.choice(lid, n_i),
                  "summary": "synthetic", "source": "police", "grading": ""}).to_csv(out / "incidents.csv", index=False)
    inv = pd.DataFrame({"incident_id": rng.choice(iid, n_v), "person_id": rng.choice(pid, n_v),
                        "role": rng.choice(["subject", "present", "victim"], n_v)}).drop_duplicates()
    inv.to_csv(out / "involvements.csv", index=False)
    a = pd.DataFrame({"person_id_a": rng.choice(pid, n_a), "person_id_b": rng.choice(pid, n_a),
                      "kind": rng.choice(["friend", "sibling"], n_a), "first_seen": "2025-02-01", "last_seen": "",
                      "source": "peer_map", "grading": ""}).drop_duplicates(["person_id_a", "person_id_b", "kind"])
    a.to_csv(out / "associations.csv", index=False)
    pr = pd.DataFrame({"person_id": rng.choice(pid, n_pr), "location_id": rng.choice(lid, n_pr),
                       "kind": "frequents", "first_seen": "2025-03-01", "last_seen": "", "source": "police"}
                      ).drop_duplicates(["person_id", "location_id"])
    pr.to_csv(out / "presence.csv", index=False)
    return out


def timed_load(store, folder: Path) -> tuple[int, float, float]:
    t0 = time.perf_counter()
    batch = store.read_files([folder])
    t1 = time.perf_counter()
    store.load_batch(batch)
    t2 = time.perf_counter()
    return batch.rows, t1 - t0, t2 - t1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=50_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = synthetic_folder(tmp / "synthetic", args.rows)
        t0 = time.perf_counter()
        driver = FalkorDriver.embedded(str(tmp / "falkor.db"), graph=f"bench_{uuid.uuid4().hex[:8]}")
        print(f"FalkorDB embedded start: {time.perf_counter() - t0:.2f}s")
        for label, path in (("tiny fixture", TINY), (f"synthetic ~{args.rows}", folder)):
            for engine in ("falkordb", "sqlite"):
                if engine == "falkordb":
                    driver.session().run("MATCH (n) DETACH DELETE n")
                    store = Neo4jStore(driver, url="falkordb://bench", owns_driver=False)
                else:
                    store = open_store(tmp / f"{uuid.uuid4().hex}.db")
                n, validate, write = timed_load(store, path)
                _, _, rewrite = timed_load(store, path)  # the same rows again: upserts, nothing new
                t = time.perf_counter()
                for name in records.load_order():
                    store.table(name)
                read = time.perf_counter() - t
                print(f"{label:>18} {engine:>8}: {n:6d} rows; validate {validate:6.2f}s; write {write:6.2f}s "
                      f"({n / write:8.0f} rows/s); re-load write {rewrite:6.2f}s; read all tables {read:5.2f}s")
                if engine == "sqlite":
                    store.close()
        driver.close()


if __name__ == "__main__":
    main()
