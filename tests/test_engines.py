"""The release job on DuckDB and on Spark: identical typed outputs, and both right.

The data set is made here (about 2·10⁴ snapshot rows): ties, people who change sector, NULL
pillars and networks, people gone stale beyond the look-back window, a snapshot exactly on
the window's boundary, and sectors of every privacy size class (4, 5, 9, 10, 19, 20, 29, 30+
people). The histograms are checked against pandas (latest snapshot per person per date,
then value_counts), and the two engines' outputs against each other with ``Table.equals``.

The Spark tests share one ``local[2]`` session per module (about 10 s to start) and are
marked ``slow``; they run in ``make test``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from ssi_bench.engines import build, job, snapshots
from ssi_bench.errors import SSIBenchError
from ssi_bench.fields import METRICS

LOOKBACK = 28
START = dt.date(2026, 1, 5)  # a Monday
WEEKS = 26
SIZE_CLASSES = (4, 5, 9, 10, 19, 20, 29, 30, 45)
ROOT = Path(__file__).resolve().parent.parent


def _dataset() -> pd.DataFrame:
    """Snapshot rows with scores already in integer units (the export's contract)."""
    rng = np.random.default_rng(13)
    rows: list[dict[str, object]] = []
    pid = 0

    def person(sector: str | None, dates: list[dt.date], *, switch_to: str | None = None) -> None:
        nonlocal pid
        pid += 1
        network = None if pid % 17 == 0 else f"net{pid % 40}"
        for i, d in enumerate(dates):
            sec = switch_to if switch_to and i >= len(dates) // 2 else sector
            # Scores on a coarse grid: many people share a value (ties in every bin).
            pillars = [int(rng.integers(0, 26)) * 10_000 for _ in range(4)]
            brand = None if rng.random() < 0.05 else pillars[0]
            rows.append(
                {
                    "person_key": f"k{pid:06d}",
                    "snapshot_date": d,
                    "sector": sec,
                    "network": network,
                    "ssi": sum(pillars),
                    "brand": brand,
                    "people": pillars[1],
                    "insights": pillars[2],
                    "relationships": pillars[3],
                }
            )

    weekly = [START + dt.timedelta(weeks=w) for w in range(WEEKS)]
    for size in SIZE_CLASSES:
        for _ in range(size):
            person(f"size{size}", weekly)
    # Changing sector half way; irregular dates (two weeks apart, odd weekdays).
    for _ in range(60):
        person("size30", weekly, switch_to="size45")
    for j in range(120):
        person("mixed", [START + dt.timedelta(days=3 + j % 5 + 14 * w) for w in range(12)])
    # Stale: snapshots stop after 6 weeks (they leave the cohorts LOOKBACK days later).
    for _ in range(80):
        person("stale", weekly[:6])
    # Boundary: one snapshot at START + 1 week; publication dates fall 27 days (a "mixed"
    # date: in) and exactly LOOKBACK = 28 days (weekly: out) after it.
    person("edge", [START + dt.timedelta(weeks=1)])
    person(None, weekly[:10])  # no sector at all: only in "all" (and its network)
    # Bulk for size: ordinary people in a few hundred sectors.
    for j in range(650):
        person(f"bulk{j % 25}", weekly)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return _dataset()


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory, data: pd.DataFrame) -> Path:
    out = tmp_path_factory.mktemp("snap") / "export"
    con = duckdb.connect()
    con.register("frame", pa.Table.from_pandas(data, preserve_index=False))
    cols = ", ".join(f"CAST({m} AS BIGINT) AS {m}" for m in METRICS)
    snapshots.write_snapshots(
        con, f"SELECT person_key, snapshot_date, sector, network, {cols} FROM frame", out
    )
    return out


def _expected_hist(data: pd.DataFrame, lookback: int) -> pa.Table:
    """pandas, independently: per publication date the latest snapshot of each person with
    pub − lookback ≤ date ≤ pub, taken whole; then value_counts per cohort and metric."""
    parts = []
    for pub in sorted(data["snapshot_date"].unique()):
        window = data[
            (data["snapshot_date"] <= pub)
            & (data["snapshot_date"] >= pub - dt.timedelta(days=lookback))
        ]
        latest = window.loc[window.groupby("person_key")["snapshot_date"].idxmax()]
        for kind, col in (("all", None), ("sector", "sector"), ("network", "network")):
            for m in METRICS:
                sub = latest[latest[m].notna()]
                if col is None:
                    counts = sub[m].astype("int64").value_counts().reset_index()
                    counts.insert(0, "name", None)
                else:
                    sub = sub[sub[col].notna()]
                    counts = sub.groupby([col, sub[m].astype("int64")]).size().reset_index()
                counts.columns = ["name", "value", "n"]
                counts["pub_date"], counts["kind"], counts["metric"] = pub, kind, m
                parts.append(counts)
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[["pub_date", "kind", "name", "metric", "value", "n"]]
    frame = frame.sort_values(
        ["pub_date", "kind", "name", "metric", "value"], na_position="first", kind="stable"
    )
    table = pa.Table.from_pandas(frame, schema=build.HIST_SCHEMA, preserve_index=False)
    return table.combine_chunks()


