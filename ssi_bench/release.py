"""The release: the published figures per publication date — all a viewer can ever reach.

Statistical offices publish a release and answer questions from it alone; SSI Bench does the
same. After every change to the stored snapshots, the release job (:mod:`ssi_bench.engines`)
computes exact histograms per publication date × cohort × metric; :func:`build_figures`
turns them into the published figures through the privacy gate and secondary suppression
(:mod:`ssi_bench.disclosure`). Sectors, Networks, Outcomes, cohort bands on Trends, exports,
shares and every answer to a typed-in score read only these figures (:class:`Release`).
One person's own standing is the only thing computed from stored rows, and only in cohorts
the release publishes on that date.

A publication date is a snapshot date present in the data. Per (date, cohort, metric) a
figure holds n and, from :data:`~ssi_bench.privacy.QUANTILE_MIN` people, p10/p25/p50/p75/p90
(never min or max), or the reason it is withheld.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ssi_bench.cohorts import QUANTILES
from ssi_bench.disclosure import REASONS, Histogram, moves, suppress
from ssi_bench.engines.job import UNITS
from ssi_bench.fields import METRICS
from ssi_bench.privacy import QUANTILE_MIN

Cohort = tuple[str, str | None]
EVERYONE: Cohort = ("all", None)

FIGURE_SCHEMA = pa.schema(
    [
        ("pub_date", pa.date32()),
        ("kind", pa.string()),
        ("name", pa.string()),
        ("level", pa.int32()),
        ("metric", pa.string()),
        ("n", pa.int64()),
        ("reason", pa.string()),
        *[(q, pa.float64()) for q, _ in QUANTILES],
    ]
)

#: Typed-score answer ranges: (lower quantile or None, upper quantile or None) → Top range.
TYPED_RANGES: tuple[tuple[str | None, str | None, tuple[int, int]], ...] = (
    ("p90", None, (0, 10)),
    ("p75", "p90", (10, 25)),
    ("p50", "p75", (25, 50)),
    ("p25", "p50", (50, 75)),
    ("p10", "p25", (75, 90)),
    (None, "p10", (90, 100)),
)


@dataclass(frozen=True)
class Group:
    """A cohort made of other cohorts (an industry group, a network group).

    ``leaves``: the disjoint base cohorts whose people it holds (its histogram is their sum);
    ``children``: the disjoint cohorts directly below it, checked as one family;
    ``parent``: the cohort it lies in (a family member of that parent), or None.
    """

    cohort: Cohort
    level: int
    leaves: tuple[Cohort, ...]
    children: tuple[Cohort, ...]
    parent: Cohort | None = EVERYONE


def _quantiles(h: Histogram) -> dict[str, float]:
    """p10…p90 of a histogram by ``quantile_cont``'s linear interpolation, in score points."""
    cum = np.cumsum(h.counts)
    n = int(cum[-1])
    out = {}
    for name, q in QUANTILES:
        pos = (n - 1) * q
        lo_i, hi_i = math.floor(pos), math.ceil(pos)
        lo = int(h.values[int(np.searchsorted(cum, lo_i, side="right"))])
        hi = int(h.values[int(np.searchsorted(cum, hi_i, side="right"))])
        value = lo + (pos - lo_i) * (hi - lo)
        out[name] = round(value / UNITS, 2)
    return out


def _split(hist: pa.Table) -> dict[dt.date, dict[Cohort, dict[str, Histogram]]]:
    """The job's long histogram table as date → cohort → metric → Histogram."""
    frame = hist.select(["pub_date", "kind", "name", "metric", "value", "n"]).to_pandas()
    out: dict[dt.date, dict[Cohort, dict[str, Histogram]]] = defaultdict(lambda: defaultdict(dict))
    if frame.empty:
        return out
    frame["name"] = frame["name"].astype(object).where(frame["name"].notna(), None)
    frame = frame.sort_values(["pub_date", "kind", "name", "metric", "value"], na_position="first")
    values = frame["value"].to_numpy(dtype=np.int64)
    counts = frame["n"].to_numpy(dtype=np.int64)
    keys = list(zip(frame["pub_date"], frame["kind"], frame["name"], frame["metric"], strict=True))
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            day, kind, name, metric = keys[start]
            d = day if isinstance(day, dt.date) else pd.Timestamp(day).date()
            cohort: Cohort = (str(kind), None if kind == "all" else str(name))
            out[d][cohort][str(metric)] = Histogram(values[start:i], counts[start:i])
            start = i
    return out


