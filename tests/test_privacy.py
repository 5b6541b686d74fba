"""The publishing gate at every size class and band edge; expectations written out by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy.stats import percentileofscore

from ssi_bench.cohorts import rank_counts
from ssi_bench.config import Settings
from ssi_bench.errors import SSIBenchError
from ssi_bench.model import CohortId
from ssi_bench.privacy import (
    TOP_BANDS,
    band_up,
    gate_quantiles,
    gate_standing,
    is_publishable,
    suppressed_text,
)

COHORT = CohortId("sector", "Software", dt.date(2026, 11, 22))


def leader_of(n: int, k: int):
    """The top person of n distinct scores 1..n: Top 100·(0 + 1)/n %."""
    values = np.arange(1, n + 1, dtype=float)
    rc = rank_counts(values, float(n), subject_in_cohort=True)
    return gate_standing(rc, metric="ssi", score=float(n), cohort=COHORT, k=k)


@pytest.mark.parametrize(("n", "k"), [(4, 5), (9, 10), (0, 10), (19, 20)])
def test_a_cohort_below_k_shows_no_rank_no_statistic_and_no_count(n, k):
    got = leader_of(n, k)
    assert got.suppressed
    assert (got.n, got.percentile, got.top_percent) == (None, None, None)
    assert got.display == suppressed_text(k)
    assert str(n) not in got.display.replace(str(k), "")  # the size is not hinted at
    assert got.precision == "suppressed"


@pytest.mark.parametrize(
    ("n", "k", "band"),
    [
        (5, 5, 25),  # leader of 5: Top 20% → 25
        (10, 10, 10),  # leader of 10: Top 10% exactly → 10, never 5
        (11, 10, 10),  # Top 9.09% → 10
        (20, 10, 5),  # Top 5% → 5
        (29, 10, 5),  # Top 3.45% → 5
    ],
)
def test_cohorts_from_k_to_29_show_only_top_x_rounded_up_to_a_band(n, k, band):
    got = leader_of(n, k)
    assert not got.suppressed
    assert got.n == n
    assert got.percentile is None
    assert got.top_percent == band
    assert got.display == f"Top {band}%"
    assert got.precision == "banded"


def test_from_30_people_the_percentile_and_top_percent_are_exact():
    values = [float(v) for v in [*range(20), *range(10)]]  # 30 people, ties on 0..9
    for s in (0.0, 5.0, 12.0, 19.0):
        rc = rank_counts(np.sort(np.array(values)), s, subject_in_cohort=True)
        got = gate_standing(rc, metric="ssi", score=s, cohort=COHORT, k=10)
        pr = percentileofscore(values, s, kind="mean")
        above = sum(v > s for v in values)
        equal = sum(v == s for v in values)
        assert got.n == 30
        assert got.precision == "exact"
        assert got.percentile == pytest.approx(pr, abs=1e-12)  # unrounded: display rounds
        assert got.top_percent == pytest.approx(100 * (above + (equal + 1) / 2) / 30, abs=1e-12)


def test_29_is_banded_and_30_is_exact():
    assert leader_of(29, 10).precision == "banded"
    assert leader_of(30, 10).precision == "exact"
    assert leader_of(30, 10).top_percent == pytest.approx(100 * 1 / 30)
    assert leader_of(30, 10).display == "Top 3% · percentile 98"


@pytest.mark.parametrize(
    ("top", "band"),
    [
        (0.01, 1),
        (1.0, 1),
        (1.01, 2),
        (2.0, 2),
        (4.99, 5),
        (5.0, 5),
        (10.0, 10),
        (10.01, 25),
        (25.0, 25),
        (25.000001, 50),
        (50.0, 50),
        (50.5, 75),
        (75.0, 75),
        (75.01, 100),
        (100.0, 100),
    ],
)
def test_band_up_takes_the_smallest_band_at_or_above(top, band):
    assert band_up(top) == band


def test_band_up_treats_float_noise_on_a_band_edge_as_the_edge():
    assert band_up(100 * 1 / 10) == 10
    assert band_up(0.1 + 0.2 + 9.7) == 10  # 10.000000000000002


def test_bands_are_the_published_ones_in_ascending_order():
    assert TOP_BANDS == (1, 2, 5, 10, 25, 50, 75, 100)


def test_quantiles_need_20_people_and_the_size_needs_k():
    v19 = np.arange(19, dtype=float)
    v20 = np.arange(20, dtype=float)
    nine = gate_quantiles(np.arange(9, dtype=float), cohort=COHORT, metric="ssi", k=10)
    assert nine.suppressed and nine.n is None and nine.p50 is None
    at19 = gate_quantiles(v19, cohort=COHORT, metric="ssi", k=10)
    assert not at19.suppressed and at19.n == 19
    assert (at19.p10, at19.p25, at19.p50, at19.p75, at19.p90) == (None,) * 5
    at20 = gate_quantiles(v20, cohort=COHORT, metric="ssi", k=10)
    assert at20.n == 20
    expected = np.percentile(v20, [10, 25, 50, 75, 90], method="linear")
    assert [at20.p10, at20.p25, at20.p50, at20.p75, at20.p90] == pytest.approx(
        [round(float(x), 2) for x in expected]
    )


def test_a_k_of_20_withholds_the_quantiles_of_19_people_entirely():
    got = gate_quantiles(np.arange(19, dtype=float), cohort=COHORT, metric="ssi", k=20)
    assert got.suppressed and got.n is None


def test_published_quantiles_never_include_min_or_max():
    values = np.array([0.0, *([50.0] * 28), 100.0])
    got = gate_quantiles(values, cohort=COHORT, metric="ssi", k=10).to_dict()
    assert not {"min", "max"} & set(got)
    published = [got[q] for q in ("p10", "p25", "p50", "p75", "p90")]
    assert 0.0 not in published and 100.0 not in published


@pytest.mark.parametrize("k", [0, 1, 4])
def test_a_minimum_cohort_below_five_is_refused_everywhere(k):
    with pytest.raises(ValueError, match="floor"):
        is_publishable(100, k)
    rc = rank_counts(np.arange(50, dtype=float), 1.0, subject_in_cohort=True)
    with pytest.raises(ValueError, match="floor"):
        gate_standing(rc, metric="ssi", score=1.0, cohort=COHORT, k=k)
    with pytest.raises(ValueError, match="floor"):
        gate_quantiles(np.arange(50, dtype=float), cohort=COHORT, metric="ssi", k=k)
    with pytest.raises(SSIBenchError, match="floor"):
        Settings(min_cohort=k)


def test_is_publishable_is_n_at_least_k():
    assert not is_publishable(4, 5)
    assert is_publishable(5, 5)
    assert not is_publishable(9, 10)
    assert is_publishable(10, 10)


def test_a_typed_in_score_does_not_lift_a_cohort_of_k_minus_one_people_over_the_floor():
    # 9 stored people + 1 typed-in score: still 9 people's data, so nothing is shown.
    rc = rank_counts(np.arange(9, dtype=float), 100.0, subject_in_cohort=False)
    assert rc.n == 10
    got = gate_standing(rc, metric="ssi", score=100.0, cohort=COHORT, k=10)
    assert got.suppressed and got.top_percent is None and got.n is None


def test_a_typed_in_score_ranks_among_n_plus_one_once_k_people_are_stored():
    rc = rank_counts(np.arange(10, dtype=float), 100.0, subject_in_cohort=False)
    got = gate_standing(rc, metric="ssi", score=100.0, cohort=COHORT, k=10)
    assert got.n == 11
    assert got.top_percent == 10  # Top 100·(0 + 1)/11 = 9.1% → 10


def test_29_stored_people_and_a_typed_in_score_stay_banded():
    rc = rank_counts(np.arange(29, dtype=float), 100.0, subject_in_cohort=False)
    got = gate_standing(rc, metric="ssi", score=100.0, cohort=COHORT, k=10)
    assert got.precision == "banded" and got.n == 30
