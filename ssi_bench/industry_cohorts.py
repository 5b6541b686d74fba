"""Cohorts along LinkedIn's industry hierarchy: the release's industry groups and fallbacks.

A sector cohort whose name is a LinkedIn industry label (what :mod:`ssi_bench.sectors`
stores for a matched text) is an *industry*. Every taxonomy node above a present industry,
and every present industry that has industries below it in the taxonomy, is an *industry
group*: the cohort ``("group", label)`` holding the people of every industry in its subtree,
its own included (Software Development as a group = Software Development and its child
industries). Groups are what the release publishes at each level (``level`` = depth,
1 = top-level group) and what a person in a small industry falls back to, nearest level
first. Outside the release a group is shown as a ``"sector"`` cohort with a level
(:class:`ssi_bench.model.CohortId`).

Sector texts that name no industry (kept as written) belong to no group.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import numpy as np

from ssi_bench import industries
from ssi_bench.model import CohortId, Standing
from ssi_bench.release import EVERYONE, Cohort, Group

GROUP = "group"


@functools.cache
def by_label() -> dict[str, industries.Industry]:
    """Every real industry by its English canonical label (labels are unique in the table)."""
    return {i.label: i for i in industries.taxonomy().all() if not i.synthetic}


def industry_of(sector: str | None) -> industries.Industry | None:
    """The industry a stored sector name is (its canonical label), or None (kept as written)."""
    return None if sector is None else by_label().get(str(sector))


def _cohort_of(node: industries.Industry, with_group: set[int]) -> Cohort:
    return (GROUP, node.label) if node.id in with_group else ("sector", node.label)


def group_nodes(present: Iterable[int]) -> set[int]:
    """Ids of the nodes that get a group cohort: every strict ancestor of a present industry
    (so a present industry with a present industry below it is one too). A present industry
    with nobody below it gets none: its group would be its own cohort under a second name."""
    tax = industries.taxonomy()
    out: set[int] = set()
    for i in set(present):
        out.update(a.id for a in tax.ancestors(i))
    return out


def groups(
    present: Iterable[int], *, cuts: bool = True, others: Iterable[Cohort] = ()
) -> list[Group]:
    """The release's industry groups for the industries present (their ids).

    One :class:`~ssi_bench.release.Group` per node of :func:`group_nodes`: ``level`` its depth
    (1 = top); ``leaves`` the ``("sector", label)`` cohorts of every present industry of its
    subtree, itself included; ``children`` — disjoint, together exactly the group — its own
    industry as ``("sector", label)`` when present, then each direct child node whose subtree
    holds a present industry (``("group", label)`` when that child is a group, else
    ``("sector", label)``); ``parent`` the enclosing group, or everyone at the top level.
    Sorted by level, then label; with ``cuts`` (the default, what the release needs) followed
    by the same groups with their other partitions (:func:`_cut_families`) and by everyone's
    partitions of mixed levels (:func:`_everyone_families`; ``others``: the published sector
    cohorts outside the taxonomy, kept as written, which every such partition also holds).
    Raises NotFoundError for an unknown id.
    """
    tax = industries.taxonomy()
    here = {tax.get(i).id for i in present}
    with_group = group_nodes(here)
    # The nodes whose subtree holds a present industry: the present ones and their ancestors.
    occupied = here | with_group
    out: list[Group] = []
    for gid in with_group:
        node = tax.get(gid)
        subtree = [node, *tax.descendants(gid)]
        leaves = tuple(("sector", n.label) for n in subtree if n.id in here)
        kids: list[Cohort] = [("sector", node.label)] if gid in here else []
        kids += [_cohort_of(c, with_group) for c in tax.children(gid) if c.id in occupied]
        parent: Cohort = (
            EVERYONE if node.parent_id is None else (GROUP, tax.get(node.parent_id).label)
        )
        out.append(Group((GROUP, node.label), node.level, leaves, tuple(kids), parent))
    out.sort(key=lambda g: (g.level, g.cohort[1] or ""))
    if not cuts:
        return out
    tops = sorted(
        {_cohort_of(tax.get(i), with_group) for i in occupied if tax.get(i).parent_id is None}
    )
    return out + _cut_families(out) + _everyone_families(out, tops, tuple(others))


#: Most alternative partitions checked per group (see :func:`_cut_families`).
MAX_CUTS = 64


def _cut_families(found: list[Group]) -> list[Group]:
    """Extra families for secondary suppression: each group with its other partitions.

    A viewer can subtract from a group any disjoint published cohorts inside it, not only
    its direct children: when a child group C is withheld (by its parent's family) while
    C's own children are published, "group − C's children − the other children" is the
    same difference the direct family closed. So each group is also checked against every
    *cut* of its subtree — each child group kept whole or replaced by a cut of its own —
    up to :data:`MAX_CUTS` per group (beyond that the finest cut, every leaf, stands in for
    the rest). These are the same cohorts (same leaves) with other ``children``:
    :func:`ssi_bench.release.build_figures` adds one family per Group entry and one figure
    per cohort, so they add checks, never figures.
    """
    cuts = _cutter(found)
    extra: list[Group] = []
    for g in found:
        seen = {g.children}
        alternatives = [x for x in cuts(g.cohort)[1:] if x not in seen]
        alternatives.append(g.leaves)
        for kids in alternatives:
            if kids in seen:
                continue
            seen.add(kids)
            # parent None: the release lists a top-level group under everyone once, from its
            # first entry (a repeat would count it twice there).
            extra.append(replace(g, children=kids, parent=None))
    return extra


def _cutter(found: list[Group]) -> Callable[[Cohort], list[tuple[Cohort, ...]]]:
    """``cuts(c)``: the cohort itself, then its partitions into published-able cohorts of
    mixed levels (each child group kept whole or replaced by a cut of its own), at most
    :data:`MAX_CUTS` + 1; a cohort that is no group has only itself."""
    by_cohort = {g.cohort: g for g in found}
    memo: dict[Cohort, list[tuple[Cohort, ...]]] = {}

    def cuts(c: Cohort) -> list[tuple[Cohort, ...]]:
        g = by_cohort.get(c)
        if g is None:
            return [(c,)]
        if c in memo:
            return memo[c]
        combos: list[tuple[Cohort, ...]] = [()]
        for child in g.children:
            options = [(child,)] + [x for x in cuts(child) if x != (child,)]
            combos = [a + b for a in combos for b in options][: MAX_CUTS * 4]
        memo[c] = [(c,), *combos[:MAX_CUTS]]
        return memo[c]

    return cuts


def _everyone_families(
    found: list[Group], tops: list[Cohort], others: tuple[Cohort, ...]
) -> list[Group]:
    """Everyone's partitions of mixed levels, as families for secondary suppression.

    The release checks everyone against its sectors and against its top-level groups; a
    viewer can also subtract a deeper cut — everyone minus a level-2 group whose top-level
    group is withheld, plus other top-level cohorts — which neither family closes (found by
    the mixed-partition test: Banking 5 people and one person kept as written, k = 5,
    published everyone 6 and "Credit Intermediation" 5, so their difference was one person).
    One family per combination of each top-level cohort's cuts (with the sectors kept as
    written, ``others``), up to :data:`MAX_CUTS`, the finest (every leaf) always included.

    Each is handed to the release as a :class:`~ssi_bench.release.Group` of everyone with
    no leaves: no leaves adds no figure (the release sums leaves into a group's figure), the
    children are the family, and ``level`` None keeps everyone's figure without a level (the
    release reads each group's level into its figure's row; the field is typed int there
    because real groups always have one).
    """
    if not tops:
        return []
    cuts = _cutter(found)
    combos: list[tuple[Cohort, ...]] = [()]
    for top in tops:
        combos = [a + b for a in combos for b in cuts(top)][: MAX_CUTS * 4]
    finest = tuple(leaf for top in tops for leaf in _finest(found, top))
    picked = list(dict.fromkeys([*combos[:MAX_CUTS], finest]))
    base = {tuple(tops)}  # the release's own family of everyone's top-level groups
    return [
        Group(EVERYONE, None, (), kids + others, None)  # type: ignore[arg-type]
        for kids in picked
        if kids not in base
    ]


def _finest(found: list[Group], c: Cohort) -> tuple[Cohort, ...]:
    """Every leaf of ``c`` (itself when it is no group)."""
    for g in found:
        if g.cohort == c:
            return g.leaves
    return (c,)


def groups_for_sectors(names: Iterable[str]) -> list[Group]:
    """:func:`groups` for the sector cohort names present: those naming an industry make the
    groups; the others (kept as written) take part in everyone's partitions."""
    names = list(names)
    present = {ind.id for n in names if (ind := industry_of(n)) is not None}
    others = tuple(sorted({("sector", str(n)) for n in names if industry_of(n) is None}))
    return groups(present, others=others)


