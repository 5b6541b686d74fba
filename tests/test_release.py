"""The release: histograms, published figures, secondary suppression, typed-score answers.

Every expectation is rebuilt here from the raw rows with plain Python / numpy (latest snapshot
per person per date, Counter histograms, numpy's linear quantiles), never from the code's own
intermediate tables.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import numpy as np
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssi_bench import disclosure, release
from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.disclosure import Histogram, moves, suppress
from ssi_bench.model import IngestOptions
from tests.conftest import TEST_SECRET, csv_bytes

PILLARS = ("brand", "people", "insights", "relationships")
D0 = dt.date(2026, 9, 7)


def members_at(rows, day, window=90):
    """Each person's latest row with day − window ≤ date ≤ day (independent rebuild)."""
    best = {}
    for r in rows:
        d = dt.date.fromisoformat(r["date"])
        if day - dt.timedelta(days=window) <= d <= day:
            key = r["email"].lower()
            if key not in best or best[key]["date"] < r["date"]:
                best[key] = r
    return best


def ssi(r) -> float:
    return round(sum(float(r[p]) for p in PILLARS), 4)


def ingest(bench: Bench, rows) -> None:
    bench.ingest(csv_bytes(rows), "team.csv", IngestOptions(date_order="ymd"))


def population(seed: int, people: int, weeks: int, sectors: dict[str, float]) -> list[dict]:
    rng = random.Random(seed)
    names = list(sectors)
    weights = list(sectors.values())
    rows = []
    for i in range(people):
        sector = rng.choices(names, weights)[0]
        team = f"Team {rng.randint(0, 3)}" if rng.random() < 0.8 else None
        start = rng.randint(0, weeks - 1)
        for w in range(start, weeks):
            if rng.random() < 0.2:
                continue
            p = [round(rng.uniform(2, 24), 2) for _ in PILLARS]
            row = {"email": f"p{i}@example.com", "date": (D0 + dt.timedelta(weeks=w)).isoformat(),
                   "sector": sector, **dict(zip(PILLARS, p, strict=True))}  # fmt: skip
            if team:
                row["network"] = team
            rows.append(row)
    return rows


# ------------------------------------------------------------------ histograms and quantiles
def test_histograms_equal_an_independent_count_of_each_persons_latest_snapshot(bench):
    rows = population(3, 120, 6, {"A": 3, "B": 2, "C": 1})
    # The look-back boundary: a snapshot exactly 90 days before a publication date counts.
    rows.append(
        {
            "email": "edge@example.com",
            "date": (D0 - dt.timedelta(days=90)).isoformat(),
            "sector": "A",
            "brand": 1,
            "people": 2,
            "insights": 3,
            "relationships": 4,
        }
    )
    rows.append({"email": "edge2@example.com", "date": D0.isoformat(), "sector": "A",
                 "brand": 1, "people": 2, "insights": 3, "relationships": 4.5})  # fmt: skip
    ingest(bench, rows)
    from ssi_bench import release_store

    hist, _pairs, _v = release_store.histograms(bench.store, 90)
    got = Counter()
    for r in hist.to_pylist():
        got[(r["pub_date"], r["kind"], r["name"], r["metric"], r["value"])] += r["n"]
    dates = sorted({dt.date.fromisoformat(r["date"]) for r in rows})
    want = Counter()
    for day in dates:
        for r in members_at(rows, day).values():
            for metric in ("ssi", *PILLARS):
                value = ssi(r) if metric == "ssi" else float(r[metric])
                units = round(value * 10_000)
                want[(day, "all", None, metric, units)] += 1
                want[(day, "sector", r["sector"], metric, units)] += 1
                if r.get("network"):
                    want[(day, "network", r["network"], metric, units)] += 1
    assert got == want
    # The edge person counts on D0 (exactly 90 days) and not a day later.
    assert members_at(rows, D0)["edge@example.com"]


