"""Secondary suppression: which published figures could be subtracted to isolate people.

The primary gate (:mod:`ssi_bench.privacy`) withholds every cohort below k people. That is not
enough against a viewer who combines answers: "everyone" minus the published sectors is the
people of the suppressed sectors; a cohort on one date minus the same cohort on the previous
published date is the people who joined, left or changed. This module decides, before a
release is published, which further figures to withhold so that no such difference holds 1 to
k − 1 people. It works on counts and exact histograms only (what a figure is computed from),
so it runs the same on the output of any engine.

The rule, for one metric on one publication date (deterministic; documented in the README):

1. **Primary**: a figure of a cohort with fewer than k people is withheld (``small``).
2. **Over time** (``date``): a figure is compared with the same cohort's figure on the
   latest earlier date on which it was published. The histogram difference needs at least
   ``moves = max(added, removed)`` people to join, leave or change value (a person who
   changes value removes one count and adds one). When 1 ≤ moves ≤ k − 1 the figure is
   withheld on this date; it is published again on the first date on which at least k
   people moved since the last published figure (or nothing changed: moves = 0).
3. **Across cohorts** (``parent``): for every family — a parent cohort and disjoint child
   cohorts inside it (everyone → sectors; everyone → networks; a sector → the networks lying
   wholly inside it; …) — with the parent published, the people of the parent not in a
   published child (``residual = n(parent) − Σ n(published children)``) must be 0 or at least
   k. While 1 ≤ residual ≤ k − 1, the smallest published child (ties: by name) is withheld
   too, which closes the gap or grows the residual until it is ≥ k.

Step 2 runs first (it depends only on the cohort's own history); step 3 then runs to a fixed
point. Withholding only ever grows, so it terminates.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

#: Why a figure is withheld (``None``: published).
REASONS = {
    "small": "fewer than k people",
    "date": "fewer than k people changed since the last published date",
    "parent": "would reveal a small group by subtraction from a larger cohort",
}


@dataclass(frozen=True)
class Histogram:
    """An exact distribution: ascending distinct integer ``values`` with positive ``counts``."""

    values: np.ndarray
    counts: np.ndarray

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    @classmethod
    def empty(cls) -> Histogram:
        return cls(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))

    def __add__(self, other: Histogram) -> Histogram:
        return _combine(self, other, 1)


def _combine(a: Histogram, b: Histogram, sign: int) -> Histogram:
    values = np.concatenate([a.values, b.values])
    counts = np.concatenate([a.counts, sign * b.counts])
    if len(values) == 0:
        return Histogram.empty()
    uniq, inverse = np.unique(values, return_inverse=True)
    summed = np.bincount(inverse, weights=counts, minlength=len(uniq)).astype(np.int64)
    keep = summed != 0
    return Histogram(uniq[keep], summed[keep])


def moves(a: Histogram, b: Histogram) -> int:
    """The fewest people who must join, leave or change value to turn ``a`` into ``b``."""
    diff = _combine(b, a, -1).counts
    return int(max(diff[diff > 0].sum(initial=0), -diff[diff < 0].sum(initial=0)))


C = TypeVar("C", bound=Hashable)
Family = tuple[C, Sequence[C]]


def suppress(
    sizes: Mapping[C, int],
    families: Iterable[tuple[C, Sequence[C]]],
    *,
    k: int,
    date_moves: Mapping[C, int | None] | None = None,
    order: Mapping[C, str] | None = None,
) -> dict[C, str | None]:
    """Decide every cohort's figure of one metric on one date: reason withheld, or None.

    ``sizes``: people per cohort (every cohort that exists on the date). ``families``: parent
    and its disjoint children (all must be in ``sizes``; unknown ones are ignored).
    ``date_moves``: per cohort, the moves since its last published figure (None or absent:
    never published before — nothing to compare with). ``order``: a sort key per cohort for
    deterministic tie-breaking (default ``str(cohort)``).
    """
    if k < 1:
        raise ValueError("k must be positive")

    def key(c: C) -> str:
        return order[c] if order is not None else str(c)

    reason: dict[C, str | None] = {}
    for c, n in sizes.items():
        if n < k:
            reason[c] = "small"
        else:
            m = None if date_moves is None else date_moves.get(c)
            reason[c] = "date" if m is not None and 1 <= m <= k - 1 else None
    fams = [(p, [c for c in kids if c in sizes]) for p, kids in families if p in sizes]
    changed = True
    while changed:
        changed = False
        for parent, kids in fams:
            if reason[parent] is not None:
                continue
            shown = sorted((c for c in kids if reason[c] is None), key=lambda c: (sizes[c], key(c)))
            residual = sizes[parent] - sum(sizes[c] for c in shown)
            while 1 <= residual <= k - 1 and shown:
                smallest = shown.pop(0)
                reason[smallest] = "parent"
                residual += sizes[smallest]
                changed = True
    return reason
