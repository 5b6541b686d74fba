"""Pseudonymised snapshots as Hive-partitioned Parquet: the input of a release built elsewhere.

Layout of an export folder::

    DIR/month=2026-01/part_0.parquet     one folder per calendar month of snapshot_date
    DIR/month=2026-02/part_0.parquet
    DIR/manifest.json                    row counts, schema version, SHA-256 of every file

Each file holds the columns of :data:`COLUMNS` (``month`` lives in the folder name only):
``person_key`` (the HMAC pseudonym, never a raw identifier), ``snapshot_date`` DATE, ``sector``,
``network`` and the five scores as BIGINT in units of :data:`job.UNITS` — rounded once, by the
SQL of :func:`job.store_snapshots_sql`, so every engine bins the same integers. (person_key,
snapshot_date) is unique. The manifest does not depend on any release setting (look-back,
k): one export serves every release built from it.

Readers must give the partition column as text (DuckDB ``hive_types={'month': VARCHAR}``,
Spark ``partitionColumnTypeInference.enabled=false``): inferred, ``2026-01`` becomes a date or
an integer depending on the engine.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import duckdb

from ssi_bench.engines import job
from ssi_bench.errors import SSIBenchError
from ssi_bench.fields import METRICS

#: Version of the export layout; a reader refuses a newer one. 2 added the optional
#: :data:`CURVE_COLUMNS` (version 1 exports are still read: they carry no curves).
SCHEMA_VERSION = 2
FORMAT = "ssi-bench-snapshots"
MANIFEST = "manifest.json"
#: The columns of every Parquet file, in order (plus the ``month`` partition folder).
COLUMNS = ("person_key", "snapshot_date", "sector", "network", *METRICS)
#: What the LinkedIn-wide curves need besides (since schema 2; an export written from a
#: select without them has none, and its release no curves): LinkedIn's industry rank and
#: reported industry average SSI, BIGINT in units of :data:`job.UNITS` like the scores.
CURVE_COLUMNS = ("industry_rank", "industry_avg_ssi")

_DUPLICATES_SQL = """
SELECT count(*) FROM (
    SELECT person_key, snapshot_date FROM src GROUP BY person_key, snapshot_date
    HAVING count(*) > 1
)
"""


# S608 below: the SQL is built from this module's constant column names, the caller's own
# SELECT text (code, never user input) and paths quoted by _sql_string.


def _sql_string(text: str) -> str:
    """A SQL string literal (COPY … TO takes no bound parameter for its path)."""
    return "'" + text.replace("'", "''") + "'"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _fresh_dir(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SSIBenchError(f"{out}: the folder exists and is not empty; give a new folder")


def write_snapshots(
    con: duckdb.DuckDBPyConnection, select_sql: str, out: str | Path
) -> dict[str, Any]:
    """Write the rows of ``select_sql`` (run on ``con``) as an export folder at ``out``.

    ``select_sql`` must yield :data:`COLUMNS` with the scores already integer units, and may
    yield :data:`CURVE_COLUMNS` too (e.g. :func:`store_export_sql`); other columns are
    dropped. The folder is written beside ``out`` and renamed
    into place, so an interrupted export leaves no half folder under that name. Returns the
    manifest (also written to ``out/manifest.json``).

    Raises SSIBenchError when ``out`` exists and is not empty, or when a (person_key,
    snapshot_date) pair occurs twice (nothing is left behind then).
    """
    out = Path(out)
    _fresh_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.{uuid.uuid4().hex}.part"
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW src_all AS {select_sql}")
        given = {str(r[0]) for r in con.execute("DESCRIBE src_all").fetchall()}
        names = (*COLUMNS, *(c for c in CURVE_COLUMNS if c in given))
        cols = ", ".join(names)
        con.execute(f"CREATE OR REPLACE TEMP VIEW src AS SELECT {cols} FROM src_all")
        row = con.execute(_DUPLICATES_SQL).fetchone()
        if row and row[0]:
            raise SSIBenchError(
                f"{row[0]} (person, date) pairs occur more than once: the snapshots are not "
                "unique, nothing was exported"
            )
        # Sorted by person and date: deterministic files (the checksum of the same data is the
        # same), and each person's history lies together for the job's window.
        con.execute(
            f"""COPY (SELECT {cols}, strftime(snapshot_date, '%Y-%m') AS month FROM src
                      ORDER BY person_key, snapshot_date)
                TO {_sql_string(str(tmp))}
                (FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN 'part_{{i}}',
                 COMPRESSION zstd, ROW_GROUP_SIZE 1000000)"""
        )
        counts = dict(
            con.execute(
                "SELECT strftime(snapshot_date, '%Y-%m'), count(*) FROM src GROUP BY 1"
            ).fetchall()
        )
        con.execute("DROP VIEW src")
        con.execute("DROP VIEW src_all")
        tmp.mkdir(exist_ok=True)  # no rows: COPY writes no folder
        manifest = _manifest(tmp, counts, names)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if out.exists():
            out.rmdir()  # checked empty above
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.parquet") if p.is_file())


def _manifest(root: Path, counts: dict[str, int], names: tuple[str, ...]) -> dict[str, Any]:
    partitions = []
    for month in sorted(counts):
        files = _files(root / f"month={month}")
        partitions.append(
            {
                "month": month,
                "rows": int(counts[month]),
                "files": [
                    {
                        "path": f.relative_to(root).as_posix(),
                        "bytes": f.stat().st_size,
                        "sha256": _sha256(f),
                    }
                    for f in files
                ],
            }
        )
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "units_per_point": job.UNITS,
        "columns": list(names),
        "partitioning": "hive: month=YYYY-MM (text)",
        "rows": sum(p["rows"] for p in partitions),
        "partitions": partitions,
        "checksum": _checksum(partitions),
    }


def _checksum(partitions: list[dict[str, Any]]) -> str:
    """SHA-256 over every file's path and SHA-256, in path order: one value for the export."""
    h = hashlib.sha256()
    for p in partitions:
        for f in p["files"]:
            h.update(f"{f['path']}\0{f['sha256']}\n".encode())
    return "sha256:" + h.hexdigest()