def _nested_networks(pairs: pd.DataFrame) -> dict[str, list[str]]:
    """Sector → the networks all of whose people are in that sector (on one date)."""
    out: dict[str, list[str]] = defaultdict(list)
    for network, part in pairs.groupby("network"):
        sectors = part["sector"].dropna().unique()
        if len(sectors) == 1 and part["sector"].notna().all():
            out[str(sectors[0])].append(str(network))
    return out


def build_figures(
    hist: pa.Table,
    pairs: pa.Table,
    *,
    k: int,
    groups: Sequence[Group] = (),
) -> pa.Table:
    """The published figures from the job's histograms (see :data:`FIGURE_SCHEMA`).

    Every cohort present on a date gets one row per metric it has: ``reason`` None and n (and
    the quantiles from 20 people) when published, else the reason (``small``, ``date``,
    ``parent``) with n and quantiles NULL. Deterministic: the same input gives the same
    table, whichever engine made it.
    """
    by_date = _split(hist)
    pair_frame = pairs.select(["pub_date", "sector", "network", "n"]).to_pandas()
    pair_frame["pub_date"] = pd.to_datetime(pair_frame["pub_date"]).dt.date
    pairs_by_date = {d: g for d, g in pair_frame.groupby("pub_date")}
    level: dict[Cohort, int] = {g.cohort: g.level for g in groups}
    last: dict[tuple[Cohort, str], Histogram] = {}
    rows: dict[str, list[Any]] = {f.name: [] for f in FIGURE_SCHEMA}
    for day in sorted(by_date):
        cohorts = by_date[day]
        for g in groups:
            for metric in METRICS:
                parts = [cohorts[c][metric] for c in g.leaves if metric in cohorts.get(c, {})]
                if parts:
                    total = parts[0]
                    for p in parts[1:]:
                        total = total + p
                    cohorts[g.cohort][metric] = total
        families: list[tuple[Cohort, Sequence[Cohort]]] = []
        # Groups are checked in their own families below; among the base cohorts they
        # would count their people twice.
        sectors = [c for c in cohorts if c[0] == "sector" and c not in level]
        networks = [c for c in cohorts if c[0] == "network" and c not in level]
        families.append((EVERYONE, sectors))
        families.append((EVERYONE, networks))
        day_pairs = pairs_by_date.get(day)
        if day_pairs is not None:
            for sector, nets in _nested_networks(day_pairs).items():
                families.append((("sector", sector), [("network", n) for n in nets]))
        tops = [g.cohort for g in groups if g.parent == EVERYONE]
        if tops:
            families.append((EVERYONE, tops))
        families.extend((g.cohort, list(g.children)) for g in groups)
        for metric in METRICS:
            present = {c: h[metric] for c, h in cohorts.items() if metric in h}
            sizes = {c: h.n for c, h in present.items()}
            date_moves = {
                c: moves(last[(c, metric)], h) if (c, metric) in last else None
                for c, h in present.items()
            }
            order = {c: f"{c[0]}\x00{c[1] or ''}" for c in present}
            reasons = suppress(sizes, families, k=k, date_moves=date_moves, order=order)
            for c in sorted(present, key=order.__getitem__):
                h = present[c]
                reason = reasons[c]
                q: dict[str, float | None] = dict.fromkeys((n for n, _ in QUANTILES), None)
                if reason is None:
                    last[(c, metric)] = h
                    if h.n >= QUANTILE_MIN:
                        q.update(_quantiles(h))
                rows["pub_date"].append(day)
                rows["kind"].append(c[0])
                rows["name"].append(c[1])
                rows["level"].append(level.get(c))
                rows["metric"].append(metric)
                rows["n"].append(h.n if reason is None else None)
                rows["reason"].append(reason)
                for name, _ in QUANTILES:
                    rows[name].append(q[name])
    return pa.table(rows, schema=FIGURE_SCHEMA)


# ---------------------------------------------------------------------- reading a release
@dataclass(frozen=True)
class Figure:
    """One published (or withheld) figure: a cohort's metric on a publication date."""

    pub_date: dt.date
    kind: str
    name: str | None
    metric: str
    n: int | None
    reason: str | None
    level: int | None = None
    quantiles: dict[str, float | None] = field(default_factory=dict)

    @property
    def published(self) -> bool:
        return self.reason is None

    @property
    def has_quantiles(self) -> bool:
        return self.published and self.quantiles.get("p50") is not None

    @property
    def why(self) -> str | None:
        return None if self.reason is None else REASONS.get(self.reason, self.reason)


