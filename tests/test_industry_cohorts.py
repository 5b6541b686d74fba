"""Cohorts along LinkedIn's industry hierarchy: groups, fallbacks, suppression at every level.

Taxonomy facts are written out by hand from LinkedIn's table: Computer Networking Products (5)
→ Software Development (4) → Technology, Information and Internet (6) → Technology,
Information and Media (1594); Financial Services (43) is a top-level industry with industries
below it. Published sizes and differences are recounted from the raw rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssi_bench import industries
from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.engines.job import UNITS
from ssi_bench.industry_cohorts import at_level, groups, groups_for_sectors, parent_chain
from ssi_bench.release import EVERYONE, build_figures
from tests.conftest import TEST_SECRET, csv_bytes

DAY = dt.date(2026, 10, 26)
CNP, SD, TII, TIM = (
    "Computer Networking Products",
    "Software Development",
    "Technology, Information and Internet",
    "Technology, Information and Media",
)
FS = "Financial Services"


def test_groups_follow_the_hierarchy_of_the_industries_present():
    got = {g.cohort: g for g in groups([5, 43], cuts=False)}
    # Financial Services has nobody below it here: no group (it would be its own cohort).
    assert set(got) == {("group", TIM), ("group", TII), ("group", SD)}
    assert got[("group", TIM)].level == 1 and got[("group", TIM)].parent == EVERYONE
    assert got[("group", TII)].level == 2 and got[("group", TII)].parent == ("group", TIM)
    sd = got[("group", SD)]
    assert (sd.level, sd.parent) == (3, ("group", TII))
    # Software Development itself has nobody: the group is its child industry alone.
    assert sd.leaves == (("sector", CNP),) and sd.children == (("sector", CNP),)
    assert got[("group", TII)].children == (("group", SD),)
    assert got[("group", TIM)].leaves == (("sector", CNP),)


def test_a_group_holds_its_own_industry_and_its_children():
    sd = {g.cohort: g for g in groups([4, 5], cuts=False)}[("group", SD)]
    assert set(sd.leaves) == {("sector", SD), ("sector", CNP)}
    assert sd.children == (("sector", SD), ("sector", CNP))


def test_the_fallback_levels_are_the_ancestors_nearest_first():
    assert parent_chain(CNP) == [("group", SD), ("group", TII), ("group", TIM)]
    assert parent_chain("Acme widgets") == []
    assert at_level(CNP, 2) == ("group", TII)
    assert at_level(CNP, 4) == ("sector", CNP)
    assert at_level(FS, 1) == ("group", FS)  # when someone is below it
    assert at_level(FS, 1, lambda _g: False) == ("sector", FS)
    assert at_level("Acme widgets", 1) == ("sector", "Acme widgets")


def people(counts: dict[str, int]) -> bytes:
    rows = []
    i = 0
    for sector, n in counts.items():
        for _ in range(n):
            row = {"email": f"p{i}@example.com", "date": DAY.isoformat(), "sector": sector}
            rows.append({**row, "brand": 5 + i % 17, "people": 10, "insights": 10,
                         "relationships": 9})  # fmt: skip
            i += 1
    return csv_bytes(rows)


def test_a_person_in_a_small_industry_sees_their_industry_group(bench: Bench):
    # 4 in Computer Networking Products, 8 in Software Development: neither reaches k = 10,
    # the Software Development group (12) does; 30 elsewhere keep everyone's residual ≥ k.
    bench.ingest(people({CNP: 4, SD: 8, FS: 30}), "t.csv")
    got = bench.percentile(person="p0@example.com", metric="brand").to_dict()
    assert got["suppressed"] and got["cohort"]["name"] == CNP
    fallback = got["fallback"]
    assert fallback["cohort"] == {
        "kind": "sector",
        "name": SD,
        "as_of": DAY.isoformat(),
        "level": 3,
    }
    assert fallback["n"] == 12
    typed = bench.percentile(score=50.0, sector=CNP).to_dict()["fallback"]
    assert typed["cohort"]["level"] == 3 and typed["cohort"]["name"] == SD
    # 12 people: the group answers with a band (10–29 people), from the group's own rows.
    assert fallback["precision"] == "banded" and not fallback["suppressed"]
    rows = {(r.name, r.level): r for r in bench.benchmarks("sector", level=2) if r.metric == "ssi"}
    assert rows[(TII, 2)].n == 12 and rows[(FS, None)].kind == "sector"  # level 1: itself


def _hist(rows: list[tuple[str, int]]) -> pa.Table:
    """The job's histogram table for one date and the ssi metric, from (sector, score)."""
    counts: Counter[tuple[str, str | None, int]] = Counter()
    for sector, score in rows:
        counts[("all", None, score)] += 1
        counts[("sector", sector, score)] += 1
    keys = sorted(counts, key=lambda k: (k[0], k[1] or "", k[2]))
    return pa.table({
        "pub_date": pa.array([DAY] * len(keys), pa.date32()),
        "kind": [k[0] for k in keys], "name": [k[1] for k in keys],
        "metric": ["ssi"] * len(keys), "value": pa.array([k[2] * UNITS for k in keys], pa.int64()),
        "n": pa.array([counts[k] for k in keys], pa.int64()),
    })  # fmt: skip