@given(st.lists(st.integers(0, 1_000_000), min_size=1, max_size=60))
def test_histogram_quantiles_equal_numpys_linear_quantiles(values):
    counts = Counter(values)
    h = Histogram(np.array(sorted(counts)), np.array([counts[v] for v in sorted(counts)]))
    got = release._quantiles(h)
    arr = np.array(values, dtype=float) / 10_000
    for name, q in (("p10", 0.1), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p90", 0.9)):
        # published to two decimals: within half a cent of numpy's linear quantile
        assert abs(got[name] - float(np.quantile(arr, q))) <= 0.005 + 1e-9


def test_moves_counts_people_who_joined_left_or_changed():
    def h(*vals):
        c = Counter(vals)
        return Histogram(np.array(sorted(c)), np.array([c[v] for v in sorted(c)]))

    assert moves(h(1, 2, 3), h(1, 2, 3)) == 0
    assert moves(h(1, 2, 3), h(1, 2, 3, 9)) == 1  # joined
    assert moves(h(1, 2, 3), h(1, 2)) == 1  # left
    assert moves(h(1, 2, 3), h(1, 2, 4)) == 1  # changed
    assert moves(h(1, 2, 3), h(4, 5, 6, 7)) == 4


# ------------------------------------------------------------------ the suppression rule
@st.composite
def families_case(draw):
    k = draw(st.integers(5, 12))
    kids = draw(st.lists(st.integers(0, 40), min_size=1, max_size=8))
    other = draw(st.integers(0, 15))  # people of the parent in no child
    return k, kids, other


@given(families_case())
def test_no_parent_minus_published_children_holds_1_to_k_minus_1_people(case):
    k, kids, other = case
    sizes = {("c", i): n for i, n in enumerate(kids) if n > 0}
    sizes[("p", 0)] = sum(sizes.values()) + other
    reasons = suppress(sizes, [(("p", 0), [c for c in sizes if c[0] == "c"])], k=k)
    for c, n in sizes.items():
        if n < k:
            assert reasons[c] == "small"
    if reasons[("p", 0)] is None:
        residual = sizes[("p", 0)] - sum(
            n for c, n in sizes.items() if c[0] == "c" and reasons[c] is None
        )
        assert residual == 0 or residual >= k
    # minimal: a child withheld for the parent is the smallest shown ones (deterministic)
    again = suppress(sizes, [(("p", 0), [c for c in sizes if c[0] == "c"])], k=k)
    assert again == reasons


@st.composite
def populations(draw):
    k = draw(st.sampled_from([5, 10]))
    n_people = draw(st.integers(5, 70))
    n_dates = draw(st.integers(1, 5))
    sectors = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 10_000))
    return k, n_people, n_dates, sectors, seed


def _random_rows(n_people, n_dates, n_sectors, seed):
    rng = random.Random(seed)
    rows = []
    for i in range(n_people):
        sector = f"S{min(int(rng.expovariate(0.8)), n_sectors - 1)}"
        net = f"N{rng.randint(0, 3)}" if rng.random() < 0.7 else None
        for d in range(n_dates):
            if rng.random() < 0.35:
                continue
            if rng.random() < 0.1:
                sector = f"S{rng.randint(0, n_sectors - 1)}"  # changes sector
            # whole-number pillars with few distinct values: ties and unchanged people
            p = [rng.choice([5, 10, 15]) for _ in PILLARS]
            row = {"email": f"x{i}@example.com", "date": (D0 + dt.timedelta(days=d)).isoformat(),
                   "sector": sector, **dict(zip(PILLARS, p, strict=True))}  # fmt: skip
            if net:
                row["network"] = net
            rows.append(row)
    return rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations())
def test_after_the_rule_no_published_difference_isolates_1_to_k_minus_1_people(case):
    """Random populations over several dates: every difference a viewer can form from the
    release — everyone minus the published sectors or networks, a sector minus its published
    networks, a cohort against its previous published date — holds 0 or ≥ k people."""
    k, n_people, n_dates, n_sectors, seed = case
    rows = _random_rows(n_people, n_dates, n_sectors, seed)
    if not rows:
        return
    with Bench.memory(Settings(secret=TEST_SECRET, min_cohort=k)) as bench:
        ingest(bench, rows)
        rel = bench.release()
        dates = sorted({dt.date.fromisoformat(r["date"]) for r in rows})
        assert rel.dates == dates
        last: dict[tuple, Counter] = {}
        for day in dates:
            mem = members_at(rows, day, bench.settings.lookback_days)
            cohorts: dict[tuple, list] = {("all", None): list(mem.values())}
            for r in mem.values():
                cohorts.setdefault(("sector", r["sector"]), []).append(r)
                if r.get("network"):
                    cohorts.setdefault(("network", r["network"]), []).append(r)
            for metric in ("ssi", "brand"):
                shown = {}
                for (kind, name), people in cohorts.items():
                    fig = rel.figure(day, kind, name, metric)
                    assert fig is not None
                    shown[(kind, name)] = fig.published
                    if fig.published:
                        assert fig.n == len(people) >= k
                        values = Counter(
                            round((ssi(r) if metric == "ssi" else float(r[metric])) * 1e4)
                            for r in people
                        )
                        prev = last.get((kind, name, metric))
                        if prev is not None:
                            diff = values.copy()
                            diff.subtract(prev)
                            moved = max(sum(v for v in diff.values() if v > 0),
                                        -sum(v for v in diff.values() if v < 0))  # fmt: skip
                            assert moved == 0 or moved >= k, (kind, name, day)
                        last[(kind, name, metric)] = values
                    else:
                        assert fig.n is None and fig.quantiles.get("p50") is None
                if shown[("all", None)]:
                    for kind in ("sector", "network"):
                        covered = sum(
                            len(p) for c, p in cohorts.items() if c[0] == kind and shown[c]
                        )
                        residual = len(mem) - covered
                        assert residual == 0 or residual >= k, (kind, day)
                for (kind, name), people in cohorts.items():
                    if kind != "sector" or not shown[(kind, name)]:
                        continue
                    nested = [
                        c for c, p in cohorts.items()
                        if c[0] == "network" and shown[c] and all(r["sector"] == name for r in p)
                        and all(r.get("network") != c[1] or r["sector"] == name
                                for r in mem.values())
                    ]  # fmt: skip
                    residual = len(people) - sum(len(cohorts[c]) for c in nested)
                    assert residual == 0 or residual >= k


