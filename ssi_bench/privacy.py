"""The one publishing gate: what may be shown of a cohort, and how precisely.

- N < k: suppressed — no rank, no statistic, no count (the caller offers the parent cohort).
- k ≤ N < 30: only "Top X%", rounded UP to one of :data:`TOP_BANDS`.
- N ≥ 30: exact percentile and Top X% (unrounded; the display rounds to whole numbers).
- Quantiles p10/p25/p50/p75/p90 only from :data:`QUANTILE_MIN` people; never min or max.
"""

from __future__ import annotations

import numpy as np

from ssi_bench import wording
from ssi_bench.cohorts import RankCounts, percentile_rank, quantiles, top_percent
from ssi_bench.config import MIN_COHORT_FLOOR
from ssi_bench.model import BenchmarkRow, CohortId, Standing

TOP_BANDS: tuple[int, ...] = (1, 2, 5, 10, 25, 50, 75, 100)
EXACT_MIN = 30
QUANTILE_MIN = 20


def _check_k(k: int) -> None:
    if k < MIN_COHORT_FLOOR:
        raise ValueError(f"minimum cohort size {k} is below the floor of {MIN_COHORT_FLOOR}")


def is_publishable(n: int, k: int) -> bool:
    """May anything at all be shown of a cohort of ``n`` people?"""
    _check_k(k)
    return n >= k


def band_up(top: float) -> int:
    """The smallest band ≥ ``top`` (10.0 → 10, 10.01 → 25); the leader never looks better."""
    for band in TOP_BANDS:
        if top <= band + 1e-9:
            return band
    return TOP_BANDS[-1]


def suppressed_text(k: int) -> str:
    return f"Fewer than {k} people in this cohort: not shown, to protect privacy."


def gate_standing(
    rc: RankCounts, *, metric: str, score: float, cohort: CohortId, k: int
) -> Standing:
    """Publish a standing at the precision its cohort size allows (fallback left None).

    The size classes count stored people only (``rc.people``): a typed-in score joins the
    cohort for its rank (N+1) but must not lift a cohort of k − 1 people over the floor,
    or anyone could read a rank off a cohort too small to publish.
    """
    _check_k(k)
    if rc.people < k:
        return Standing(
            metric, score, cohort, None, True, None, None, suppressed_text(k), None, "suppressed"
        )
    top = top_percent(rc)
    if rc.people < EXACT_MIN:
        band = band_up(top)
        return Standing(
            metric, score, cohort, rc.n, False, None, float(band), wording.banded(band), None,
            "banded",
        )  # fmt: skip
    pr = percentile_rank(rc)
    display = wording.exact(top, pr)
    return Standing(metric, score, cohort, rc.n, False, pr, top, display, None, "exact")


def gate_quantiles(
    sorted_values: np.ndarray, *, cohort: CohortId, metric: str, k: int
) -> BenchmarkRow:
    """Publish a cohort's quantiles: size from k people, quantiles from 20, never min/max."""
    _check_k(k)
    n = len(sorted_values)
    if n < k:
        return BenchmarkRow(cohort.kind, cohort.name, cohort.as_of, metric, None, True)
    if n < QUANTILE_MIN:
        return BenchmarkRow(cohort.kind, cohort.name, cohort.as_of, metric, n, False)
    q = {name: round(v, 2) for name, v in quantiles(sorted_values).items()}
    return BenchmarkRow(
        cohort.kind, cohort.name, cohort.as_of, metric, n, False,
        p10=q["p10"], p25=q["p25"], p50=q["p50"], p75=q["p75"], p90=q["p90"],
    )  # fmt: skip