#: A small corner of the taxonomy with depth: Technology, Information and Media's subtree.
POOL = [TIM, TII, SD, CNP, *(c.label for c in industries.children(4)[:3]), FS, "Banking"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sizes=st.lists(st.integers(0, 14), min_size=len(POOL), max_size=len(POOL)),
       k=st.integers(5, 10))  # fmt: skip
def test_no_published_group_minus_its_published_children_holds_1_to_k_minus_1_people(sizes, k):
    rows = [(s, 40 + j % 7) for s, n in zip(POOL, sizes, strict=True) for j in range(n)]
    if not rows:
        return
    by_label = {i.label: i for i in industries.taxonomy().all()}
    present = {by_label[s].id for s, n in zip(POOL, sizes, strict=True) if n}
    figures = build_figures(_hist(rows), _empty_pairs(), k=k, groups=groups(present))
    published = {
        (kind, name): n
        for kind, name, n, reason in zip(
            *(figures.column(c).to_pylist() for c in ("kind", "name", "n", "reason")), strict=True
        )
        if reason is None
    }
    # Raw recount: a group holds everyone whose industry's path passes through it.
    size = Counter(s for s, _ in rows)
    for (kind, name), n in published.items():
        if kind == "group":
            assert n == sum(c for s, c in size.items() if name in by_label[s].path)
            assert n >= k
    for (kind, name), n in published.items():
        if kind != "group":
            continue
        node = by_label[name]
        shown = published.get(("sector", name), 0)
        for child in industries.children(node.id):
            shown += published.get(
                ("group", child.label), published.get(("sector", child.label), 0)
            )
        residual = n - shown
        assert residual == 0 or residual >= k, (name, n, shown)
    # Everyone minus the published top-level groups (every industry here lies under one).
    if ("all", None) in published:
        tops = sum(published.get(("group", top), 0) for top in (TIM, FS))
        residual = published[("all", None)] - tops
        assert residual == 0 or residual >= k


def _empty_pairs() -> pa.Table:
    return pa.table({
        "pub_date": pa.array([], pa.date32()), "sector": pa.array([], pa.string()),
        "network": pa.array([], pa.string()), "n": pa.array([], pa.int64()),
    })  # fmt: skip


# ---------------------------------------------------------------------- mixed partitions
#: A deeper corner: five levels under Technology, Information and Media (Mobile Gaming Apps
#: is a grandchild of Software Development), Financial Services with children two levels
#: down (through groups the table has no row for), and a sector kept as written.
MIXED_POOL = [
    TIM, TII, SD, CNP, "Computer Games", "Mobile Gaming Apps", "Embedded Software Products",
    FS, "Banking", "Insurance", "Investment Banking", "Investment Management", "Acme",
]  # fmt: skip


def _leaves(cohort: tuple[str, str | None], present: set[str]) -> frozenset[str]:
    """The present sector texts a published cohort holds, from the industries' paths: a
    group holds every industry whose path passes through it, everyone holds all."""
    kind, name = cohort
    if kind == "all":
        return frozenset(present)
    if kind == "sector":
        return frozenset({str(name)})
    tax = {i.label: i for i in industries.taxonomy().all()}
    return frozenset(s for s in present if s in tax and name in tax[s].path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sizes=st.lists(st.integers(0, 13), min_size=len(MIXED_POOL), max_size=len(MIXED_POOL)),
       k=st.integers(5, 10))  # fmt: skip
