"""LinkedIn-wide industry standing, estimated from the ranks people's captures carry.

Every capture of LinkedIn's SSI page shows the person's "Industry SSI rank: Top X%", which
LinkedIn computes against all sales professionals of that industry on LinkedIn. The pairs
(SSI, Top X%) of many people of one industry are points on one curve, LinkedIn's own:
``top(s) = 100 · (1 − F(s))`` with F the industry's score distribution. :func:`fit` estimates
that curve from such pairs, so any score (a person without a rank, a typed score) can be
placed "about Top 12%, ±3" LinkedIn-wide.

The model: F is a mixture of two normal distributions on a power-transformed score scale
(Box-Cox of the score, shared by both components): 6 parameters (weight, two means, two
spreads, the power λ). Why this one: a survival curve built from CDFs is smooth and monotone
by construction (no constraint to enforce, no wiggle between points) and goes to 100 below and
0 above, as LinkedIn's ranks must; one component covers a normal industry, two a bimodal one,
and λ a skewed one (tried without it, a right-skewed industry's upper tail was 2–4 points
off with a falsely tight error). Six parameters fitted from at least ``k`` people cannot pass
through the individual pairs: the fitted curve does not reveal anyone's pair, and the pairs
are not kept.

The fit: least squares in percentage points between the curve and the ranks, treating a
rank as LinkedIn shows it — rounded to a whole percent, with "Top 1%" as the floor (a rank
of 1 only says the curve is at most 1.5 there, so it costs nothing while the curve is below
1.5). The error: a bootstrap over people (the pairs resampled with replacement and refitted,
``boot`` times): ``plus_minus`` at a score is 1.96 times the standard deviation of the
refitted curves there, combined with the half-point of LinkedIn's rounding.

What it is not: LinkedIn's figure itself. It is an estimate of LinkedIn's figure from your own
people's captures, as good as the spread of their scores: far outside the captured scores the
curve extrapolates (``score_range`` says where the captures lie).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares
from scipy.special import expit, ndtr

#: The half-width of LinkedIn's rounding of ranks to whole percents, in points.
ROUNDING = 0.5
#: The score grid the bootstrap curves are kept on (0 to 100 by 0.5).
_GRID = np.linspace(0.0, 100.0, 201)


def _transform(s: np.ndarray, lam: float) -> np.ndarray:
    """Box-Cox power transform of (s + 1) / 51, rescaled so that it is the identity at λ = 1."""
    x = (np.asarray(s, dtype=float) + 1.0) / 51.0
    if abs(lam) < 1e-6:
        return np.asarray(50.0 * np.log(x))
    return np.asarray(50.0 * (x**lam - 1.0) / lam)


def _curve(params: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Top X% (0–100) at scores s under params.

    params: logit weight, mean 1, log sd 1, mean 2, log sd 2 (means and sds on the
    transformed scale), λ of the power transform.
    """
    g = _transform(s, float(params[5]))
    w = expit(params[0])
    z1 = (g - params[1]) / math.exp(params[2])
    z2 = (g - params[3]) / math.exp(params[4])
    return np.asarray(100.0 * (w * ndtr(-z1) + (1.0 - w) * ndtr(-z2)))


def _residuals(params: np.ndarray, s: np.ndarray, tops: np.ndarray) -> np.ndarray:
    model = _curve(params, s)
    res = model - tops
    # "Top 1%" is LinkedIn's floor: the true figure is anywhere in (0, 1.5].
    floor = tops <= 1.0
    res[floor] = np.maximum(model[floor] - (1.0 + ROUNDING), 0.0)
    return res


def _start(s: np.ndarray, tops: np.ndarray) -> np.ndarray:
    """A starting point from the data: components at the scores where Top ≈ 70% and 30%."""
    order = np.argsort(s)
    s_sorted, t_sorted = s[order], tops[order]

    # The score where the (noisy, rounded) ranks cross a level, by linear search.
    def crossing(level: float) -> float:
        below = np.nonzero(t_sorted <= level)[0]
        return float(s_sorted[below[0]]) if len(below) else float(s_sorted[-1])

    lo, mid, hi = (float(_transform(np.array([crossing(v)]), 1.0)[0]) for v in (70.0, 50.0, 30.0))
    spread = max((hi - lo) / 1.05, 2.0)  # 70%–30% of a normal spans 1.05 sd
    return np.array(
        [0.0, mid - spread / 4, math.log(spread), mid + spread / 4, math.log(spread), 1.0]
    )


def _fit_params(s: np.ndarray, tops: np.ndarray, x0: np.ndarray) -> np.ndarray:
    result = least_squares(
        _residuals,
        x0,
        args=(s, tops),
        # Spreads between e^0 = 1 and e^4.2 ≈ 67 points, means within the score scale widened:
        # keeps the components real distributions of SSI scores.
        bounds=([-6.0, -250.0, -2.0, -250.0, -2.0, -1.0], [6.0, 250.0, 5.0, 250.0, 5.0, 2.0]),
        method="trf",
        max_nfev=200,
        x_scale="jac",
    )
    return np.asarray(result.x)


