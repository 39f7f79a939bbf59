"""A load killed with SIGKILL half-way leaves the SQLite store readable, as it was before."""

from __future__ import annotations

import subprocess
import sys

import pytest

from graphmap.store import open_store
from tests.conftest import DEMO, kill_when_wal_grows


def big_folder(path, n_people=60_000, n_incidents=120_000):
    path.mkdir()
    with open(path / "people.csv", "w") as f:
        f.write("person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n")
        f.writelines(f"Q{i},Name{i},Family{i % 997},2010-01-01,female,young_person,Merton,,bulk\n"
                     for i in range(n_people))
    with open(path / "incidents.csv", "w") as f:
        f.write("incident_id,type,start,end,location_id,summary,source,grading\n")
        f.writelines(f"J{i},merlin,2026-01-01T10:00,,,bulk row {i},bulk,\n" for i in range(n_incidents))
    with open(path / "involvements.csv", "w") as f:
        f.write("incident_id,person_id,role\n")
        f.writelines(f"J{i},Q{i % n_people},subject\n" for i in range(n_incidents))


@pytest.mark.slow
def test_kill_9_mid_load_leaves_store_as_before(tmp_path):
    db = tmp_path / "g.db"
    with open_store(db) as s:
        s.load([DEMO])
        before = s.counts()
    big_folder(tmp_path / "big")
    proc = subprocess.Popen([sys.executable, "-m", "graphmap.cli", "load", str(tmp_path / "big"), "--db", str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill once the loader is visibly writing: the WAL has grown well past the demo's pages.
    kill_when_wal_grows(proc, tmp_path / "g.db-wal", 4_000_000, what="load")
    with open_store(db) as s:
        assert s.counts() == before
        assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
