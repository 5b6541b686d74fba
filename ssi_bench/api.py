"""The Python API shared by the command line and the pages.

``Bench`` ties the pieces together: read → validate → pseudonymise → store for uploads;
cohorts → privacy gate for every number shown. Example::

    from ssi_bench.api import Bench
    from ssi_bench.model import IngestOptions

    bench = Bench.open("data/ssi_bench.duckdb")
    result = bench.ingest(Path("team.csv").read_bytes(), "team.csv", IngestOptions())
    standing = bench.percentile(person="jane@example.com", cohort="sector")
    print(standing.display)

``Bench`` is the façade; its ingest and admin methods live in :mod:`ssi_bench.bench.ingest`
and :mod:`ssi_bench.bench.admin` (mixed in), the release and standings here.

Every method returns typed results (``ssi_bench.model``) whose ``to_dict()`` is the CLI's
JSON; known problems raise :class:`ssi_bench.errors.SSIBenchError` subclasses.

Thread safety: one ``Bench`` (one DuckDB connection) per process, shared by Streamlit's
script threads. Each read uses a fresh cursor (``Store``); writes are serialised by the
store's lock; the in-memory cohort indexes are keyed by the data version, so a result can
never be computed from data older than the version it was asked at.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import pandas as pd
import pyarrow.compute as pc

from ssi_bench import (
    audit,
    export,
    industry_cohorts,
    network_groups,
    release,
    release_store,
    sectors,
    standings,
    trends,
)
from ssi_bench import outcomes as outcome_stats
from ssi_bench.bench.admin import AdminMixin
from ssi_bench.bench.ingest import IngestMixin
from ssi_bench.cohorts import CohortIndex, quantiles
from ssi_bench.config import Settings
from ssi_bench.engines import curves as engine_curves
from ssi_bench.errors import NotFoundError, SSIBenchError
from ssi_bench.fields import LINKEDIN_AVERAGES, METRICS, OUTCOMES, PILLARS, RANKS
from ssi_bench.model import (
    BenchmarkRow,
    CohortKind,
    CohortSummary,
    MyBenchmark,
    OutcomeResult,
    Standing,
    Status,
)
from ssi_bench.pseudonym import load_secret, person_key
from ssi_bench.release import Release, Snap
from ssi_bench.store import Store, private_umask

_T = TypeVar("_T")
#: How often an answer is recomputed when writes keep landing while it is computed.
CONSISTENT_TRIES = 50
COHORT_KINDS: tuple[CohortKind, ...] = ("sector", "network", "all")
#: How many in-memory cohort indexes (one per as-of date) a process keeps.
INDEX_CACHE_SIZE = 128
#: ... and how many people they may hold together (an index costs roughly 1 KB per person
#: in RAM): at 10 million snapshot rows (~200,000 people) that is about 6 as-of dates.
INDEX_CACHE_PEOPLE = 1_200_000
_PERSON_EXISTS_SQL = "SELECT count(*) FROM scores WHERE person_key = $key"
log = logging.getLogger(__name__)


def _as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SSIBenchError(f"as-of date {value!r} is not a date like 2026-11-22") from None


def _float_or_none(value: Any) -> float | None:
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


class Bench(IngestMixin, AdminMixin):
    """One SSI Bench database: uploads, standings, benchmarks, shares."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._secret = load_secret(settings)
        self._index_lock = threading.Lock()
        self._indexes: OrderedDict[tuple[int, dt.date, int], CohortIndex] = OrderedDict()
        #: (data version, latest snapshot date): the latest date without a table scan.
        self._latest: tuple[int, dt.date | None] | None = None
        self._release_lock = threading.Lock()
        self._release: Release | None = None
        self._outcome_cache: tuple[Release, list[OutcomeResult]] | None = None
        #: The release's LinkedIn-wide curves: (release, industry label → (curve, mean avg)).
        self._curve_cache: tuple[Release, list[Any]] | None = None

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | Path | None = None, settings: Settings | None = None) -> Bench:
        """Open (creating if needed) the database at ``path`` or ``settings.db_path``.

        Raises DatabaseBusyError when another process holds the file.
        """
        settings = settings or Settings.from_env()
        if path is not None:
            settings = settings.with_(db_path=Path(path))
        db = Path(settings.db_path)
        if str(db) != ":memory:":
            private_umask()  # before mkdir: a folder made here is 0700 (see private_umask)
            db.parent.mkdir(parents=True, exist_ok=True)
        return cls(Store(db), settings)

    @classmethod
    def memory(cls, settings: Settings | None = None) -> Bench:
        """A throw-away in-memory database (tests, "check my score" experiments)."""
        settings = (settings or Settings()).with_(db_path=Path(":memory:"))
        return cls(Store(":memory:"), settings)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Bench:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ status
    def data_version(self) -> int:
        """A number that changes with every upload, undo, erase or demo removal."""
        return self.store.data_version()

    def status(self) -> Status:
        s = self.store.status()
        return Status(
            people=int(s["people"]),
            sectors=int(s["sectors"]),
            networks=int(s["networks"]),
            rows=int(s["rows"]),
            uploads=int(s["uploads"]),
            first_date=s["first_date"],
            last_date=s["last_date"],
            demo_rows=int(s["demo_rows"]),
        )

    def latest_date(self) -> dt.date | None:
        return self.store.latest_date()

    # ------------------------------------------------------------------ people
    def person_key(self, identifier: str) -> str:
        """The pseudonym of ``identifier``; NotFoundError when that person has no data."""
        key = person_key(self._secret, identifier)
        with self.store.cursor() as cur:
            row = cur.execute(_PERSON_EXISTS_SQL, {"key": key}).fetchone()
        if not row or not row[0]:
            raise NotFoundError("No scores were uploaded under that identifier.")
        return key

    # ------------------------------------------------------------------ release
    def release(self) -> Release:
        """The published figures for the current data (built once per data version).

        A local release is rebuilt after every upload, undo or erase, on the first read that
        needs it; an imported release (built elsewhere, e.g. on Spark) is served as it is.
        Thread-safe: one build at a time, readers of the old version keep their object.
        """
        version = self.store.data_version()
        cached = self._release
        if cached is not None and (cached.source != "local" or cached.data_version == version):
            return cached
        with self._release_lock:
            cached = self._release
            if cached is not None and (cached.source != "local" or cached.data_version == version):
                return cached
            built = self._load_or_build_release(version)
            self._release = built
            return built

    def publish(self) -> None:
        """Rebuild the release now if the stored data changed since it was built.

        Called by every write (ingest, undo, erase, demo removal) right after it commits, so
        the next viewer reads a stored release instead of paying the rebuild (which grows
        with the data: seconds at 10⁶ rows). A failure here leaves the data written and is
        logged; the release is then rebuilt on the next read that needs it, as before.
        """
        try:
            self.release()
        except SSIBenchError:
            log.exception("publishing the release after a write failed; retried on next read")

    def _release_settings(self) -> str:
        return f"k={self.settings.min_cohort};lookback={self.settings.lookback_days}"

    def _load_or_build_release(self, version: int) -> Release:
        meta = release_store.meta(self.store)
        source = meta.get("source", "local")
        fresh = meta.get("data_version") == str(version)
        if source != "local" or (fresh and meta.get("settings") == self._release_settings()):
            self._outcome_cache = None
            return Release(release_store.load_figures(self.store), data_version=version,
                           source=source)  # fmt: skip
        return self.rebuild_release()

    def rebuild_release(self) -> Release:
        """Compute and store the release from the stored snapshots now; returns it."""
        hist, pairs, version = release_store.histograms(self.store, self.settings.lookback_days)
        present = {str(n) for n in pairs.column("network").to_pylist() if n is not None}
        net_groups = network_groups.release_groups(network_groups.groups(self.store), present)
        sector_names = hist.filter(pc.equal(hist["kind"], "sector"))["name"].unique().to_pylist()
        ind_groups = industry_cohorts.groups_for_sectors(n for n in sector_names if n is not None)
        groups = [*ind_groups, *net_groups]
        figures = release.build_figures(hist, pairs, k=self.settings.min_cohort, groups=groups)
        rel = Release(figures, data_version=version)
        outcome_rows = self._release_outcomes(rel)
        curves = engine_curves.local_curves(
            self.store, rel.dates, self.settings.lookback_days, self.settings.min_cohort
        )
        release_store.save(
            self.store,
            figures,
            data_version=version,
            source="local",
            settings_key=self._release_settings(),
            outcomes=outcome_rows,
            curves=curves,
        )
        self._outcome_cache = None
        return rel

    def _release_outcomes(
        self, rel: Release
    ) -> list[tuple[dt.date, str, str | None, str, str, str]]:
        """Outcome statistics for the latest publication date, for published cohorts only."""
        day = rel.latest
        if day is None:
            return []
        frame = self.store.outcomes_members(day, self.settings.lookback_days)
        if frame.empty or not frame[list(OUTCOMES)].notna().any().any():
            return []
        rows: list[tuple[dt.date, str, str | None, str, str, str]] = []
        for metric in METRICS:

            def published(kind: str, name: str | None, metric: str = metric) -> bool:
                fig = rel.figure(day, kind, name, metric)
                return fig is not None and fig.published

            for r in outcome_stats.compute_release(
                frame, metric=metric, k=self.settings.min_cohort, bands=self.settings.bands,
                published=published, kinds=COHORT_KINDS,
            ):  # fmt: skip
                rows.append((day, r.kind, r.name, metric, r.outcome, outcome_stats.to_json(r)))
        return rows

    def publication_dates(self) -> list[dt.date]:
        """The dates viewers may choose as "as of" (every snapshot date of the release)."""
        return self.release().dates

    def snap(self, as_of: dt.date | str | None, rel: Release | None = None) -> Snap:
        """``as_of`` snapped to the latest publication date on or before it (with a note
        when it moved). Raises NotFoundError when nothing is published on or before it."""
        rel = rel or self.release()
        day = _as_date(as_of)
        got = rel.snap(day)
        if got is None:
            if rel.latest is None:
                raise NotFoundError("There is no data yet: upload a file or load the demo data.")
            raise NotFoundError(
                f"Nothing is published on or before {day}: the first publication date is "
                f"{rel.dates[0].isoformat()}."
            )
        return got

    # ------------------------------------------------------------------ cohorts
    def index(self, as_of: dt.date | str | None = None) -> CohortIndex:
        """The stored cohorts as of ``as_of`` (default: latest snapshot date), cached per data
        version. Only a person's own standing reads it; everything else reads the release.

        Built from each person's latest snapshot within the look-back window; kept in an LRU
        keyed by (data version, as-of, window), so an upload, undo or erase makes every
        later call rebuild from fresh data.
        """
        # One data-version query on the warm path: the latest date is cached per version.
        version = self.store.data_version()
        day = _as_date(as_of)
        if day is None:
            latest = self._latest
            if latest is None or latest[0] != version:
                latest = (version, self.store.latest_date())
                if self.store.data_version() == version:  # no write slipped in between
                    self._latest = latest
            day = latest[1]
            if day is None:
                raise NotFoundError("There is no data yet: upload a file or load the demo data.")
        key = (version, day, self.settings.lookback_days)
        with self._index_lock:
            found = self._indexes.get(key)
            if found is not None:
                self._indexes.move_to_end(key)
                return found
        built = CohortIndex(self.store.members(day, self.settings.lookback_days), day)
        if self.store.data_version() != version:
            # A write landed between the version read and the members query: the index is
            # a consistent snapshot (one statement) but of a newer version, so don't file it
            # under the old one.
            return built
        with self._index_lock:
            self._indexes[key] = built
            # Entries of older data versions can never be asked for again.
            for old in [k for k in self._indexes if k[0] != key[0]]:
                del self._indexes[old]
            while len(self._indexes) > 1 and (
                len(self._indexes) > INDEX_CACHE_SIZE
                or sum(len(i) for i in self._indexes.values()) > INDEX_CACHE_PEOPLE
            ):
                self._indexes.popitem(last=False)
        return built

    def percentile(
        self,
        *,
        person: str | None = None,
        person_key: str | None = None,
        score: float | None = None,
        pillars: Sequence[float] | None = None,
        metric: str = "ssi",
        cohort: CohortKind = "sector",
        sector: str | None = None,
        network: str | None = None,
        as_of: dt.date | str | None = None,
    ) -> Standing:
        """A standing in a cohort, through the privacy gate and the release.

        The subject is a stored person (``person`` identifier or ``person_key``: their own
        standing, exact, in cohorts the release publishes — see :mod:`ssi_bench.standings`)
        or a typed-in score (``score`` for the metric, or the four ``pillars``: answered from
        the release's published quantiles only, never joining a cohort). ``cohort`` is the
        person's (or the named) sector or network, or everyone; a withheld cohort carries its
        parent's standing in ``fallback`` (network → sector → everyone). ``as_of`` snaps to
        the latest publication date on or before it (``note`` says so). Raises
        NotFoundError (no data, person without a snapshot in the window) and SSIBenchError
        (missing names, scores out of range).
        """
        if metric not in METRICS:
            raise SSIBenchError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
        if person is not None and person_key is None:
            person_key = self.person_key(person)
        return self._consistent(
            lambda rel: self._percentile_in(
                rel, person_key, score, pillars, metric, cohort, sector, network, as_of
            )
        )

    def _consistent(self, compute: Callable[[Release], _T]) -> _T:
        """``compute(release)`` whose stored-row reads (own standings) saw the very data
        version the release was built from: retried when a write landed in between, so an
        answer never mixes two versions."""
        got: _T
        for _ in range(CONSISTENT_TRIES):
            rel = self.release()
            got = compute(rel)
            if rel.source != "local" or self.store.data_version() == rel.data_version:
                return got
        return got

    def _percentile_in(
        self,
        rel: Release,
        person_key: str | None,
        score: float | None,
        pillars: Sequence[float] | None,
        metric: str,
        cohort: CohortKind,
        sector: str | None,
        network: str | None,
        as_of: dt.date | str | None,
    ) -> Standing:
        snapped = self.snap(as_of, rel)
        day, k = snapped.date, self.settings.min_cohort
        if person_key is not None:
            key = person_key
            member = self.index(day).member(key)
            if member is None:
                raise NotFoundError(
                    f"This person has no snapshot in the {self.settings.lookback_days} days up "
                    f"to {day.isoformat()}."
                )
            value = _float_or_none(member.get(metric))
            if value is None:
                raise NotFoundError(f"This person's upload has no {metric} score.")
            chain = self._cohort_chain(cohort, sector or member.get("sector"),
                                       network or member.get("network"))  # fmt: skip
            got = standings.own(rel, self._group_index, day, chain, metric, key, value, k)
            industry = sector or member.get("sector")
        else:
            value = _typed_score(metric, score, pillars)
            chain = self._cohort_chain(cohort, sector, network)
            got = standings.typed(rel, day, chain, metric, value, k)
            industry = sector
        wide = self._linkedin_industry(rel, industry, value, day) if metric == "ssi" else None
        got = replace(industry_cohorts.as_sector(got), linkedin_industry=wide)
        return _with_snap_note(got, snapped)

    def _group_index(self, as_of: dt.date) -> CohortIndex:
        """:meth:`index` that also answers for industry groups (own standings' fallbacks);
        a GroupIndex reads as the CohortIndex it wraps (the methods standings use)."""
        return cast(CohortIndex, industry_cohorts.GroupIndex(self.index(as_of)))

    def linkedin_curves(
        self, rel: Release | None = None, day: dt.date | None = None
    ) -> dict[str, tuple[Any, float | None, dt.date | None]]:
        """The release's LinkedIn-wide industry curves in force on publication date ``day``
        (None: the latest): industry label → (fitted curve or None, mean of LinkedIn's
        reported industry average SSI or None, the date a stale curve was fitted on or None).
        The stored rows are read once per release."""
        rel = rel or self.release()
        cache = self._curve_cache
        if cache is None or cache[0] is not rel:
            cache = (rel, release_store.load_curves(self.store))
            self._curve_cache = cache
        return {
            label: (
                None if curve is None else sectors.curve_from_json(curve),
                avg,
                None if curve is None else engine_curves.curve_date(curve),
            )
            for label, (_d, _i, _l, _n, curve, avg, _p) in engine_curves.as_of(
                cache[1], day
            ).items()
        }

    def _linkedin_industry(
        self, rel: Release, sector: str | None, ssi: float | None, day: dt.date | None = None
    ) -> dict[str, Any] | None:
        """The LinkedIn-wide standing of an SSI total in a sector's industry on publication
        date ``day`` (that date's curve; see :func:`ssi_bench.sectors.linkedin_standing`), or
        None: no industry, no score, or no curve in force (fewer than k people's captured
        ranks)."""
        ind = industry_cohorts.industry_of(sector)
        if ind is None and sector:
            ind = sectors.match_industry(sector, self.store)
        if ind is None or ssi is None:
            return None
        curve, avg, fitted_on = self.linkedin_curves(rel, day).get(ind.label, (None, None, None))
        if curve is None:
            return None
        return sectors.linkedin_standing(ind.label, curve, float(ssi), avg, fitted_on)

    @staticmethod
    def _cohort_chain(
        cohort: CohortKind, sector: str | None, network: str | None
    ) -> list[tuple[CohortKind, str | None]]:
        chain: list[tuple[CohortKind, str | None]] = []
        if cohort == "network":
            if not network:
                raise SSIBenchError("no network: name one (--network) or use another cohort")
            chain.append(("network", network))
        if cohort in ("network", "sector"):
            if sector:
                chain.append(("sector", sector))
                # The industry's parent levels, nearest first (none for a text kept as is).
                chain.extend(industry_cohorts.parent_chain(sector))  # type: ignore[arg-type]
            elif cohort == "sector":
                raise SSIBenchError("no sector: name one (--sector) or use --cohort all")
        elif cohort != "all":
            raise SSIBenchError(f"unknown cohort {cohort!r}; choose sector, network or all")
        chain.append(("all", None))
        return chain

    def my_benchmark(
        self,
        *,
        person_key: str | None = None,
        pillars: Sequence[float] | None = None,
        score: float | None = None,
        sector: str | None = None,
        network: str | None = None,
        as_of: dt.date | str | None = None,
    ) -> MyBenchmark:
        """Standing on every metric in sector, network and everyone, plus published quantiles.

        A person's own standings are exact (in published cohorts); typed scores get published
        ranges only. Partial pillars are refused: give all four, or the total alone.
        """
        return self._consistent(
            lambda rel: self._my_benchmark_in(
                rel, person_key, pillars, score, sector, network, as_of
            )
        )

    def _my_benchmark_in(
        self,
        rel: Release,
        person_key: str | None,
        pillars: Sequence[float] | None,
        score: float | None,
        sector: str | None,
        network: str | None,
        as_of: dt.date | str | None,
    ) -> MyBenchmark:
        snapped = self.snap(as_of, rel)
        day, k = snapped.date, self.settings.min_cohort
        member = None
        if person_key is not None:
            member = self.index(day).member(person_key)
            if member is None:
                raise NotFoundError(
                    f"You have no snapshot in the {self.settings.lookback_days} days up to "
                    f"{day.isoformat()}: pick an earlier as-of date."
                )
            scores = {m: _float_or_none(member.get(m)) for m in METRICS}
            sector = member.get("sector")
            network = member.get("network")
        elif pillars is not None:
            values = [float(p) for p in pillars]
            if len(values) != 4:
                raise SSIBenchError("give all four pillar scores, or the total alone")
            scores = {**dict(zip(PILLARS, values, strict=True))}
            scores["ssi"] = round(sum(values), 4)
        elif score is not None:
            scores = {m: None for m in METRICS}
            scores["ssi"] = float(score)
        else:
            raise SSIBenchError("give a person, the four pillar scores or a total score")
        _check_typed(scores)
        by_metric: dict[str, dict[str, Standing]] = {}
        for metric in METRICS:
            value = scores.get(metric)
            if value is None:
                continue
            by: dict[str, Standing] = {}
            for kind in COHORT_KINDS:
                if (kind == "sector" and not sector) or (kind == "network" and not network):
                    continue
                chain = self._cohort_chain(kind, sector, network)
                if member is not None:
                    assert person_key is not None
                    s = standings.own(rel, self._group_index, day, chain, metric, person_key,
                                      value, k)  # fmt: skip
                else:
                    s = standings.typed(rel, day, chain, metric, value, k)
                by[kind] = _with_snap_note(industry_cohorts.as_sector(s), snapped)
            by_metric[metric] = by
        quants: dict[str, dict[str, BenchmarkRow]] = {}
        for kind, name in (("sector", sector), ("network", network), ("all", None)):
            if kind != "all" and not name:
                continue
            quants[kind] = {m: self._benchmark_row(rel, day, kind, name, m) for m in METRICS}
        linkedin: dict[str, float | None] = {}
        if member is not None:
            for col in (*RANKS, *LINKEDIN_AVERAGES):
                v = _float_or_none(member.get(col))
                if v is not None:
                    linkedin[col] = v
        return MyBenchmark(
            as_of=day,
            scores=scores,
            band=_band(self.settings, scores.get("ssi")),
            sector=sector,
            network=network,
            standings=by_metric,
            quantiles=quants,
            linkedin=linkedin,
            weakest_pillar=_weakest_pillar(scores, quants),
            personal=member is not None,
            linkedin_industry=self._linkedin_industry(rel, sector, scores.get("ssi"), day),
        )

    @staticmethod
    def _benchmark_row(
        rel: Release, day: dt.date, kind: CohortKind, name: str | None, metric: str
    ) -> BenchmarkRow:
        """The release's figure as a BenchmarkRow: on ``day``, or — withheld by the over-time
        rule — the last published one (its own date in ``as_of``)."""
        fig = rel.figure(day, kind, name, metric)
        cohort_name = None if kind == "all" else name
        if fig is not None and not fig.published and fig.reason == "date":
            fig = rel.last_published(day, kind, name, metric) or fig
        if fig is None:
            return BenchmarkRow(kind, cohort_name, day, metric, None, True, reason="small")
        if not fig.published:
            return BenchmarkRow(kind, cohort_name, fig.pub_date, metric, None, True,
                                reason=fig.reason)  # fmt: skip
        return BenchmarkRow(kind, cohort_name, fig.pub_date, metric, fig.n, False,
                            **fig.quantiles)  # type: ignore[arg-type]  # fmt: skip

    def benchmarks(
        self,
        cohort: CohortKind | None = None,
        as_of: dt.date | str | None = None,
        level: int | None = None,
    ) -> list[BenchmarkRow]:
        """The release's figures of every cohort (or every cohort of one kind) and metric on
        the publication date ``as_of`` snaps to.

        ``level`` (with ``cohort="sector"``): view the sectors at that depth of LinkedIn's
        industry hierarchy (1 = top-level groups): an industry deeper than it rolls up into
        its industry group at that depth (a row with ``level`` set), industries at or above
        it and sectors kept as written stay themselves. None: every sector as stored.
        Raises SSIBenchError for a level below 1 or without ``cohort="sector"``.
        """
        rel = self.release()
        day = self.snap(as_of, rel).date
        if level is not None:
            if cohort != "sector" or int(level) < 1:
                raise SSIBenchError("a level (1 = top) applies to sectors: use --cohort sector")
            return self._sector_level_rows(rel, day, int(level))
        kinds = COHORT_KINDS if cohort is None else (cohort,)
        rows: list[BenchmarkRow] = []
        for kind in ("all", "sector", "network"):
            if kind not in kinds:
                continue
            names: list[str | None] = [None] if kind == "all" else list(rel.names(day, kind))
            for name in names:
                rows.extend(self._benchmark_row(rel, day, kind, name, m) for m in METRICS)
        return rows

    def _sector_level_rows(self, rel: Release, day: dt.date, level: int) -> list[BenchmarkRow]:
        seen: list[tuple[str, str]] = []
        for name in rel.names(day, "sector"):
            c = industry_cohorts.at_level(
                name, level, lambda g: rel.figure(day, "group", g, "ssi") is not None
            )
            if c not in seen:
                seen.append((str(c[0]), str(c[1])))
        rows: list[BenchmarkRow] = []
        for kind, name in sorted(seen, key=lambda c: c[1]):
            for m in METRICS:
                row = self._benchmark_row(rel, day, kind, name, m)  # type: ignore[arg-type]
                if kind == industry_cohorts.GROUP:
                    row = replace(row, kind="sector", level=industry_cohorts.level_of(name))
                rows.append(row)
        return rows

    def export_benchmarks(
        self,
        fmt: Literal["csv", "parquet", "json"] = "csv",
        cohort: CohortKind | None = None,
        as_of: dt.date | str | None = None,
    ) -> bytes:
        """The published benchmarks as a file: aggregated, gated, never a person's row."""
        rows = [r.to_dict() for r in self.benchmarks(cohort, as_of)]
        audit.record(self.store, None, "export", fmt)
        if fmt == "json":
            return export.to_json_bytes(rows)
        frame = benchmarks_frame(rows)
        if fmt == "csv":
            return export.to_csv_bytes(frame)
        if fmt == "parquet":
            frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
            return export.to_parquet_bytes(frame)
        raise SSIBenchError(f"unknown format {fmt!r}; choose csv, parquet or json")

    def cohort_names(
        self, kind: Literal["sector", "network"], as_of: dt.date | str | None = None
    ) -> list[CohortSummary]:
        """Every sector or network on the publication date, with its published size (None
        where the release withholds it)."""
        rel = self.release()
        day = self.snap(as_of, rel).date
        out = []
        for name in rel.names(day, kind):
            row = self._benchmark_row(rel, day, kind, name, "ssi")
            out.append(CohortSummary(kind, name, row.n, not row.suppressed))
        return out

    # ------------------------------------------------------------------ trends
    def trend(self, *, person_key: str, metric: str = "ssi") -> pd.DataFrame:
        """A person's score per snapshot date beside their sector's published quartiles, and
        their own standing in the sector on each date the release publishes it.

        Columns: snapshot_date, score, sector, n (None when withheld), p25, p50, p75,
        percentile, top_percent, display, drop (fell ≥ 5 points since the previous snapshot).
        """
        return self._consistent(
            lambda rel: trends.person_trend(self, rel, person_key=person_key, metric=metric)
        )

    def cohort_trend(self, kind: CohortKind, name: str | None, metric: str = "ssi") -> pd.DataFrame:
        """A cohort's published size and quartiles on each of the latest publication dates
        (dates on which it is withheld are left out)."""
        return trends.cohort_trend(self.release(), kind, name, metric)

    # ------------------------------------------------------------------ outcomes
    def has_outcomes(self) -> bool:
        return bool(self._outcomes_all())

    def _outcomes_all(self) -> list[OutcomeResult]:
        rel = self.release()
        cache = self._outcome_cache
        if cache is not None and cache[0] is rel:
            return cache[1]
        got = [outcome_stats.from_json(r[5]) for r in release_store.load_outcomes(self.store)]
        self._outcome_cache = (rel, got)
        return got

    def outcomes(
        self,
        kind: CohortKind = "all",
        metric: str = "ssi",
        as_of: dt.date | str | None = None,
    ) -> list[OutcomeResult]:
        """Spearman correlation of ``metric`` with each outcome, per published cohort, from the
        release (latest publication date). Cohort-level only: the binned medians keep bands
        of at least k people and no individual point is returned."""
        del as_of  # the release holds outcomes for its latest publication date
        return [r for r in self._outcomes_all() if r.kind == kind and r.metric == metric]


