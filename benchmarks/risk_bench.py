"""Timing of the risk-matrix features on a borough-sized synthetic store (not a test).

    uv run python benchmarks/risk_bench.py [--people 5000] [--incidents 20000]

Builds random canonical records (fictional ids only) into a temporary SQLite store, then times:
reading the tables, the cohort review list, one person profile (with proposals), and the
cohort overlap.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from graphmap import risk
from graphmap.cohorts import cohort_overlap
from graphmap.profile import person_profile
from graphmap.reviews import review_report
from graphmap.store import open_store
from graphmap.window import Window


def build(folder: Path, people: int, incidents: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    flags = ["", "", "", "LAC", "CSE", "CCE", "CME", "YJ", "MISSING", "CSE;MISSING", "CCE;YJ"]
    with open(folder / "people.csv", "w") as f:
        f.write("person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n")
        for i in range(people):
            adult = i % 10 == 0
            dob = date(1990 if adult else 2008, 1, 1) + timedelta(days=rng.randrange(2000))
            f.write(f"P{i},,,{dob},unknown,{'adult_of_concern' if adult else 'young_person'},X,"
                    f"{'' if adult else rng.choice(flags)},csc\n")
    with open(folder / "locations.csv", "w") as f:
        f.write("location_id,name,type,latitude,longitude,postcode,ward,source\n")
        for i in range(300):
            f.write(f"L{i},place {i},park,,,,,council\n")
    types = ["merlin", "missing", "asb", "arrest", "stop_search", "referral", "school"]
    start0 = date(2025, 1, 1)
    with open(folder / "incidents.csv", "w") as f, open(folder / "involvements.csv", "w") as g:
        f.write("incident_id,type,start,end,location_id,summary,source,grading\n")
        g.write("incident_id,person_id,role\n")
        for i in range(incidents):
            t = rng.choice(types)
            d = start0 + timedelta(days=rng.randrange(600), hours=rng.randrange(24))
            end = (d + timedelta(hours=rng.randrange(1, 80))).isoformat() if t == "missing" else ""
            f.write(f"I{i},{t},{d.isoformat()}T20:00,{end[:10] + 'T20:00' if end else ''},L{rng.randrange(300)},"
                    f"{rng.choice(['knife seen', 'shouting', 'fight', 'found late'])},police,\n")
            for j, p in enumerate(rng.sample(range(people), rng.randint(1, 3))):
                role = ("missing_person" if t == "missing" and j == 0 else "found_with" if t == "missing"
                        else "subject")
                g.write(f"I{i},P{p},{role}\n")
    with open(folder / "associations.csv", "w") as f:
        f.write("person_id_a,person_id_b,kind,first_seen,last_seen,source,grading\n")
        for i in range(people * 2):
            a, b = rng.sample(range(people), 2)
            f.write(f"P{a},P{b},friend,2025-01-01,,peer_map,\n")
    fw = risk.framework()
    levels = list(fw.levels)
    with open(folder / "assessments.csv", "w") as f:
        f.write("assessment_id,person_id,assessed_on,assessor,status,framework," + ",".join(fw.domains) + ",source\n")
        for i in range(people // 2):
            on = start0 + timedelta(days=rng.randrange(600))
            f.write(f"A{i},P{rng.randrange(people)},{on},sw,agreed,{fw.id},"
                    + ",".join(rng.choice(levels) for _ in fw.domains) + ",csc\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=5000)
    ap.add_argument("--incidents", type=int, default=20000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "csv"
        folder.mkdir()
        build(folder, a.people, a.incidents)
        store = open_store(Path(tmp) / "g.db")
        t0 = time.perf_counter()
        store.load([folder])
        t1 = time.perf_counter()
        tables = store.tables()
        t2 = time.perf_counter()
        w = Window.ending("2026-08-01", 365)
        rv = review_report(tables, as_at=w.as_at)
        t3 = time.perf_counter()
        person_profile(tables, "P1", window=w, hotspots={f"L{i}" for i in range(20)})
        t4 = time.perf_counter()
        cohort_overlap(tables, window=w)
        t5 = time.perf_counter()
        print(f"{a.people} people, {a.incidents} incidents, {len(tables['assessments'])} assessments")
        print(f"load {t1 - t0:.2f} s; read tables {t2 - t1:.2f} s; reviews ({len(rv['reviews'])} people) "
              f"{t3 - t2:.2f} s; one profile {t4 - t3:.2f} s; cohort overlap {t5 - t4:.2f} s")
        store.close()


if __name__ == "__main__":
    main()
