"""The ``graphmap`` command line: one small function per subcommand over the library.

Exit codes (a contract): 0 everything done; 2 done, but some rows were rejected (see the
rejects report); 1 nothing done (unreadable input, bad header, ``--strict`` with a bad row, a
store that cannot be opened). Errors are one line naming the file, row and field; no
tracebacks for bad input.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from datetime import date, datetime
from pathlib import Path

import click

from . import records, schema
from .store import open_store, shown_url

EXIT_OK, EXIT_FAILED, EXIT_PARTIAL = 0, 1, 2


class Failure(click.ClickException):
    """A clean, one-line failure with exit code 1."""

    exit_code = EXIT_FAILED

    def show(self, file=None) -> None:
        one_line = " ".join(str(self.message).split())  # a message from a library may span lines
        click.echo(f"graphmap: error: {one_line}", err=True)


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
        hint = " (another graphmap is writing; try again when it finishes)" if "locked" in str(exc) else ""
        raise Failure(f"{shown_url(db)}: cannot open store: {type(exc).__name__}: {exc}{hint}") from exc


@contextlib.contextmanager
def _guard(db: str | None):
    """Turn store, settings and permission failures mid-command into one-line errors."""
    from .access import AccessDenied
    from .audit import AuditError

    try:
        yield
    except (AccessDenied, AuditError, schema.SchemaError) as exc:
        raise Failure(str(exc)) from exc
    except sqlite3.OperationalError as exc:
        hint = " (another graphmap is writing; try again when it finishes)" if "locked" in str(exc) else ""
        raise Failure(f"{shown_url(db)}: {exc}{hint}") from exc
    except (sqlite3.Error, OSError) as exc:
        where = getattr(exc, "filename", None) or shown_url(db)
        raise Failure(f"{where}: {getattr(exc, 'strerror', None) or exc}") from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="graphmap")
def cli() -> None:
    """graphmap: the networks and places through which children are harmed outside the home."""


def print_load_summary(result, rejects_path: Path | None) -> None:
    for f in result.batch.files:
        if f.skipped:
            click.echo(f"{f.file}: skipped, unchanged since load {f.skipped_since} ({f.read} rows already loaded)")
            continue
        click.echo(f"{f.file}: {f.read} read, {f.loaded} loaded, {f.rejected} rejected")
        for note in f.notes:
            click.echo(f"  note: {note}")
    if rejects_path is not None:
        click.echo(f"rejects: {len(result.batch.rejects)} problem(s) in {result.rejected_rows} row(s) "
                   f"written to {rejects_path}")


def finish_load(store, batch: records.Batch, strict: bool, rejects: str | None, action: str = "load") -> int:
    """Write a validated batch, report, and return the exit code (shared by every loader).
    ``action`` is what the audit log calls it (``load``, or ``assess`` for assessments)."""
    result = store.load_batch(batch, strict=strict, action=action)
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
@click.option("--source", "source", default=None, metavar="NAME",
              help="Read system exports (CSV or XLSX) with the mapping schema/sources/NAME.yaml "
                   "instead of canonical files.")
@click.option("--encoding", default=None, metavar="ENC",
              help="With --source: the CSV encoding (e.g. cp1252), instead of detecting it.")
def load(paths, db, strict, rejects, source, encoding):
    """Load canonical CSV files or folders (people.csv, incidents.csv, ...) in one transaction,
    or, with --source, system exports mapped by a source mapping.

    Audited as $GRAPHMAP_USER (else the OS user)."""
    if encoding and not source:
        raise Failure("--encoding applies to --source exports; canonical files are UTF-8")
    with _guard(db), _open(db) as store:
        try:
            from . import ingest

            batch = ingest.read_for_load(store, paths, source=source, encoding=encoding)
        except records.InputError as exc:
            raise Failure(f"{exc} (nothing loaded)") from exc
        code = finish_load(store, batch, strict, rejects)
    sys.exit(code)


@cli.command()
@db_option
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder to write.")
@click.option("--reason", default=None, help="Why, and for whom (recorded in the audit log; required by default).")
@click.option("--format", "fmt", type=click.Choice(["canonical", "neo4j-admin"]), default="canonical",
              show_default=True, help="canonical CSVs, or files (and import.sh) for neo4j-admin database import.")
def export(db, out, reason, fmt):
    """Write the store back out in the canonical CSV format (audited, with the reason)."""
    from .access import check_export_reason

    with _guard(db):
        reason = check_export_reason(reason)
        with _open(db) as store:
            for path in store.export(out, reason=reason, fmt=fmt):
                click.echo(str(path))


@cli.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def info(db, as_json):
    """Counts by type, sources and date range of what is loaded."""
    with _guard(db), _open(db) as store:
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
@click.option("--candidates", "show", is_flag=True, help="List the open candidate matches, strongest first.")
@click.option("--accept", nargs=2, metavar="A B", default=None, help="Decide that people A and B are one person.")
@click.option("--reject", nargs=2, metavar="A B", default=None, help="Decide that A and B are different people.")
@click.option("--undo", "undo_id", metavar="LINK_ID", default=None, help="Undo a merge (its link stays on record).")
@click.option("--by", default="", metavar="NAME", help="Who decides (required with --accept/--reject/--undo).")
@click.option("--reason", default="", metavar="TEXT", help="Why (required with --accept/--reject/--undo).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def identities(db, show, accept, reject, undo_id, by, reason, as_json):
    """Resolve people across sources: merge sure matches, list the rest for a person to decide.

    With no option: score everyone, record automatic merges and new candidates, print counts.
    Nothing is ever deleted: every decision is an identity link with who, when and why.
    """
    from . import identity

    actions = [a for a in (accept, reject, undo_id) if a]
    if len(actions) > 1:
        raise Failure("give one of --accept, --reject, --undo at a time")
    with _open(db) as store:
        try:
            if accept or reject:
                a, b = accept or reject
                link = identity.decide(store, a, b, "accepted" if accept else "rejected", by=by, reason=reason)
                out = {"link_id": link, "status": "accepted" if accept else "rejected", "person_id": a, "same_as": b}
            elif undo_id:
                link = identity.undo(store, undo_id, by=by, reason=reason)
                out = {"link_id": link, "status": "undone", "undoes": undo_id}
            elif show:
                c = identity.candidates(store)
                cols = ["link_id", "person_id", "same_as", "score", "person", "same_as_person", "reason"]
                rows = c[cols].to_dict("records") if len(c) else []
                if as_json:
                    click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
                    return
                if not rows:
                    click.echo("no open candidates")
                for r in rows:
                    click.echo(f"{r['link_id']}  {r['person_id']} ~ {r['same_as']}  p={float(r['score'] or 0):.3f}\n"
                               f"    {r['person']}\n    {r['same_as_person']}\n    {r['reason']}")
                return
            else:
                out = identity.resolve(store)
        except identity.IdentityError as exc:
            raise Failure(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(out, indent=2))
    elif "auto" in out:
        click.echo(f"{out['auto']} merged automatically; {out['candidates']} candidate(s) waiting for a decision "
                   f"(graphmap identities --candidates); {out['people']} person records are "
                   f"{out['after_merging']} people")
    else:
        click.echo(" ".join(f"{k}: {v}" for k, v in out.items()))


@cli.command()
@db_option
@click.option("--no-app", is_flag=True, help="Only build the store and print what is in it (tests, CI).")
@click.option("--port", type=int, default=None, help="Port for the app (default Streamlit's, 8501).")
def demo(db, no_app, port):
    """Build the synthetic sample borough into a store (if empty), show what is in it, open the app.

    The app opens only when run from a terminal; ``--no-app`` never opens it.
    """
    from .demo import build_demo

    with _guard(db), _open(db) as store:
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


def _report_options(f):
    from .packs import KINDS

    for option in reversed([
        click.argument("kind", type=click.Choice(list(KINDS))),
        db_option,
        click.option("--as-at", "as_at", default=None, metavar="DATE", help="As-at date (default today)."),
        click.option("--window-days", type=int, default=None, help="Window length in days (default from settings)."),
        click.option("--group", "group_id", default=None, metavar="ID", help="The group (peer-group)."),
        click.option("--location", "location_id", default=None, metavar="ID",
                     help="A place to profile (locations-board)."),
        click.option("--subject", "subject_id", default=None, metavar="ID",
                     help="One adult of concern or place, given in full (complex-strategy)."),
        click.option("--person", "person_id", default=None, metavar="ID",
                     help="The young person the meeting is about (person pack; the one child named at family-present)."),
        click.option("--redaction", default=None,
                     help="full, professionals-only or family-present; printed on every page (default from settings)."),
        click.option("--reason", default=None,
                     help="Why, and for whom (recorded in the audit log; required by default)."),
        click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="FILE.html or FILE.docx"),
    ]):
        f = option(f)
    return f


def _report(kind, db, as_at, window_days, group_id, location_id, subject_id, person_id, redaction, reason, out):
    from . import audit
    from .access import check_export_reason, check_redaction, current_actor, reader_store, require
    from .packs import write_pack
    from .packs.build import build_pack, out_path
    from .window import Window

    levels = list(schema.setting("app.redaction_levels"))
    redaction = redaction or schema.setting("app.default_redaction")
    if redaction not in levels:
        raise Failure(f"--redaction must be one of {', '.join(levels)}")
    if Path(out).suffix.lower() not in (".html", ".htm", ".docx"):
        raise Failure(f"{out}: --out must end .html or .docx")
    try:
        target = out_path(out)
    except ValueError as exc:
        raise Failure(f"--out {exc}") from exc
    try:
        window = Window.ending(as_at, window_days)
    except ValueError as exc:
        raise Failure(f"--as-at/--window-days: {exc}") from exc
    with _guard(db):
        actor = current_actor()
        require(actor, "export")
        check_redaction(actor.role, redaction)
        reason = check_export_reason(reason)
        with _open(db) as store:
            try:
                # Built from what the role may see ($GRAPHMAP_ROLE), at a level it may choose.
                p = build_pack(kind, reader_store(store, actor.role), window, redaction=redaction, group_id=group_id,
                               location_id=location_id,
                               person_id=person_id, subject_id=subject_id)
            except (KeyError, ValueError) as exc:
                raise Failure(str(exc.args[0] if exc.args else exc)) from exc
            written = write_pack(p, target)
            audit.record(store, "export", actor=actor, subject=f"pack:{kind}", reason=reason,
                         detail={"out": str(written), "kind": kind, "redaction": redaction,
                                 "as_at": window.as_at.isoformat(), "window_days": window.days,
                                 "ids": {k: v for k, v in (("group", group_id), ("location", location_id),
                                                           ("subject", subject_id), ("person", person_id)) if v}})
    click.echo(str(written))


@cli.command()
@_report_options
def report(**options):
    """Write a meeting pack: KIND is peer-group, locations-board, complex-strategy, weekly-review or person.

    HTML or Word by the --out suffix, with the same content: OFFICIAL-SENSITIVE, the as-at date,
    window and redaction level on every page, the network and map pictures, tables and the
    evidence (fact, opinion, intelligence with its grading) behind each statement. Audited.
    """
    _report(**options)


@cli.command(hidden=True)
@_report_options
def pack(**options):
    """The same as `graphmap report` (the name it had first)."""
    _report(**options)


@cli.command("audit")
@db_option
@click.option("--action", default=None, help="Only this action (load, export, view_person, purge, ...).")
@click.option("--user", default=None, help="Only this user.")
@click.option("--subject", default=None, help="Only this subject, e.g. person:P001.")
@click.option("--since", default=None, metavar="DATE", help="From this date or date-time (UTC, inclusive).")
@click.option("--until", default=None, metavar="DATE", help="Up to this date or date-time (UTC, inclusive).")
@click.option("--verify", is_flag=True, help="Check the hash chain; exit 1 if any entry was edited or removed.")
@click.option("--expect-head", default=None, metavar="HASH",
              help="With --verify: a head hash printed earlier; detects entries removed from the end.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def audit_cmd(db, action, user, subject, since, until, verify, expect_head, as_json):
    """List the audit log (who, when, action, subject, why), filtered; or --verify it."""
    from . import access, audit

    with _guard(db), _open(db) as store:
        actor = access.current_actor()
        access.require(actor, "audit")
        filters = {"action": action, "user": user, "subject": subject, "since": since, "until": until}
        for key in ("since", "until"):
            if filters[key]:
                try:
                    datetime.fromisoformat(filters[key].replace("Z", "+00:00"))
                except ValueError as exc:
                    raise Failure(f"--{key} {filters[key]!r}: not an ISO date or date-time") from exc
        if verify:
            check = audit.verify_audit(store, expected_head=expect_head)
            if as_json:
                click.echo(json.dumps({"ok": check.ok, "entries": check.entries, "head": check.head,
                                       "problems": check.problems}, indent=2))
            else:
                click.echo(f"audit log: {check.entries} entries, head {check.head}")
                for p in check.problems:
                    click.echo(f"  entry {p['seq']}: {p['problem']}")
                click.echo("verified: no entry edited or removed" if check.ok else
                           f"TAMPERED: {len(check.problems)} problem(s)")
            if not check.ok:
                sys.exit(EXIT_FAILED)
            return
        df = store.audit_entries(filters)
        audit.record(store, "audit", actor=actor, subject="audit", detail={"filters": {k: v for k, v in filters.items() if v}})
    if as_json:
        click.echo(df.to_json(orient="records", indent=2))
        return
    for e in df.itertuples(index=False):
        why = f"  why: {e.reason}" if e.reason else ""
        click.echo(f"{e.seq:>6} {e.at}  {e.user} ({e.role})  {e.action}  {e.subject}{why}")
    click.echo(f"{len(df)} entr{'y' if len(df) == 1 else 'ies'}")


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
    click.echo(f"{summary['out']}: size {size}, seed {summary['seed']}, as at {summary['as_at']}: {counts} "
               f"({summary['bytes'] / 1e6:.1f} MB in {summary['seconds']:.1f} s)")

# --- the risk matrix, reviews, profiles, cohorts -----------------------------------------------

def _framework():
    """Load and check the risk-matrix framework before any work (errors name file and key)."""
    from . import risk

    try:
        return risk.framework()
    except schema.SchemaError as exc:
        raise Failure(str(exc)) from exc


def _as_at(value: str | None, days: int | None = None):
    from .window import Window

    try:
        w = Window.ending(value)
    except ValueError as exc:
        raise Failure(f"--as-at {value!r}: expected a date YYYY-MM-DD ({exc})") from exc
    try:
        return w if days is None else Window.ending(w.as_at, days)
    except ValueError as exc:
        raise Failure(f"--days {days}: {exc}") from exc


def _write_json(data, path: str | None) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        click.echo(f"written: {path}")


as_at_option = click.option("--as-at", "as_at", default=None, metavar="DATE",
                            help="What was known up to this date (default today).")


@cli.command()
@db_option
@click.option("--as-at", "as_at", default=None, metavar="DATE", help="Judge retention as at this date (default today).")
@click.option("--purge", "do_purge", is_flag=True, help="Remove what is past retention (one transaction, audited).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def retention(db, as_at, do_purge, as_json):
    """List records past their source's retention period (schema/settings.yaml); --purge removes them."""
    from . import retention as ret

    try:
        when = date.fromisoformat(as_at) if as_at else None
    except ValueError as exc:
        raise Failure(f"--as-at {as_at!r}: not a date (YYYY-MM-DD)") from exc
    with _guard(db), _open(db) as store:
        report = ret.past_retention(store, when)
        summary = report.summary()
        if do_purge:
            summary["purged"] = ret.purge(store, as_at=when)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(f"as at {summary['as_at']}: {summary['total']} record(s) past retention")
    for name, r in summary["records"].items():
        by = ", ".join(f"{k} {v} (>{ret.period_days(k)} days)" for k, v in r["by_source"].items())
        notes = [by] if by else []
        notes += [f"{r['held']} held (still named by retained records)"] if r["held"] else []
        notes += [f"{r['undated']} undated (never purged by age)"] if r["undated"] else []
        click.echo(f"  {name:<16} {r['past']:>7}  {'; '.join(notes)}")
    if do_purge:
        click.echo("purged: " + (", ".join(f"{k} {v}" for k, v in summary["purged"].items()) or "nothing"))


