"""Exact ranks and quantiles, checked against scipy, numpy and DuckDB on generated cohorts.

Cohorts are drawn from a handful of values so that ties are the rule, not the exception.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import percentileofscore

from ssi_bench.cohorts import (
    CohortIndex,
    RankCounts,
    percentile_rank,
    quantiles,
    rank_counts,
    top_percent,
)

# Two-decimal scores from a small pool: many ties, and sums that are not exact in binary.
POOL = [0.0, 12.5, 20.998, 33.33, 50.0, 50.01, 53.0, 61.75, 61.75, 99.99, 100.0]
scores = st.sampled_from(POOL) | st.integers(0, 100).map(float)
cohorts = st.lists(scores, min_size=1, max_size=80)


def counts(values: list[float], s: float) -> tuple[int, int, int]:
    """Below / equal / above by plain comparison, one value at a time."""
    below = sum(1 for v in values if v < s)
    equal = sum(1 for v in values if v == s)
    above = sum(1 for v in values if v > s)
    return below, equal, above


@settings(max_examples=400, deadline=None)
@given(values=cohorts, data=st.data())
def test_percentile_of_a_member_equals_scipy_mean_kind(values, data):
    s = data.draw(st.sampled_from(values))
    rc = rank_counts(np.sort(np.array(values)), s, subject_in_cohort=True)
    assert percentile_rank(rc) == pytest.approx(percentileofscore(values, s, kind="mean"))


@settings(max_examples=400, deadline=None)
@given(values=cohorts, s=scores)
def test_a_typed_in_score_joins_the_cohort_as_one_more_member(values, s):
    rc = rank_counts(np.sort(np.array(values)), s, subject_in_cohort=False)
    below, equal, above = counts(values, s)
    assert (rc.n, rc.below, rc.equal, rc.above) == (len(values) + 1, below, equal + 1, above)
    assert percentile_rank(rc) == pytest.approx(percentileofscore([*values, s], s, kind="mean"))


@settings(max_examples=400, deadline=None)
@given(values=cohorts, data=st.data())
def test_top_percent_counts_those_above_and_half_the_ties_including_oneself(values, data):
    s = data.draw(st.sampled_from(values))
    rc = rank_counts(np.sort(np.array(values)), s, subject_in_cohort=True)
    below, equal, above = counts(values, s)
    n = len(values)
    assert (rc.below, rc.equal, rc.above, rc.n) == (below, equal, above, n)
    assert top_percent(rc) == pytest.approx(100 * (above + (equal + 1) / 2) / n)
    # and the same figure seen from the other side: Top = 100 − PR + 50/N
    assert top_percent(rc) == pytest.approx(
        100 - percentileofscore(values, s, kind="mean") + 50 / n
    )


def test_the_leader_of_ten_distinct_scores_is_top_ten_percent_not_five():
    values = np.arange(10, dtype=float) * 10
    rc = rank_counts(values, 90.0, subject_in_cohort=True)
    assert top_percent(rc) == 10.0
    assert percentile_rank(rc) == 95.0


def test_ten_people_tied_are_all_at_the_fiftieth_percentile_and_top_55_percent():
    rc = rank_counts(np.full(10, 50.0), 50.0, subject_in_cohort=True)
    assert percentile_rank(rc) == 50.0
    assert top_percent(rc) == pytest.approx(55.0)


def test_a_pillar_sum_equal_up_to_float_noise_counts_as_a_tie():
    stored = 20.998 + 6.4 + 10.25 + 15  # 52.647999999999996 in binary
    rc = rank_counts(np.array([52.648, 60.0]), stored, subject_in_cohort=False)
    assert (rc.below, rc.equal, rc.above) == (0, 2, 1)


def test_an_empty_cohort_has_no_rank():
    rc = rank_counts(np.empty(0), 50.0, subject_in_cohort=True)
    assert rc == RankCounts(0, 0, 0, 0)
    with pytest.raises(ZeroDivisionError):
        percentile_rank(rc)


@settings(max_examples=300, deadline=None)
@given(values=cohorts)
def test_quantiles_equal_numpy_linear_percentiles(values):
    got = quantiles(np.sort(np.array(values)))
    expected = np.percentile(values, [10, 25, 50, 75, 90], method="linear")
    assert list(got.values()) == pytest.approx(list(expected))
    assert list(got) == ["p10", "p25", "p50", "p75", "p90"]


@settings(max_examples=60, deadline=None)
@given(values=cohorts)
def test_quantiles_equal_duckdb_quantile_cont(values):
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE c (v DOUBLE)")
        con.executemany("INSERT INTO c VALUES (?)", [[v] for v in values])
        row = con.execute(
            "SELECT quantile_cont(v, 0.1), quantile_cont(v, 0.25), quantile_cont(v, 0.5), "
            "quantile_cont(v, 0.75), quantile_cont(v, 0.9) FROM c"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    assert list(quantiles(np.sort(np.array(values))).values()) == pytest.approx(list(row))


def test_quantiles_of_nothing_are_refused():
    with pytest.raises(ValueError, match="no values"):
        quantiles(np.empty(0))


# ---------------------------------------------------------------------- CohortIndex
def members_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_key": ["a", "b", "c", "d", "e"],
            "snapshot_date": pd.to_datetime(["2026-10-01"] * 5),
            "sector": ["Software", "Software", "Retail", None, "Software"],
            "network": ["T1", "T2", "T1", "T1", None],
            "ssi": [60.0, 50.0, 70.0, 40.0, np.nan],
            "brand": [15.0, 12.5, 20.0, 10.0, 11.0],
        }
    )


def test_index_values_are_sorted_per_cohort_without_missing_scores():
    idx = CohortIndex(members_frame(), dt.date(2026, 10, 1))
    assert idx.values("all", None, "ssi").tolist() == [40.0, 50.0, 60.0, 70.0]
    assert idx.values("sector", "Software", "ssi").tolist() == [50.0, 60.0]
    assert idx.values("sector", "Software", "brand").tolist() == [11.0, 12.5, 15.0]
    assert idx.values("network", "T1", "ssi").tolist() == [40.0, 60.0, 70.0]
    assert idx.values("sector", "Nobody", "ssi").tolist() == []
    assert not idx.values("all", None, "ssi").flags.writeable


def test_index_sizes_count_people_whatever_metric_they_have():
    idx = CohortIndex(members_frame(), dt.date(2026, 10, 1))
    assert len(idx) == 5
    assert idx.size("all", None) == 5
    assert idx.size("sector", "Software") == 3  # e has no ssi but is in the sector
    assert idx.size("network", "T1") == 3
    assert idx.size("sector", "Nobody") == 0
    assert idx.names("sector") == ["Retail", "Software"]
    assert idx.names("network") == ["T1", "T2"]


def test_index_member_returns_one_row_with_missing_values_as_none():
    idx = CohortIndex(members_frame(), dt.date(2026, 10, 1))
    got = idx.member("e")
    assert got is not None
    assert got["ssi"] is None
    assert got["network"] is None
    assert got["brand"] == 11.0
    assert got["sector"] == "Software"
    assert idx.member("zzz") is None
