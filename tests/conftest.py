"""Shared fixtures: real store files in a temporary folder, one fixture per engine."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "tests" / "fixtures" / "tiny"  # small hand-written fixture with known ids
SAMPLE_DEMO = Path(os.environ.get("GRAPHMAP_SAMPLE_DEMO", ROOT / "sample_data" / "demo"))  # the generated demo borough


def _eval_data() -> Path:
    """../shared/eval-data beside the checkout (or beside its parent, for git worktrees)."""
    if os.environ.get("GRAPHMAP_EVAL_DATA"):
        return Path(os.environ["GRAPHMAP_EVAL_DATA"])
    for up in (ROOT.parent, ROOT.parent.parent):
        if (up / "shared" / "eval-data").is_dir():
            return up / "shared" / "eval-data"
    return ROOT.parent / "shared" / "eval-data"


EVAL_DATA = _eval_data()

NEO4J_URI = os.environ.get("GRAPHMAP_TEST_NEO4J_URI", "")
ENGINES = [
    "sqlite",
    "falkordb",  # the Neo4j engine's code and Cypher, on embedded FalkorDB through the adapter
    pytest.param("neo4j", marks=[pytest.mark.neo4j, pytest.mark.skipif(
        not NEO4J_URI, reason="set GRAPHMAP_TEST_NEO4J_URI to run the contract suite on a real Neo4j")]),
]


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory):
    """One embedded FalkorDB per test session (each test gets its own graph in it)."""
    from redislite.falkordb_client import FalkorDB

    db = FalkorDB(str(tmp_path_factory.mktemp("falkordb") / "graphs.db"))
    yield db
    db.close()


def make_store(engine: str, tmp_path: Path, request=None):
    from graphmap.store import open_store

    if engine == "sqlite":
        return open_store(tmp_path / "graphmap.db")
    if engine == "falkordb":
        import uuid

        from graphmap.store.falkordb_adapter import FalkorDriver
        from graphmap.store.neo4j import Neo4jStore

        db = request.getfixturevalue("falkordb_server")
        name = f"t_{uuid.uuid4().hex}"
        request.addfinalizer(lambda: db.client.execute_command("GRAPH.DELETE", name)
                             if db.client.exists(name) else None)
        return Neo4jStore(FalkorDriver(db.select_graph(name)), url=f"falkordb://{name}")
    if engine == "neo4j":
        # A throwaway server only: every test starts by deleting the whole graph.
        from graphmap.store import cypher
        from graphmap.store.neo4j import Neo4jStore

        s = Neo4jStore.from_url(NEO4J_URI)
        with s._session() as session:
            session.run(cypher.wipe()).consume()
        return s
    raise ValueError(engine)  # pragma: no cover


@pytest.fixture(params=ENGINES)
def store(request, tmp_path):
    """A fresh, empty store on each engine (the contract suite runs on all of them)."""
    s = make_store(request.param, tmp_path, request)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path):
    from graphmap.store import open_store

    s = open_store(tmp_path / "graphmap.db")
    yield s
    s.close()


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    """A writable copy of the tiny hand-written canonical fixture."""
    dst = tmp_path / "demo"
    shutil.copytree(DEMO, dst)
    return dst


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def kill_when_wal_grows(proc, wal: Path, min_bytes: int, *, what: str = "the write", timeout_s: float = 120) -> None:
    """SIGKILL ``proc`` once the SQLite WAL passes ``min_bytes`` (the write is visibly under way).

    Fails the test if the process finished first: the data must be made bigger, or the test
    would no longer kill anything mid-write.
    """
    import signal
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > min_bytes:
            break
        time.sleep(0.005)
    assert proc.poll() is None, f"{what} finished before it could be killed; make the data bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.fixture(scope="session")
def sample_demo_db(tmp_path_factory) -> Path:
    """A SQLite store of the generated demo borough (sample_data/demo), built once per session."""
    from graphmap.store import open_store

    path = tmp_path_factory.mktemp("sample_demo") / "graphmap.db"
    with open_store(path) as s:
        assert s.load([SAMPLE_DEMO]).rejected_rows == 0
    return path


# --- the demo borough with a hostile name in it (packs and the complex strategy / weekly pages) ---
HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_SURNAME = "<img src=x onerror=alert(2)>"
HOSTILE_ID = "P9001"  # a young person tied to adult of concern P0302 in the week up to 2026-09-19


def build_demo_store(path: Path) -> Path:
    """A SQLite store of a copy of sample_data/demo plus one young person whose name is markup,
    named on a Merlin with adult of concern P0302 on 2026-09-16 (in the week to 2026-09-19)."""
    from graphmap.store import open_store

    src = path.parent / "demo"
    shutil.copytree(SAMPLE_DEMO, src, ignore=shutil.ignore_patterns("ground_truth.json"))
    extra = path.parent / "hostile"
    write_csv(extra / "people.csv", "person_id,forename,surname,date_of_birth,gender,role,borough,flags,source\n"
              f"{HOSTILE_ID},{HOSTILE_NAME},\"{HOSTILE_SURNAME}\",2011-03-03,male,young_person,Merton,,csc\n")
    write_csv(extra / "associations.csv",
              "person_id_a,person_id_b,kind,first_seen,last_seen,source,grading,fact_or_opinion\n"
              f"{HOSTILE_ID},P0302,olders,2026-09-16,,police,,opinion\n")
    write_csv(extra / "incidents.csv", "incident_id,type,start,end,location_id,summary,source,grading,fact_or_opinion\n"
              "I9001,merlin,2026-09-16T20:00,,L0007,Stopped together,police,,fact\n")
    write_csv(extra / "involvements.csv", f"incident_id,person_id,role\nI9001,{HOSTILE_ID},subject\nI9001,P0302,present\n")
    with open_store(path) as s:
        s.load([src])
        r = s.load([extra])
        assert r.rejected_rows == 0, r.batch.rejects
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A SQLite file of the demo borough (read only: copy it before writing)."""
    return build_demo_store(tmp_path_factory.mktemp("demo_db") / "graphmap.db")


def clear_schema_caches() -> None:
    """Forget what was read from schema/ (after pointing at, or editing, another copy)."""
    from graphmap import schema

    for f in (schema.settings, schema.record_specs, schema.vocabularies, schema.roles_file):
        f.cache_clear()


@pytest.fixture
def schema_copy(tmp_path, monkeypatch):
    """A private copy of schema/ that graphmap reads in this process; a test may edit its files
    (then call :func:`clear_schema_caches`)."""
    from graphmap import schema

    d = tmp_path / "schema"
    shutil.copytree(ROOT / "schema", d)
    monkeypatch.setattr(schema, "SCHEMA_DIR", d)
    clear_schema_caches()
    yield d
    clear_schema_caches()