def test_every_difference_of_published_cohorts_of_mixed_levels_holds_0_or_at_least_k(sizes, k):
    """A viewer subtracts from any published cohort (everyone or a group) any disjoint set of
    published cohorts inside it, whatever their levels: some children whole, grandchildren of
    other children, groups and single industries. Every such remainder, recounted from the
    raw rows, holds nobody or at least k people."""
    rows = [(s, 40 + j % 7) for s, n in zip(MIXED_POOL, sizes, strict=True) for j in range(n)]
    if not rows:
        return
    present_names = [s for s, n in zip(MIXED_POOL, sizes, strict=True) if n]
    figures = build_figures(
        _hist(rows), _empty_pairs(), k=k, groups=groups_for_sectors(present_names)
    )
    published = [
        (kind, name)
        for kind, name, reason in zip(
            *(figures.column(c).to_pylist() for c in ("kind", "name", "reason")), strict=True
        )
        if reason is None
    ]
    size = Counter(s for s, _ in rows)  # the raw recount: people per sector text
    present = set(size)
    leaves = {c: _leaves(c, present) for c in published}
    for outer in published:
        inside = [c for c in published if c != outer and leaves[c] < leaves[outer]]
        # Every union of pairwise disjoint published cohorts inside ``outer`` (a remainder
        # depends only on which people are taken away, so unions are enough).
        unions: set[frozenset[str]] = {frozenset()}
        for c in inside:
            unions |= {u | leaves[c] for u in unions if not u & leaves[c]}
        for taken in unions:
            left = sum(size[s] for s in leaves[outer] - taken)
            assert left == 0 or left >= k, (outer, sorted(taken), left, k)


def test_everyone_minus_a_deeper_group_never_singles_out_a_sector_kept_as_written():
    """The case the mixed-partition test found, through the whole release: Banking (under
    Financial Services → Credit Intermediation) 5 people and one person kept as written,
    k = 5. Before everyone's mixed-level families, everyone (6) and Credit Intermediation
    (5) were both published: their difference was that one person."""
    b = Bench.memory(Settings(secret=TEST_SECRET, min_cohort=5))
    try:
        b.ingest(people({"Banking": 5, "Acme widgets": 1}), "t.csv")
        rel = b.release()
        shown = {
            (f.kind, f.name): f.n
            for f in rel.figures(DAY)
            if f.metric == "ssi" and f.published and f.n is not None
        }
        everyone = shown.get(("all", None))
        assert everyone is None or everyone == 6
        for cohort, n in shown.items():
            if cohort != ("all", None) and everyone is not None:
                assert not 1 <= everyone - n <= 4, (cohort, n, everyone)
    finally:
        b.close()


@pytest.mark.xfail(
    strict=True,
    reason="known gap, reported to the lead: a network lying wholly inside an industry group "
    "(but in several of its industries) is in no family of that group, so the group minus "
    "the network can hold 1 to k-1 people; the fix needs the (sector, network) pairs where "
    "the release is built (release.py / engines/build.py figures, another engineer's)",
)
def test_an_industry_group_minus_a_network_inside_it_holds_0_or_at_least_k(bench: Bench):
    # Team: 10 in Software Development and 9 in Computer Networking Products; one more CNP
    # person without a network; 30 in Financial Services. k = 10.
    rows = []
    for i in range(50):
        sector = SD if i < 10 else CNP if i < 20 else FS
        rows.append({"email": f"p{i}@example.com", "date": DAY.isoformat(), "sector": sector,
                     "network": "Team" if i < 19 else "", "brand": 5 + i % 17, "people": 10,
                     "insights": 10, "relationships": 9})  # fmt: skip
    bench.ingest(csv_bytes(rows), "t.csv")
    shown = {
        (f.kind, f.name): f.n
        for f in bench.release().figures(DAY)
        if f.metric == "ssi" and f.published and f.n is not None
    }
    if ("group", SD) in shown and ("network", "Team") in shown:
        left = shown[("group", SD)] - shown[("network", "Team")]  # the one CNP person
        assert left == 0 or left >= 10, shown
