"""The ``graphmap`` command line: one small function per subcommand over the library.

Exit codes (a contract): 0 everything done; 2 done, but some rows were rejected (see the
rejects report); 1 nothing done (unreadable input, bad header, ``--strict`` with a bad row, a
store that cannot be opened). Errors are one line naming the file, row and field; no
tracebacks for bad input.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from . import records, schema
from .store import open_store, shown_url

EXIT_OK, EXIT_FAILED, EXIT_PARTIAL = 0, 1, 2


class Failure(click.ClickException):
    """A clean, one-line failure with exit code 1."""

    exit_code = EXIT_FAILED

    def show(self, file=None) -> None:
        click.echo(f"graphmap: error: {self.message}", err=True)


def db_option(f):
    return click.option("--db", "db", default=None, metavar="URL",
                        help="Store: a path or sqlite:///path (default $GRAPHMAP_DB or graphmap.db), "
                             "or neo4j:// / bolt:// (user and password from $GRAPHMAP_NEO4J_USER / "
                             "$GRAPHMAP_NEO4J_PASSWORD).")(f)


def _open(db: str | None):
    try:
        return open_store(db)
    except (ValueError, OSError, schema.SchemaError) as exc:
        raise Failure(f"{shown_url(db)}: cannot open store: {exc}") from exc
    except Exception as exc:  # driver errors: name the store, not the stack
        raise Failure(f"{shown_url(db)}: cannot open store: {type(exc).__name__}: {exc}") from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="graphmap")
def cli() -> None:
    """graphmap: the networks and places through which children are harmed outside the home."""


def print_load_summary(result, rejects_path: Path | None) -> None:
    for f in result.batch.files:
        click.echo(f"{f.file}: {f.read} read, {f.loaded} loaded, {f.rejected} rejected")
    if rejects_path is not None:
        click.echo(f"rejects: {len(result.batch.rejects)} problem(s) in {result.rejected_rows} row(s) "
                   f"written to {rejects_path}")


def finish_load(store, batch: records.Batch, strict: bool, rejects: str | None) -> int:
    """Write a validated batch, report, and return the exit code (shared by every loader)."""
    result = store.load_batch(batch, strict=strict)
    rejects_path = None
    if batch.rejects:
        rejects_path = Path(rejects) if rejects else Path(f"rejects-{datetime.now():%Y%m%d-%H%M%S}.csv")
        records.write_rejects(batch.rejects, rejects_path)
    print_load_summary(result, rejects_path)
    if strict and batch.rejects:
        first = batch.rejects[0]
        click.echo(f"graphmap: error: --strict: nothing loaded; first problem: {first.file}: row {first.row}: "
                   f"{first.field}: {first.reason}", err=True)
        return EXIT_FAILED
    if batch.rejects:
        return EXIT_PARTIAL if result.loaded_rows else EXIT_FAILED
    return EXIT_OK


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@click.option("--strict", is_flag=True, help="Load nothing if any row is rejected.")
@click.option("--rejects", type=click.Path(dir_okay=False), default=None,
              help="Where to write the rejects report (default rejects-<time>.csv here).")
def load(paths, db, strict, rejects):
    """Load canonical CSV files or folders (people.csv, incidents.csv, ...) in one transaction."""
    with _open(db) as store:
        try:
            batch = store.read_files(paths)
        except records.InputError as exc:
            raise Failure(f"{exc} (nothing loaded)") from exc
        sys.exit(finish_load(store, batch, strict, rejects))


@cli.command()
@db_option
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder to write.")
def export(db, out):
    """Write the store back out in the canonical CSV format."""
    with _open(db) as store:
        for path in store.export(out):
            click.echo(str(path))


@cli.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def info(db, as_json):
    """Counts by type, sources and date range of what is loaded."""
    with _open(db) as store:
        data = store.info()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"store: {data['store']} ({data['engine']})")
    for name, n in data["counts"].items():
        click.echo(f"  {name:<16} {n:>9}")
    if data["incidents_by_type"]:
        click.echo("incidents by type: " + ", ".join(f"{k} {v}" for k, v in data["incidents_by_type"].items()))
    click.echo("sources: " + (", ".join(f"{k} ({v})" for k, v in data["sources"].items()) or "none"))
    dr = data["date_range"]
    click.echo(f"incident dates: {dr['first'] or '-'} to {dr['last'] or '-'}")
    click.echo(f"last load: {data['last_load'] or 'never'}")


@cli.command()
@db_option
@click.option("--no-app", is_flag=True, help="Only build the store and print what is in it (tests, CI).")
@click.option("--port", type=int, default=None, help="Port for the app (default Streamlit's, 8501).")
def demo(db, no_app, port):
    """Build the synthetic sample borough into a store (if empty), show what is in it, open the app.

    The app opens only when run from a terminal; ``--no-app`` never opens it.
    """
    from .demo import build_demo

    with _open(db) as store:
        result = build_demo(store)
        if result is not None:
            print_load_summary(result, None)
        url = _app_url(store)
    info.callback(db=db, as_json=False)
    if no_app:
        return
    if not sys.stdin.isatty():  # a script, a test or CI: never block on a server
        click.echo("not opening the app: not run from a terminal (open it with: graphmap app --db URL)")
        return
    sys.exit(run_app(url, port))


def _app_url(store) -> str:
    """The store's URL for the app process, which runs from the project folder: absolute paths."""
    path = getattr(store, "path", None)
    return str(Path(path).resolve()) if store.engine == "sqlite" and path is not None else store.url


