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

import bisect
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ssi_bench.cohorts import QUANTILES
from ssi_bench.disclosure import REASONS, Histogram, moves, suppress
from ssi_bench.engines.job import UNITS
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
    """p10…p90 of one histogram: :func:`_quantiles_vectorised` on a table of one figure."""
    one = np.zeros(1, dtype=np.int64)
    got = _quantiles_vectorised(h.values, h.counts, one, one + len(h.values), one + h.n)
    return {name: float(v[0]) for name, v in got.items()}


def _nested_networks(pairs: pd.DataFrame) -> dict[dt.date, dict[str, list[str]]]:
    """Per date: sector → the networks all of whose people are in that sector."""
    if pairs.empty:
        return {}
    frame = pairs.assign(no_sector=pairs["sector"].isna())
    agg = frame.groupby(["pub_date", "network"], sort=True).agg(
        sectors=("sector", "nunique"), missing=("no_sector", "sum"), sector=("sector", "first")
    )
    nested = agg[(agg["sectors"] == 1) & (agg["missing"] == 0)].reset_index()
    out: dict[dt.date, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for day, network, sector in zip(
        nested["pub_date"], nested["network"], nested["sector"], strict=True
    ):
        out[day][str(sector)].append(str(network))
    return out


# Figure sizes first (leaves and groups, from per-figure totals: cheap), then value bins only
# for figures of at least k people: a smaller figure is withheld whatever else holds and is
# never compared (neither over time nor as a child), so its histogram is never read. At 10⁶
# snapshots most figures are small networks, so most bins go here.
_TOTALS_SQL = """
WITH leaf AS (
    SELECT pub_date, kind, coalesce(name, '') AS name, metric, sum(n) AS total FROM hist
    GROUP BY ALL
),
src AS (
    SELECT * FROM leaf
    UNION ALL
    SELECT t.pub_date, l.g_kind, l.g_name, t.metric, sum(t.total)
    FROM leaf t JOIN links l ON t.kind = l.kind AND t.name = l.name
    GROUP BY ALL
)
SELECT dense_rank() OVER (ORDER BY s.pub_date) - 1 AS d, s.pub_date, s.kind, s.name,
       lv.level, s.metric, s.total
FROM src s LEFT JOIN levels lv ON s.kind = lv.g_kind AND s.name = lv.g_name
"""
_PREPARE_SQL = """
WITH src AS (
    SELECT h.pub_date, h.kind, coalesce(h.name, '') AS name, h.metric, h.value, h.n FROM hist h
    SEMI JOIN keep b ON h.pub_date = b.pub_date AND h.kind = b.kind
        AND coalesce(h.name, '') = b.name AND h.metric = b.metric
    UNION ALL
    SELECT h.pub_date, l.g_kind, l.g_name, h.metric, h.value, sum(h.n)
    FROM hist h JOIN links l ON h.kind = l.kind AND coalesce(h.name, '') = l.name
    SEMI JOIN keep b ON h.pub_date = b.pub_date AND l.g_kind = b.kind AND l.g_name = b.name
        AND h.metric = b.metric
    GROUP BY ALL
)
SELECT b.d, s.kind, s.name, s.metric, s.value, s.n
FROM src s JOIN keep b ON s.pub_date = b.pub_date AND s.kind = b.kind AND s.name = b.name
    AND s.metric = b.metric
ORDER BY b.d, s.kind, s.name, s.metric, s.value
"""
_FIGS_SQL = """
WITH f AS (
    SELECT d, kind, name, metric, count(*) AS size FROM prepared
    GROUP BY ALL
),
cur AS (SELECT d, kind, name, metric, value, n FROM prepared),
prev AS (SELECT d + 1 AS d, kind, name, metric, value, n FROM prepared),
delta AS (
    SELECT coalesce(c.d, p.d) AS d, coalesce(c.kind, p.kind) AS kind,
           coalesce(c.name, p.name) AS name, coalesce(c.metric, p.metric) AS metric,
           coalesce(c.n, 0) - coalesce(p.n, 0) AS x
    FROM cur c FULL OUTER JOIN prev p
      ON c.d = p.d AND c.kind = p.kind AND c.name = p.name AND c.metric = p.metric
     AND c.value = p.value
),
mv AS (
    SELECT d, kind, name, metric,
           greatest(sum(CASE WHEN x > 0 THEN x ELSE 0 END),
                    sum(CASE WHEN x < 0 THEN -x ELSE 0 END)) AS moves_prev
    FROM delta GROUP BY ALL
)
SELECT f.d, f.kind, f.name, f.metric, f.size, mv.moves_prev
FROM f LEFT JOIN mv USING (d, kind, name, metric)
ORDER BY f.d, f.kind, f.name, f.metric
"""


@dataclass
class _Prepared:
    """What the suppression walk reads. ``tot``: every figure (d, pub_date, kind, name with
    '' for none, level, metric, total), in (d, kind, name, metric) order; ``big``: row numbers
    in ``tot`` of the figures kept with their histograms (total ≥ k, or all when not pruned),
    ascending, with ``start``/``size`` (where each one's bins lie in ``values``/``counts``)
    and ``moves_prev`` (moves against the same figure on the previous date, NaN: none)."""

    tot: pa.Table
    big: np.ndarray
    start: np.ndarray
    size: np.ndarray
    moves_prev: np.ndarray
    values: np.ndarray
    counts: np.ndarray
    dates: list[dt.date]


def _prepare(hist: pa.Table, groups: Sequence[Group], *, k: int, prune: bool = True) -> _Prepared:
    """Figure totals for every figure (with each group's: the sum of its leaves — histograms
    merge by addition), and the sorted histograms of the figures that can be published (at
    least ``k`` people; every figure when ``prune`` is False, the straightforward computation
    the tests compare with), with where each starts and its moves since the previous date.

    In-process DuckDB does the heavy grouping whichever engine made ``hist``: pandas
    group-bys on string keys cost seconds where DuckDB takes milliseconds.
    """
    import duckdb

    strings = pa.schema([(c, pa.string()) for c in ("g_kind", "g_name", "kind", "name")])
    links = pa.table(
        {
            "g_kind": [g.cohort[0] for g in groups for _ in g.leaves],
            "g_name": [g.cohort[1] or "" for g in groups for _ in g.leaves],
            "kind": [leaf[0] for g in groups for leaf in g.leaves],
            "name": [leaf[1] or "" for g in groups for leaf in g.leaves],
        },
        schema=strings,
    )
    level_of = {(g.cohort[0], g.cohort[1] or ""): g.level for g in groups}
    levels = pa.table(
        {
            "g_kind": [c[0] for c in level_of],
            "g_name": [c[1] for c in level_of],
            "level": pa.array(list(level_of.values()), type=pa.int32()),
        }
    )
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = false")
        con.register("hist", hist.select(["pub_date", "kind", "name", "metric", "value", "n"]))
        # distinct: a group may be handed in several times (one per partition to check)
        con.register("links_given", links)
        con.register("levels", levels)
        con.execute("CREATE TEMP TABLE links AS SELECT DISTINCT * FROM links_given")
        con.execute(f"CREATE TEMP TABLE tot AS {_TOTALS_SQL}")
        tot = con.execute("SELECT * FROM tot ORDER BY d, kind, name, metric").to_arrow_table()
        con.execute(
            "CREATE TEMP TABLE keep AS SELECT d, pub_date, kind, name, metric FROM tot "
            "WHERE $prune = false OR total >= $k",
            {"prune": prune, "k": int(k)},
        )
        con.execute(f"CREATE TEMP TABLE prepared AS {_PREPARE_SQL}")
        fig = con.execute(_FIGS_SQL).to_arrow_table()
        bins = con.execute("SELECT value, n FROM prepared ORDER BY d, kind, name, metric, value")
        kept = bins.to_arrow_table()
        dates = con.execute("SELECT pub_date FROM tot GROUP BY d, pub_date ORDER BY d").fetchall()
    finally:
        con.close()
    total = tot.column("total").to_numpy().astype(np.int64)
    big = np.flatnonzero(total >= k) if prune else np.arange(len(total))
    size = fig.column("size").to_numpy().astype(np.int64)
    if len(size) != len(big):  # pragma: no cover - both come from the same keep table
        raise AssertionError("kept figures and their histograms disagree")
    start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64) if len(size) else size
    moves_prev = fig.column("moves_prev").to_numpy(zero_copy_only=False).astype(np.float64)
    return _Prepared(
        tot, big, start, size, moves_prev,
        kept.column("value").to_numpy().astype(np.int64),
        kept.column("n").to_numpy().astype(np.int64),
        [r[0] for r in dates],
    )  # fmt: skip