# ------------------------------------------------------------------ export


def test_export_rounds_scores_once_to_integer_units_and_partitions_by_month(tmp_path):
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE scores (person_key VARCHAR, snapshot_date DATE, sector VARCHAR, "
        "network VARCHAR, ssi DOUBLE, brand DOUBLE, people DOUBLE, insights DOUBLE, "
        "relationships DOUBLE)"
    )
    # 41.673 and its float-sum neighbour must land on the same integer (issue 13).
    con.execute(
        "INSERT INTO scores VALUES "
        "('a', DATE '2026-01-31', 'S', NULL, 41.673, 10.25, NULL, 0, 25),"
        "('b', DATE '2026-02-01', 'S', 'N', 41.672999999999995, 0.00005, 1, 2, 3)"
    )
    manifest = snapshots.export_store(con, tmp_path / "out")
    got = pq.read_table(tmp_path / "out" / "month=2026-01").to_pylist()
    assert got == [
        {
            "person_key": "a",
            "snapshot_date": dt.date(2026, 1, 31),
            "sector": "S",
            "network": None,
            "ssi": 416_730,
            "brand": 102_500,
            "people": None,
            "insights": 0,
            "relationships": 250_000,
        }
    ]
    feb = pq.read_table(tmp_path / "out" / "month=2026-02")
    assert feb.column("ssi").to_pylist() == [416_730]
    assert feb.column("brand").to_pylist() == [1]  # half a unit rounds up
    assert feb.schema.field("ssi").type == pa.int64()
    assert [(p["month"], p["rows"]) for p in manifest["partitions"]] == [
        ("2026-01", 1),
        ("2026-02", 1),
    ]
    assert manifest["rows"] == 2 and manifest["units_per_point"] == job.UNITS == 10_000
    assert json.loads((tmp_path / "out" / "manifest.json").read_text()) == manifest
    assert "lookback" not in json.dumps(manifest)


