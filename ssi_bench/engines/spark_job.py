"""The release job as a file ``spark-submit`` runs::

    spark-submit --master spark://HOST:7077 ssi_bench/engines/spark_job.py \\
        --input SNAPSHOTS_DIR --out RELEASE_DIR [--lookback-days 90] [--min-cohort 10]

The master, memory and the rest come from ``spark-submit`` (this file never sets them). The
driver needs this checkout (run from it, or ship ``--py-files ssi_bench.zip``) and pyarrow;
the executors only run Spark SQL. Both folders must be paths the driver can read and the
executors can reach (local mode, or a shared mount). The release is the same as
``python -m ssi_bench release --engine spark`` writes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    try:
        import ssi_bench  # noqa: F401
    except ImportError:  # run as a file from a checkout: the repository root is 3 levels up
        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from ssi_bench.engines import build, spark_engine
    from ssi_bench.errors import SSIBenchError

    p = argparse.ArgumentParser(prog="spark_job.py", description=__doc__)
    p.add_argument("--input", required=True, type=Path, help="folder from export-snapshots")
    p.add_argument("--out", required=True, type=Path, help="new release folder")
    p.add_argument("--lookback-days", type=int, default=90)
    p.add_argument("--min-cohort", type=int, default=10)
    p.add_argument(
        "--shuffle-partitions", type=int, default=spark_engine.DEFAULT_SHUFFLE_PARTITIONS
    )
    args = p.parse_args(argv)
    try:
        spark = spark_engine.session(shuffle_partitions=args.shuffle_partitions)
        manifest = build.build_release(
            args.input,
            args.out,
            engine="spark",
            lookback_days=args.lookback_days,
            min_cohort=args.min_cohort,
            spark=spark,
        )
    except SSIBenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(manifest, indent=2))
    spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