def parent_chain(sector: str | None) -> list[tuple[str, str]]:
    """The group levels above a sector, nearest first: ``[("group", label), …]``; empty for
    a sector kept as written or a top-level industry."""
    ind = industry_of(sector)
    if ind is None:
        return []
    return [(GROUP, a.label) for a in industries.ancestors(ind.id)]


def at_level(sector: str, level: int, has_group: Callable[[str], bool] | None = None) -> Cohort:
    """The cohort a sector's people are shown in when the Sectors page views ``level``.

    An industry below that depth is shown in its ancestor at that depth (a group, holding its
    own industry and everything below it); an industry at that depth in its own group when
    ``has_group(label)`` (the release has one: someone is in an industry below it), else as
    itself; an industry above that depth, or a sector kept as written, stays itself.
    """
    ind = industry_of(sector)
    if ind is None or ind.level < level:
        return ("sector", sector)
    node = ind if ind.level == level else industries.ancestors(ind.id)[ind.level - level - 1]
    # An ancestor always has a group; the industry itself only with people below it.
    if has_group is None:  # default: any industry below it in the taxonomy
        has_group = lambda _label: bool(industries.children(ind.id))  # noqa: E731
    if node.id != ind.id or has_group(node.label):
        return (GROUP, node.label)
    return ("sector", node.label)