# ---------------------------------------------------------------------- helpers
def benchmarks_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = ["kind", "name", "as_of", "metric", "n", "suppressed", "p10", "p25", "p50"]
    columns += ["p75", "p90"]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    frame["n"] = frame["n"].astype("Int64")
    for col in ("p10", "p25", "p50", "p75", "p90"):
        frame[col] = frame[col].astype("Float64")
    return frame


def _with_snap_note(standing: Standing, snapped: Snap) -> Standing:
    """Say on the standing (and its fallbacks) when the as-of date was snapped."""
    if snapped.note is None:
        return standing
    fallback = None if standing.fallback is None else _with_snap_note(standing.fallback, snapped)
    note = snapped.note if standing.note is None else f"{snapped.note} {standing.note}"
    return replace(standing, note=note, fallback=fallback)


def _band(settings: Settings, ssi: float | None) -> str:
    return "" if ssi is None else settings.band(ssi)


def _typed_score(metric: str, score: float | None, pillars: Sequence[float] | None) -> float:
    if pillars is not None:
        values = [float(p) for p in pillars]
        if len(values) != 4:
            raise SSIBenchError("give four pillar scores: brand, people, insights, relationships")
        scores = dict(zip(PILLARS, values, strict=True))
        scores["ssi"] = round(sum(values), 4)
        _check_typed(scores)  # type: ignore[arg-type]
        return scores[metric]
    if score is None:
        raise SSIBenchError("give a person, a score or the four pillar scores")
    _check_typed({metric: float(score)})
    return float(score)


def _check_typed(scores: dict[str, float | None]) -> None:
    for metric, value in scores.items():
        if value is None:
            continue
        top = 100.0 if metric == "ssi" else 25.0
        if math.isnan(value) or not 0 <= value <= top:
            raise SSIBenchError(f"{metric} {value:g} is outside 0–{top:g}")


def _weakest_pillar(
    scores: dict[str, float | None], quants: dict[str, dict[str, BenchmarkRow]]
) -> str | None:
    """The pillar furthest below the cohort median (sector, else everyone); None when the
    person is at or above the median on every pillar, or no median is published."""
    for kind in ("sector", "all"):
        rows = quants.get(kind)
        if not rows:
            continue
        gaps = {}
        for p in PILLARS:
            median = rows[p].p50
            mine = scores.get(p)
            if median is not None and mine is not None:
                gaps[p] = median - mine
        behind = {p: gap for p, gap in gaps.items() if gap > 0}
        if gaps:
            return max(behind, key=lambda p: behind[p]) if behind else None
    return None


__all__ = ["Bench", "benchmarks_frame", "quantiles"]
