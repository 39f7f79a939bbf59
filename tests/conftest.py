"""Shared fixtures: real store files in a temporary folder, one fixture per engine."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "tests" / "fixtures" / "tiny"  # small hand-written fixture with known ids
SAMPLE_DEMO = Path(os.environ.get("GRAPHMAP_SAMPLE_DEMO", ROOT / "sample_data" / "demo"))  # the generated demo borough
# ../shared/eval-data from the main checkout; a worktree under /work/wt/<name> finds it one level up.
EVAL_DATA = Path(os.environ.get("GRAPHMAP_EVAL_DATA") or next(
    (p for p in (ROOT.parent / "shared" / "eval-data", ROOT.parent.parent / "shared" / "eval-data") if p.exists()),
    ROOT.parent / "shared" / "eval-data"))

ENGINES = ["sqlite"]


def make_store(engine: str, tmp_path: Path):
    from graphmap.store import open_store

    if engine == "sqlite":
        return open_store(tmp_path / "graphmap.db")
    raise ValueError(engine)  # pragma: no cover


@pytest.fixture(params=ENGINES)
def store(request, tmp_path):
    """A fresh, empty store on each engine (the contract suite runs on all of them)."""
    s = make_store(request.param, tmp_path)
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
