"""The release job on Apache Spark through PySpark: the same SQL text as DuckDB.

Where Spark runs is never decided here (no hard-coded ``.master()``): ``master`` (``local[2]``,
``spark://host:7077``, ``yarn``, ``k8s://…``) or ``remote`` (Spark Connect, ``sc://host:15002``)
when given, else whatever ``spark-submit`` put in the environment (plain ``python`` without
either: pyspark's own default, ``local[*]``).

pyspark is imported inside the functions: the DuckDB path must never need it, nor Java.
No pandas anywhere (pyspark warns that pandas ≥ 3 is not fully supported): Parquet in,
Parquet out, read back with pyarrow.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from ssi_bench.engines import job
from ssi_bench.engines.snapshots import COLUMNS
from ssi_bench.errors import SSIBenchError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: Runtime SQL settings, set on every session (also over Spark Connect).
SQL_CONF = {
    # Inferred, ``month=2026-01`` would not stay the string DuckDB reads (hive_types VARCHAR).
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    # DATE values carry no zone, but keep the session's clock out of any cast.
    "spark.sql.session.timeZone": "UTC",
}
#: Process settings for a session this module starts itself (not settable over Connect).
CORE_CONF = {
    "spark.ui.enabled": "false",  # no web server on a shared machine; nothing reads it
    "spark.ui.showConsoleProgress": "false",
}
#: Shuffle partitions: Spark's default 200 is tuned for clusters; the job's shuffles carry
#: (person) windows and small aggregates, and ~8 keeps task overhead low on a few cores.
DEFAULT_SHUFFLE_PARTITIONS = 8


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SSIBenchError(
            "--engine spark needs pyspark: pip install -r requirements-dev.txt (or "
            "'pip install pyspark==4.3.*'); the default --engine duckdb needs neither"
        ) from None


def _require_java() -> None:
    home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (home and (Path(home) / "bin" / "java").exists()):
        raise SSIBenchError(
            "--engine spark needs Java 17 to run Spark locally: run scripts/ensure-java.sh "
            "(Debian: apt-get install openjdk-17-jre-headless), or use --spark-remote"
        )


def session(
    *,
    master: str | None = None,
    remote: str | None = None,
    shuffle_partitions: int = DEFAULT_SHUFFLE_PARTITIONS,
    conf: dict[str, str] | None = None,
    quiet: bool = True,
) -> SparkSession:
    """A SparkSession for the job (or the active one, e.g. under ``spark-submit``).

    ``conf``: more settings for a session started here (ignored over Spark Connect except
    ``spark.sql.*``). Raises SSIBenchError when both ``master`` and ``remote`` are given, or
    pyspark / Java is missing.
    """
    _require_pyspark()
    from pyspark.sql import SparkSession

    if master and remote:
        raise SSIBenchError("give --spark-master or --spark-remote, not both")
    sql_conf = {**SQL_CONF, "spark.sql.shuffle.partitions": str(int(shuffle_partitions))}
    builder: Any = SparkSession.builder.appName("ssi-bench-release")
    if remote:
        if not remote.startswith("sc://"):
            raise SSIBenchError(f"--spark-remote {remote!r}: expected sc://HOST:PORT")
        try:
            spark = builder.remote(remote).getOrCreate()
        except ImportError as exc:
            raise SSIBenchError(
                f"Spark Connect needs pyspark's connect extras ({exc}): "
                "pip install 'pyspark[connect]==4.3.*'"
            ) from None
        extra = {k: v for k, v in (conf or {}).items() if k.startswith("spark.sql.")}
        for key, value in {**sql_conf, **extra}.items():
            spark.conf.set(key, value)
        return spark
    _require_java()
    if master:
        builder = builder.master(master)
    for key, value in {**CORE_CONF, **sql_conf, **(conf or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    # getOrCreate returns an already running session (spark-submit, a test's session) without
    # applying the builder's SQL settings to it: set them on the session itself.
    for key, value in sql_conf.items():
        spark.conf.set(key, value)
    if quiet:
        spark.sparkContext.setLogLevel("ERROR")
    return spark


def register_snapshots(spark: SparkSession, input_dir: str | Path) -> None:
    """Register the export folder as the temp view ``snapshots`` (partition ``month`` text).

    ``pathGlobFilter`` keeps ``manifest.json`` (beside the partitions) out of the Parquet
    reader while partition discovery still sees the ``month=`` folders.
    """
    frame = spark.read.option("pathGlobFilter", "*.parquet").parquet(str(input_dir))
    frame.select(*COLUMNS).createOrReplaceTempView("snapshots")


def run(
    spark: SparkSession, input_dir: str | Path, lookback_days: int, staging_dir: str | Path
) -> tuple[pa.Table, pa.Table]:
    """(histogram, pairs) of the export at ``input_dir``, computed by ``spark``.

    Spark writes both results as Parquet folders under ``staging_dir`` (which the driver must
    be able to read: a local or mounted path) and pyarrow reads them back; no row passes
    through pandas or the Python workers.
    """
    register_snapshots(spark, input_dir)
    staging = Path(staging_dir)
    out: list[pa.Table] = []
    for name, sql in (
        ("hist", job.histogram_sql(lookback_days)),
        ("pairs", job.pairs_sql(lookback_days)),
    ):
        path = staging / name
        spark.sql(sql).write.mode("overwrite").parquet(str(path))
        out.append(pq.read_table(path))
    return out[0], out[1]