def read_manifest(root: str | Path, *, verify: bool = True) -> dict[str, Any]:
    """The manifest of an export folder, its files checked against it when ``verify``.

    Raises SSIBenchError when the folder has no manifest, a newer schema version, or a file
    that is missing, extra or changed since the export (a partial copy, say).
    """
    root = Path(root)
    path = root / MANIFEST
    if not path.is_file():
        raise SSIBenchError(
            f"{root}: no {MANIFEST} — give a folder written by 'python -m ssi_bench "
            "export-snapshots'"
        )
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise SSIBenchError(f"{path}: not a valid manifest (damaged JSON)") from None
    if manifest.get("format") != FORMAT:
        raise SSIBenchError(f"{path}: not a snapshots manifest")
    if int(manifest.get("schema_version", 0)) > SCHEMA_VERSION:
        raise SSIBenchError(
            f"{root}: snapshot schema version {manifest['schema_version']} is newer than this "
            f"SSI Bench ({SCHEMA_VERSION}): upgrade SSI Bench"
        )
    if verify:
        listed = {f["path"]: f for p in manifest["partitions"] for f in p["files"]}
        present = {f.relative_to(root).as_posix() for f in _files(root)}
        if present != set(listed):
            missing, extra = sorted(set(listed) - present), sorted(present - set(listed))
            raise SSIBenchError(
                f"{root}: the files differ from the manifest (missing {missing[:3]}, extra "
                f"{extra[:3]}): copy the whole export again"
            )
        for rel, f in listed.items():
            if _sha256(root / rel) != f["sha256"]:
                raise SSIBenchError(f"{root / rel}: checksum differs from the manifest")
    return manifest


def store_export_sql() -> str:
    """The dashboard's ``scores`` as an export: :func:`job.store_snapshots_sql`'s columns and
    :data:`CURVE_COLUMNS`, rounded once to integer units by the same rule."""
    # The job's own view plus two columns: its text is wrapped, not copied, so the scores'
    # rounding rule stays in one place.
    base = job.store_snapshots_sql().replace(" FROM scores", ", {extra} FROM scores", 1)
    extra = ", ".join(f"CAST(round({c} * {job.UNITS}) AS BIGINT) AS {c}" for c in CURVE_COLUMNS)
    return base.replace("{extra}", extra)


def has_curve_columns(manifest: dict[str, Any]) -> bool:
    """Whether an export carries what the LinkedIn-wide curves need (schema 2 with
    :data:`CURVE_COLUMNS`); a version 1 export does not, and its release has no curves."""
    return int(manifest.get("schema_version", 0)) >= 2 and set(CURVE_COLUMNS) <= set(
        manifest.get("columns", ())
    )


def export_store(con: duckdb.DuckDBPyConnection, out: str | Path) -> dict[str, Any]:
    """Export a dashboard database's ``scores`` (on ``con``, a cursor of the store), with
    LinkedIn's industry rank and average for the curves (left out for a ``scores`` table
    without them, as a bare test table: the export is then what schema 1 held)."""
    have = {str(r[0]) for r in con.execute("DESCRIBE scores").fetchall()}
    sql = store_export_sql() if set(CURVE_COLUMNS) <= have else job.store_snapshots_sql()
    return write_snapshots(con, sql, out)
