"""LinkedIn-wide curves per publication date, under the differencing guard.

Expected values are hand-made: which people's captures lie in the window on each date (the
test chooses them), hence how many captures a curve was fitted from, whether it is the one
fitted that day or an earlier one kept because fewer than k people changed, and how many fits
a rebuild costs.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats

from ssi_bench import linkedin_industry
from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.engines import curves
from tests.conftest import TEST_SECRET, csv_bytes

DAY1 = dt.date(2026, 10, 5)
DAY2 = DAY1 + dt.timedelta(days=7)
DAY3 = DAY1 + dt.timedelta(days=14)
TRUTH = stats.norm(52, 13)


def captures(people: range, day: dt.date, seed: int) -> bytes:
    """One capture per person of ``people`` on ``day``: a score drawn from TRUTH and
    LinkedIn's rank of it, rounded to a whole percent as LinkedIn shows it."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in people:
        s = float(np.clip(TRUTH.rvs(random_state=rng), 5, 95))
        top = max(1, round(100 * TRUTH.sf(s)))
        pillar = round(s / 4, 2)
        rows.append({
            "email": f"c{i}@example.com", "date": day.isoformat(),
            "sector": "Software Development", "brand": pillar, "people": pillar,
            "insights": pillar, "relationships": pillar, "Industry SSI rank": f"Top {top}%",
        })  # fmt: skip
    return csv_bytes(rows)


@pytest.fixture
def bench():
    curves._MEMO.clear()  # each test counts its own fits
    with Bench.memory(Settings(secret=TEST_SECRET, min_cohort=10)) as b:
        yield b


@pytest.fixture
def fits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every call of the curve fit, by the number of pairs it was given."""
    calls: list[int] = []
    real = linkedin_industry.fit

    def counting(scores, tops, **kw):  # type: ignore[no-untyped-def]
        calls.append(len(scores))
        return real(scores, tops, **kw)

    monkeypatch.setattr(linkedin_industry, "fit", counting)
    return calls


def wide(bench: Bench, day: dt.date) -> dict:
    got = bench.percentile(score=50.0, sector="Software Development", as_of=day)
    assert got.linkedin_industry is not None
    return got.linkedin_industry


def test_a_curve_is_refitted_only_when_the_captures_changed_by_k_or_more_people(
    bench: Bench, fits: list[int]
):
    bench.ingest(captures(range(12), DAY1, 1), "d1.csv")
    bench.ingest(captures(range(12, 15), DAY2, 2), "d2.csv")  # 3 more people: fewer than k
    bench.ingest(captures(range(15, 25), DAY3, 3), "d3.csv")  # 13 more than DAY1's curve
    bench.rebuild_release()
    # Two fits: DAY1 (12 people) and DAY3 (25); DAY2's 15 would differ from DAY1's by 3.
    assert sorted(fits) == [12, 25]
    first, second, third = wide(bench, DAY1), wide(bench, DAY2), wide(bench, DAY3)
    assert (first["captures"], first["curve_date"]) == (12, None)
    assert (second["captures"], second["curve_date"]) == (12, DAY1.isoformat())
    assert f"(from 12 captured ranks as of {DAY1.isoformat()}, ±" in second["display"]
    assert (third["captures"], third["curve_date"]) == (25, None)
    assert "(from 25 captured ranks, ±" in third["display"]
    # The kept curve is the earlier one itself, not a refit on DAY2's captures.
    assert second["top_percent"] == first["top_percent"]
    for got in (first, third):
        assert abs(got["top_percent"] - 100 * TRUTH.sf(50.0)) <= got["plus_minus"]


def test_a_persons_standing_on_an_earlier_date_uses_that_dates_curve(bench: Bench):
    bench.ingest(captures(range(12), DAY1, 1), "d1.csv")
    bench.ingest(captures(range(12, 24), DAY3, 4), "d3.csv")
    # c0's only snapshot is on DAY1: as of DAY1 that date's curve (12 people) answers.
    early = bench.percentile(person="c0@example.com", as_of=DAY1).linkedin_industry
    late = bench.percentile(person="c20@example.com", as_of=DAY3).linkedin_industry
    assert early is not None and early["captures"] == 12
    assert late is not None and late["captures"] == 24


def test_a_rebuild_with_unchanged_captures_fits_nothing_again(bench: Bench, fits: list[int]):
    bench.ingest(captures(range(12), DAY1, 1), "d1.csv")
    bench.rebuild_release()
    before = len(fits)
    assert before == 1
    # A later snapshot without ranks adds a publication date, on which the captures are the
    # same set: neither that date nor the rebuild refits.
    bench.ingest(csv_bytes([{"email": "x@example.com", "date": DAY2.isoformat(),
                             "sector": "Software Development", "ssi": 40}]), "x.csv")  # fmt: skip
    bench.rebuild_release()
    assert len(fits) == before
    assert wide(bench, DAY2)["captures"] == 12 and wide(bench, DAY2)["curve_date"] is None


def test_captures_that_leave_the_window_withdraw_the_curve():
    # Hand-made capture intervals: 8 people counting on DAY1 only (until DAY1 + 1 day).
    table = {
        "person_key": [f"k{i}" for i in range(8)],
        "sector": ["Software Development"] * 8,
        "what": ["rank"] * 8,
        "score": [int((30 + 5 * i) * 10_000) for i in range(8)],
        "value": [int(round(100 * TRUTH.sf(30 + 5 * i)) * 10_000) for i in range(8)],
        "since": [DAY1] * 8,
        "until": [DAY1 + dt.timedelta(days=1)] * 8,
    }
    import pyarrow as pa

    rows = curves.fit_release_curves(pa.table(table), [DAY1, DAY2], k=7)
    assert [(r[0], r[3]) for r in rows] == [(DAY1, 8), (DAY2, None)]
    assert curves.as_of(rows, DAY2) == {} and set(curves.as_of(rows, DAY1)) == {
        "Software Development"
    }


def test_an_engine_built_release_carries_the_same_curves_as_the_local_one(tmp_path):
    """export-snapshots → release on the DuckDB engine → import-release: the imported
    dashboard shows the local dashboard's LinkedIn-wide sentence on every date."""
    from ssi_bench.engines import build, snapshots

    settings = Settings(secret=TEST_SECRET, min_cohort=10)
    curves._MEMO.clear()
    with Bench.open(tmp_path / "local.duckdb", settings) as local:
        local.ingest(captures(range(12), DAY1, 1), "d1.csv")
        local.ingest(captures(range(12, 15), DAY2, 2), "d2.csv")
        local.ingest(captures(range(15, 25), DAY3, 3), "d3.csv")
        expected = {d: wide(local, d) for d in (DAY1, DAY2, DAY3)}
        with local.store.cursor() as cur:
            manifest = snapshots.export_store(cur, tmp_path / "snap")
    assert manifest["schema_version"] == 2
    assert manifest["columns"][-2:] == ["industry_rank", "industry_avg_ssi"]
    built = build.build_release(tmp_path / "snap", tmp_path / "rel", min_cohort=10)
    # DAY1's fit, DAY2's stale state, DAY3's fit: one row each, with no captured pair in it.
    assert built["files"]["curves"]["rows"] == 3
    curves._MEMO.clear()  # the import must not lean on this process's fits
    with Bench.open(tmp_path / "remote.duckdb", settings) as served:
        build.import_release(served.store, tmp_path / "rel")
        assert served.release().source == "imported"
        assert {d: wide(served, d) for d in (DAY1, DAY2, DAY3)} == expected


