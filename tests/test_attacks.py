"""Attacks of issue 11 against the release, run as an attacker would: many typed scores, dates and
cohorts through the same calls the pages make (``Bench.percentile`` behind Home's "Check my
score" and My benchmark's "Type my scores"; ``Bench.benchmarks`` behind Sectors/Networks and the
exports). Each must fail: the answers change only where a published figure lies.

Expectations are rebuilt from the rows written here (numpy quantiles), never from the code.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.model import IngestOptions
from tests.conftest import TEST_SECRET, csv_bytes

PILLARS = ("brand", "people", "insights", "relationships")
DAY = dt.date(2026, 11, 8)
GRID = np.round(np.arange(0.0, 100.0 + 1e-9, 0.05), 2)  # 2,001 typed scores


def person(i: int, day: dt.date, sector: str, total: float, network: str | None = None) -> dict:
    p = total / 4
    row = {"email": f"p{i}@example.com", "date": day.isoformat(), "sector": sector,
           **dict.fromkeys(PILLARS, f"{p:.4f}")}  # fmt: skip
    if network:
        row["network"] = network
    return row


def team(seed: int = 11) -> list[dict]:
    """107 people: Software 60 (a 12-person team inside it), Consulting 35, Retail 11, and one
    person alone in a sector of her own (Mining, SSI 77.77: nobody else has that score)."""
    rng = random.Random(seed)
    rows = []
    for i in range(60):
        rows.append(person(i, DAY, "Software", round(rng.uniform(20, 90), 2),
                           "Team Twelve" if i < 12 else "Team Big"))  # fmt: skip
    for i in range(60, 95):
        rows.append(person(i, DAY, "Consulting", round(rng.uniform(20, 90), 2)))
    for i in range(95, 106):
        rows.append(person(i, DAY, "Retail", round(rng.uniform(20, 90), 2)))
    rows.append(person(106, DAY, "Mining", 77.77))
    return rows


@pytest.fixture
def attacked():
    with Bench.memory(Settings(secret=TEST_SECRET)) as bench:
        bench.ingest(csv_bytes(team()), "t.csv", IngestOptions(date_order="ymd"))
        yield bench


def published_quantiles(values) -> set[float]:
    return {round(float(np.percentile(values, q)), 2) for q in (10, 25, 50, 75, 90)}


def sweep(bench: Bench, **where) -> list[tuple]:
    """The answer to every typed score of the grid in one cohort: (range, cohort answered in, n)."""
    out = []
    for s in GRID:
        a = bench.percentile(score=float(s), **where)
        while a.suppressed and a.fallback is not None:
            a = a.fallback
        assert a.percentile is None and a.top_percent is None  # never an exact rank
        out.append((a.top_percent_range, a.cohort.kind, a.cohort.name, a.n))
    return out


def boundaries(answers: list[tuple]) -> set[float]:
    return {float(GRID[i]) for i in range(1, len(GRID)) if answers[i] != answers[i - 1]}


def near(points: set[float], allowed: set[float]) -> bool:
    """Every boundary of the grid sweep lies at a published quantile (within one grid step)."""
    return all(any(b - 0.05 - 1e-9 <= q <= b + 1e-9 for q in allowed) for b in points)


def test_everyone_minus_the_published_sectors_reveals_nothing_of_the_one_person_sector(attacked):
    rows = team()
    everyone = [sum(float(r[p]) for p in PILLARS) for r in rows]
    answers = sweep(attacked, cohort="all")
    # n is the published n of everyone — a typed score never joins (it used to be N+1)
    assert {a[3] for a in answers} == {107}
    assert near(boundaries(answers), published_quantiles(everyone))
    assert len(set(answers)) <= 6
    # Her sector publishes nothing, and no published figure anywhere is her score.
    mining = [r for r in attacked.benchmarks("sector") if r.name == "Mining"]
    assert mining and all(r.suppressed and r.n is None and r.p50 is None for r in mining)
    figures = [v for r in attacked.benchmarks() for v in (r.p10, r.p25, r.p50, r.p75, r.p90) if v]
    assert 77.77 not in figures
    # everyone (107) minus the published sectors must not be one person: the release also
    # withholds the smallest other sector, so the remainder is ≥ k.
    sizes = {r.name: r.n for r in attacked.benchmarks("sector") if r.metric == "ssi"}
    remainder = 107 - sum(n for n in sizes.values() if n is not None)
    assert remainder == 0 or remainder >= 10
    assert sizes["Retail"] is None  # 11 people, withheld to cover Mining's one


def test_a_person_arriving_on_a_later_date_cannot_be_read_off_two_as_of_dates(attacked):
    later = DAY + dt.timedelta(days=1)
    arrival = person(500, later, "Software", 55.55)
    attacked.ingest(csv_bytes([arrival]), "late.csv", IngestOptions(date_order="ymd"))
    assert attacked.publication_dates() == [DAY, later]
    before = sweep(attacked, cohort="sector", sector="Software", as_of=DAY)
    after = sweep(attacked, cohort="sector", sector="Software", as_of=later)
    assert before == after  # one arrival moves nothing a viewer can see
    b_rows = {(r.kind, r.name, r.metric): r for r in attacked.benchmarks(as_of=DAY)}
    a_rows = {(r.kind, r.name, r.metric): r for r in attacked.benchmarks(as_of=later)}
    assert a_rows[("sector", "Software", "ssi")] == b_rows[("sector", "Software", "ssi")]
    assert a_rows[("sector", "Software", "ssi")].as_of == DAY  # says which date it is from
    trend = attacked.cohort_trend("sector", "Software")
    assert list(trend["as_of"]) == [DAY]


def test_a_12_person_team_gives_no_band_that_flips_at_member_values(attacked):
    answers = sweep(attacked, cohort="network", network="Team Twelve", sector="Software")
    assert all(kind != "network" for _r, kind, _n, _size in answers)  # answered by the parent
    software = [sum(float(r[p]) for p in PILLARS) for r in team() if r["sector"] == "Software"]
    assert near(boundaries(answers), published_quantiles(software))


def test_a_35_person_sector_distribution_cannot_be_probed_beyond_its_five_quantiles(attacked):
    consulting = sorted(
        sum(float(r[p]) for p in PILLARS) for r in team() if r["sector"] == "Consulting"
    )
    answers = sweep(attacked, cohort="sector", sector="Consulting")
    assert len(set(answers)) == 6
    assert near(boundaries(answers), published_quantiles(consulting))
    # never the minimum or maximum: just below and just above each extreme answer alike
    lo, hi = consulting[0], consulting[-1]
    for edge in (lo, hi):
        a = attacked.percentile(score=edge - 0.01, cohort="sector", sector="Consulting")
        b = attacked.percentile(score=edge + 0.01, cohort="sector", sector="Consulting")
        assert a.top_percent_range == b.top_percent_range


def test_two_typed_scores_around_a_member_value_answer_alike_unless_a_quantile_lies_between(
    attacked,
):
    consulting = [sum(float(r[p]) for p in PILLARS) for r in team() if r["sector"] == "Consulting"]
    qs = published_quantiles(consulting)
    for v in consulting:
        a = attacked.percentile(score=max(0.0, v - 0.01), cohort="sector", sector="Consulting")
        b = attacked.percentile(score=min(100.0, v + 0.01), cohort="sector", sector="Consulting")
        if not any(v - 0.01 < q <= v + 0.01 for q in qs):
            assert a.top_percent_range == b.top_percent_range


def test_any_as_of_date_snaps_to_a_publication_date_and_says_so(attacked):
    asked = DAY + dt.timedelta(days=3)
    s = attacked.percentile(score=50.0, cohort="all", as_of=asked)
    assert s.cohort.as_of == DAY
    assert s.note is not None and DAY.isoformat() in s.note
    with pytest.raises(Exception, match="first publication date"):
        attacked.percentile(score=50.0, cohort="all", as_of=DAY - dt.timedelta(days=1))
