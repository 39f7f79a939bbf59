"""How long a source mapping takes on a large export (not a test: run by hand).

    uv run python benchmarks/ingest_exports.py [ROWS]

Writes a Merlin-shaped CSV of ROWS reports (default 20,000; each names a subject and two
others present) and times ``ingest.read_exports`` on it. Note the machine and its load when
quoting the figure.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from graphmap import ingest

HDR = ("Merlin Ref,Date/Time of Report,Location,Location Type,Postcode,Latitude,Longitude,"
       "Subject ID,Subject Name,Subject DOB,Others Present,Reason for Report\n")


def main(n: int) -> None:
    rows = "".join(f"M{i},14/03/2026 21:40,Place {i % 500},Park,,51.40,-0.20,P{i % 5000},Name{i % 5000} SMITH,"
                   f"04/03/2010,Kai BRENNAN (01/02/2009); Amira HASSAN,MFH\n" for i in range(n))
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "merlin.csv"
        p.write_text(HDR + rows, encoding="utf-8")
        t = time.perf_counter()
        b = ingest.read_exports([p], "merlin")
        dt = time.perf_counter() - t
    print(f"{n:,} Merlin rows -> {ingest.mapped_counts(b)} in {dt:.1f} s "
          f"({n / dt:,.0f} rows/s; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