@cli.command()
@db_option
@click.option("--from", "from_file", type=click.Path(dir_okay=False), default=None,
              help="A CSV (one row per assessment, a column per domain) or YAML file of assessments.")
@click.option("--person", default=None, help="The young person's id (with the flags below, for one assessment).")
@click.option("--on", "assessed_on", default=None, metavar="DATE", help="Date of the assessment.")
@click.option("--assessor", default=None, help="Who made it.")
@click.option("--status", type=click.Choice(["draft", "agreed"]), default="draft", show_default=True)
@click.option("--level", "levels", multiple=True, metavar="DOMAIN=LEVEL",
              help="A domain's level (none/positive, emerging, moderate, significant); repeat per domain.")
@click.option("--why", "why", multiple=True, metavar="DOMAIN=TEXT", help="The rationale for a domain's level.")
@click.option("--id", "assessment_id", default="", help="Assessment id (default: a new one).")
@click.option("--source", default="", help="Source system or team (default: assessment).")
@click.option("--strict", is_flag=True, help="Record nothing if any assessment is rejected.")
@click.option("--rejects", type=click.Path(dir_okay=False), default=None, help="Where to write rejects.")
def assess(db, from_file, person, assessed_on, assessor, status, levels, why, assessment_id, source, strict, rejects):
    """Record risk-matrix assessments (kept as history, never overwritten) and show their scores."""
    from . import assessments, proposals, risk
    from .window import Window

    fw = _framework()
    try:
        if from_file:
            rows, label = assessments.rows_from_file(from_file), str(from_file)
        elif person:
            rows = assessments.rows_from_flags(person_id=person, assessed_on=assessed_on or "",
                                               assessor=assessor or "", status=status, levels=levels, why=why,
                                               assessment_id=assessment_id, source=source)
            label = "--level flags"
        else:
            raise Failure("give --from FILE, or --person with --on, --assessor and --level DOMAIN=LEVEL")
    except records.InputError as exc:
        raise Failure(f"{exc} (nothing recorded)") from exc
    with _open(db) as store:
        try:
            batch = assessments.assessment_batch(rows, file=label, fw=fw, lookup=store.existing_ids,
                                                 stored=store.get)
        except records.InputError as exc:
            raise Failure(f"{exc} (nothing recorded)") from exc
        code = finish_load(store, batch, strict, rejects, action="assess")
        for r in batch.rejects[:20]:  # a form's problems, shown where the assessor is looking
            click.echo(f"  rejected: {r.file}: row {r.row}: {r.field}: {r.reason}", err=True)
        if code == EXIT_FAILED and strict:
            sys.exit(code)
        tables = store.tables()
        done = batch.tables.get("assessments")
        for s in risk.score_assessments(done) if done is not None and len(done) else []:
            click.echo(f"{s['assessment_id']} ({s['person_id']}, {s['assessed_on']}, {s['status']}): "
                       f"harm {s['harm_total']} {s['harm_band']}, context {s['context_total']} {s['context_band']}, "
                       f"combined {s['combined_total']} {s['combined_band']} -> {s['response']}; "
                       f"focus {', '.join(s['focus'])}"
                       + (f"; next review {s['next_review']}" if s["next_review"] else "")
                       + ("" if s["complete"] else f"; not rated: {', '.join(s['not_rated'])}"))
            props = proposals.propose_levels(tables, s["person_id"], window=Window.ending(s["assessed_on"]), fw=fw)
            for note in proposals.unconfirmed_overrides(s["levels"], props, fw):
                click.echo(f"  check: {note}")
        sys.exit(code)


