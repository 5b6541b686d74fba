"""The LinkedIn-wide industry curve, checked against known industry distributions.

Truth is computed independently with scipy.stats: LinkedIn's Top X% at score s is
100 · (1 − F(s)), F the industry's score distribution truncated to the SSI scale [0, 100].
Captures are people drawn from F whose rank LinkedIn rounds to a whole percent, floor 1.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from scipy import stats

from ssi_bench import linkedin_industry

SCORES = np.arange(10.0, 91.0, 10.0)


class Mixture:
    def __init__(self, weight: float, a, b):
        self.weight, self.a, self.b = weight, a, b

    def cdf(self, x):
        return self.weight * self.a.cdf(x) + (1 - self.weight) * self.b.cdf(x)


INDUSTRIES = {
    "normal": stats.norm(45, 12),
    "skewed": stats.gamma(a=2.5, loc=8, scale=12),  # long right tail, hard lower end
    "bimodal": Mixture(0.55, stats.logistic(30, 4), stats.logistic(68, 5)),
}


def truncated_cdf(dist):
    lo, hi = dist.cdf(0.0), dist.cdf(100.0)
    return lambda x: (dist.cdf(x) - lo) / (hi - lo)


def captures(dist, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n people from the industry (inverse-CDF sampling) and the rank LinkedIn shows each."""
    cdf = truncated_cdf(dist)
    grid = np.linspace(0.0, 100.0, 20001)
    scores = np.interp(np.random.default_rng(seed).uniform(size=n), cdf(grid), grid)
    shown = np.clip(np.floor(100.0 * (1.0 - cdf(scores)) + 0.5), 1, 100)
    return scores, shown


@pytest.mark.slow
@pytest.mark.parametrize("industry", sorted(INDUSTRIES))
def test_the_curve_matches_the_truth_within_its_stated_error_and_three_points(industry):
    dist = INDUSTRIES[industry]
    truth = 100.0 * (1.0 - truncated_cdf(dist)(SCORES))
    covered, worst = [], []
    for seed in range(12):
        scores, shown = captures(dist, 30, seed=100 + seed)
        curve = linkedin_industry.fit(scores, shown, k=30, seed=seed, boot=40)
        assert curve is not None and curve.captures == 30
        got = np.array([curve.top_percent(s) for s in SCORES])
        error = np.abs(got[:, 0] - truth)
        covered += list(error <= got[:, 1])
        worst.append(error.max())
    assert np.mean(covered) >= 0.90, np.mean(covered)
    assert max(worst) <= 3.0, worst


def test_fewer_people_than_k_give_no_curve():
    scores, shown = captures(INDUSTRIES["normal"], 29, seed=1)
    assert linkedin_industry.fit(scores, shown, k=30) is None
    # Pairs with a missing or impossible value do not count towards k.
    scores, shown = captures(INDUSTRIES["normal"], 30, seed=1)
    shown[0] = np.nan
    assert linkedin_industry.fit(scores, shown, k=30) is None


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="one pair per person"):
        linkedin_industry.fit([40.0, 50.0], [30.0], k=7)
    with pytest.raises(ValueError, match="at least 7"):
        linkedin_industry.fit([40.0] * 10, [30.0] * 10, k=5)


def test_the_curve_keeps_no_pair_and_widens_the_score_range():
    scores, shown = captures(INDUSTRIES["normal"], 30, seed=3)
    curve = linkedin_industry.fit(scores, shown, k=30, boot=20)
    assert curve is not None
    kept = {f.name for f in dataclasses.fields(curve)}
    assert kept == {"captures", "score_range", "rms", "params", "_boot_sd"}
    assert len(curve.params) == 6
    lo, hi = curve.score_range
    assert lo % 5 == 0 and hi % 5 == 0 and lo <= scores.min() and hi >= scores.max()


def test_the_curve_is_monotone_and_bounded():
    scores, shown = captures(INDUSTRIES["bimodal"], 40, seed=4)
    curve = linkedin_industry.fit(scores, shown, k=30, boot=20)
    assert curve is not None
    tops = [curve.top_percent(float(s))[0] for s in np.linspace(0, 100, 101)]
    assert all(a >= b - 1e-9 for a, b in itertools.pairwise(tops))
    assert min(tops) >= 0.0 and max(tops) <= 100.0
    with pytest.raises(ValueError, match="finite"):
        curve.top_percent(float("nan"))


def test_outside_the_captured_scores_the_error_spans_what_monotonicity_allows():
    scores, shown = captures(INDUSTRIES["normal"], 30, seed=5)
    curve = linkedin_industry.fit(scores, shown, k=30, boot=20)
    assert curve is not None
    lo, hi = curve.score_range
    below = curve.top_percent(max(lo - 1.0, 0.0))
    above = curve.top_percent(min(hi + 1.0, 100.0))
    if lo >= 1.0:
        assert below[0] + below[1] >= 100.0 - 1e-9
    if hi <= 99.0:
        assert above[0] - above[1] <= 1e-9
