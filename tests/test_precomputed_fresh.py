"""Results Bench keeps between calls (cohort indexes, memoised quantiles, the latest date)
are never stale after an upload, an undo or an erase.

Expected values are computed here from the source rows with numpy, never read back from an
earlier call.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ssi_bench.api import Bench
from ssi_bench.model import IngestOptions
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
    result = bench.ingest(csv_bytes(rows_for(later, bump=4.0)), "b.csv", IngestOptions(today=later))
    standing = bench.percentile(person="p3@x.test", cohort="all")
    assert standing.cohort.as_of == later
    assert standing.score == 4 * round(5 + 3 / 4 + 1.0, 2)

    bench.undo(result.upload_id)
    standing = bench.percentile(person="p3@x.test", cohort="all")
    assert standing.cohort.as_of == AS_OF
    assert standing.score == 4 * round(5 + 3 / 4, 2)
