"""The synthetic demo borough: where it lives and how it is built into a store."""

from __future__ import annotations

from pathlib import Path

from .store import LoadResult, Store

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
DEMO_DIR = SAMPLE_DIR / "demo"


def build_demo(store: Store) -> LoadResult | None:
    """Load the committed demo borough into ``store`` unless it already holds people.

    Returns the load result, or ``None`` when the store was not empty.
    """
    if store.counts().get("people", 0):
        return None
    return store.load([DEMO_DIR])
