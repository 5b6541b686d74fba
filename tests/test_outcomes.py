"""Outcome statistics (ssi_bench.outcomes): the statistics against scipy/numpy, and the
secondary suppression of the published outcome counts tried as an attacker would — by
subtracting every published count from every other one it is part of, recounted from the
raw rows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from ssi_bench import outcomes
from ssi_bench.config import DEFAULT_BANDS
from ssi_bench.fields import OUTCOMES, PILLARS

K = 10
LABELS = [label for _, label in DEFAULT_BANDS]
EDGES = [lo for lo, _ in DEFAULT_BANDS]


def band_of(ssi: float) -> str:
    """The band label of an SSI, written out from DEFAULT_BANDS (lower bound inclusive)."""
    label = LABELS[0]
    for lo, lab in DEFAULT_BANDS:
        if ssi >= lo:
            label = lab
    return label


def test_spearman_matches_scipy_with_ties():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 20, 200).astype(float)
    y = x * 0.5 + rng.integers(0, 10, 200)
    assert outcomes.spearman(x, y) == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)
    assert math.isnan(outcomes.spearman(np.ones(5), np.arange(5.0)))


def test_interval_is_fisher_z_with_the_fhp_standard_error():
    rng = np.random.default_rng(4)
    x = rng.normal(size=60)
    pairs = pd.DataFrame({"ssi": 50 + 10 * x, "meetings": x + rng.normal(size=60)})
    r = outcomes.correlate("all", None, "ssi", "meetings", pairs, K, DEFAULT_BANDS)
    rho = stats.spearmanr(pairs["ssi"], pairs["meetings"]).statistic
    half = 1.96 * 1.06 / math.sqrt(60 - 3)
    assert r.rho == pytest.approx(rho)
    assert r.ci_low == pytest.approx(math.tanh(math.atanh(rho) - half))
    assert r.ci_high == pytest.approx(math.tanh(math.atanh(rho) + half))


def test_binned_medians_keep_bands_of_k_and_match_numpy():
    rng = np.random.default_rng(5)
    ssi = rng.uniform(30, 95, 120)
    out = rng.poisson(5, 120).astype(float)
    got = outcomes.binned_medians(
        pd.DataFrame({"ssi": ssi, "deals_won": out}), "ssi", "deals_won", K, DEFAULT_BANDS
    )
    bands = np.array([band_of(s) for s in ssi])
    want = {b: (int((bands == b).sum()), float(np.median(out[bands == b]))) for b in LABELS}
    want = {b: v for b, v in want.items() if v[0] >= K}
    assert {r.band: (r.n, r.median) for r in got.itertuples()} == want


def population(rng: np.random.Generator, sizes: dict[str, int], nets: int) -> pd.DataFrame:
    """One row per person: sector, network (some none), SSI, pillars, outcomes with gaps."""
    rows = []
    for sector, size in sizes.items():
        for _ in range(size):
            ssi = float(rng.choice([rng.uniform(20, 50), rng.uniform(50, 95)]))
            net = None if rng.random() < 0.1 else f"{sector}-team{rng.integers(0, nets)}"
            if rng.random() < 0.15:  # a cross-sector team
                net = "shared-team"
            row = {"person_key": f"p{len(rows)}", "sector": sector, "network": net, "ssi": ssi}
            row |= {p: ssi / 4 for p in PILLARS}
            for o in OUTCOMES:
                row[o] = None if rng.random() < 0.2 else float(rng.poisson(4))
            rows.append(row)
    return pd.DataFrame(rows)


def cohort_mask(frame: pd.DataFrame, kind: str, name: str | None) -> pd.Series:
    if kind == "all":
        return pd.Series(True, index=frame.index)
    return frame[kind] == name


def shown_counts(results, frame, outcome):
    """What a viewer reads: (kind, name) → (n or None, {band: n shown})."""
    got = {}
    for r in results:
        if r.outcome != outcome:
            continue
        got[(r.kind, r.name)] = (r.n, {b.band: int(b.n) for b in r.binned.itertuples()})
    return got


def differences(frame: pd.DataFrame, shown: dict, outcome: str) -> list[tuple[str, int]]:
    """Every subtraction a viewer can form, each recounted from the raw rows: returns
    (what, number of real people it isolates) — the residual's true size, not the
    published arithmetic — for residuals the published counts determine."""
    rec = frame[frame["ssi"].notna() & frame[outcome].notna()]
    band = rec["ssi"].map(band_of)
    found = []

    def true_count(mask, b=None):
        sel = mask.reindex(rec.index, fill_value=False)
        if b is not None:
            sel = sel & (band == b)
        return int(sel.sum())

    for (kind, name), (n, bands) in shown.items():
        if n is None:
            continue
        m = cohort_mask(frame, kind, name)
        rest = true_count(m) - sum(true_count(m, b) for b in bands)
        found.append((f"{kind}:{name} minus its bands", rest))
    sectors = [key for key in shown if key[0] == "sector"]
    networks = [key for key in shown if key[0] == "network"]
    families = []
    if ("all", None) in shown:
        families += [(("all", None), sectors), (("all", None), networks)]
    for s in sectors:
        inside = [
            nkey
            for nkey in networks
            if set(frame.index[cohort_mask(frame, *nkey)])
            <= set(frame.index[cohort_mask(frame, *s)])
        ]
        families.append((s, inside))
    for parent, kids in families:
        pn, pbands = shown[parent]
        if pn is None:
            continue
        pm = cohort_mask(frame, *parent)
        kids_n = [c for c in kids if shown[c][0] is not None]
        union = pd.Series(False, index=frame.index)
        for c in kids_n:
            union |= cohort_mask(frame, *c)
        if kids_n:
            found.append((f"{parent} minus children n", true_count(pm & ~union)))
        for b in pbands:
            kids_b = [c for c in kids_n if b in shown[c][1]]
            if not kids_b:
                continue
            ub = pd.Series(False, index=frame.index)
            for c in kids_b:
                ub |= cohort_mask(frame, *c)
            found.append((f"{parent} band {b} minus children", true_count(pm & ~ub, b)))
    return found


def always(kind: str, name: str | None) -> bool:
    return True


def test_everyone_minus_the_sectors_no_longer_gives_the_lone_persons_band():
    """The attack: two published sectors and a one-person sector; everyone's band count
    minus the published sectors' band counts gave that person's score band."""
    rng = np.random.default_rng(11)
    frame = population(rng, {"Retail": 24, "Software": 25}, nets=1)
    lone = {"person_key": "lone", "sector": "Mining", "network": None, "ssi": 91.0}
    lone |= {p: 91.0 / 4 for p in PILLARS} | {o: 7.0 for o in OUTCOMES}
    frame = pd.concat([frame, pd.DataFrame([lone])], ignore_index=True)
    kinds = ("all", "sector")
    raw = [
        r
        for kind in kinds
        for r in outcomes.compute(
            frame, kind=kind, metric="ssi", k=K, bands=DEFAULT_BANDS, published=always
        )
    ]
    guarded = outcomes.compute_release(
        frame, metric="ssi", k=K, bands=DEFAULT_BANDS, published=always, kinds=kinds
    )
    for outcome in OUTCOMES:
        before = [d for d in differences(frame, shown_counts(raw, frame, outcome), outcome)]
        after = differences(frame, shown_counts(guarded, frame, outcome), outcome)
        # Control: unguarded, the subtraction isolates 1..k-1 people (the lone one among them).
        assert any(0 < c < K for _, c in before), outcome
        assert not [d for d in after if 0 < d[1] < K], outcome


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31 - 1),
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=5),
    nets=st.integers(1, 4),
)
def test_no_difference_of_published_outcome_counts_isolates_1_to_k_minus_1(seed, sizes, nets):
    rng = np.random.default_rng(seed)
    frame = population(rng, {f"S{i}": n for i, n in enumerate(sizes)}, nets)
    got = outcomes.compute_release(frame, metric="ssi", k=K, bands=DEFAULT_BANDS, published=always)
    for outcome in OUTCOMES:
        shown = shown_counts(got, frame, outcome)
        # Every shown count is the raw count (nothing is perturbed, only withheld).
        rec = frame[frame["ssi"].notna() & frame[outcome].notna()]
        for (kind, name), (n, bands) in shown.items():
            sel = rec[cohort_mask(rec, kind, name)]
            if n is not None:
                assert n == len(sel)
            for b, c in bands.items():
                assert c == int((sel["ssi"].map(band_of) == b).sum()) >= K
        bad = [d for d in differences(frame, shown, outcome) if 0 < d[1] < K]
        assert not bad, (outcome, bad)
