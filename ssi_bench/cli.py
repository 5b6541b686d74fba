"""``python -m ssi_bench [--db PATH] COMMAND …`` — a published contract (see README).

Every command takes ``--json`` and then prints exactly one JSON document on stdout;
messages go to stderr. Exit codes: 0 done, 1 refused or not found (the message says why),
2 usage. A user error never prints a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, TextIO

from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.errors import DatabaseBusyError, SSIBenchError
from ssi_bench.fields import METRICS
from ssi_bench.model import IngestOptions, Standing

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
#: File types taken from a folder given to ``ingest``.
INGEST_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".json"}


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
    p.add_argument("--format", choices=["json", "csv", "parquet"], default=None)
    p.add_argument("--out", type=Path, help="write to this file instead of stdout")

    sub.add_parser("uploads", parents=[common], help="list uploads")
    p = sub.add_parser("undo", parents=[common], help="remove one upload")
    p.add_argument("upload_id", type=int)
    p = sub.add_parser("erase", parents=[common], help="delete every row of one person")
    p.add_argument("--person", required=True, help="identifier ('-' reads it from stdin)")

    p = sub.add_parser("backup", parents=[common], help="consistent copy of the database")
    p.add_argument("dest", type=Path, help="destination file (must not exist)")
    p = sub.add_parser("restore", parents=[common], help="replace the database by a backup")
    p.add_argument("source", type=Path, help="a file made by backup")
    p.add_argument("--force", action="store_true", help="overwrite a non-empty database")

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
    try:
        settings = Settings.from_env(db_path=args.db)
        if args.command == "release":  # needs no database: it may run far from the dashboard
            doc, text = _cmd_release(args, settings)
            if args.json:
                out.write(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n")
            else:
                out.write(text + "\n")
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
            with bench:
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
        return s.to_dict(), _standing_text(s)
    if cmd == "benchmarks":
        return _cmd_benchmarks(args, bench)
    if cmd == "uploads":
        ups = bench.uploads()
        lines = [
            f"#{u.upload_id}  {u.uploaded_at:%Y-%m-%d %H:%M}  {u.file_name}  read {u.rows_read}"
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
        n = bench.erase(_identifier(args.person, stdin))
        return {"rows_deleted": n}, f"Erased: {n} rows deleted."
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
    options = IngestOptions(
        person=None if args.person is None else _identifier(args.person, stdin),
        sector=args.sector,
        network=args.network,
        date=args.date,
        date_order=args.date_order,
        strict=args.strict,
    )
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
    return result.to_dict(), "\n".join(lines)


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
    rows_doc = [r.to_dict() for r in bench.benchmarks(args.cohort, args.as_of)]
    text = json.dumps(rows_doc, ensure_ascii=False, indent=2)
    return rows_doc, text


def main() -> None:
    sys.exit(run())
