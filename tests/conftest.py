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
