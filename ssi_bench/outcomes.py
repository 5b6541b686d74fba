"""Outcome statistics: whether a score goes with conversations, meetings, deals …

Cohort-level only (Spearman's ρ with a 95% interval, median outcome per score band of at least
k people); computed when a release is built, for the cohorts that release publishes, and
stored with it (``release_outcomes``) so the Outcomes page reads the release like every other
non-personal surface.

Counts published here are differences a viewer can form, like the release's figures:
:func:`compute_release` runs the same secondary-suppression rule over them (see
:func:`guard_differences`), so no subtraction of published outcome counts isolates 1 to k−1
people.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import replace
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


def band_index(values: np.ndarray, metric: str, bands: tuple[tuple[float, str], ...]) -> np.ndarray:
    """The index into ``bands`` of each score (lower bounds inclusive); pillar bands are the
    SSI bands scaled to 0–25."""
    scale = 1.0 if metric == "ssi" else 0.25
    edges = np.asarray([lo * scale for lo, _ in bands])
    return np.searchsorted(edges, values, side="right") - 1


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
    labels = [label for _, label in bands]
    which = band_index(pairs[metric].to_numpy(float), metric, bands)
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


def compute_release(
    frame: pd.DataFrame,
    *,
    metric: str,
    k: int,
    bands: tuple[tuple[float, str], ...],
    published: Callable[[str, str | None], bool],
    kinds: Iterable[CohortKind] = ("sector", "network", "all"),
) -> list[OutcomeResult]:
    """:func:`compute` for every cohort kind, then :func:`guard_differences` over them all:
    what a release stores for ``metric``."""
    results = [
        r
        for kind in kinds
        for r in compute(frame, kind=kind, metric=metric, k=k, bands=bands, published=published)
    ]
    return guard_differences(results, frame, metric=metric, k=k, bands=bands)


#: Why a result or a band was withheld by :func:`guard_differences`.
WITHHELD_DIFFERENCE = (
    "Withheld: together with the other cohorts' figures it would single out fewer than {k} people."
)


def _members(frame: pd.DataFrame, kind: str, name: str | None) -> np.ndarray:
    if kind == "all":
        return np.ones(len(frame), dtype=bool)
    return (frame[kind] == name).fillna(False).to_numpy(bool)


def guard_differences(
    results: list[OutcomeResult],
    frame: pd.DataFrame,
    *,
    metric: str,
    k: int,
    bands: tuple[tuple[float, str], ...],
) -> list[OutcomeResult]:
    """Secondary suppression of the published outcome counts (deterministic).

    Per outcome, the published counts are each result's ``n`` (people with the outcome
    recorded) and its band counts (``binned.n``). A viewer can subtract them along three
    kinds of family, each a parent and disjoint parts of it:

    - a cohort's ``n`` minus its shown band counts (people in its unshown bands);
    - a parent cohort's ``n`` — and each of its band counts — minus the same counts of its
      shown children: everyone → sectors, everyone → networks, a sector → the networks
      whose people all sit in it (the release's families);

    Rule: while some family leaves a residual of 1 to k−1 people, withhold the smallest
    shown part of it (ties: kind, then name, then band order) — a child's whole result when
    its ``n`` is the part (its bands go with it), otherwise that one band — and look again.
    Each step only withholds, so the walk ends; the result is independent of input order.
    A residual of 0 (the parts cover the parent) or at least k is allowed, as in
    :mod:`ssi_bench.disclosure`.
    """
    labels = [label for _, label in bands]
    by_outcome: dict[str, list[int]] = {}
    for i, r in enumerate(results):
        by_outcome.setdefault(r.outcome, []).append(i)
    out = list(results)
    for outcome, idxs in by_outcome.items():
        # Counts per result from the raw rows: n recorded and the people per band.
        masks = {i: _members(frame, results[i].kind, results[i].name) for i in idxs}
        recorded = frame[metric].notna().to_numpy(bool) & frame[outcome].notna().to_numpy(bool)
        which = band_index(frame[metric].to_numpy(float), metric, bands)
        shown_n = {i: results[i].n is not None for i in idxs}
        shown_band = {
            i: {str(b) for b in results[i].binned["band"]} if shown_n[i] else set() for i in idxs
        }
        counts = {
            i: (
                int((masks[i] & recorded).sum()),
                [int((masks[i] & recorded & (which == j)).sum()) for j in range(len(labels))],
            )
            for i in idxs
        }
        families = _families(idxs, results, masks)
        changed = True
        while changed:
            changed = False
            for i in sorted(idxs, key=lambda i: _order(results[i])):
                # A cohort's n minus its own shown bands.
                if not shown_n[i]:
                    continue
                parts = [j for j, lab in enumerate(labels) if lab in shown_band[i]]
                rest = counts[i][0] - sum(counts[i][1][j] for j in parts)
                if 0 < rest < k and parts:
                    smallest = min(parts, key=lambda j: (counts[i][1][j], j))
                    shown_band[i].discard(labels[smallest])
                    changed = True
            for parent, children in families:
                if not shown_n[parent]:
                    continue
                kids = [c for c in children if shown_n[c]]
                rest = counts[parent][0] - sum(counts[c][0] for c in kids)
                if 0 < rest < k and kids:
                    smallest = min(kids, key=lambda c: (counts[c][0], _order(results[c])))
                    shown_n[smallest] = False
                    shown_band[smallest] = set()
                    changed = True
                    continue
                for j, lab in enumerate(labels):
                    if lab not in shown_band[parent]:
                        continue
                    kids_b = [c for c in kids if lab in shown_band[c]]
                    rest = counts[parent][1][j] - sum(counts[c][1][j] for c in kids_b)
                    if 0 < rest < k and kids_b:
                        smallest = min(kids_b, key=lambda c: (counts[c][1][j], _order(results[c])))
                        shown_band[smallest].discard(lab)
                        changed = True
        for i in idxs:
            r = results[i]
            if r.n is not None and not shown_n[i]:
                out[i] = replace(
                    r, n=None, rho=None, ci_low=None, ci_high=None,
                    verdict=WITHHELD_DIFFERENCE.format(k=k), binned=r.binned.iloc[0:0],
                )  # fmt: skip
            elif len(shown_band[i]) < len(r.binned):
                out[i] = replace(r, binned=r.binned[r.binned["band"].isin(shown_band[i])])
    return out


def _order(r: OutcomeResult) -> tuple[str, str]:
    return (r.kind, r.name or "")


def _families(
    idxs: list[int], results: list[OutcomeResult], masks: dict[int, np.ndarray]
) -> list[tuple[int, list[int]]]:
    """(parent, disjoint children) index pairs: everyone → sectors, everyone → networks,
    sector → the networks whose people all sit in it."""
    alls = [i for i in idxs if results[i].kind == "all"]
    sectors = [i for i in idxs if results[i].kind == "sector"]
    networks = [i for i in idxs if results[i].kind == "network"]
    fams: list[tuple[int, list[int]]] = []
    for a in alls:
        fams += [(a, sectors), (a, networks)]
    for s in sectors:
        inside = [n for n in networks if not (masks[n] & ~masks[s]).any()]
        fams.append((s, inside))
    return [(p, c) for p, c in fams if c]


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
