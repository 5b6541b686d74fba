"""``python -m ssi_bench [--db PATH] COMMAND …`` — a published contract (see README).

Every command takes ``--json`` and then prints exactly one JSON document on stdout;
messages go to stderr. Exit codes: 0 done, 1 refused or not found (the message says why),
2 usage. A user error never prints a traceback.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, TextIO

from ssi_bench import audit, links
from ssi_bench.api import Bench
from ssi_bench.config import PROJECT_ROOT, Settings
from ssi_bench.errors import DatabaseBusyError, IngestError, SSIBenchError
from ssi_bench.fields import METRICS
from ssi_bench.model import LABEL_MAX_CHARS, EraseResult, IngestOptions, Standing
from ssi_bench.pseudonym import load_secret
from ssi_bench.reader import read_bytes
from ssi_bench.store import private_umask
from ssi_bench.validate import validate

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
#: File types taken from a folder given to ``ingest``.
INGEST_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".json"}
#: Commands that do not open the database (``serve`` leaves it to the dashboard, which
#: holds DuckDB's lock; ``backups-holding`` needs only the key).
NO_DATABASE_COMMANDS = frozenset({"serve", "backups-holding"})
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8501


class UsageError(Exception):
    """Wrong arguments that argparse could not catch (exit 2)."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-22") from None


