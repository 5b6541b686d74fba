"""Outcome statistics: whether a score goes with conversations, meetings, deals …

Cohort-level only (Spearman's ρ with a 95% interval, median outcome per score band of at least
k people); computed when a release is built, for the cohorts that release publishes, and
stored with it (``release_outcomes``) so the Outcomes page reads the release like every other
non-personal surface.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ssi_bench import privacy
from ssi_bench.fields import OUTCOMES
from ssi_bench.model import CohortKind, OutcomeResult


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's ρ (average ranks for ties); NaN when either side does not vary."""
    rx = pd.Series(x).rank(method="average").to_numpy()
    ry = pd.Series(y).rank(method="average").to_numpy()
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def correlate(
    kind: CohortKind,
    name: str | None,
    metric: str,
    outcome: str,
    pairs: pd.DataFrame,
    k: int,
    bands: tuple[tuple[float, str], ...],
) -> OutcomeResult:
    """ρ of ``metric`` with ``outcome`` over ``pairs``; the interval uses Fisher's z with the
    Fieller–Hartley–Pearson standard error 1.06/√(n−3)."""
    n = len(pairs)
    binned = binned_medians(pairs, metric, outcome, k, bands)
    if not privacy.is_publishable(n, k):
        return OutcomeResult(
            kind, name, metric, outcome, None, None, None, None,
            f"Fewer than {k} people have {outcome} recorded: the data cannot tell.",
            binned,
        )  # fmt: skip
    rho = spearman(pairs[metric].to_numpy(float), pairs[outcome].to_numpy(float))
    if math.isnan(rho) or n < 4:
        return OutcomeResult(
            kind, name, metric, outcome, n, None, None, None,
            "No variation to correlate: the data cannot tell.", binned,
        )  # fmt: skip
    z = math.atanh(max(min(rho, 0.999999), -0.999999))
    half = 1.96 * 1.06 / math.sqrt(n - 3)
    lo, hi = math.tanh(z - half), math.tanh(z + half)
    if lo <= 0 <= hi:
        verdict = (
            f"The data cannot tell: with {n} people the interval for ρ spans zero "
            f"({lo:+.2f} to {hi:+.2f})."
        )
    else:
        direction = "higher" if rho > 0 else "lower"
        verdict = (
            f"Higher {metric} goes with {direction} {outcome} here (ρ = {rho:+.2f}, 95% "
            f"interval {lo:+.2f} to {hi:+.2f}, n = {n}). Association, not cause."
        )
    return OutcomeResult(kind, name, metric, outcome, n, rho, lo, hi, verdict, binned)


def binned_medians(
    pairs: pd.DataFrame,
    metric: str,
    outcome: str,
    k: int,
    bands: tuple[tuple[float, str], ...],
) -> pd.DataFrame:
    """Median outcome per score band, keeping only bands of at least k people."""
    columns = ["band", "n", "median"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    scale = 1.0 if metric == "ssi" else 0.25  # pillar bands are the SSI bands scaled to 0–25
    edges = [lo * scale for lo, _ in bands]
    labels = [label for _, label in bands]
    which = np.searchsorted(np.asarray(edges), pairs[metric].to_numpy(float), side="right") - 1
    records = []
    for i, label in enumerate(labels):
        sel = pairs[outcome].to_numpy(float)[which == i]
        if len(sel) >= k:
            records.append({"band": label, "n": len(sel), "median": float(np.median(sel))})
    return pd.DataFrame.from_records(records, columns=columns)


def compute(
    frame: pd.DataFrame,
    *,
    kind: CohortKind,
    metric: str,
    k: int,
    bands: tuple[tuple[float, str], ...],
    published: Callable[[str, str | None], bool],
) -> list[OutcomeResult]:
    """Every outcome's result for every cohort of ``kind`` the release publishes.

    ``frame``: one row per person (latest scores and outcomes in the window, as
    ``Store.outcomes_members`` gives). ``published(kind, name)``: does the release publish
    that cohort's figure on this date (primary and secondary suppression both)?
    """
    groups: list[tuple[str | None, pd.DataFrame]]
    if kind == "all":
        groups = [(None, frame)]
    else:
        groups = [(str(n), g) for n, g in frame.groupby(kind, dropna=True)]
    results = []
    for name, group in groups:
        if not published(kind, name) or not privacy.is_publishable(len(group), k):
            continue
        for outcome in OUTCOMES:
            pairs = group[[metric, outcome]].dropna()
            results.append(correlate(kind, name, metric, outcome, pairs, k, bands))
    return results


def to_json(result: OutcomeResult) -> str:
    d: dict[str, Any] = {
        f: getattr(result, f)
        for f in ("kind", "name", "metric", "outcome", "n", "rho", "ci_low", "ci_high", "verdict")
    }
    d["binned"] = result.binned.to_dict("records")
    return json.dumps(d, ensure_ascii=False)


def from_json(text: str) -> OutcomeResult:
    d = json.loads(text)
    binned = pd.DataFrame.from_records(d.pop("binned"), columns=["band", "n", "median"])
    return OutcomeResult(binned=binned, **d)