@cli.command()
@db_option
@as_at_option
@click.option("--due-within", type=int, default=None, metavar="DAYS",
              help="A review this many days ahead counts as due (default risk.due_soon_days).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), default=None, help="Also write JSON here.")
def reviews(db, as_at, due_within, json_file):
    """Risk-matrix reviews due and overdue across the cohort, and repeat referrals."""
    from .reviews import review_report

    _framework()
    w = _as_at(as_at)
    with _open(db) as store:
        report = review_report(store.tables(), as_at=w.as_at, due_within_days=due_within)
    shown = [r for r in report["reviews"] if r["status"] != "scheduled"]
    click.echo(f"reviews as at {report['as_at']}: "
               + ", ".join(f"{n} {s}" for s in ("overdue", "due", "scheduled", "no agreed assessment")
                           if (n := sum(r["status"] == s for r in report["reviews"]))) or "none")
    for r in shown:
        if r["status"] == "no agreed assessment":
            click.echo(f"  {r['person_id']}: no agreed assessment (draft {r['draft_pending']})")
        else:
            click.echo(f"  {r['person_id']}: {r['status']}"
                       + (f" by {r['days_overdue']} day(s)" if r["days_overdue"] else "")
                       + f", review {r['next_review']} ({r['combined_band']}, {r['assessment_id']})"
                       + (f"; {r['referrals_flag']} referrals" if r["referrals_flag"] else ""))
    for f in report["referral_flags"]:
        click.echo(f"  {f['person_id']}: {f['count']} referrals since {f['since']} "
                   f"({', '.join(x['id'] for x in f['referrals'])})")
    _write_json(report, json_file)


@cli.command()
@click.argument("person_id")
@db_option
@as_at_option
@click.option("--days", type=int, default=None, help="Window length in days (default analysis.window_days).")
@click.option("--hotspot", "hotspots", multiple=True, metavar="LOCATION_ID",
              help="A hotspot place id (from the place analyses); repeat.")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), default=None, help="Write the profile here.")