def build_parser() -> argparse.ArgumentParser:
    # --json is accepted before or after the command. The subcommands' copy defaults to
    # SUPPRESS so it cannot overwrite a --json given before the command with False.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document"
    )
    parser = argparse.ArgumentParser(
        prog="python -m ssi_bench",
        description="SSI Bench: pseudonymised LinkedIn SSI benchmarks.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="database file (default: $SSI_BENCH_DB, else data/ssi_bench.duckdb)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", parents=[common], help="load (or remove) the synthetic demo data")
    p.add_argument("--people", type=int, default=400, help="people to generate (default 400)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--if-empty", action="store_true", help="only when the database is empty")
    p.add_argument("--remove", action="store_true", help="remove every demo upload instead")

    p = sub.add_parser("ingest", parents=[common], help="import CSV/XLSX/JSON files")
    p.add_argument("files", nargs="*", type=Path, help="files or folders (one upload)")
    p.add_argument("--paste", type=Path, help="a text file holding a copy-paste of the SSI page")
    p.add_argument("--person", help="one person for the whole file ('-' reads it from stdin)")
    p.add_argument("--sector", help="one sector for the whole file (fills blanks)")
    p.add_argument("--network", help="one network for the whole file (fills blanks)")
    p.add_argument("--date", type=_date, help="snapshot date for a file without dates")
    p.add_argument("--date-order", choices=["dmy", "mdy", "ymd"], help="order of ambiguous dates")
    p.add_argument("--strict", action="store_true", help="refuse the whole file if a row is bad")
    p.add_argument("--rejects", type=Path, metavar="OUT.csv", help="write the reject report")
    p.add_argument(
        "--label",
        help=f"a name for this upload, shown in `uploads` (file names are never stored; "
        f"trimmed, at most {LABEL_MAX_CHARS} characters)",
    )
    p.add_argument(
        "--links",
        type=Path,
        metavar="OUT.csv",
        help="also make a private link for every person of this upload (identifier,link)",
    )

    p = sub.add_parser("percentile", parents=[common], help="a standing in a cohort")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", help="identifier uploaded ('-' reads it from stdin)")
    who.add_argument("--score", type=float, help="a typed-in score for --metric")
    who.add_argument(
        "--pillars",
        type=float,
        nargs=4,
        metavar=("B", "P", "I", "R"),
        help="four typed-in pillar scores",
    )
    p.add_argument("--cohort", choices=["sector", "network", "all"], default="sector")
    p.add_argument("--sector", help="the sector (typed-in scores, or another sector)")
    p.add_argument("--network", help="the network (typed-in scores, or another network)")
    p.add_argument("--metric", choices=list(METRICS), default="ssi")
    p.add_argument("--as-of", type=_date, help="default: the latest snapshot date")

    p = sub.add_parser("benchmarks", parents=[common], help="published cohort quantiles")
    p.add_argument("--cohort", choices=["sector", "network", "all"], default=None)
    p.add_argument("--as-of", type=_date)
    p.add_argument(
        "--level", type=int, default=None, help="sectors at this industry level (1 = top)"
    )
    p.add_argument("--format", choices=["json", "csv", "parquet"], default=None)
    p.add_argument("--out", type=Path, help="write to this file instead of stdout")

    sub.add_parser("uploads", parents=[common], help="list uploads")
    p = sub.add_parser("undo", parents=[common], help="remove one upload")
    p.add_argument("upload_id", type=int)
    p = sub.add_parser(
        "erase", parents=[common], help="delete every trace of one person (file rewritten)"
    )
    p.add_argument("--person", required=True, help="identifier ('-' reads it from stdin)")
    p = sub.add_parser(
        "backups-holding", parents=[common], help="list backups that still hold a person"
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="folder of backups (searched recursively)")
    p.add_argument("--person", required=True, help="identifier ('-' reads it from stdin)")
    p = sub.add_parser("serve", parents=[common], help="start the dashboard (streamlit run)")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument(
        "--dry-run", action="store_true", help="print the streamlit command instead of running it"
    )
    p.add_argument(
        "streamlit_args", nargs="*", metavar="-- ARGS", help="more arguments for streamlit run"
    )

    p = sub.add_parser("backup", parents=[common], help="consistent copy of the database")
    p.add_argument("dest", type=Path, help="destination file (must not exist)")
    p = sub.add_parser("restore", parents=[common], help="replace the database by a backup")
    p.add_argument("source", type=Path, help="a file made by backup")
    p.add_argument("--force", action="store_true", help="overwrite a non-empty database")

    p = sub.add_parser("links", parents=[common], help="private links (no single sign-on)")
    lsub = p.add_subparsers(dest="links_command", required=True, metavar="ACTION")
    q = lsub.add_parser("create", parents=[common], help="one private link per person")
    q.add_argument("file", type=Path, help="people: an upload-format CSV/XLSX or one per line")
    q.add_argument("--out", type=Path, required=True, metavar="OUT.csv", help="identifier,link")
    q.add_argument("--days", type=int, default=None, help="days until expiry")
    q = lsub.add_parser("revoke", parents=[common], help="revoke private links")
    which = q.add_mutually_exclusive_group(required=True)
    which.add_argument("--person", help="one person's links ('-' reads it from stdin)")
    which.add_argument("--upload", type=int, metavar="ID", help="every link made at an upload")
    lsub.add_parser("list", parents=[common], help="link counts and dates (no identifiers)")

    p = sub.add_parser("sectors", parents=[common], help="sector texts and LinkedIn industries")
    ssub = p.add_subparsers(dest="sectors_command", required=True, metavar="ACTION")
    ssub.add_parser("list", parents=[common], help="stored sectors, industries and mappings")
    q = ssub.add_parser("map", parents=[common], help="map a sector text to an industry")
    q.add_argument("text", help="the sector text as uploads write it")
    q.add_argument("--industry", required=True, metavar="ID|LABEL", help="LinkedIn industry")
    ssub.add_parser("undo", parents=[common], help="undo the latest mapping change")

    p = sub.add_parser("audit", parents=[common], help="the audit log of admin actions")
    p.add_argument("--limit", type=int, default=100, help="newest entries to show (default 100)")

    p = sub.add_parser(
        "export-snapshots", parents=[common], help="pseudonymised snapshots as Parquet"
    )
    p.add_argument("dest", type=Path, help="new folder (Hive-partitioned by month)")
    p = sub.add_parser("release", parents=[common], help="build a release from exported snapshots")
    p.add_argument("--input", required=True, type=Path, help="folder from export-snapshots")
    p.add_argument("--out", required=True, type=Path, help="new release folder")
    p.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--spark-master", help="Spark master URL, e.g. local[2], spark://h:7077")
    where.add_argument("--spark-remote", help="Spark Connect URL sc://HOST:PORT")
    p.add_argument("--lookback-days", type=int, help="default: SSI_BENCH_LOOKBACK_DAYS")
    p.add_argument("--min-cohort", type=int, help="default: SSI_BENCH_MIN_COHORT")
    p = sub.add_parser("import-release", parents=[common], help="load a release folder")
    p.add_argument("source", type=Path, help="folder written by release")
    return parser


def _identifier(value: str, stdin: TextIO) -> str:
    """``-`` reads the identifier from stdin, keeping it out of shell history and ``ps``."""
    if value == "-":
        value = stdin.readline().strip()
        if not value:
            raise UsageError("no identifier on standard input")
    return value


def _collect_files(paths: Sequence[Path]) -> list[tuple[str, bytes]]:
    files: list[tuple[str, bytes]] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                f for f in path.iterdir() if f.is_file() and f.suffix.lower() in INGEST_SUFFIXES
            )
            if not found:
                raise SSIBenchError(f"{path}: no .csv/.tsv/.txt/.xlsx/.json file in this folder")
            files.extend((f.name, f.read_bytes()) for f in found)
        elif path.is_file():
            files.append((path.name, path.read_bytes()))
        else:
            raise SSIBenchError(f"{path}: no such file")
    return files