def level_of(label: str) -> int | None:
    """The depth of a group (or industry) label; None for a text that names none."""
    ind = by_label().get(label)
    if ind is not None:
        return ind.level
    for node in industries.taxonomy().all():  # synthetic groups (none in the shipped table)
        if node.label == label:
            return node.level
    return None


def as_sector(standing: Standing) -> Standing:
    """A standing (and its fallbacks) with every group cohort shown as a ``"sector"`` cohort
    with its level, as every surface names it."""
    fallback = None if standing.fallback is None else as_sector(standing.fallback)
    cohort = standing.cohort
    if str(cohort.kind) == GROUP:
        cohort = CohortId("sector", cohort.name, cohort.as_of, level_of(cohort.name or ""))
    return replace(standing, cohort=cohort, fallback=fallback)


class GroupIndex:
    """A :class:`~ssi_bench.cohorts.CohortIndex` that also answers for industry groups.

    ``member`` adds ``groups``: the group labels the person's industry lies in;
    ``values("group", label, metric)`` is the sorted values of every industry of the group's
    subtree. Everything else is the wrapped index's.
    """

    def __init__(self, base: Any) -> None:
        self._base = base
        self.as_of = base.as_of
        self.memo = base.memo

    def __len__(self) -> int:
        return len(self._base)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)

    def member(self, person_key: str) -> dict[str, Any] | None:
        got = self._base.member(person_key)
        if got is not None:
            got["groups"] = tuple(label for _, label in parent_chain(got.get("sector")))
        return got

    def values(self, kind: str, name: str | None, metric: str) -> np.ndarray:
        if kind != GROUP:
            return self._base.values(kind, name, metric)
        key = ("group-values", name, metric)
        found = self._base.memo.get(key)
        if found is not None:
            return found
        node = by_label().get(str(name))
        if node is None:
            arr = np.empty(0)
        else:
            labels = [node.label, *(d.label for d in industries.descendants(node.id))]
            arr = np.sort(np.concatenate([self._base.values("sector", n, metric) for n in labels]))
        arr.setflags(write=False)
        self._base.memo[key] = arr
        return arr
