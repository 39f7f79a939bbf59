"""graphmap benchmarks: load, repeat load, graph build, analyses, hotspots, peak memory.

    uv run python benchmarks/run.py --size demo|borough|region [--only parse,load,reload,...]

Generates the synthetic borough of that size into ``sample_data/bench/<size>/`` if absent
(git-ignored), then runs each stage in its OWN subprocess so its peak memory
(``getrusage(RUSAGE_SELF).ru_maxrss``, which counts numpy/Arrow buffers that tracemalloc misses)
belongs to that stage alone. Prints a markdown table and writes it to
``benchmarks/results/<size>-<date>.md``.

Stages (see :data:`STAGES`): ``parse`` (the same CSVs read by pandas and by pyarrow: the floor
a load is compared with), ``load`` (validate + write into a fresh SQLite store), ``reload``
(the unchanged files again: skipped as unchanged), ``upsert`` (the same files with skipping
off: every row re-validated and upserted), then the analyses in :mod:`benchmarks.analyses`,
each plugged in by name, with igraph comparisons where one exists. Targets are stated beside
the figures; they are never test assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "sample_data" / "bench"
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT))

from benchmarks import analyses  # noqa: E402

# Targets from issue 9 (seconds, GiB), by size.
TARGETS = {
    "borough": {"load": 20, "analysis": 10, "memory_gib": 2},
    "region": {"load": 600, "analysis": 600, "memory_gib": 16},
}
STORE_STAGES = ["parse", "load", "reload", "upsert"]
ANALYSE_STAGES = ["analyse", "analyse2"]  # the real `graphmap analyse`, 1 and 2 workers


def data_dir(size: str) -> Path:
    """The synthetic folder for a size, generated on first use."""
    d = BENCH / size
    if not (d / "people.csv").exists():
        print(f"generating the {size} synthetic borough into {d} ...", file=sys.stderr, flush=True)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "graphmap.cli", "synth", "--size", size, "--out", str(d)], check=True)
        print(f"  generated in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return d


def csv_files(d: Path) -> list[Path]:
    from graphmap import records

    return [p for _, p in records.find_record_files([d])]


# --- stages (each runs in a child process; returns a dict of figures) ------------------------

def stage_parse(size: str, db: Path) -> dict:
    import pandas as pd
    import pyarrow.csv as pacsv

    files = csv_files(data_dir(size))
    c = time.process_time()
    t = time.perf_counter()
    rows = sum(len(pd.read_csv(f, dtype=str, keep_default_na=False)) for f in files)
    t_pd, cpu = time.perf_counter() - t, time.process_time() - c
    t = time.perf_counter()
    rows_pa = sum(pacsv.read_csv(f, convert_options=pacsv.ConvertOptions(
        column_types={}, strings_can_be_null=False)).num_rows for f in files)
    t_pa = time.perf_counter() - t
    assert rows == rows_pa
    return {"rows": rows, "seconds": t_pd, "pyarrow_seconds": t_pa, "cpu_seconds": cpu,
            "note": f"pandas read_csv(dtype=str) {t_pd:.2f} s; pyarrow.csv {t_pa:.2f} s"}


def _load(size: str, db: Path, *, fresh: bool, skip_unchanged: bool = True) -> dict:
    from graphmap.store import open_store

    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    d = data_dir(size)
    with open_store(db) as store:
        t, c = time.perf_counter(), time.process_time()
        result = store.load([d], skip_unchanged=skip_unchanged)
        secs, cpu = time.perf_counter() - t, time.process_time() - c
    read = sum(f.read for f in result.batch.files)
    skipped = sum(1 for f in result.batch.files if f.skipped)
    return {"rows": read, "seconds": secs, "cpu_seconds": cpu, "loaded": result.loaded_rows, "rejected": result.rejected_rows,
            "note": f"{skipped} of {len(result.batch.files)} files skipped as unchanged" if skipped else
            f"{result.loaded_rows} rows written, {result.rejected_rows} rejected"}


def stage_load(size, db):
    return _load(size, db, fresh=True)


def stage_reload(size, db):
    return _load(size, db, fresh=False)


def stage_upsert(size, db):
    return _load(size, db, fresh=False, skip_unchanged=False)


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _analyse(db: Path, workers: int) -> dict:
    """What `graphmap analyse` does (the window's frames, every analysis, hotspots), timed whole.

    The window is the default length up to the latest incident start. ``analyses_s`` is the
    analyses alone (`wall_s` in the JSON: graphs built, analysed and the hotspots, without reading
    the window: that is `read_s`).
    """
    from graphmap import schema
    from graphmap.network.analyse import analyse, write_json
    from graphmap.store import open_store
    from graphmap.window import Window

    with open_store(db) as store:
        latest = store.conn.execute("SELECT max(substr(start, 1, 10)) FROM incidents").fetchone()[0]
        if not latest:
            raise SystemExit(f"{db}: no incidents loaded, nothing to analyse")
        window = Window.ending(latest, int(schema.setting("analysis.window_days")))
        t, c = time.perf_counter(), time.process_time() + _children_cpu()
        doc = analyse(store, window, workers=workers)
        # CPU of this process and of the forked worker (reaped by then), so 1 and 2 workers compare.
        secs, cpu = time.perf_counter() - t, time.process_time() + _children_cpu() - c
    t = time.perf_counter()
    write_json(doc, db.with_suffix(f".analyse{workers}.json"))
    json_s = time.perf_counter() - t
    top = sorted(doc["cpu_s"].items(), key=lambda kv: -kv[1])[:6]
    return {"rows": doc["counts"]["people"], "seconds": secs, "cpu_seconds": cpu, "analyses_s": doc["wall_s"],
            "note": f"window to {latest}; read {doc['read_s']:.1f} s, analyses (graphs + all + hotspots) {doc['wall_s']:.1f} s wall; "
                    f"JSON {json_s:.1f} s; {len(doc['peer_groups'])} peer groups, {doc['counts']['ties']:,} ties; "
                    "largest CPU s: " + ", ".join(f"{k} {v:.1f}" for k, v in top)}


def stage_analyse(size, db):
    return _analyse(db, 1)


def stage_analyse2(size, db):
    return _analyse(db, 2)


def run_stage(name: str, size: str, db: Path) -> dict:
    fn = globals().get(f"stage_{name}")
    if fn is not None:
        out = fn(size, db)
    else:
        out = analyses.run(name, db)
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # analyse2's forked worker
    if child:
        out["note"] = (out.get("note", "") + f"; forked worker peak RSS {child:,.0f} MiB (shares the "
                       "graph's pages with this process until either writes them)").lstrip("; ")
    return out


def _ram_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def _tree(pid: int) -> list[int]:
    """A process and its descendants now (Linux /proc)."""
    out = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                out += _tree(int(child))
    except OSError:
        pass
    return out


def _field_gib(pid: int, path: str, key: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def _rss_gib(pid: int) -> float:
    """Resident memory of a process and its descendants now (Linux /proc), 0 once gone.

    Descendants count: ``analyse2`` forks a worker holding its own copy of the graph. Pages the
    two still share after the fork are counted twice, so this errs high, as a watchdog should.
    """
    return sum(_field_gib(p, "status", "VmRSS:") for p in _tree(pid))


def _pss_gib(pid: int) -> float:
    """The memory a process and its descendants take from the machine now: proportional set
    size, each page shared after a fork counted once in all (``/proc/PID/smaps_rollup``). What
    the 16 GiB target is about; :func:`_rss_gib` counts shared pages twice."""
    return sum(_field_gib(p, "smaps_rollup", "Pss:") for p in _tree(pid))


def region_schema() -> str:
    """A copy of schema/ whose per-file limit admits the region's 520 MB incidents file.

    ``limits.max_file_mb`` (512) guards an analyst's machine against a runaway export; a
    partnership loading a region raises it in its own settings, as this run does. Returned as
    the ``GRAPHMAP_SCHEMA`` the stages run with.
    """
    import shutil

    import yaml

    d = BENCH / "schema-region"
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(ROOT / "schema", d)
    text = (d / "settings.yaml").read_text()
    assert "max_file_mb: 512" in text, "settings.yaml limits.max_file_mb moved: update region_schema()"
    (d / "settings.yaml").write_text(text.replace("max_file_mb: 512", "max_file_mb: 2048"))
    assert yaml.safe_load((d / "settings.yaml").read_text())["limits"]["max_file_mb"] == 2048
    return str(d)


def in_child(name: str, size: str, db: Path, *, max_rss_gib: float) -> dict:
    """Run one stage in a child process, killed if its memory passes ``max_rss_gib``.

    A region-size stage that ran away with memory would take the machine (and every other
    engineer's work on it) down with it; the watchdog turns that into a row saying so.
    """
    with subprocess.Popen([sys.executable, __file__, "--size", size, "--stage", name, "--db", str(db)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        peak = peak_pss = 0.0
        ticks = 0
        out_err: list[str] = []
        reader = threading.Thread(target=lambda: out_err.extend(proc.communicate()), daemon=True)
        reader.start()
        while reader.is_alive():
            peak = max(peak, _rss_gib(proc.pid))
            if ticks % 4 == 0:  # every 2 s: the kernel walks every page table for it
                peak_pss = max(peak_pss, _pss_gib(proc.pid))
            ticks += 1
            # The limit is on PSS: the RSS sum counts the pages a forked worker shares twice and
            # stopped a region run at 19 GiB that took less from the machine.
            if peak_pss > max_rss_gib:
                for pid in reversed(_tree(proc.pid)):  # the worker too, or it keeps the pipes open
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                reader.join()
                return {"error": f"stopped by the memory watchdog at {peak_pss:.1f} GiB PSS "
                                 f"(limit {max_rss_gib:.1f} GiB)"}
            reader.join(0.5)
        stdout, stderr = out_err
    if proc.returncode != 0:
        last = (stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:200]}
    out = json.loads(stdout.strip().splitlines()[-1])
    if peak_pss:  # sampled every 2 s: a stage shorter than that may show none
        out["note"] = (out.get("note", "") + f"; peak memory of the stage's processes together "
                       f"(PSS, shared pages once, sampled every 2 s) {peak_pss * 1024:,.0f} MiB").lstrip("; ")
    return out


# --- report ----------------------------------------------------------------------------------

def machine() -> str:
    load1 = os.getloadavg()[0]
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = float("nan")
    return (f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}, "
            f"load average {load1:.1f} at start (cores shared with other engineers' work)")


def table(size: str, results: dict[str, dict]) -> str:
    tgt = TARGETS.get(size, {})
    lines = ["| stage | rows | wall s | CPU s | rows/s (wall) | peak RSS MiB | vs | notes |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    parse_s = results.get("parse", {}).get("seconds")
    load_s = results.get("load", {}).get("seconds")
    for name, r in results.items():
        if "error" in r:
            lines.append(f"| {name} | | | | | | | not run: {r['error']} |")
            continue
        rows, secs = r.get("rows"), r.get("seconds")
        rate = f"{rows / secs:,.0f}" if rows and secs else ""
        vs = ""
        if name == "load" and parse_s:
            vs = f"{secs / parse_s:.1f}x pandas parse"
            if "load" in tgt:
                vs += f"; target <= {tgt['load']} s"
        elif name in ("reload", "upsert") and load_s:
            vs = f"{secs / load_s:.2f}x first load"
        elif r.get("igraph_seconds"):
            vs = f"{secs / r['igraph_seconds']:.1f}x igraph ({r['igraph_seconds']:.2f} s)"
        elif "analysis" in tgt and name not in STORE_STAGES:
            vs = f"target <= {tgt['analysis']} s"
        cpu = f"{r['cpu_seconds']:.2f}" if "cpu_seconds" in r else ""
        lines.append(f"| {name} | {rows if rows is not None else ''} | {secs:.2f} | {cpu} | {rate} | "
                     f"{r['peak_rss_mib']:,.0f} | {vs} | {r.get('note', '')} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=["demo", "borough", "region"], default="demo")
    ap.add_argument("--only", default="", help="comma-separated stages (default: all)")
    ap.add_argument("--db", default=None, help="store file (default sample_data/bench/<size>.db)")
    ap.add_argument("--stage", help=argparse.SUPPRESS)  # internal: run one stage in this process
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    ap.add_argument("--tag", default="", help="suffix for the results file (keeps an earlier run's table)")
    ap.add_argument("--max-rss-gib", type=float, default=None,
                    help="stop a stage whose processes' memory (PSS, sampled every 2 s) passes this (default: 80%% of RAM)")
    a = ap.parse_args()
    db = Path(a.db) if a.db else BENCH / f"{a.size}.db"
    if a.stage:
        print(json.dumps(run_stage(a.stage, a.size, db)))
        return
    stages = STORE_STAGES + ANALYSE_STAGES + analyses.names()
    if a.only:
        wanted = a.only.split(",")
        stages = [s for s in stages if s in wanted] + [s for s in wanted if s not in stages]
    if any(s in STORE_STAGES for s in stages) or not db.exists():
        data_dir(a.size)
    if not db.exists() and "load" not in stages:
        stages.insert(0, "load")
    started = machine()
    if a.size == "region":
        os.environ["GRAPHMAP_SCHEMA"] = region_schema()
        started += "; limits.max_file_mb raised to 2048 for the region's 520 MB incidents file"
    results = {}
    out = RESULTS / f"{a.size}-{datetime.now(timezone.utc):%Y-%m-%d}{'-' + a.tag if a.tag else ''}.md"
    limit = a.max_rss_gib if a.max_rss_gib else 0.8 * _ram_gib()
    for name in stages:
        print(f"[{datetime.now():%H:%M:%S}] {name} ...", file=sys.stderr, flush=True)
        results[name] = in_child(name, a.size, db, max_rss_gib=limit)
        print(f"    {results[name]}", file=sys.stderr, flush=True)
        md = (f"# graphmap benchmark: {a.size}\n\n{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {started}.\n"
              f"Data: `graphmap synth --size {a.size}` (seed 7). Each stage in its own process; peak RSS is that "
              f"process's maximum resident set. Wall time includes waiting for a core on this shared machine; "
              f"CPU s is this process's own CPU time (threads summed).\n\n{table(a.size, results)}\n")
        if not a.no_write:  # after every stage, so a long run keeps what it has measured
            RESULTS.mkdir(exist_ok=True)
            out.write_text(md)
        if name == "load" and "error" in results[name]:
            break  # nothing after a failed load would measure anything
    print(md)
    if not a.no_write:
        print(f"written to {out.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