def test_reasons_are_documented():
    assert set(disclosure.REASONS) == {"small", "date", "parent"}


def test_figures_table_has_the_documented_schema_even_when_empty():
    def empty(**types):
        return pa.table({name: pa.array([], t) for name, t in types.items()})

    empty_hist = empty(pub_date=pa.date32(), kind=pa.string(), name=pa.string(),
                       metric=pa.string(), value=pa.int64(), n=pa.int64())  # fmt: skip
    empty_pairs = empty(pub_date=pa.date32(), sector=pa.string(), network=pa.string(),
                        n=pa.int64())  # fmt: skip
    got = release.build_figures(empty_hist, empty_pairs, k=10)
    assert got.schema == release.FIGURE_SCHEMA
    assert got.num_rows == 0


# ------------------------------------------------------------------ the pruning shortcut
def _hist_and_pairs(rows, n_dates, window=90):
    """The job's histogram and pairs tables rebuilt here with Counters from the raw rows."""
    hist, pairs = Counter(), Counter()
    for d in range(n_dates):
        day = D0 + dt.timedelta(days=d)
        for r in members_at(rows, day, window).values():
            net = r.get("network")
            pairs[(day, r["sector"], net)] += 1 if net else 0
            for metric in ("ssi", *PILLARS):
                units = round((ssi(r) if metric == "ssi" else float(r[metric])) * 10_000)
                hist[(day, "all", None, metric, units)] += 1
                hist[(day, "sector", r["sector"], metric, units)] += 1
                if net:
                    hist[(day, "network", net, metric, units)] += 1
    h = list(hist.items())
    p = [(key, n) for key, n in pairs.items() if key[2] is not None]
    hist_t = pa.table({
        "pub_date": pa.array([k[0] for k, _ in h], pa.date32()),
        "kind": [k[1] for k, _ in h], "name": pa.array([k[2] for k, _ in h], pa.string()),
        "metric": [k[3] for k, _ in h], "value": pa.array([k[4] for k, _ in h], pa.int64()),
        "n": pa.array([n for _, n in h], pa.int64()),
    })  # fmt: skip
    pairs_t = pa.table({
        "pub_date": pa.array([k[0] for k, _ in p], pa.date32()),
        "sector": pa.array([k[1] for k, _ in p], pa.string()),
        "network": pa.array([k[2] for k, _ in p], pa.string()),
        "n": pa.array([n for _, n in p], pa.int64()),
    })  # fmt: skip
    return hist_t, pairs_t


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations())
def test_pruned_histograms_give_the_same_figures_as_keeping_every_histogram(case):
    """Keeping histograms only of figures of ≥ k people (the build's shortcut) publishes
    exactly what the straightforward computation over every histogram publishes — also for
    a group made of small networks (its histogram is the sum of leaves that are pruned)."""
    k, n_people, n_dates, n_sectors, seed = case
    rows = _random_rows(n_people, n_dates, n_sectors, seed)
    hist, pairs = _hist_and_pairs(rows, n_dates)
    nets = (("network", "N0"), ("network", "N1"), ("network", "N2"))
    groups = [release.Group(("network_group", "G"), 1, nets, nets)]
    pruned = release.build_figures(hist, pairs, k=k, groups=groups)
    full = release.build_figures(hist, pairs, k=k, groups=groups, prune=False)
    assert pruned.equals(full)
    # and the shortcut really was taken: some figure of the population is below k
    totals = Counter()
    for r in hist.to_pylist():
        totals[(r["pub_date"], r["kind"], r["name"], r["metric"])] += r["n"]
    if any(t < k for t in totals.values()):
        assert "small" in pruned.column("reason").to_pylist()