@dataclass(frozen=True)
class Snap:
    """An as-of date snapped to a publication date, and what to tell the viewer."""

    asked: dt.date | None
    date: dt.date
    note: str | None


class Release:
    """The published figures in memory, looked up by date, cohort and metric (read-only)."""

    def __init__(self, figures: pa.Table, *, data_version: int, source: str = "local") -> None:
        self.data_version = data_version
        self.source = source
        self._by: dict[tuple[dt.date, str, str | None, str], Figure] = {}
        self._dates: list[dt.date] = []
        self._cohorts: dict[tuple[dt.date, str], list[str]] = defaultdict(list)
        cols = {name: figures.column(name).to_pylist() for name in figures.column_names}
        dates = set()
        for i in range(figures.num_rows):
            day = cols["pub_date"][i]
            kind = cols["kind"][i]
            name = cols["name"][i]
            metric = cols["metric"][i]
            fig = Figure(
                day,
                kind,
                name,
                metric,
                cols["n"][i],
                cols["reason"][i],
                cols["level"][i],
                {q: cols[q][i] for q, _ in QUANTILES},
            )
            self._by[(day, kind, name, metric)] = fig
            dates.add(day)
            if metric == "ssi" and kind != "all":
                self._cohorts[(day, kind)].append(name)
        self._dates = sorted(dates)

    @property
    def dates(self) -> list[dt.date]:
        """Publication dates, ascending."""
        return list(self._dates)

    @property
    def latest(self) -> dt.date | None:
        return self._dates[-1] if self._dates else None

    def snap(self, as_of: dt.date | None) -> Snap | None:
        """The latest publication date on or before ``as_of`` (default: the latest), with a
        note when it differs from the date asked for. None: nothing published on or before."""
        if not self._dates:
            return None
        if as_of is None:
            return Snap(None, self._dates[-1], None)
        import bisect

        i = bisect.bisect_right(self._dates, as_of) - 1
        if i < 0:
            return None
        day = self._dates[i]
        note = None
        if day != as_of:
            note = (
                f"{as_of.isoformat()} is not a publication date: figures are as of "
                f"{day.isoformat()}, the latest publication date before it."
            )
        return Snap(as_of, day, note)

    def figure(self, day: dt.date, kind: str, name: str | None, metric: str) -> Figure | None:
        return self._by.get((day, kind, None if kind == "all" else name, metric))

    def last_published(
        self, day: dt.date, kind: str, name: str | None, metric: str
    ) -> Figure | None:
        """The cohort's figure on ``day`` if published, else its latest published figure on an
        earlier date (withheld by the over-time rule: a later one is not yet published)."""
        for d in reversed(self._dates):
            if d > day:
                continue
            fig = self.figure(d, kind, name, metric)
            if fig is not None and fig.published:
                return fig
            if fig is not None and fig.reason != "date":
                return None
        return None

    def names(self, day: dt.date, kind: str) -> list[str]:
        """Every cohort of ``kind`` present on ``day`` (published or not), sorted."""
        return sorted(self._cohorts.get((day, kind), []))

    def figures(self, day: dt.date, kinds: Iterable[str] | None = None) -> list[Figure]:
        wanted = None if kinds is None else set(kinds)
        return [
            f
            for (d, kind, _n, _m), f in self._by.items()
            if d == day and (wanted is None or kind in wanted)
        ]

    def series(self, kind: str, name: str | None, metric: str) -> list[Figure]:
        """The cohort's figure on every publication date it appears on, ascending."""
        out = []
        for d in self._dates:
            fig = self.figure(d, kind, name, metric)
            if fig is not None:
                out.append(fig)
        return out


def typed_range(fig: Figure, score: float) -> tuple[int, int] | None:
    """The Top-X% range a typed score falls in between the figure's published quantiles.

    ``p90 ≤ s`` → (0, 10); ``p75 ≤ s < p90`` → (10, 25); … ``s < p10`` → (90, 100). None when
    the figure publishes no quantiles. The answer changes only where a published quantile lies.
    """
    if not fig.has_quantiles:
        return None
    q = fig.quantiles
    for lower, upper, rng in TYPED_RANGES:
        lo_ok = lower is None or score >= float(q[lower])  # type: ignore[arg-type]
        hi_ok = upper is None or score < float(q[upper])  # type: ignore[arg-type]
        if lo_ok and hi_ok:
            return rng
    return None  # pragma: no cover - the ranges cover the line


def empty_figures() -> pa.Table:
    return FIGURE_SCHEMA.empty_table()