def profile(person_id, db, as_at, days, hotspots, json_file):
    """A person's profile: timeline, ties, places, groups, matrix scores, proposals, actions."""
    from .profile import person_profile

    _framework()
    w = _as_at(as_at, days)
    with _open(db) as store:
        try:
            p = person_profile(store.tables(), person_id, window=w, hotspots=set(hotspots))
        except KeyError as exc:
            raise Failure(str(exc.args[0])) from exc
    cur = p["matrix"]["current"]
    click.echo(f"{person_id} as at {p['as_at']}: {len(p['timeline'])} records, {len(p['ties'])} ties, "
               f"{len(p['places'])} places, {len(p['groups'])} groups, {len(p['open_actions'])} open actions")
    click.echo("current matrix: " + (f"{cur['combined_total']} {cur['combined_band']} ({cur['assessment_id']}, "
                                      f"{cur['assessed_on']}), next review {cur['next_review']}" if cur
                                      else "no agreed assessment"))
    for pr in p["proposals"]:
        click.echo(f"  proposed (not agreed) {pr['domain']}: {pr['level']} - {pr['reasons'][0]['reason']}")
    _write_json(p, json_file)


@cli.command()
@db_option
@as_at_option
@click.option("--days", type=int, default=None, help="Window length in days (default analysis.window_days).")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), default=None, help="Also write JSON here.")
def cohorts(db, as_at, days, json_file):
    """Overlap of the cohorts the partnership tracks: counts for every combination."""
    from .cohorts import cohort_definitions, cohort_overlap

    _framework()
    try:
        cohort_definitions()
    except schema.SchemaError as exc:
        raise Failure(str(exc)) from exc
    w = _as_at(as_at, days)
    with _open(db) as store:
        out = cohort_overlap(store.tables(), window=w)
    click.echo(f"cohorts as at {out['as_at']} (window from {out['window']['start']}), "
               f"population {out['population']}, in none {out['in_none']}")
    for c in out["cohorts"]:
        click.echo(f"  {c['key']:<18} {c['count']:>6}  {c['label']}")
    for s in out["shares"]:
        if s["count"]:
            click.echo(f"  {s['share']:.0%} of {s['of']} also {s['also_in']} ({s['count']}/{s['of_count']})")
    _write_json(out, json_file)