APP_SCRIPT = Path(__file__).resolve().parent.parent / "app.py"


def run_app(url: str, port: int | None = None) -> int:
    """Run ``streamlit run app.py -- --db URL`` with no outside requests; returns its exit code."""
    import subprocess

    cmd = [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT),
           "--server.enableStaticServing", "true", "--browser.gatherUsageStats", "false"]
    if port:
        cmd += ["--server.port", str(port)]
    click.echo(f"opening the app on {url} (Ctrl+C to stop)")
    try:
        return subprocess.call(cmd + ["--", "--db", url], cwd=APP_SCRIPT.parent)
    except KeyboardInterrupt:
        return EXIT_OK


@cli.command("app")
@db_option
@click.option("--port", type=int, default=None, help="Port for the app (default Streamlit's, 8501).")
def app_command(db, port):
    """Open the Streamlit app on a store."""
    with _open(db) as store:
        url = _app_url(store)
    sys.exit(run_app(url, port))


@cli.command()
@click.argument("kind", type=click.Choice(["locations-board", "peer-group"]))
@db_option
@click.option("--as-at", "as_at", default=None, metavar="DATE", help="As-at date (default today).")
@click.option("--window-days", type=int, default=None, help="Window length in days (default from settings).")
@click.option("--group", "group_id", default=None, metavar="ID", help="The group (peer-group pack).")
@click.option("--location", "location_id", default=None, metavar="ID", help="A place to profile (locations-board).")
@click.option("--redaction", default=None, help="Redaction level printed on every page (default from settings).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="FILE.html or FILE.docx")
def pack(kind, db, as_at, window_days, group_id, location_id, redaction, out):
    """Write a meeting pack (HTML or Word, by the --out suffix), marked OFFICIAL-SENSITIVE."""
    from .packs import write_pack
    from .packs.build import build_pack
    from .window import Window

    levels = list(schema.setting("app.redaction_levels"))
    redaction = redaction or schema.setting("app.default_redaction")
    if redaction not in levels:
        raise Failure(f"--redaction must be one of {', '.join(levels)}")
    if Path(out).suffix.lower() not in (".html", ".htm", ".docx"):
        raise Failure(f"{out}: --out must end .html or .docx")
    try:
        window = Window.ending(as_at, window_days)
    except ValueError as exc:
        raise Failure(f"--as-at/--window-days: {exc}") from exc
    with _open(db) as store:
        try:
            p = build_pack(kind, store, window, redaction=redaction, group_id=group_id, location_id=location_id)
        except (KeyError, ValueError) as exc:
            raise Failure(str(exc.args[0] if exc.args else exc)) from exc
    click.echo(str(write_pack(p, out)))


@cli.command()
@click.option("--size", type=click.Choice(["demo", "borough", "region"]), default="demo", show_default=True,
              help="demo: ~300 young people / 3,000 incidents; borough: 20,000 people / 200,000 incidents; "
                   "region: 500,000 people / 5,000,000 incidents (written in blocks).")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder to write.")
@click.option("--seed", type=int, default=None, help="Random seed (same seed, same files; default 7).")
@click.option("--as-at", "as_at", default=None, metavar="DATE",
              help="Date everything is dated up to (YYYY-MM-DD; default 2026-10-31).")
def synth(size, out, seed, as_at):
    """Write a synthetic borough: canonical CSV files and ground_truth.json (fictional people)."""
    from .synthetic import DEFAULT_SEED, generate

    try:
        summary = generate(out, size=size, seed=DEFAULT_SEED if seed is None else seed, as_at=as_at)
    except ValueError as exc:
        raise Failure(str(exc)) from exc
    counts = ", ".join(f"{k} {v}" for k, v in summary["counts"].items())
    click.echo(f"{summary['out']}: {size} borough, seed {summary['seed']}, as at {summary['as_at']}: {counts} "
               f"({summary['bytes'] / 1e6:.1f} MB in {summary['seconds']:.1f} s)")


def main() -> None:
    cli(prog_name="graphmap")


if __name__ == "__main__":  # pragma: no cover
    main()