def _progress(err: TextIO) -> Any:
    def report(fraction: float, message: str) -> None:
        err.write(f"\r[{fraction:4.0%}] {message:<60}")
        if fraction >= 1:
            err.write("\n")
        err.flush()

    return report if err.isatty() else None


def _standing_text(s: Standing) -> str:
    who = s.cohort.label
    size = f" (n = {s.n})" if s.n is not None else ""
    line = f"{s.metric} {s.score:g} in {who} as of {s.cohort.as_of}{size}: {s.display}"
    if s.fallback is not None:
        line += "\n  instead: " + _standing_text(s.fallback)
    return line


def serve_command(
    settings: Settings,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    extra: Sequence[str] = (),
) -> list[str]:
    """The ``streamlit run app.py`` command line ``serve`` starts.

    ``--server.maxUploadSize`` follows ``settings.max_upload_mb`` (Streamlit's unit is MB
    as well), so the browser widget refuses what the library would refuse anyway. ``extra``
    comes last: an explicit ``--server.…`` there overrides these.
    """
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT_ROOT / "app.py"),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.maxUploadSize",
        str(settings.max_upload_mb),
        *extra,
    ]


def _no_database(
    args: argparse.Namespace, settings: Settings, stdin: TextIO
) -> tuple[Any, str] | int:
    """Run a command of :data:`NO_DATABASE_COMMANDS`; an int is serve's exit code."""
    if args.command == "serve":
        command = serve_command(settings, args.host, args.port, args.streamlit_args)
        if args.dry_run:
            return {"command": command}, " ".join(command)
        try:
            return subprocess.call(command, cwd=PROJECT_ROOT)  # noqa: S603 - our own argv
        except KeyboardInterrupt:  # Ctrl-C reached streamlit too; it stops by itself
            return EXIT_OK
    from ssi_bench import backup
    from ssi_bench.pseudonym import key_file_for, person_key

    if settings.secret is None and not key_file_for(settings.db_path).exists():
        # load_secret would create a fresh key, under which nobody is found.
        raise SSIBenchError(
            f"No key file {key_file_for(settings.db_path)}: give the database the backups "
            "were made from (--db), or set SSI_BENCH_SECRET to the secret they were made with."
        )
    key = person_key(load_secret(settings), _identifier(args.person, stdin))
    found = backup.backups_holding(args.dir, key)
    if not found:
        return {"holding": []}, f"No file under {args.dir} holds this person."
    lines = [f"{len(found)} file(s) under {args.dir} still hold this person:"]
    for f in found:
        where = ", ".join(f["tables"]) if f["tables"] else "bytes"
        lines.append(f"  {f['path']}  ({where})")
    lines.append("Delete or rotate these backups to complete the erasure.")
    return {"holding": found}, "\n".join(lines)


