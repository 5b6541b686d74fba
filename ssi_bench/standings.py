"""Standings: a person's own (exact, from stored rows) and a typed score's (release only).

Both walk a fallback chain of cohorts, most specific first (network → sector → everyone), and
answer in the first cohort the release publishes on the date; the cohorts passed over are kept
as the chain of ``fallback`` standings, so every surface can say "not published here, shown
at <parent> instead".

- **Own standing** (signed-in person, private link, the admin's ``percentile --person``):
  the exact mid-rank definitions over the stored cohort, but only in a cohort whose figure the
  release publishes on that date. Where the over-time rule withholds the figure on the date
  (fewer than k people changed since it was last published), the standing is the one on that
  last published date, and says so: answering on the date itself would measure those changes.
- **Typed score** (Check my score, Type my scores, ``percentile --score``): never joins a
  cohort. It gets the Top-X% range between the two published quantiles around it
  (:func:`ssi_bench.release.typed_range`), so its answer changes only where a published
  figure lies; a cohort without published quartiles answers nothing and falls back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace

from ssi_bench import privacy, wording
from ssi_bench.cohorts import CohortIndex, rank_counts
from ssi_bench.model import CohortId, CohortKind, Standing
from ssi_bench.release import Figure, Release, typed_range

Chain = Sequence[tuple[CohortKind, str | None]]


def _figure(rel: Release, day: dt.date, kind: str, name: str | None, metric: str) -> Figure | None:
    """The figure to answer from on ``day``: the day's own when published, else (over-time
    rule only) the last published one before it; None when withheld or absent."""
    fig = rel.figure(day, kind, name, metric)
    if fig is None:
        return None
    if fig.published:
        return fig
    if fig.reason == "date":
        return rel.last_published(day, kind, name, metric)
    return None


def _note(asked: dt.date, fig: Figure) -> str | None:
    if fig.pub_date == asked:
        return None
    return (
        f"Figure from {fig.pub_date.isoformat()}: since then fewer than k people changed in "
        "this cohort, so later dates are not published yet."
    )


def _withheld(metric: str, score: float, kind: CohortKind, name: str | None, day: dt.date,
              k: int, text: str) -> Standing:  # fmt: skip
    cohort = CohortId(kind, None if kind == "all" else name, day)
    return Standing(metric, score, cohort, None, True, None, None, text, None, "suppressed")


def own(
    rel: Release,
    index_at: Callable[[dt.date], CohortIndex],
    day: dt.date,
    chain: Chain,
    metric: str,
    person_key: str,
    score: float,
    k: int,
) -> Standing:
    """A stored person's exact standing in the first published cohort of ``chain``.

    ``index_at(date)`` gives the stored cohorts as of a publication date; ``score`` is the
    person's value on ``day`` (shown when every cohort is withheld).
    """
    kind, name = chain[0]
    fig = _figure(rel, day, kind, name, metric)
    result: Standing | None = None
    if fig is not None:
        idx = index_at(fig.pub_date)
        member = idx.member(person_key)
        value = None if member is None else member.get(metric)
        # An industry group ("group", label) holds the person when their industry lies in it.
        in_group = kind == "group" and member is not None and name in member.get("groups", ())
        inside = member is not None and (kind == "all" or member.get(kind) == name or in_group)
        if value is not None and inside:
            rc = rank_counts(idx.values(kind, name, metric), float(value), subject_in_cohort=True)
            cohort = CohortId(kind, None if kind == "all" else name, fig.pub_date)
            result = privacy.gate_standing(
                rc, metric=metric, score=float(value), cohort=cohort, k=k
            )
            if not result.suppressed:
                return replace(result, note=_note(day, fig))
    withheld = _withheld(metric, score, kind, name, day, k, wording.withheld(k))
    if len(chain) > 1:
        nxt = own(rel, index_at, day, chain[1:], metric, person_key, score, k)
        return replace(withheld, fallback=nxt)
    return withheld


def typed(rel: Release, day: dt.date, chain: Chain, metric: str, score: float, k: int) -> Standing:
    """A typed score's published Top-X% range in the first cohort of ``chain`` with
    published quartiles; withheld cohorts carry the next one in ``fallback``."""
    kind, name = chain[0]
    fig = _figure(rel, day, kind, name, metric)
    if fig is not None:
        rng = typed_range(fig, score)
        if rng is not None:
            cohort = CohortId(kind, None if kind == "all" else name, fig.pub_date)
            return Standing(
                metric, score, cohort, fig.n, False, None, None,
                wording.published_range(*rng), None, "range", "published", rng, _note(day, fig),
            )  # fmt: skip
        text = wording.no_quantiles(k)
    else:
        text = wording.withheld(k)
    withheld = replace(_withheld(metric, score, kind, name, day, k, text), basis="published")
    if len(chain) > 1:
        return replace(withheld, fallback=typed(rel, day, chain[1:], metric, score, k))
    return withheld