def test_a_schema_1_export_without_ranks_still_builds_a_release_without_curves(tmp_path):
    import duckdb

    from ssi_bench.engines import build, snapshots
    from ssi_bench.fields import METRICS

    con = duckdb.connect()
    cols = ", ".join(f"CAST(10000 * (i % 20 + 5) AS BIGINT) AS {m}" for m in METRICS)
    snapshots.write_snapshots(
        con,
        f"SELECT 'k' || i AS person_key, DATE '2026-10-05' AS snapshot_date, "
        "'Software Development' AS sector, CAST(NULL AS VARCHAR) AS network, "
        f"{cols} FROM range(30) t(i)",
        tmp_path / "snap",
    )
    manifest_path = tmp_path / "snap" / "manifest.json"
    import json

    manifest = json.loads(manifest_path.read_text())
    assert manifest["columns"] == list(snapshots.COLUMNS)  # no curve columns given
    manifest["schema_version"] = 1  # as an older SSI Bench wrote it
    manifest_path.write_text(json.dumps(manifest))
    built = build.build_release(tmp_path / "snap", tmp_path / "rel", min_cohort=10)
    assert built["files"]["curves"]["rows"] == 0
    manifest["schema_version"] = 3
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(Exception, match="newer than this SSI Bench"):
        build.build_release(tmp_path / "snap", tmp_path / "rel2", min_cohort=10)


@pytest.mark.slow
def test_spark_and_duckdb_releases_carry_equal_curves(tmp_path):
    """The capture SQL on Spark gives the capture intervals DuckDB gives: equal curves.parquet."""
    import os
    import shutil

    import pyarrow.parquet as pq

    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("no java: run scripts/ensure-java.sh")
    from ssi_bench.engines import build, snapshots, spark_engine

    with Bench.open(tmp_path / "local.duckdb", Settings(secret=TEST_SECRET)) as local:
        local.ingest(captures(range(12), DAY1, 1), "d1.csv")
        local.ingest(captures(range(12, 25), DAY3, 3), "d3.csv")
        with local.store.cursor() as cur:
            snapshots.export_store(cur, tmp_path / "snap")
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    spark = spark_engine.session(
        master="local[2]",
        conf={
            "spark.local.dir": str(tmp_path / "local"),
            "spark.sql.warehouse.dir": str(tmp_path / "warehouse"),
            "spark.driver.extraJavaOptions": f"-Djava.io.tmpdir={tmp_path}",
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
        },
    )
    try:
        build.build_release(tmp_path / "snap", tmp_path / "d")
        build.build_release(tmp_path / "snap", tmp_path / "s", engine="spark", spark=spark)
    finally:
        spark.stop()
    d = pq.read_table(tmp_path / "d" / "curves.parquet")
    assert d.num_rows == 2
    assert pq.read_table(tmp_path / "s" / "curves.parquet").equals(d)