def _erase_text(r: EraseResult) -> str:
    parts = ", ".join(f"{t} {n}" for t, n in r.tables.items() if n)
    lines = [f"Erased: {r.rows_deleted} rows deleted" + (f" ({parts})." if parts else ".")]
    if r.uploads_removed:
        lines.append(f"{r.uploads_removed} upload record(s) that held only this person removed.")
    if r.file_rewritten:
        lines.append("The database file was rewritten: no freed block holds the person.")
    if r.kept_wal_copies_removed:
        lines.append(f"{r.kept_wal_copies_removed} kept write-ahead-log copies deleted.")
    lines.append(r.backups_note)
    return "\n".join(lines)


def run(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run one command; returns the exit code (the entry point calls ``sys.exit`` on it)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    inp = stdin or sys.stdin
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage message
        return int(exc.code or 0) and EXIT_USAGE
    # Everything this process writes (database, WAL, backups, exports, reports) is private.
    private_umask()
    try:
        settings = Settings.from_env(db_path=args.db)
        if args.command == "release" or args.command in NO_DATABASE_COMMANDS:
            if args.command == "release":  # needs no database: it may run far from the dashboard
                doc, text = _cmd_release(args, settings)
            else:
                got = _no_database(args, settings, inp)
                if isinstance(got, int):
                    return got
                doc, text = got
            if args.json:
                out.write(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n")
            else:
                out.write(text.rstrip("\n") + "\n")
            return EXIT_OK
        try:
            bench = Bench.open(settings=settings)
        except DatabaseBusyError:
            if args.command != "backup":
                raise
            # The dashboard holds the file: copy it and verify the copy instead.
            from ssi_bench import backup

            doc = backup.backup_file_copy(Path(settings.db_path), args.dest)
            text = f"Backup written to {args.dest} (keep the key file with it)."
        else:
            if bench.store.recovery_note:
                err.write(f"note: {bench.store.recovery_note}\n")
            with bench, audit.acting_as(audit.COMMAND_LINE):
                doc, text = _dispatch(args, bench, inp, err)
    except UsageError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_USAGE
    except SSIBenchError as exc:
        err.write(f"error: {exc}\n")
        if args.json:
            out.write(json.dumps({"error": str(exc)}) + "\n")
        return EXIT_REFUSED
    if args.json:
        out.write(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n")
    elif text:
        out.write(text.rstrip("\n") + "\n")
    return EXIT_OK


def _dispatch(
    args: argparse.Namespace, bench: Bench, stdin: TextIO, err: TextIO
) -> tuple[Any, str]:
    cmd = args.command
    if cmd == "demo":
        return _cmd_demo(args, bench)
    if cmd == "ingest":
        return _cmd_ingest(args, bench, stdin, err)
    if cmd == "percentile":
        person = None if args.person is None else _identifier(args.person, stdin)
        s = bench.percentile(
            person=person,
            score=args.score,
            pillars=args.pillars,
            metric=args.metric,
            cohort=args.cohort,
            sector=args.sector,
            network=args.network,
            as_of=args.as_of,
        )
        wide = "" if s.linkedin_industry is None else "\n" + s.linkedin_industry["display"]
        return s.to_dict(), _standing_text(s) + wide
    if cmd == "benchmarks":
        return _cmd_benchmarks(args, bench)
    if cmd == "uploads":
        ups = bench.uploads()
        lines = [
            f"#{u.upload_id}  {u.uploaded_at:%Y-%m-%d %H:%M}  {u.label or '(no label)'}"
            f"  sha256 {u.file_sha256[:12]}  read {u.rows_read}"
            f"  accepted {u.rows_accepted}  rejected {u.rows_rejected}  new {u.rows_new}"
            f"  updated {u.rows_updated}  live {u.rows_live}{'  [demo]' if u.is_demo else ''}"
            for u in ups
        ]
        return [u.to_dict() for u in ups], "\n".join(lines) or "No uploads yet."
    if cmd == "undo":
        n = bench.undo(args.upload_id)
        doc = {"upload_id": args.upload_id, "rows_deleted": n}
        return doc, f"Upload #{args.upload_id} undone: {n} score rows removed."
    if cmd == "erase":
        erased = bench.erase(_identifier(args.person, stdin))
        return erased.to_dict(), _erase_text(erased)
    if cmd == "links":
        return _cmd_links(args, bench, stdin)
    if cmd == "sectors":
        return _cmd_sectors(args, bench)
    if cmd == "audit":
        rows = audit.entries(bench.store, args.limit)
        lines = [
            f"{r['at']:%Y-%m-%d %H:%M:%S}  {r['action']:<20} {r['object'] or '':<16} {r['actor']}"
            for r in rows
        ]
        return rows, "\n".join(lines) or "The audit log is empty."
    if cmd in ("backup", "restore"):
        from ssi_bench import backup

        if cmd == "backup":
            doc = backup.backup(bench, args.dest)
            return doc, f"Backup written to {args.dest} (keep the key file with it)."
        doc = backup.restore(bench, args.source, force=args.force)
        return doc, f"Restored from {args.source}."
    if cmd == "export-snapshots":
        from ssi_bench.engines import snapshots

        with bench.store.cursor() as cur:
            doc = snapshots.export_store(cur, args.dest)
        return doc, f"Exported {doc['rows']} snapshot rows to {args.dest} ({doc['checksum']})."
    if cmd == "import-release":
        from ssi_bench.engines import build

        doc = build.import_release(bench.store, args.source)
        got = doc["imported"]
        return doc, (
            f"Imported the release from {args.source}: {got['release_hist']} histogram rows, "
            f"{got['release_pairs']} pair rows, figures: {got['release_figures']}."
        )
    raise UsageError(f"unknown command {cmd}")  # argparse prevents this


def _cmd_release(args: argparse.Namespace, settings: Settings) -> tuple[Any, str]:
    from ssi_bench.engines import build

    if args.engine != "spark" and (args.spark_master or args.spark_remote):
        raise UsageError("--spark-master / --spark-remote need --engine spark")
    lookback = args.lookback_days or settings.lookback_days
    k = args.min_cohort or settings.min_cohort
    if args.min_cohort is not None:
        Settings(min_cohort=k)  # the floor of k is the Settings' rule: raises below it
    doc = build.build_release(
        args.input,
        args.out,
        engine=args.engine,
        lookback_days=lookback,
        min_cohort=k,
        spark_master=args.spark_master,
        spark_remote=args.spark_remote,
    )
    files = ", ".join(f"{n} {f['rows']} rows" for n, f in doc["files"].items())
    return doc, f"Release written to {args.out} on {args.engine}: {files}."


def _cmd_demo(args: argparse.Namespace, bench: Bench) -> tuple[Any, str]:
    if args.remove:
        n = bench.remove_demo()
        return {"rows_deleted": n}, f"Demo data removed: {n} rows."
    if args.if_empty and not bench.status().is_empty:
        return {"loaded": False, "reason": "database not empty"}, "Database has data: no demo."
    r = bench.load_demo(people=args.people, seed=args.seed)
    doc = {"loaded": True, **r.to_dict()}
    return doc, f"Demo data loaded: {r.rows_accepted} rows (upload #{r.upload_id})."


def _cmd_ingest(
    args: argparse.Namespace, bench: Bench, stdin: TextIO, err: TextIO
) -> tuple[Any, str]:
    if not args.files and args.paste is None:
        raise UsageError("give at least one FILE (or --paste FILE)")
    if args.files and args.paste is not None:
        raise UsageError("give files or --paste, not both")
    if args.links is not None and args.links.exists():
        # Checked before importing: the links file is written once, never overwritten.
        raise SSIBenchError(f"{args.links} already exists: choose a new file for the links")
    options = IngestOptions(
        person=None if args.person is None else _identifier(args.person, stdin),
        sector=args.sector,
        network=args.network,
        date=args.date,
        date_order=args.date_order,
        strict=args.strict,
        label=args.label,
    )
    files: list[tuple[str, bytes]] = []
    if args.paste is not None:
        if not args.paste.is_file():
            raise SSIBenchError(f"{args.paste}: no such file")
        text = args.paste.read_bytes().decode("utf-8-sig", errors="replace")
        result = bench.ingest_text(text, options, name=args.paste.name)
    else:
        files = _collect_files(args.files)
        result = bench.ingest_files(files, options, progress=_progress(err))
    if args.rejects is not None:
        args.rejects.write_bytes(bench.rejects_csv(result.rejects))
    links_doc = None
    if args.links is not None:
        if args.paste is not None:  # a personal page: the one person given with --person
            people = [options.person] if options.person else []
        else:
            people = _upload_people(bench, files, options)
        made = links.create(
            bench.store,
            load_secret(bench.settings),
            people,
            bench.settings.link_days,
            upload_id=result.upload_id,
            public_url=bench.settings.public_url,
        )
        _write_links(args.links, made)
        links_doc = {"out": str(args.links), "links": len(made)}
    lines = [
        f"Upload #{result.upload_id}: read {result.rows_read}, accepted {result.rows_accepted} "
        f"({result.rows_new} new, {result.rows_updated} updated), rejected "
        f"{result.rows_rejected}."
    ]
    if result.ignored_columns:
        lines.append("Ignored columns: " + ", ".join(result.ignored_columns))
    for r in result.rejects[:20]:
        where = f"{r.file}: " if r.file else ""
        lines.append(f"  {where}line {r.line}, {r.field}: {r.reason}")
    if len(result.rejects) > 20:
        lines.append(f"  … and {len(result.rejects) - 20} more (use --rejects OUT.csv)")
    doc = result.to_dict()
    if links_doc is not None:
        doc["private_links"] = links_doc
        lines.append(f"{links_doc['links']} private links written to {args.links}.")
    return doc, "\n".join(lines)


def _upload_people(
    bench: Bench, files: list[tuple[str, bytes]], options: IngestOptions
) -> list[str]:
    """The identifiers of the valid rows of ``files``, first spelling first (read again:
    the upload itself keeps only keys)."""
    people: list[str] = []
    for name, data in files:
        checked = validate(read_bytes(data, name, settings=bench.settings), options)
        people.extend(str(v) for v in checked.frame["person"].dropna().unique())
    return people


def _people_file(path: Path, bench: Bench) -> list[str]:
    """Identifiers from a people file: the person column of an upload-format CSV/XLSX, else
    one identifier per line (blank lines skipped)."""
    if not path.is_file():
        raise SSIBenchError(f"{path}: no such file")
    data = path.read_bytes()
    try:
        read = read_bytes(data, path.name, settings=bench.settings)
    except IngestError:
        read = None
    if read is not None and "person" in read.frame.columns:
        return [str(v).strip() for v in read.frame["person"].dropna() if str(v).strip()]
    text = data.decode("utf-8-sig", errors="replace")
    return [line.strip() for line in text.splitlines() if line.strip()]


def _write_links(path: Path, made: list[tuple[str, str]]) -> None:
    """Write identifier,link rows to a NEW file, mode 0600 (refuses an existing one): the
    only copy of the identifiers and tokens, for a mail merge."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["identifier", "link"])
    writer.writerows(made)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SSIBenchError(f"{path} already exists: choose a new file for the links") from None
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(buffer.getvalue())


def _cmd_links(args: argparse.Namespace, bench: Bench, stdin: TextIO) -> tuple[Any, str]:
    secret = load_secret(bench.settings)
    if args.links_command == "create":
        if args.out.exists():
            raise SSIBenchError(f"{args.out} already exists: choose a new file for the links")
        people = _people_file(args.file, bench)
        if not people:
            raise SSIBenchError(f"{args.file}: no identifier found")
        days = args.days if args.days is not None else bench.settings.link_days
        made = links.create(bench.store, secret, people, days, public_url=bench.settings.public_url)
        _write_links(args.out, made)
        doc = {"out": str(args.out), "links": len(made), "days": days}
        return doc, f"{len(made)} private links written to {args.out} (expire in {days} days)."
    if args.links_command == "revoke":
        if args.upload is not None:
            n = links.revoke_upload(bench.store, args.upload)
            return {"upload_id": args.upload, "revoked": n}, f"{n} links revoked."
        n = links.revoke_person(bench.store, secret, _identifier(args.person, stdin))
        return {"revoked": n}, f"{n} links revoked."
    rows = links.list_links(bench.store)
    lines = [
        f"{'upload #' + str(r['upload_id']) if r['upload_id'] is not None else 'from a file':<14}"
        f"  links {r['links']}  active {r['active']}  revoked {r['revoked']}"
        f"  expired {r['expired']}  used {r['used']}  last created {r['last_created_at']:%Y-%m-%d}"
        for r in rows
    ]
    return rows, "\n".join(lines) or "No private links yet."


def _cmd_sectors(args: argparse.Namespace, bench: Bench) -> tuple[Any, str]:
    if args.sectors_command == "map":
        change = bench.map_sector(args.text, args.industry)
        doc = change.to_dict()
        return doc, (
            f"{change.text!r} now means {doc['new_industry']}: {change.rows_refiled} stored rows "
            "re-filed (undo: sectors undo)."
        )
    if args.sectors_command == "undo":
        change = bench.undo_sector()
        doc = change.to_dict()
        return doc, f"Mapping of {change.text!r} undone: {change.rows_refiled} rows put back."
    rows = bench.stored_sectors()
    doc = {
        "sectors": [r.to_dict() for r in rows],
        "mappings": bench.sector_mappings(),
    }
    lines = [
        f"{r.sector:<45} {'industry ' + str(r.industry_id) if r.industry_id else 'kept as written'}"
        f"  rows {r.rows}  people {r.people}"
        for r in rows
    ]
    lines += [f"mapping: {m['text']} → {m['industry']}" for m in doc["mappings"]]
    return doc, "\n".join(lines) or "No sectors stored yet."


def _cmd_benchmarks(args: argparse.Namespace, bench: Bench) -> tuple[Any, str]:
    fmt: Literal["csv", "parquet", "json"] = args.format or "json"
    if fmt == "parquet" and args.out is None:
        raise UsageError("--format parquet needs --out FILE")
    if args.out is not None:
        data = bench.export_benchmarks(fmt, cohort=args.cohort, as_of=args.as_of)
        args.out.write_bytes(data)
        rows = len(bench.benchmarks(args.cohort, args.as_of))
        return {"out": str(args.out), "format": fmt, "rows": rows}, f"Wrote {rows} rows."
    if fmt == "csv" and not args.json:
        return None, bench.export_benchmarks("csv", args.cohort, args.as_of).decode("utf-8-sig")
    rows_doc = [r.to_dict() for r in bench.benchmarks(args.cohort, args.as_of, level=args.level)]
    text = json.dumps(rows_doc, ensure_ascii=False, indent=2)
    return rows_doc, text


def main() -> None:
    sys.exit(run())
