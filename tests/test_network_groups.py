"""Network groups: stored, refused when unsafe or ambiguous, published under the same gate.

The disclosure property is checked from the raw rows written here: for every published group,
the people of the group not in one of its published networks are 0 or at least k.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest  # noqa: TID251

from ssi_bench import audit
from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.errors import SSIBenchError
from ssi_bench.model import IngestOptions
from ssi_bench.web.state import get_bench
from tests import apptest_support

ROOT = Path(__file__).resolve().parent.parent
SECRET = "network-groups-test-secret-at-least-32-chars"
DAY = dt.date(2026, 11, 2)
K = 10  # the default minimum cohort size


def csv_bytes(people: list[tuple[str, str, float]]) -> bytes:
    """(network, sector, ssi) per person, one snapshot on DAY."""
    lines = ["email,date,sector,network,ssi"]
    for i, (network, sector, ssi) in enumerate(people):
        lines.append(f"p{i}@corp.test,{DAY.isoformat()},{sector},{network},{ssi:.1f}")
    return ("\n".join(lines) + "\n").encode()


def loaded(people: list[tuple[str, str, float]]) -> Bench:
    bench = Bench.memory(Settings())
    bench.ingest(csv_bytes(people), "t.csv", IngestOptions(today=DAY))
    return bench


def team(sizes: dict[str, int], sector: str = "Sales") -> list[tuple[str, str, float]]:
    return [(n, sector, 30 + i % 40) for n, size in sizes.items() for i in range(size)]


# ------------------------------------------------------------------------------ storage
def test_a_group_is_published_as_a_network_cohort_of_its_members():
    with loaded(team({"Team A": 12, "Team B": 15, "Team C": 11})) as bench:
        bench.network_group_create("EMEA Sales", ["Team A", "Team B"])
        rel = bench.release()
        fig = rel.figure(rel.latest, "network", "EMEA Sales", "ssi")
        assert fig is not None and fig.published and fig.n == 27
        assert fig.level == 0  # a group, told apart from the networks (level None)
        assert rel.figure(rel.latest, "network", "Team A", "ssi").level is None
        assert "EMEA Sales" in rel.names(rel.latest, "network")
        assert [g.name for g in bench.network_groups()] == ["EMEA Sales"]
        actions = [e["action"] for e in audit.entries(bench.store)]
        assert "group_create" in actions


@pytest.mark.parametrize(
    ("name", "members", "message"),
    [
        ("team a", ["Team B", "Team C"], "already called"),  # a network's name
        ("Solo", ["Team A"], "at least 2 networks"),
        ("Solo", ["Team A", "Team A"], "at least 2 networks"),
        ("Typo", ["Team A", "Team Z"], "Not a network"),
        ("   ", ["Team A", "Team B"], "name"),
    ],
)
def test_unsafe_or_ambiguous_groups_are_refused(name, members, message):
    with loaded(team({"Team A": 12, "Team B": 12, "Team C": 12})) as bench:
        with pytest.raises(SSIBenchError, match=message):
            bench.network_group_create(name, members)
        assert bench.network_groups() == []


def test_a_network_is_in_one_group_only_and_names_are_unique():
    with loaded(team({"Team A": 12, "Team B": 12, "Team C": 12})) as bench:
        bench.network_group_create("North", ["Team A", "Team B"])
        with pytest.raises(SSIBenchError, match="one group only"):
            bench.network_group_create("South", ["Team B", "Team C"])
        with pytest.raises(SSIBenchError, match="already called"):
            bench.network_group_create("north", ["Team C", "Team A"])


def test_deleting_a_group_removes_it_from_the_release():
    with loaded(team({"Team A": 12, "Team B": 12})) as bench:
        group = bench.network_group_create("Both", ["Team A", "Team B"])
        assert bench.network_group_delete(group.group_id) == "Both"
        rel = bench.release()
        assert rel.figure(rel.latest, "network", "Both", "ssi") is None
        with pytest.raises(SSIBenchError):
            bench.network_group_delete(group.group_id)


def test_a_group_named_like_a_later_network_is_left_out_and_said_so():
    with loaded(team({"Team A": 12, "Team B": 12})) as bench:
        bench.network_group_create("Blue", ["Team A", "Team B"])
        extra = [(f"q{i}@corp.test", "Blue") for i in range(12)]
        data = "email,date,sector,network,ssi\n" + "".join(
            f"{e},{DAY.isoformat()},Sales,{n},40\n" for e, n in extra
        )
        bench.ingest(data.encode(), "u.csv", IngestOptions(today=DAY))
        rel = bench.release()
        fig = rel.figure(rel.latest, "network", "Blue", "ssi")
        assert fig is not None and fig.n == 12 and fig.level is None  # the real network
        assert bench.network_groups_inactive() == ["Blue"]


def test_a_group_is_never_in_a_persons_fallback_chain():
    with loaded(team({"Team A": 12, "Team B": 3})) as bench:
        bench.network_group_create("All teams", ["Team A", "Team B"])
        standing = bench.percentile(person="p13@corp.test", cohort="network")  # in Team B
        chain = []
        s = standing
        while s is not None:
            chain.append((s.cohort.kind, s.cohort.name))
            s = s.fallback
        assert ("network", "All teams") not in chain


# ------------------------------------------------------------------------------ disclosure
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    sizes=hs.lists(hs.integers(min_value=1, max_value=25), min_size=3, max_size=6),
    split=hs.integers(min_value=1, max_value=5),
    data=hs.data(),
)
def test_no_published_group_minus_its_published_networks_holds_1_to_k_minus_1(sizes, split, data):
    names = [f"Team {chr(65 + i)}" for i in range(len(sizes))]
    split = min(split, len(names) - 1)
    people = [
        (name, data.draw(hs.sampled_from(["S1", "S2"])), 20 + (j * 7) % 60)
        for name, size in zip(names, sizes, strict=True)
        for j in range(size)
    ]
    groups = [g for g in (names[:split], names[split:]) if len(g) >= 2]
    with loaded(people) as bench:
        for i, members in enumerate(groups):
            bench.network_group_create(f"Group {i}", members)
        rel = bench.release()
        day = rel.latest
        # raw sizes, from the rows written above
        raw = {n: sum(1 for p in people if p[0] == n) for n in names}
        published_groups = []
        for i, members in enumerate(groups):
            fig = rel.figure(day, "network", f"Group {i}", "ssi")
            assert fig is not None
            if not fig.published:
                continue
            published_groups.append(members)
            assert fig.n == sum(raw[m] for m in members)
            shown = [
                m for m in members if (f := rel.figure(day, "network", m, "ssi")) and f.published
            ]
            residual = sum(raw[m] for m in members) - sum(raw[m] for m in shown)
            assert residual == 0 or residual >= K, (members, shown, raw)
        everyone = rel.figure(day, "all", None, "ssi")
        if everyone is not None and everyone.published and published_groups:
            residual = len(people) - sum(raw[m] for g in published_groups for m in g)
            assert residual == 0 or residual >= K
        # and the base family stays exact: everyone minus the published networks
        if everyone is not None and everyone.published:
            shown_nets = [
                n for n in names if (f := rel.figure(day, "network", n, "ssi")) and f.published
            ]
            residual = len(people) - sum(raw[n] for n in shown_nets)
            assert residual == 0 or residual >= K


# ------------------------------------------------------------------------------ pages
@pytest.fixture
def app(tmp_path, monkeypatch) -> Iterator[None]:
    with apptest_support.fresh_app(tmp_path / "g.duckdb", monkeypatch, SECRET):
        yield


def start(page: str) -> AppTest:
    at = apptest_support.start_app(page)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_admins_define_groups_on_the_data_page_and_networks_lists_them(app):
    get_bench().ingest(
        csv_bytes(team({"Team A": 12, "Team B": 13, "Team C": 11})), "t.csv",
        IngestOptions(today=DAY),
    )  # fmt: skip
    at = start("pages/7_Data.py")
    at.text_input(key="group_name").input("Team A")
    at.multiselect(key="group_networks").select("Team B").select("Team C")
    at.button(key="group_create").click().run()
    assert any("already called" in str(e.value) for e in at.error)
    at.text_input(key="group_name").input("EMEA Sales")
    at.multiselect(key="group_networks").set_value(["Team A", "Team B"])
    at.button(key="group_create").click().run()
    assert not at.exception
    assert any("created" in str(s.value) for s in at.success)
    groups = next(df.value for df in at.dataframe if "group" in df.value.columns)
    assert list(groups["group"]) == ["EMEA Sales"]
    assert list(groups["networks"]) == ["Team A, Team B"]

    at = start("pages/5_Networks.py")
    listed = next(df.value for df in at.dataframe if {"cohort", "people"} <= set(df.value))
    row = listed[listed["cohort"] == "EMEA Sales"]
    assert len(row) == 1 and str(row["people"].iloc[0]) == "25"

    at = start("pages/7_Data.py")
    at.selectbox(key="group_delete_id").select(get_bench().network_groups()[0].group_id)
    at.button(key="group_delete").click().run()
    assert any("Tick the box" in str(w.value) for w in at.warning)
    at.checkbox(key="group_confirm").check()
    at.button(key="group_delete").click().run()
    assert get_bench().network_groups() == []
