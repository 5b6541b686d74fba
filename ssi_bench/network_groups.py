"""Network groups: admin-defined cohorts made of whole networks ("EMEA Sales" = Team A + Team B).

A group is published like a network — under the same gate and secondary suppression — by
handing it to :func:`ssi_bench.release.build_figures` as a :class:`ssi_bench.release.Group`
whose leaves are its networks. It is a *view*: nobody's own network is a group, so a group
never appears in a person's fallback chain.

Rules, checked when a group is created (:class:`GroupError` otherwise):

- the name is cleaned like an upload label (:func:`ssi_bench.model.clean_label`) and must not
  equal (ignoring case) an existing network's or another group's name: on the Networks page a
  group stands among the networks under its own name;
- at least :data:`MIN_MEMBERS` distinct networks, each present in the data;
- a network belongs to at most one group. Disjoint groups are what keeps the differencing
  check complete: "everyone minus the published groups" is checked as one family, and two
  overlapping groups would publish their difference (e.g. (A+B+C) − (A+B) = C) unchecked.

A network that later disappears from the data (an undo) simply leaves the group smaller; a
group whose name a later upload uses as a network name is left out of the release (it would
be two cohorts under one name) and :func:`inactive` names it for the Data page.

Storage: tables ``network_groups`` and ``network_group_members`` (:data:`MIGRATION`). Changes
raise the data version, so the release is rebuilt with the new group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from ssi_bench import release
from ssi_bench.errors import NotFoundError, SSIBenchError
from ssi_bench.model import clean_label

if TYPE_CHECKING:
    from ssi_bench.store import Store

#: The fewest networks a group may hold (one network alone is that network again).
MIN_MEMBERS = 2

#: The schema migration that adds the group tables (appended to ``schema.MIGRATIONS``).
MIGRATION: tuple[str, ...] = (
    "CREATE SEQUENCE IF NOT EXISTS network_group_seq START 1",
    """CREATE TABLE IF NOT EXISTS network_groups (
        group_id INTEGER PRIMARY KEY, name VARCHAR NOT NULL UNIQUE,
        created_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS network_group_members (
        group_id INTEGER NOT NULL, network VARCHAR NOT NULL,
        PRIMARY KEY (group_id, network))""",
)

_GROUPS_SQL = """
SELECT g.group_id, g.name, g.created_at, m.network
FROM network_groups g LEFT JOIN network_group_members m USING (group_id)
ORDER BY g.name, g.group_id, m.network
"""
_NETWORKS_SQL = "SELECT DISTINCT network FROM scores WHERE network IS NOT NULL"
_INSERT_GROUP_SQL = """
INSERT INTO network_groups VALUES (nextval('network_group_seq'), $name, $at) RETURNING group_id
"""
_INSERT_MEMBER_SQL = "INSERT INTO network_group_members VALUES ($gid, $network)"
_DELETE_MEMBERS_SQL = "DELETE FROM network_group_members WHERE group_id = $gid"
_DELETE_GROUP_SQL = "DELETE FROM network_groups WHERE group_id = $gid RETURNING name"


class GroupError(SSIBenchError):
    """A network group cannot be created as asked (the message says why and what to do)."""


@dataclass(frozen=True)
class NetworkGroup:
    """One stored group: id, name, its member network names (sorted), creation time (UTC)."""

    group_id: int
    name: str
    networks: tuple[str, ...]
    created_at: dt.datetime


def groups(store: Store) -> list[NetworkGroup]:
    """Every stored group, by name."""
    with store.cursor() as cur:
        return _groups_in(cur)


def network_names(store: Store) -> list[str]:
    """The networks present in the stored scores, sorted."""
    with store.cursor() as cur:
        return sorted(str(r[0]) for r in cur.execute(_NETWORKS_SQL).fetchall())


def create(store: Store, name: str, networks: Iterable[str]) -> NetworkGroup:
    """Store a new group ``name`` of ``networks`` and return it.

    Raises GroupError when the name is empty, equals (ignoring case) an existing network or
    group name, when fewer than :data:`MIN_MEMBERS` distinct networks are given, when a
    network is not in the data, or when a network already belongs to another group.
    """
    cleaned = clean_label(name)
    if cleaned is None:
        raise GroupError("Give the group a name.")
    members = sorted({str(n) for n in networks})
    if len(members) < MIN_MEMBERS:
        raise GroupError(
            f"A group needs at least {MIN_MEMBERS} networks (one network alone is already "
            "shown as itself)."
        )
    with store.transaction() as cur:
        present = {str(r[0]) for r in cur.execute(_NETWORKS_SQL).fetchall()}
        existing = _groups_in(cur)
        folded = cleaned.casefold()
        if any(n.casefold() == folded for n in present):
            raise GroupError(
                f"A network is already called {cleaned}: choose another name for the group."
            )
        if any(g.name.casefold() == folded for g in existing):
            raise GroupError(f"A group is already called {cleaned}: choose another name.")
        unknown = [n for n in members if n not in present]
        if unknown:
            raise GroupError("Not a network in the data: " + ", ".join(unknown) + ".")
        taken = {n: g.name for g in existing for n in g.networks}
        clash = [f"{n} (in {taken[n]})" for n in members if n in taken]
        if clash:
            raise GroupError(
                "A network can be in one group only: " + ", ".join(clash) + ". Remove it "
                "from the other group first."
            )
        at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        got = cur.execute(_INSERT_GROUP_SQL, {"name": cleaned, "at": at}).fetchone()
        assert got is not None
        gid = int(got[0])
        for network in members:
            cur.execute(_INSERT_MEMBER_SQL, {"gid": gid, "network": network})
    return NetworkGroup(gid, cleaned, tuple(members), at)


def delete(store: Store, group_id: int) -> str:
    """Delete group ``group_id``; returns its name. Raises NotFoundError when there is none."""
    with store.transaction() as cur:
        got = cur.execute(_DELETE_GROUP_SQL, {"gid": group_id}).fetchone()
        if got is None:
            raise NotFoundError(f"There is no network group #{group_id}.")
        cur.execute(_DELETE_MEMBERS_SQL, {"gid": group_id})
    return str(got[0])


def _groups_in(cur: duckdb.DuckDBPyConnection) -> list[NetworkGroup]:
    rows = cur.execute(_GROUPS_SQL).fetchall()
    out: dict[int, tuple[str, dt.datetime, list[str]]] = {}
    for gid, name, at, network in rows:
        entry = out.setdefault(int(gid), (str(name), at, []))
        if network is not None:
            entry[2].append(str(network))
    return [NetworkGroup(g, n, tuple(sorted(m)), a) for g, (n, a, m) in out.items()]


def inactive(stored: Sequence[NetworkGroup], present_networks: Iterable[str]) -> list[str]:
    """Names of the groups left out of the release because a network now has their name."""
    folded = {n.casefold() for n in present_networks}
    return [g.name for g in stored if g.name.casefold() in folded]


def release_groups(
    stored: Sequence[NetworkGroup], present_networks: Iterable[str]
) -> list[release.Group]:
    """The groups as :class:`ssi_bench.release.Group` for :func:`release.build_figures`.

    Each: cohort ``("network", name)``, level 0 (a level-0 network figure is a group),
    leaves and children its member networks, parent everyone. Groups named like a present
    network are left out (see :func:`inactive`).
    """
    present = list(present_networks)
    skip = set(inactive(stored, present))
    out = []
    for g in stored:
        if g.name in skip or not g.networks:
            continue
        members = tuple(("network", n) for n in g.networks)
        out.append(
            release.Group(
                cohort=("network", g.name),
                level=0,
                leaves=members,
                children=members,
                parent=release.EVERYONE,
            )
        )
    return out