@cli.command()
@db_option
@click.option("--as-at", "as_at", default=None, metavar="DATE", help="As-at date (YYYY-MM-DD, default today).")
@click.option("--window-days", type=int, default=None, help="Window length in days (default analysis.window_days).")
@click.option("--geojson", "geojson_path", required=True, type=click.Path(dir_okay=False),
              help="GeoJSON file to write (WGS84): places with their hotspot rank, grid cells, wards.")
@click.option("--cell-size", type=float, default=None, metavar="M", help="Grid cell side in metres (default places.cell_size_m).")
@click.option("--wards", "wards_path", default=None, type=click.Path(dir_okay=False),
              help="Ward polygons (GeoJSON or GeoPackage); each place is put in its ward.")
def places(db, as_at, window_days, geojson_path, cell_size, wards_path):
    """Hotspots by place, grid cell and ward, with trend and Gi*, as GeoJSON for QGIS / ArcGIS."""
    from .places import PlaceAnalysis, places_geojson, read_wards, write_geojson
    from .window import Window

    try:
        window = Window.ending(as_at, window_days)
    except ValueError as exc:
        raise Failure(f"--as-at / --window-days: {exc} (give a date as YYYY-MM-DD and at least 1 day)") from exc
    try:
        wards = read_wards(wards_path) if wards_path else None
    except ValueError as exc:
        raise Failure(str(exc)) from exc
    with _open(db) as store:
        try:
            analysis = PlaceAnalysis(store, window, cell_size=cell_size, wards=wards)
        except ValueError as exc:
            raise Failure(str(exc)) from exc
        collection = places_geojson(analysis)
    write_geojson(collection, geojson_path)
    layers: dict[str, int] = {}
    for f in collection["features"]:
        layers[f["properties"]["layer"]] = layers.get(f["properties"]["layer"], 0) + 1
    ranked = int((analysis.hotspots("place")["rank"] > 0).sum())
    un = analysis.unmapped
    click.echo(f"window {window.start_iso} to {window.as_at.isoformat()}: {ranked} place hotspot(s); "
               + ", ".join(f"{n} {k}(s)" for k, n in layers.items()) + f" written to {geojson_path}")
    if un["count"]:
        reasons = ", ".join(f"{n} {r}" for r, n in un["by_reason"].items())
        click.echo(f"unmapped: {un['count']} place(s) without coordinates ({reasons}); their records are kept "
                   "and count in place hotspots, not in cells or wards")


