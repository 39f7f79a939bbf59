"""Benchmark: how long the synthetic borough takes to generate, and how big it is.

    uv run python benchmarks/bench_synthetic.py [demo borough region]

Writes into sample_data/bench/<size> (git-ignored) and prints wall and CPU seconds, peak
memory and bytes on disk per size. Not a test: speed targets are read, not asserted.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

from graphmap import synthetic

ROOT = Path(__file__).resolve().parent.parent


def main(sizes: list[str]) -> None:
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    for size in sizes:
        out = ROOT / "sample_data" / "bench" / size
        cpu0, t0 = time.process_time(), time.perf_counter()
        summary = synthetic.generate(out, size)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        c = summary["counts"]
        print(f"{size:8} {c['people']:>8} people {c['incidents']:>9} incidents  wall {wall:6.1f} s  "
              f"cpu {cpu:6.1f} s  peak RSS {peak:6.0f} MB (process so far)  {summary['bytes'] / 1e6:7.1f} MB on disk")


if __name__ == "__main__":
    main(sys.argv[1:] or ["demo", "borough"])
