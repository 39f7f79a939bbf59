"""How long identity scoring takes, and how well it does, on a large labelled set (by hand).

    uv run python benchmarks/identity_resolution.py [FAMILIES]

Builds the seeded labelled set of tests/linkage_set.py with FAMILIES families (default 5,000:
about 18,000 records of 9,000 children), scores it and prints time, precision and recall.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphmap import identity  # noqa: E402
from tests.linkage_set import labelled_people  # noqa: E402


def main(families: int) -> None:
    people, presence, truth = labelled_people(n_families=families, seed=7)
    t = time.perf_counter()
    scored = identity.score_pairs(people, presence)
    dt = time.perf_counter() - t
    got = identity.pairwise_precision_recall(identity.cluster(scored, list(people["person_id"])), truth)
    print(f"{len(people):,} records, {len(scored):,} blocked pairs scored in {dt:.1f} s "
          f"(load average {os.getloadavg()[0]:.1f}); automatic merges: precision {got['precision']:.3f}, "
          f"recall {got['recall']:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000)
