"""Governance timings: audit append/verify, role redaction, Locations Board view, retention.

Run: uv run python benchmarks/governance.py [N_AUDIT]   (prints seconds per step)
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from graphmap import access, audit, retention
from graphmap.store import open_store


def timed(label, fn):
    t = time.perf_counter()
    out = fn()
    print(f"{label:<48} {time.perf_counter() - t:8.3f} s")
    return out


def borough(path: Path, n_people: int = 20_000, n_incidents: int = 40_000) -> Path:
    """A synthetic bulk folder (fictional ids only); intelligence every 10th incident."""
    path.mkdir()
    (path / "people.csv").write_text("person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n" + "".join(
        f"Q{i},Name{i},Family{i % 997},2010-01-01,female,young_person,Merton,,csc\n" for i in range(n_people)))
    (path / "locations.csv").write_text("location_id,name,type,latitude,longitude,postcode,ward,source\n" + "".join(
        f"L{i},Place {i},park,51.41,-0.19,,Abbey,police\n" for i in range(500)))
    (path / "incidents.csv").write_text("incident_id,type,start,end,location_id,summary,source,grading\n" + "".join(
        f"J{i},{'intelligence' if i % 10 == 0 else 'merlin'},20{18 + i % 8}-01-01T10:00,,L{i % 500},row {i},"
        f"{'police' if i % 2 else 'csc'},{'2B C' if i % 10 == 0 else ''}\n" for i in range(n_incidents)))
    (path / "involvements.csv").write_text("incident_id,person_id,role\n" + "".join(
        f"J{i},Q{i % n_people},subject\nJ{i},Q{(i * 7 + 1) % n_people},present\n" for i in range(n_incidents)))
    return path


def main(n_audit: int = 10_000) -> None:
    with tempfile.TemporaryDirectory() as d:
        s = open_store(Path(d) / "g.db")
        folder = borough(Path(d) / "bulk")
        timed("load bulk borough (audited)", lambda: s.load([folder]))
        print("counts:", s.counts())
        actor = access.Actor("bench", "analyst")

        def appends():
            for i in range(n_audit):
                audit.record(s, "view_person", actor=actor, subject=f"person:P{i}")
        timed(f"append {n_audit} audit entries (one tx each)", appends)
        check = timed(f"verify_audit ({n_audit + 1} entries)", lambda: audit.verify_audit(s))
        assert check.ok
        tables = s.tables()
        secret = access.store_secret(s)
        timed("redact_tables community_safety", lambda: access.redact_tables(tables, "community_safety", secret=secret))
        timed("redact_tables social_care", lambda: access.redact_tables(tables, "social_care"))
        timed("place_summary (Locations Board)", lambda: access.place_summary(s, access.Actor("cs", "community_safety")))
        rep = timed("past_retention as at 2030-06-01", lambda: retention.past_retention(s, date(2030, 6, 1)))
        print("past retention:", rep.total)
        removed = timed("purge as at 2030-06-01", lambda: retention.purge(s, as_at=date(2030, 6, 1), actor=actor))
        print("purged:", removed)
        s.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