def build_figures(
    hist: pa.Table,
    pairs: pa.Table,
    *,
    k: int,
    groups: Sequence[Group] = (),
    prune: bool = True,
) -> pa.Table:
    """The published figures from the job's histograms (see :data:`FIGURE_SCHEMA`).

    Every cohort present on a date gets one row per metric it has: ``reason`` None and n (and
    the quantiles from 20 people) when published, else the reason (``small``, ``date``,
    ``parent``) with n and quantiles NULL. Deterministic: the same input gives the same
    table, whichever engine made it.

    Vectorised where it can be: sizes, the histogram difference to the previous publication
    date and the quantiles are array operations over the whole table; only the suppression
    walk is per date and metric (it is sequential by nature: a figure is compared with the
    cohort's last *published* one), and an explicit histogram comparison is made only for a
    cohort whose previous-date figure was withheld. ``prune`` (default) keeps histograms only
    of figures of at least k people (the only ones any rule reads); False keeps every one —
    the same output, slower, for the tests to compare with.
    """
    prep = _prepare(hist, groups, k=k, prune=prune)
    dates = prep.dates
    if not dates:
        return FIGURE_SCHEMA.empty_table()
    tot, values, counts = prep.tot, prep.values, prep.counts

    level = {g.cohort: g.level for g in groups}
    pair_frame = pairs.select(["pub_date", "sector", "network", "n"]).to_pandas()
    pair_frame["pub_date"] = pd.to_datetime(pair_frame["pub_date"]).dt.date
    nested_by_date = _nested_networks(pair_frame)
    # Groups right under everyone, one family per kind (industry groups partition the
    # people with an industry; network groups are disjoint by construction), each cohort once.
    tops_by_kind: dict[str, list[Cohort]] = defaultdict(list)
    for g in groups:
        if g.parent == EVERYONE and g.cohort not in tops_by_kind[g.cohort[0]]:
            tops_by_kind[g.cohort[0]].append(g.cohort)
    group_families = [(g.cohort, list(dict.fromkeys(g.children))) for g in groups]

    n_fig = tot.num_rows
    total_all = tot.column("total").to_numpy().astype(np.int64)
    # Only figures of at least k people go through the per-figure walk: a smaller one is
    # withheld whatever else holds and takes part in no check (a withheld child is not
    # subtracted; a withheld parent has no family).
    reason_all = np.full(n_fig, "small", dtype=object)
    big = prep.big[total_all[prep.big] >= k]
    at = np.searchsorted(prep.big, big)  # positions of the walked figures among the kept
    start_col, size_col = prep.start[at], prep.size[at]
    mprev_col = prep.moves_prev[at]
    d_col = tot.column("d").to_numpy()[big]
    kind_col = tot.column("kind").take(big).to_pylist()
    name_col = tot.column("name").take(big).to_pylist()
    metric_col = tot.column("metric").take(big).to_pylist()
    total_col = total_all[big]
    reason_col = np.empty(len(big), dtype=object)
    last_pub: dict[tuple[Cohort, str], tuple[int, int, int]] = {}  # → (date no, start, size)
    bounds = np.flatnonzero(np.diff(d_col, prepend=-1, append=len(dates) + 1))
    for lo, hi in itertools.pairwise(bounds):
        if lo >= len(big):
            break
        day_no = int(d_col[lo])
        idx_big = range(int(lo), int(hi))
        cohorts_today = {(kind_col[i], name_col[i] or None) for i in idx_big}
        # Groups are checked in their own families below; among the base cohorts they
        # would count their people twice.
        families: list[tuple[Cohort, Sequence[Cohort]]] = [
            (EVERYONE, [c for c in cohorts_today if c[0] == "sector" and c not in level]),
            (EVERYONE, [c for c in cohorts_today if c[0] == "network" and c not in level]),
        ]
        for sector, nets in nested_by_date.get(dates[day_no], {}).items():
            families.append((("sector", sector), [("network", n) for n in nets]))
        families.extend((EVERYONE, tops) for tops in tops_by_kind.values())
        families.extend(group_families)
        by_metric: dict[str, list[int]] = defaultdict(list)
        for i in idx_big:
            by_metric[str(metric_col[i])].append(i)
        for metric, rows_i in by_metric.items():
            sizes: dict[Cohort, int] = {}
            date_moves: dict[Cohort, int | None] = {}
            order: dict[Cohort, str] = {}
            where: dict[Cohort, int] = {}
            for i in rows_i:
                c: Cohort = (str(kind_col[i]), name_col[i] or None)
                sizes[c] = int(total_col[i])
                order[c] = f"{c[0]}\x00{c[1] or ''}"
                where[c] = i
                seen = last_pub.get((c, metric))
                if seen is None:
                    date_moves[c] = None
                elif seen[0] == day_no - 1:
                    date_moves[c] = int(mprev_col[i])
                else:  # last published earlier than the previous date: compare explicitly
                    a = Histogram(values[seen[1] : seen[1] + seen[2]],
                                  counts[seen[1] : seen[1] + seen[2]])  # fmt: skip
                    s, z = int(start_col[i]), int(size_col[i])
                    date_moves[c] = moves(a, Histogram(values[s : s + z], counts[s : s + z]))
            reasons = suppress(sizes, families, k=k, date_moves=date_moves, order=order)
            for c, i in where.items():
                reason_col[i] = reasons[c]
                if reasons[c] is None:
                    last_pub[(c, metric)] = (day_no, int(start_col[i]), int(size_col[i]))

    reason_all[big] = reason_col
    published_big = np.array([r is None for r in reason_col], dtype=bool)
    published = np.zeros(n_fig, dtype=bool)
    published[big] = published_big
    # Quantiles only of the figures that publish them (from QUANTILE_MIN people).
    qi = np.flatnonzero(published_big & (total_col >= QUANTILE_MIN))
    quant = _quantiles_vectorised(values, counts, start_col[qi], size_col[qi], total_col[qi])
    with_q = np.zeros(n_fig, dtype=bool)
    with_q[big[qi]] = True
    name_arr = tot.column("name")
    out = {
        "pub_date": tot.column("pub_date"),
        "kind": tot.column("kind"),
        "name": pc.if_else(pc.equal(name_arr, ""), pa.scalar(None, pa.string()), name_arr),
        "level": tot.column("level"),
        "metric": tot.column("metric"),
        "n": pa.array(np.where(published, total_all, 0), mask=~published),
        "reason": pa.array(reason_all, type=pa.string()),
    }
    for name, _q in QUANTILES:
        col = np.zeros(n_fig, dtype=np.float64)
        col[big[qi]] = quant[name]
        out[name] = pa.array(col, mask=~with_q)
    table = pa.table(out).cast(FIGURE_SCHEMA)
    # one canonical order, whatever order the engine's rows came in
    return table.sort_by([("pub_date", "ascending"), ("kind", "ascending"),
                          ("name", "ascending"), ("metric", "ascending")])  # fmt: skip


