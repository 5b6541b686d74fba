"""Build a release folder from an export, on either engine; load one into a dashboard.

A release folder::

    OUT/hist.parquet      pub_date, kind, name, metric, value, n   (the job's histograms)
    OUT/pairs.parquet     pub_date, sector, network, n
    OUT/figures.parquet   the published figures (ssi_bench.release.build_figures)
    OUT/curves.parquet    the LinkedIn-wide industry curves (ssi_bench.engines.curves)
    OUT/manifest.json     settings, input checksum, rows and SHA-256 of each file

The tables are cast to one schema (:data:`HIST_SCHEMA`, :data:`PAIRS_SCHEMA`) and sorted, so
the files do not depend on the engine: DuckDB and Spark give byte-identical ``hist`` and
``pairs`` files for the same input (Spark's nullability flags and row order differ otherwise).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from ssi_bench.engines import curves, snapshots
from ssi_bench.errors import SSIBenchError

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import SparkSession

    from ssi_bench.store import Store

Engine = Literal["duckdb", "spark"]
RELEASE_FORMAT = "ssi-bench-release"
RELEASE_SCHEMA_VERSION = 1

#: The job's histogram output, as written to ``hist.parquet`` (scores in job.UNITS).
HIST_SCHEMA = pa.schema(
    [
        ("pub_date", pa.date32()),
        ("kind", pa.string()),
        ("name", pa.string()),
        ("metric", pa.string()),
        ("value", pa.int64()),
        ("n", pa.int64()),
    ]
)
#: People per (publication date, sector, network), as written to ``pairs.parquet``.
PAIRS_SCHEMA = pa.schema(
    [
        ("pub_date", pa.date32()),
        ("sector", pa.string()),
        ("network", pa.string()),
        ("n", pa.int64()),
    ]
)
HIST_ORDER = ("pub_date", "kind", "name", "metric", "value")
PAIRS_ORDER = ("pub_date", "sector", "network")


def canonical(table: pa.Table, schema: pa.Schema, order: tuple[str, ...]) -> pa.Table:
    """``table`` with exactly ``schema``'s columns and types, sorted by ``order`` (nulls
    first), one chunk. Raises SSIBenchError when a column is missing."""
    missing = [n for n in schema.names if n not in table.column_names]
    if missing:
        raise SSIBenchError(f"the job's output lacks the columns {missing}")
    table = table.select(schema.names).cast(schema)
    table = table.sort_by([(c, "ascending", "at_start") for c in order])
    return table.combine_chunks()


def run_engine(
    input_dir: str | Path,
    lookback_days: int,
    *,
    engine: Engine = "duckdb",
    spark: SparkSession | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
    staging_dir: str | Path | None = None,
) -> tuple[pa.Table, pa.Table]:
    """(hist, pairs) of an export on ``engine``, in canonical form (see :func:`canonical`).

    For Spark, ``spark`` is a session to use (else one is made from ``spark_master`` /
    ``spark_remote`` / the environment and left running for the caller's process), and
    ``staging_dir`` a folder the job's raw output may go to (removed afterwards).
    """
    if engine == "duckdb":
        from ssi_bench.engines import duckdb_engine

        hist, pairs = duckdb_engine.run(input_dir, lookback_days)
    elif engine == "spark":
        from ssi_bench.engines import spark_engine

        if spark is None:
            spark = spark_engine.session(master=spark_master, remote=spark_remote)
        staging = Path(staging_dir or Path(input_dir).parent / f".spark-{uuid.uuid4().hex}")
        try:
            hist, pairs = spark_engine.run(spark, input_dir, lookback_days, staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    else:
        raise SSIBenchError(f"unknown engine {engine!r}: use duckdb or spark")
    return canonical(hist, HIST_SCHEMA, HIST_ORDER), canonical(pairs, PAIRS_SCHEMA, PAIRS_ORDER)


def figures(hist: pa.Table, pairs: pa.Table, *, k: int) -> pa.Table:
    """The published figures from the engine's histograms: ``release.build_figures`` with the
    LinkedIn industry groups of the sectors present — exactly what the dashboard computes for
    its own release (network groups live in a dashboard's database and are not part of an
    exported job)."""
    from ssi_bench import industry_cohorts, release

    sector_names = {
        r["name"] for r in hist.select(["kind", "name"]).to_pylist() if r["kind"] == "sector"
    }
    groups = industry_cohorts.groups_for_sectors(n for n in sector_names if n is not None)
    return release.build_figures(hist, pairs, k=k, groups=groups)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def build_release(
    input_dir: str | Path,
    out_dir: str | Path,
    *,
    engine: Engine = "duckdb",
    lookback_days: int = 90,
    min_cohort: int = 10,
    spark: SparkSession | None = None,
    spark_master: str | None = None,
    spark_remote: str | None = None,
    verify: bool = True,
) -> dict[str, Any]:
    """Build the release of the export at ``input_dir`` into the new folder ``out_dir``.

    ``lookback_days`` (≥ 1): a person counts with a snapshot less than that many days old;
    ``min_cohort``: k of the privacy gate (passed to the figures). ``verify`` checks every
    input file against the export's manifest first (a local path only). Returns the release
    manifest (also written as ``manifest.json``).

    Raises SSIBenchError for a missing or damaged export, an ``out_dir`` that exists and is
    not empty, a missing pyspark/Java for ``engine="spark"``.
    """
    input_dir, out = Path(input_dir), Path(out_dir)
    if lookback_days < 1:
        raise SSIBenchError("look-back window must be at least 1 day")
    source = snapshots.read_manifest(input_dir, verify=verify)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SSIBenchError(f"{out}: the folder exists and is not empty; give a new folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.{uuid.uuid4().hex}.part"
    tmp.mkdir()
    try:
        hist, pairs = run_engine(
            input_dir,
            lookback_days,
            engine=engine,
            spark=spark,
            spark_master=spark_master,
            spark_remote=spark_remote,
            staging_dir=tmp / "_staging",
        )
        tables: dict[str, pa.Table] = {"hist": hist, "pairs": pairs}
        figs = figures(hist, pairs, k=min_cohort)
        if figs is not None:
            tables["figures"] = figs
        tables["curves"] = curves.engine_curves(
            input_dir, source, hist, lookback_days, min_cohort, engine=engine, spark=spark,
            spark_master=spark_master, spark_remote=spark_remote,
        )  # fmt: skip
        files = {}
        for name, table in tables.items():
            path = tmp / f"{name}.parquet"
            pq.write_table(table, path, compression="zstd")
            files[name] = {
                "path": path.name,
                "rows": table.num_rows,
                "sha256": _sha256(path),
            }
        dates = hist.column("pub_date")
        manifest = {
            "format": RELEASE_FORMAT,
            "schema_version": RELEASE_SCHEMA_VERSION,
            "engine": engine,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "lookback_days": int(lookback_days),
            "min_cohort": int(min_cohort),
            "input_checksum": source["checksum"],
            "input_rows": source["rows"],
            "publication_dates": hist.num_rows
            and [str(dates[0].as_py()), str(dates[len(dates) - 1].as_py())],
            "files": files,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def read_release(release_dir: str | Path) -> tuple[dict[str, Any], dict[str, pa.Table]]:
    """(manifest, tables) of a release folder, every file checked against its SHA-256.

    Raises SSIBenchError when the manifest is missing, newer, or a file differs.
    """
    root = Path(release_dir)
    path = root / "manifest.json"
    if not path.is_file():
        raise SSIBenchError(
            f"{root}: no manifest.json — give a folder written by 'python -m ssi_bench release'"
        )
    try:
        manifest: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except ValueError:
        raise SSIBenchError(f"{path}: not a valid manifest (damaged JSON)") from None
    if manifest.get("format") != RELEASE_FORMAT:
        raise SSIBenchError(f"{path}: not a release manifest")
    if int(manifest.get("schema_version", 0)) > RELEASE_SCHEMA_VERSION:
        raise SSIBenchError(f"{root}: release schema is newer than this SSI Bench: upgrade it")
    tables = {}
    for name, f in manifest["files"].items():
        file = root / f["path"]
        if not file.is_file() or _sha256(file) != f["sha256"]:
            raise SSIBenchError(f"{file}: missing or changed since the release was built")
        tables[name] = pq.read_table(file)
    return manifest, tables


def import_release(store: Store, release_dir: str | Path) -> dict[str, Any]:
    """Load a release folder into ``store``: tables ``release_hist``, ``release_pairs`` and
    the figures (:func:`_import_figures`), replacing any earlier release, in one transaction.

    Returns the manifest plus ``imported`` row counts. Raises SSIBenchError as
    :func:`read_release` does.
    """
    manifest, tables = read_release(release_dir)
    for name, schema in (("hist", HIST_SCHEMA), ("pairs", PAIRS_SCHEMA)):
        if name not in tables:
            raise SSIBenchError(f"{release_dir}: the release has no {name}.parquet")
        tables[name] = tables[name].cast(schema)
    with store.transaction() as cur:
        for name in ("hist", "pairs"):
            _replace_table(cur, f"release_{name}", tables[name])
    # Its own step, after ours: the lead's loader runs its own transaction.
    figures_rows = _import_figures(
        store, Path(release_dir), tables.get("figures"), curves.rows_of(tables.get("curves"))
    )
    return {
        **manifest,
        "imported": {
            "release_hist": tables["hist"].num_rows,
            "release_pairs": tables["pairs"].num_rows,
            "release_figures": figures_rows,
        },
    }


def _replace_table(cur: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    # ``table`` is one of this module's constant names, never input.
    cur.register("incoming", data)
    try:
        cur.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM incoming")
    finally:
        cur.unregister("incoming")


def _import_figures(
    store: Store, release_dir: Path, figs: pa.Table | None, curve_rows: list[Any] | None = None
) -> int | None:
    """Store the release's figures as the dashboard's release, marked ``imported``: the pages
    then serve it as it is (``Bench.release``), and a local change never rebuilds over it."""
    from ssi_bench import release_store

    if figs is None:
        raise SSIBenchError(f"{release_dir}: the release has no figures.parquet")
    release_store.save(
        store,
        figs,
        data_version=store.data_version(),
        source="imported",
        settings_key=f"imported from {release_dir.name}",
        curves=curve_rows,
    )
    return figs.num_rows