@dataclass(frozen=True)
class IndustryCurve:
    """A fitted LinkedIn industry curve: score → LinkedIn's "Top X%".

    captures: the number of people the curve was fitted from. score_range: the lowest and
    highest captured score, widened to multiples of 5 (outside it the curve extrapolates).
    rms: root-mean-square distance between the curve and the captured ranks, in points
    (rounding alone gives about 0.29). Holds the 6 parameters and the bootstrap curves on a
    grid, never the pairs.
    """

    captures: int
    score_range: tuple[float, float]
    rms: float
    params: tuple[float, ...]
    _boot_sd: np.ndarray = field(repr=False, compare=False)

    def top_percent(self, score: float) -> tuple[float, float]:
        """(estimate, plus_minus) of LinkedIn's Top X% at a score, both in percent points.

        score: an SSI total, 0–100 (outside that range it is clipped to it). estimate: in
        [0, 100], not rounded (LinkedIn would show at least "Top 1%": round for display).
        plus_minus: the half-width of a ~95% interval (bootstrap over people, plus rounding);
        outside ``score_range`` at least the distance to 100 (below) or to 0 (above).
        Raises ValueError for a score that is not a finite number.
        """
        if not math.isfinite(score):
            raise ValueError(f"score must be a finite number, not {score!r}")
        s = min(max(float(score), 0.0), 100.0)
        estimate = float(_curve(np.asarray(self.params), np.array([s]))[0])
        sd = float(np.interp(s, _GRID, self._boot_sd))
        plus_minus = math.hypot(1.96 * sd, ROUNDING)
        # Outside the captured scores the data only say the curve is monotone: below the
        # lowest capture the truth lies between the curve and 100, above the highest between
        # 0 and the curve. The stated error covers that whole span.
        if s < self.score_range[0]:
            plus_minus = max(plus_minus, 100.0 - estimate)
        elif s > self.score_range[1]:
            plus_minus = max(plus_minus, estimate)
        return estimate, plus_minus


def fit(
    scores: Sequence[float],
    tops: Sequence[float],
    *,
    k: int,
    seed: int = 0,
    boot: int = 100,
) -> IndustryCurve | None:
    """Fit LinkedIn's industry curve from one (SSI, Top X%) pair per person.

    scores: SSI totals (0–100); tops: LinkedIn's industry rank of the same captures, the X of
    "Top X%" (1–100); one pair per person — the caller picks each person's pair (e.g. the
    latest in the look-back window), since k counts people. k: the least number of people a
    curve is fitted from (the privacy floor; at least 7, one more than the parameters).
    seed: the bootstrap's random seed (same data and seed, same curve). boot: bootstrap
    refits (≥ 20).

    Returns None when fewer than k pairs are given (after dropping pairs with a missing or
    out-of-range value). Raises ValueError when the two sequences differ in length, k < 7 or
    boot < 20.
    """
    if len(scores) != len(tops):
        raise ValueError(f"{len(scores)} scores but {len(tops)} ranks: pass one pair per person")
    if k < 7:
        raise ValueError(f"k must be at least 7 (the curve has 6 parameters), not {k}")
    if boot < 20:
        raise ValueError(f"boot must be at least 20 refits, not {boot}")
    s = np.asarray(scores, dtype=float)
    t = np.asarray(tops, dtype=float)
    keep = np.isfinite(s) & np.isfinite(t) & (s >= 0) & (s <= 100) & (t >= 1) & (t <= 100)
    s, t = s[keep], t[keep]
    n = len(s)
    if n < k:
        return None
    # Several starts (no skew, skewed, components apart) for the full fit: the mixture has
    # local minima; the refits start from its result.
    start = _start(s, t)
    starts = [start, start * [1, 1, 1, 1, 1, 0.3], start + np.array([0, -8, -0.5, 8, -0.5, 0])]
    params = min(
        (_fit_params(s, t, x0) for x0 in starts),
        key=lambda p: float(np.sum(_residuals(p, s, t) ** 2)),
    )
    rng = np.random.default_rng(seed)
    curves = np.empty((boot, len(_GRID)))
    for b in range(boot):
        pick = rng.integers(0, n, n)
        # Warm start from the full fit: the refits only move as far as the resample asks.
        curves[b] = _curve(_fit_params(s[pick], t[pick], params), _GRID)
    rms = float(np.sqrt(np.mean(_residuals(params, s, t) ** 2)))
    return IndustryCurve(
        captures=n,
        # Widened to multiples of 5 so that the lowest and highest person's score is not shown.
        score_range=(5.0 * math.floor(s.min() / 5.0), 5.0 * math.ceil(s.max() / 5.0)),
        rms=rms,
        params=tuple(float(p) for p in params),
        _boot_sd=curves.std(axis=0, ddof=1),
    )