def _quantiles_vectorised(
    values: np.ndarray,
    counts: np.ndarray,
    start: np.ndarray,
    size: np.ndarray,
    total: np.ndarray,
) -> dict[str, np.ndarray]:
    """p10…p90 of every figure at once (``quantile_cont``'s linear interpolation, score points,
    two decimals). Figure f's histogram is ``values[start[f]:start[f]+size[f]]``."""
    cum = np.cumsum(counts)
    base = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0)
    out = {}
    for name, q in QUANTILES:
        pos = (np.maximum(total, 1) - 1) * q
        lo_i = np.floor(pos).astype(np.int64)
        hi_i = np.ceil(pos).astype(np.int64)
        lo = values[np.minimum(np.searchsorted(cum, base + lo_i, side="right"), len(values) - 1)]
        hi = values[np.minimum(np.searchsorted(cum, base + hi_i, side="right"), len(values) - 1)]
        value = lo + (pos - lo_i) * (hi - lo)
        out[name] = np.round(value / UNITS, 2)
    return out


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
        self._cols = {name: figures.column(name).to_pylist() for name in figures.column_names}
        # Figures are made on first use: a release of 10⁵ snapshots holds ~350,000 of them
        # and a page reads a few hundred.
        self._row: dict[tuple[dt.date, str, str | None, str], int] = {}
        self._made: dict[int, Figure] = {}
        self._series: dict[tuple[str, str | None, str], list[int]] = defaultdict(list)
        self._cohorts: dict[tuple[dt.date, str], list[str]] = defaultdict(list)
        cols = self._cols
        for i, key in enumerate(zip(cols["pub_date"], cols["kind"], cols["name"], cols["metric"],
                                    strict=True)):  # fmt: skip
            self._row[key] = i
            day, kind, name, metric = key
            self._series[(kind, name, metric)].append(i)
            if metric == "ssi" and kind != "all":
                self._cohorts[(day, kind)].append(name)
        self._dates = sorted(set(cols["pub_date"]))

    def _figure_at(self, i: int) -> Figure:
        found = self._made.get(i)
        if found is None:
            c = self._cols
            found = Figure(
                c["pub_date"][i], c["kind"][i], c["name"][i], c["metric"][i], c["n"][i],
                c["reason"][i], c["level"][i], {q: c[q][i] for q, _ in QUANTILES},
            )  # fmt: skip
            self._made[i] = found
        return found

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
        i = self._row.get((day, kind, None if kind == "all" else name, metric))
        return None if i is None else self._figure_at(i)

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
            self._figure_at(i)
            for (d, kind, _n, _m), i in self._row.items()
            if d == day and (wanted is None or kind in wanted)
        ]

    def series(self, kind: str, name: str | None, metric: str) -> list[Figure]:
        """The cohort's figure on every publication date it appears on, ascending."""
        rows = self._series.get((kind, None if kind == "all" else name, metric), [])
        return sorted((self._figure_at(i) for i in rows), key=lambda f: f.pub_date)


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