@cli.command()
@db_option
@click.option("--as-at", "as_at", default=None, metavar="DATE", help="As-at date YYYY-MM-DD (default today).")
@click.option("--window-days", "window_days", type=int, default=None,
              help="Days in the window ending at the as-at date (default analysis.window_days).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same result).")
@click.option("--json", "json_path", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option("--workers", type=click.IntRange(1, 2), default=1, show_default=True,
              help="Processes: 2 forks one that runs the stability re-runs, complex strategy and disruption "
                   "targets beside the rest (same results; Linux).")
def analyse(db, as_at, window_days, seed, json_path, workers):
    """Network analyses for a window (peer groups, bridges, recruiters, ..., hotspots) as one JSON file."""
    from .network.analyse import analyse as run, write_json
    from .window import Window

    try:
        window = Window.ending(as_at, window_days)
    except ValueError as exc:
        raise Failure(f"--as-at/--window-days: {exc}") from exc
    with _open(db) as store:
        doc = run(store, window, seed=seed, workers=workers)
    write_json(doc, json_path)
    click.echo(f"{json_path}: {len(doc['peer_groups'])} peer groups, {len(doc['recruiters'])} likely recruiters, "
               f"{len(doc['co_missing'])} co-missing pairs, {len(doc['hotspots'])} hotspots "
               f"({doc['as_at']}, {doc['window_days']} days)")


def main() -> None:
    cli(prog_name="graphmap")


if __name__ == "__main__":  # pragma: no cover
    main()
