"""The release job over Spark Connect (``release --engine spark --spark-remote sc://…``).

A real Spark Connect server (pyspark's own ``SparkConnectServer`` class through its
``spark-submit``, ``local[2]``) on 127.0.0.1 with a free port, stopped after the module; the
operator's command line runs against it in a fresh process, and every file of that release
equals, as typed Parquet, the release the in-process DuckDB engine builds from the same export.
The data set is tests/test_engines.py's (ties, sector changes, stale people, every size class).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ssi_bench.engines import build, snapshots
from ssi_bench.fields import METRICS
from tests.test_engines import LOOKBACK, ROOT, _dataset

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("snap") / "export"
    con = duckdb.connect()
    con.register("frame", pa.Table.from_pandas(_dataset(), preserve_index=False))
    cols = ", ".join(f"CAST({m} AS BIGINT) AS {m}" for m in METRICS)
    snapshots.write_snapshots(
        con, f"SELECT person_key, snapshot_date, sector, network, {cols} FROM frame", out
    )
    return out


@pytest.fixture(scope="module")
def connect_url(tmp_path_factory: pytest.TempPathFactory):
    pyspark = pytest.importorskip("pyspark")
    pytest.importorskip("grpc")  # the [connect] extra of requirements-dev.txt
    if shutil.which("java") is None:
        pytest.skip("no java: run scripts/ensure-java.sh")
    home = Path(pyspark.__file__).parent
    tmp = tmp_path_factory.mktemp("connect")
    port = _free_port()
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1"}
    log = open(tmp / "server.log", "w")  # noqa: SIM115 - closed in the finally below
    server = subprocess.Popen(
        [
            str(home / "bin" / "spark-submit"),
            "--class",
            "org.apache.spark.sql.connect.service.SparkConnectServer",
            "--master",
            "local[2]",
            "--conf",
            "spark.connect.grpc.binding.address=127.0.0.1",
            "--conf",
            f"spark.connect.grpc.binding.port={port}",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.driver.host=127.0.0.1",
            "--conf",
            f"spark.local.dir={tmp / 'local'}",
            "--conf",
            f"spark.sql.warehouse.dir={tmp / 'warehouse'}",
            "--conf",
            f"spark.driver.extraJavaOptions=-Djava.io.tmpdir={tmp}",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        "Spark Connect server did not start:\n"
                        + (tmp / "server.log").read_text()[-3000:]
                    )
                time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_release_over_spark_connect_equals_the_duckdb_release(export, connect_url, tmp_path):
    d = build.build_release(export, tmp_path / "d", lookback_days=LOOKBACK)
    run = subprocess.run(
        [
            sys.executable, "-m", "ssi_bench", "release",
            "--input", str(export), "--out", str(tmp_path / "s"),
            "--engine", "spark", "--spark-remote", connect_url,
            "--lookback-days", str(LOOKBACK),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert d["files"], "the DuckDB release wrote no files"
    for name in d["files"]:
        got = pq.read_table(tmp_path / "s" / f"{name}.parquet")
        want = pq.read_table(tmp_path / "d" / f"{name}.parquet")
        assert got.num_rows == want.num_rows and got.equals(want), name
    assert pq.read_table(tmp_path / "s" / "hist.parquet").num_rows > 10_000


def test_a_wrong_connect_url_is_refused_with_the_expected_form(export, tmp_path):
    run = subprocess.run(
        [
            sys.executable, "-m", "ssi_bench", "release",
            "--input", str(export), "--out", str(tmp_path / "s"),
            "--engine", "spark", "--spark-remote", "http://127.0.0.1:1",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode != 0
    assert "sc://HOST:PORT" in run.stderr