def test_export_refuses_duplicate_person_dates_and_leaves_nothing(tmp_path):
    con = duckdb.connect()
    sql = (
        "SELECT 'a' AS person_key, DATE '2026-01-01' AS snapshot_date, 'S' AS sector, "
        "NULL AS network, 1 AS ssi, 1 AS brand, 1 AS people, 1 AS insights, "
        "1 AS relationships FROM range(2)"
    )
    with pytest.raises(SSIBenchError, match="more than once"):
        snapshots.write_snapshots(con, sql, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_a_changed_export_file_is_refused_by_the_release(export, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(export, copy)
    victim = sorted(copy.rglob("*.parquet"))[0]
    victim.write_bytes(victim.read_bytes()[:-10])
    with pytest.raises(SSIBenchError, match="checksum"):
        build.build_release(copy, tmp_path / "rel")
    assert not (tmp_path / "rel").exists()


def test_export_holds_only_pseudonymous_columns(export):
    schema = pq.read_schema(sorted(export.rglob("*.parquet"))[0])
    assert schema.names == list(snapshots.COLUMNS)


# ------------------------------------------------------------------ DuckDB


def test_duckdb_histograms_match_an_independent_pandas_computation(export, data):
    hist, _ = build.run_engine(export, LOOKBACK)
    expected = _expected_hist(data, LOOKBACK)
    assert hist.num_rows == expected.num_rows
    assert hist.equals(expected)


def test_window_includes_a_snapshot_exactly_lookback_days_old_and_no_older(export, data):
    hist, _ = build.run_engine(export, LOOKBACK)
    edge = hist.filter(
        (pc.field("kind") == "sector")
        & (pc.field("name") == "edge")
        & (pc.field("metric") == "ssi")
    )
    snap = START + dt.timedelta(weeks=1)
    days = sorted((d - snap).days for d in edge.column("pub_date").to_pylist())
    offsets = {(d - snap).days for d in data["snapshot_date"]}
    assert LOOKBACK in offsets and LOOKBACK - 1 in offsets  # both sides of the edge published
    # exactly 28 days old: in; 29 days old: out, as in Store.members (the README's promise).
    assert days == sorted(o for o in offsets if 0 <= o <= LOOKBACK)


def test_pairs_count_people_per_sector_and_network(export, data):
    _, pairs = build.run_engine(export, LOOKBACK)
    last = max(data["snapshot_date"])
    window = data[
        (data["snapshot_date"] <= last)
        & (data["snapshot_date"] >= last - dt.timedelta(days=LOOKBACK))
    ]
    latest = window.loc[window.groupby("person_key")["snapshot_date"].idxmax()]
    latest = latest[latest["network"].notna() & latest["ssi"].notna()]
    want = latest.groupby(["sector", "network"], dropna=False).size()
    got = pairs.filter(pc.field("pub_date") == pa.scalar(last, pa.date32()))
    got_map = {(r["sector"], r["network"]): r["n"] for r in got.to_pylist()}
    want_map = {(None if pd.isna(s) else s, n): int(c) for (s, n), c in want.items()}
    assert got_map == want_map


def test_sector_size_classes_are_present_on_the_last_date(export):
    hist, _ = build.run_engine(export, LOOKBACK)
    last = hist.column("pub_date")[hist.num_rows - 1]
    ssi = hist.filter(
        (pc.field("pub_date") == last)
        & (pc.field("kind") == "sector")
        & (pc.field("metric") == "ssi")
    )
    sizes: dict[str, int] = {}
    for r in ssi.to_pylist():
        sizes[r["name"]] = sizes.get(r["name"], 0) + r["n"]
    for size in (4, 5, 9, 10, 19, 20, 29):
        assert sizes[f"size{size}"] == size
    assert sizes["size30"] == 30 and sizes["size45"] == 45 + 60  # the switchers moved
    assert "stale" not in sizes


def test_release_and_import_through_the_cli(export, tmp_path):
    from ssi_bench import cli
    from ssi_bench.store import Store

    out = tmp_path / "rel"
    code = cli.run(
        [
            "--db",
            str(tmp_path / "x.duckdb"),
            "release",
            "--input",
            str(export),
            "--out",
            str(out),
            "--lookback-days",
            str(LOOKBACK),
            "--min-cohort",
            "10",
        ]
    )
    assert code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["lookback_days"] == LOOKBACK and manifest["engine"] == "duckdb"
    db = tmp_path / "dash.duckdb"
    assert cli.run(["--db", str(db), "import-release", str(out)]) == 0
    store = Store(db)
    try:
        with store.cursor() as cur:
            n = cur.execute("SELECT count(*), sum(n) FROM release_hist").fetchone()
        hist = pq.read_table(out / "hist.parquet")
        assert n == (hist.num_rows, pc.sum(hist["n"]).as_py())
    finally:
        store.close()


def test_release_refuses_a_non_empty_out_folder(export, tmp_path):
    (tmp_path / "rel").mkdir()
    (tmp_path / "rel" / "x").write_text("keep me")
    with pytest.raises(SSIBenchError, match="not empty"):
        build.build_release(export, tmp_path / "rel")
    assert (tmp_path / "rel" / "x").read_text() == "keep me"


def test_the_duckdb_path_never_imports_pyspark(export, tmp_path):
    code = (
        "import sys; from ssi_bench.engines import build; "
        f"build.build_release({str(export)!r}, {str(tmp_path / 'r')!r}); "
        "assert 'pyspark' not in sys.modules and 'py4j' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


# ------------------------------------------------------------------ Spark


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory):
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("no java: run scripts/ensure-java.sh")
    from ssi_bench.engines import spark_engine

    tmp = tmp_path_factory.mktemp("spark")
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    session = spark_engine.session(
        master="local[2]",
        conf={
            "spark.local.dir": str(tmp / "local"),
            "spark.sql.warehouse.dir": str(tmp / "warehouse"),
            "spark.driver.extraJavaOptions": f"-Djava.io.tmpdir={tmp}",
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
        },
    )
    yield session
    session.stop()


@pytest.mark.slow
def test_spark_and_duckdb_give_identical_typed_outputs(export, spark, tmp_path):
    d_hist, d_pairs = build.run_engine(export, LOOKBACK)
    s_hist, s_pairs = build.run_engine(
        export, LOOKBACK, engine="spark", spark=spark, staging_dir=tmp_path / "stage"
    )
    assert s_hist.schema == build.HIST_SCHEMA
    assert s_hist.num_rows == d_hist.num_rows > 10_000
    assert s_hist.equals(d_hist)
    assert s_pairs.equals(d_pairs)


@pytest.mark.slow
def test_spark_release_files_equal_duckdb_release_files(export, spark, tmp_path):
    d = build.build_release(export, tmp_path / "d", lookback_days=LOOKBACK)
    s = build.build_release(
        export, tmp_path / "s", engine="spark", spark=spark, lookback_days=LOOKBACK
    )
    for name in d["files"]:
        assert pq.read_table(tmp_path / "s" / f"{name}.parquet").equals(
            pq.read_table(tmp_path / "d" / f"{name}.parquet")
        ), name
    assert s["engine"] == "spark" and s["input_checksum"] == d["input_checksum"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_spark_job_file_under_spark_submit_on_a_standalone_master(export, data, tmp_path):
    """spark-submit to a standalone master + worker on 127.0.0.1 (the cluster path)."""
    pyspark = pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("no java")
    home = Path(pyspark.__file__).parent
    port, web = _free_port(), _free_port()
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
        "SPARK_LOG_DIR": str(tmp_path / "logs"),
        "SPARK_WORKER_DIR": str(tmp_path / "work"),
    }
    cls = "org.apache.spark.deploy"
    java = [str(home / "bin" / "spark-class")]
    master = subprocess.Popen(
        [
            *java,
            f"{cls}.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--webui-port",
            str(web),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"spark://127.0.0.1:{port}"
    worker = subprocess.Popen(
        [
            *java,
            f"{cls}.worker.Worker",
            url,
            "--host",
            "127.0.0.1",
            "--cores",
            "2",
            "--memory",
            "1g",
            "--webui-port",
            str(_free_port()),
            "--work-dir",
            str(tmp_path / "work"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)
        out = tmp_path / "rel"
        run = subprocess.run(
            [
                str(home / "bin" / "spark-submit"),
                "--master",
                url,
                "--conf",
                "spark.ui.enabled=false",
                "--conf",
                "spark.driver.host=127.0.0.1",
                str(ROOT / "ssi_bench" / "engines" / "spark_job.py"),
                "--input",
                str(export),
                "--out",
                str(out),
                "--lookback-days",
                str(LOOKBACK),
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        assert pq.read_table(out / "hist.parquet").equals(_expected_hist(data, LOOKBACK))
    finally:
        for proc in (worker, master):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_an_imported_release_serves_exactly_what_the_local_release_serves(tmp_path):
    """export-snapshots → release (DuckDB, out of process) → import-release into an empty
    dashboard: every published figure on every date and every typed-score answer equal the
    dashboard's own locally built release."""
    import random

    from ssi_bench.api import Bench
    from ssi_bench.config import Settings
    from ssi_bench.model import IngestOptions
    from tests.conftest import TEST_SECRET, csv_bytes

    rng = random.Random(4)
    rows = []
    for i in range(90):
        sector = ["Software Development", "Softwareontwikkeling", "Retail"][i % 3]
        for w in range(4):
            p = [round(rng.uniform(3, 24), 2) for _ in range(4)]
            rows.append({"email": f"p{i}@x.test", "date": f"2026-10-{5 + 7 * w:02d}",
                         "sector": sector, "network": f"T{i % 5}", "brand": p[0],
                         "people": p[1], "insights": p[2], "relationships": p[3]})  # fmt: skip
    settings = Settings(secret=TEST_SECRET)
    local_db, remote_db = tmp_path / "local.duckdb", tmp_path / "remote.duckdb"
    with Bench.open(local_db, settings) as bench:
        bench.ingest(csv_bytes(rows), "t.csv", IngestOptions(date_order="ymd"))
        dates = bench.publication_dates()
        local = {d: bench.benchmarks(as_of=d) for d in dates}
        typed = [bench.percentile(score=s / 2, cohort="all").to_dict() for s in range(0, 201, 7)]
    env = {"SSI_BENCH_SECRET": TEST_SECRET}
    for args in (
        ["--db", str(local_db), "export-snapshots", str(tmp_path / "snap")],
        ["release", "--input", str(tmp_path / "snap"), "--out", str(tmp_path / "rel")],
        ["--db", str(remote_db), "import-release", str(tmp_path / "rel")],
    ):
        done = subprocess.run([sys.executable, "-m", "ssi_bench", *args], cwd=ROOT,
                              env={**os.environ, **env}, capture_output=True, text=True,
                              timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr
    with Bench.open(remote_db, settings) as served:
        assert served.release().source == "imported"
        assert served.publication_dates() == dates
        assert {d: served.benchmarks(as_of=d) for d in dates} == local
        again = [served.percentile(score=s / 2, cohort="all").to_dict() for s in range(0, 201, 7)]
        assert again == typed
