"""Results Bench keeps between calls (cohort indexes, memoised quantiles, the latest date)
are never stale after an upload, an undo or an erase.

Expected values are computed here from the source rows with numpy, never read back from an
earlier call.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ssi_bench.api import Bench
from ssi_bench.cohorts import rank_counts
from ssi_bench.fields import OUTCOMES, SCORE_COLUMNS
from ssi_bench.model import CohortId, IngestOptions
from ssi_bench.privacy import gate_standing
from tests.conftest import csv_bytes

AS_OF = dt.date(2026, 10, 26)
PILLARS = ("brand", "people", "insights", "relationships")


def rows_for(day: dt.date, people: int = 40, bump: float = 0.0) -> list[dict[str, object]]:
    """One snapshot per person on ``day``; everyone in one sector; ssi 20 + i (+ bump)."""
    out = []
    for i in range(people):
        base = 5 + i / 4 + bump / 4
        out.append(
            {
                "email": f"p{i}@x.test",
                "date": day.isoformat(),
                "sector": "Software",
                "brand": f"{base:.2f}",
                "people": f"{base:.2f}",
                "insights": f"{base:.2f}",
                "relationships": f"{base:.2f}",
            }
        )
    return out


def expected_median(rows: list[dict[str, object]]) -> float:
    ssi = [sum(float(str(r[p])) for p in PILLARS) for r in rows]
    return round(float(np.quantile(ssi, 0.5, method="linear")), 2)


def sector_median(bench: Bench) -> float | None:
    row = next(r for r in bench.benchmarks("sector") if r.name == "Software" and r.metric == "ssi")
    return row.p50


def test_memoised_quantiles_follow_every_upload_undo_and_erase(bench: Bench):
    first = rows_for(AS_OF)
    bench.ingest(csv_bytes(first), "a.csv", IngestOptions(today=AS_OF))
    assert sector_median(bench) == expected_median(first)
    assert sector_median(bench) == expected_median(first)  # served from the memo

    raised = rows_for(AS_OF, bump=8.0)
    second = bench.ingest(csv_bytes(raised), "b.csv", IngestOptions(today=AS_OF))
    assert second.rows_updated == len(raised)
    assert sector_median(bench) == expected_median(raised)

    bench.undo(second.upload_id)
    assert sector_median(bench) == expected_median(first)

    bench.erase("p0@x.test")
    assert sector_median(bench) == expected_median(first[1:])


def test_the_default_as_of_date_moves_with_a_later_upload_and_back_with_its_undo(bench: Bench):
    bench.ingest(csv_bytes(rows_for(AS_OF)), "a.csv", IngestOptions(today=AS_OF))
    assert bench.percentile(person="p3@x.test", cohort="all").cohort.as_of == AS_OF

    later = AS_OF + dt.timedelta(days=7)
    # Everyone's score rises by 40 points: the histogram moves by 40 ≥ k, so the later date is
    # published (a rise of 4 moves only 4 values and is withheld: see test_release.py).
    result = bench.ingest(
        csv_bytes(rows_for(later, bump=40.0)), "b.csv", IngestOptions(today=later)
    )
    standing = bench.percentile(person="p3@x.test", cohort="all")
    assert standing.cohort.as_of == later
    assert standing.score == 4 * round(5 + 3 / 4 + 10.0, 2)

    bench.undo(result.upload_id)
    standing = bench.percentile(person="p3@x.test", cohort="all")
    assert standing.cohort.as_of == AS_OF
    assert standing.score == 4 * round(5 + 3 / 4, 2)


def trend_from_whole_indexes(bench: Bench, key: str, metric: str) -> list[tuple[object, ...]]:
    """The trend the slow way: one whole cohort index per snapshot date."""
    out = []
    for row in bench.store.history(key).to_dict("records"):
        day = pd.Timestamp(row["snapshot_date"]).date()
        value = row[metric]
        if pd.isna(value):
            continue
        idx = bench.index(day)
        sector = None if pd.isna(row["sector"]) else str(row["sector"])
        fig = bench.release().figure(day, "sector", sector, metric) if sector else None
        if fig is None or not fig.published:
            out.append((day, float(value), sector, None, None, None, None,
                        "not published on this date"))  # fmt: skip
            continue
        rc = rank_counts(idx.values("sector", sector, metric), float(value), subject_in_cohort=True)
        cohort = CohortId("sector", sector, day)
        k = bench.settings.min_cohort
        st = gate_standing(rc, metric=metric, score=float(value), cohort=cohort, k=k)
        vals = idx.values("sector", sector, metric)
        q = {
            n: round(float(np.quantile(vals, p)), 2)
            for n, p in (("p25", 0.25), ("p50", 0.5), ("p75", 0.75))
        }
        if len(vals) < 20:
            q = dict.fromkeys(q)
        out.append((day, float(value), sector, st.n, q["p25"], q["p50"], q["p75"], st.display))
    return out


def test_trends_from_one_span_query_equal_one_whole_index_per_date(bench: Bench):
    """People change sector, miss pillars and drop out of the window (snapshots every 3 days,
    so some fall exactly on the 90-day edge); the trend's cohorts
    at each date are exactly those of a full index as of that date."""
    rng = np.random.default_rng(5)
    records = []
    for i in range(60):
        first = int(rng.integers(0, 45))
        for w in range(first, first + int(rng.integers(5, 40))):
            rec: dict[str, object] = {
                "person_key": f"k{i:02d}",
                "snapshot_date": pd.Timestamp(AS_OF - dt.timedelta(days=3 * w)),
                "sector": [None, "A", "B"][int(rng.integers(0, 3))]
                if i % 4 == 0
                else ("A" if i % 2 else "B"),
                "network": [None, "N1", "N2"][int(rng.integers(0, 3))] if i % 3 else "N1",
            }
            for c in SCORE_COLUMNS:
                rec[c] = np.nan
            for c in ("ssi", *PILLARS):
                rec[c] = np.nan if rng.random() < 0.25 else float(rng.integers(0, 10))
            for c in OUTCOMES:
                rec[c] = np.nan
            records.append(rec)
    frame = pd.DataFrame(records)
    bench.store.write_upload(
        frame, label="t", file_sha256="x", rows_read=len(frame), rows_rejected=0, options={}
    )
    for i in range(60):
        for metric in ("ssi", "brand"):
            got = bench.trend(person_key=f"k{i:02d}", metric=metric)
            rows = [
                (r.snapshot_date, r.score, r.sector, r.n, r.p25, r.p50, r.p75, r.display)
                for r in got.itertuples(index=False)
            ]
            clean = [tuple(None if pd.isna(x) else x for x in r) for r in rows]
            expected = trend_from_whole_indexes(bench, f"k{i:02d}", metric)
            assert clean == [tuple(None if pd.isna(x) else x for x in r) for r in expected]
    for kind, name in (("sector", "A"), ("sector", "B"), ("network", "N1"), ("network", "N2")):
        got = bench.cohort_trend(kind, name, "brand")  # type: ignore[arg-type]
        for r in got.itertuples(index=False):
            vals = bench.index(r.as_of).values(kind, name, "brand")  # type: ignore[arg-type]
            got_row = tuple(None if pd.isna(x) else x for x in (r.n, r.p25, r.p50, r.p75))
            q = [round(float(np.quantile(vals, p)), 2) if len(vals) >= 20 else None
                 for p in (0.25, 0.5, 0.75)]  # fmt: skip
            assert got_row == (len(vals), *q)
        # only the dates on which the release publishes the cohort
        published = [f.pub_date for f in bench.release().series(kind, name, "brand") if f.published]
        assert list(got["as_of"]) == published
