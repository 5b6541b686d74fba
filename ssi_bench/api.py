"""The Python API shared by the command line and the pages.

``Bench`` ties the pieces together: read → validate → pseudonymise → store for uploads;
cohorts → privacy gate for every number shown. Example::

    from ssi_bench.api import Bench
    from ssi_bench.model import IngestOptions

    bench = Bench.open("data/ssi_bench.duckdb")
    result = bench.ingest(Path("team.csv").read_bytes(), "team.csv", IngestOptions())
    standing = bench.percentile(person="jane@example.com", cohort="sector")
    print(standing.display)

Every method returns typed results (``ssi_bench.model``) whose ``to_dict()`` is the CLI's
JSON; known problems raise :class:`ssi_bench.errors.SSIBenchError` subclasses.

Thread safety: one ``Bench`` (one DuckDB connection) per process, shared by Streamlit's
script threads. Each read uses a fresh cursor (``Store``); writes are serialised by the
store's lock; the in-memory cohort indexes are keyed by the data version, so a result can
never be computed from data older than the version it was asked at.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import numpy as np
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
    share,
    standings,
    trends,
)
from ssi_bench import outcomes as outcome_stats
from ssi_bench.cohorts import CohortIndex, quantiles
from ssi_bench.config import Settings
from ssi_bench.engines import curves as engine_curves
from ssi_bench.errors import IngestError, NotFoundError, SSIBenchError
from ssi_bench.fields import LINKEDIN_AVERAGES, METRICS, OUTCOMES, PILLARS, RANKS
from ssi_bench.model import (
    BenchmarkRow,
    CohortKind,
    CohortSummary,
    EraseResult,
    IngestOptions,
    IngestResult,
    MyBenchmark,
    OutcomeResult,
    Preview,
    PreviewSummary,
    ReadResult,
    Reject,
    Standing,
    Status,
    UploadInfo,
    Validated,
)
from ssi_bench.network_groups import NetworkGroup
from ssi_bench.pseudonym import key_column, load_secret, person_key, person_key_codes
from ssi_bench.reader import describe_date_order, read_bytes
from ssi_bench.release import Release, Snap
from ssi_bench.store import Store, private_umask
from ssi_bench.validate import mask, validate

Progress = Callable[[float, str], None]
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


def _no_progress(_fraction: float, _message: str) -> None:
    return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


class Bench:
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

    # ------------------------------------------------------------------ reading files
    def _check_size(self, size: int, name: str) -> None:
        """Refuse more than ``settings.max_upload_bytes`` (IngestError), whatever the caller.

        The browser widget's limit is only advice to an honest browser; this is the limit.
        """
        limit = self.settings.max_upload_bytes
        if size > limit:
            raise IngestError(
                f"{name} is {size / 1024 / 1024:,.1f} MB, above the limit of "
                f"{self.settings.max_upload_mb} MB (SSI_BENCH_MAX_UPLOAD_MB): nothing was read. "
                "Split the file, or ask the administrator to raise the limit."
            )

    def _read(self, data: bytes, file_name: str) -> ReadResult:
        self._check_size(len(data), file_name)
        return read_bytes(data, file_name, settings=self.settings)

    def _read_text(self, text: str, name: str) -> ReadResult:
        from ssi_bench import captures

        return captures.read_paste(text)

    def _preview(self, read: ReadResult, checked: Validated, name: str, sha: str) -> Preview:
        # The separator and decimal mark have fields of their own: their notes would say
        # the same thing twice on the page.
        restated = {f"separator {w}" for w in ("comma", "semicolon", "tab", "pipe")}
        restated.add("decimal comma")
        return Preview(
            file_name=name,
            file_sha256=sha,
            encoding=read.encoding,
            delimiter=read.delimiter,
            decimal=read.decimal,
            layout=read.layout,
            date_order=checked.date_order,
            mapping=dict(read.mapping),
            ignored_columns=list(read.ignored_columns),
            rows_read=checked.rows_read,
            rows_valid=len(checked.frame),
            rejects=list(checked.rejects),
            notes=[n for n in read.notes if n not in restated],
            date_order_text=describe_date_order(read, checked.date_order),
            sample=_sample(checked.frame),
            summary=self._summary(checked.frame),
            earlier_uploads=self.earlier_uploads(sha),
            sectors=sectors.preview(checked.frame, self.store),
        )

    def _summary(self, frame: pd.DataFrame) -> PreviewSummary:
        """People (by keyed hash, as the import counts them), dates, sectors, networks."""
        if frame.empty:
            return PreviewSummary()
        codes, _keys = person_key_codes(self._secret, frame["person"])
        people = pd.Series(np.asarray(codes), index=frame.index)
        dates = sorted({pd.Timestamp(d).date().isoformat() for d in frame["snapshot_date"]})

        def per(column: str) -> dict[str, int]:
            if column not in frame.columns:
                return {}
            named = frame[column].notna()
            counts = people[named].groupby(frame.loc[named, column].astype(str)).nunique()
            return {str(k): int(v) for k, v in counts.sort_index().items()}

        return PreviewSummary(
            people=int(people.nunique()), dates=dates, sectors=per("sector"),
            networks=per("network"),
        )  # fmt: skip

    def earlier_uploads(self, file_sha256: str) -> list[UploadInfo]:
        """Stored uploads of a file (or set of files) with this SHA-256, newest first
        (undone uploads are gone and not listed)."""
        return [u for u in self.store.uploads() if u.file_sha256 == file_sha256]

    @staticmethod
    def upload_sha256(files: Sequence[tuple[str, bytes]]) -> str:
        """The SHA-256 an upload of ``files`` is stored under: the file's own for one file,
        the hash of the files' hashes in order for several (see :meth:`ingest_files`)."""
        if len(files) == 1:
            return _sha256(files[0][1])
        return _sha256("".join(_sha256(d) for _, d in files).encode())

    def preview(self, data: bytes, file_name: str, options: IngestOptions | None = None) -> Preview:
        """How ``data`` would be read and validated; nothing is written.

        Raises IngestError when the file would be refused as a whole, or is larger than
        ``settings.max_upload_mb``.
        """
        options = options or IngestOptions()
        read = self._read(data, file_name)
        return self._preview(read, validate(read, options), file_name, _sha256(data))

    def preview_text(self, text: str, options: IngestOptions | None = None) -> Preview:
        """Preview of a pasted LinkedIn SSI page (dated today unless ``options.date``).

        Raises IngestError for text over the upload limit (its UTF-8 size counts).
        """
        self._check_size(len(text.encode("utf-8", errors="replace")), "The pasted text")
        options = _dated(options or IngestOptions())
        read = self._read_text(text, "pasted SSI page")
        return self._preview(
            read, validate(read, options), "pasted SSI page", _sha256(text.encode())
        )

    # ------------------------------------------------------------------ ingest
    def ingest(
        self,
        data: bytes,
        file_name: str,
        options: IngestOptions | None = None,
        progress: Progress | None = None,
    ) -> IngestResult:
        """Read, validate, pseudonymise and store one file as one upload.

        Valid rows are imported and bad rows reported (``rejects``); with
        ``options.strict`` any bad row refuses the whole file. Re-importing the same rows
        changes nothing (upsert on person + date). Raises IngestError when the file is
        refused (also when larger than ``settings.max_upload_mb``); then nothing was written.

        ``file_name`` is used to read the file (its suffix) and in messages; it is never
        stored. The upload is stored under ``options.label`` (None: no label).
        """
        return self.ingest_files([(file_name, data)], options, progress)

    def ingest_files(
        self,
        files: Sequence[tuple[str, bytes]],
        options: IngestOptions | None = None,
        progress: Progress | None = None,
    ) -> IngestResult:
        """Several files (e.g. a tracker's daily captures) as ONE upload, all or nothing.

        A person + date present in several files keeps the last file's row (files are
        taken in the order given); the earlier ones are reported as duplicates. Each file
        must be within ``settings.max_upload_mb`` (IngestError before anything is read).
        """
        if not files:
            raise IngestError("no file given")
        for name, data in files:
            self._check_size(len(data), name)
        options = options or IngestOptions()
        report = progress or _no_progress
        parts: list[tuple[str, ReadResult]] = []
        for i, (name, data) in enumerate(files):
            report(0.4 * i / len(files), f"Reading {name}")
            try:
                parts.append((name, self._read(data, name)))
            except IngestError as exc:
                if len(files) == 1:
                    raise
                raise IngestError(f"{name}: {exc}") from None
        sha = self.upload_sha256(files)
        # Shown to the uploader in the result only; never stored.
        shown = files[0][0] if len(files) == 1 else f"{files[0][0]} (+{len(files) - 1} more)"
        return self._ingest_reads(parts, options, report, sha, shown)

    def ingest_text(
        self,
        text: str,
        options: IngestOptions | None = None,
        name: str = "pasted SSI page",
        progress: Progress | None = None,
    ) -> IngestResult:
        """Import a copy-paste of LinkedIn's SSI page (personal: person and sector required).

        The page shows no date: the snapshot is dated ``options.date``, else today.
        Raises IngestError for text over the upload limit (its UTF-8 size counts).
        """
        self._check_size(len(text.encode("utf-8", errors="replace")), "The pasted text")
        options = _dated(options or IngestOptions())
        read = self._read_text(text, name)
        return self._ingest_reads(
            [(name, read)], options, progress or _no_progress, _sha256(text.encode()), name
        )

    def _ingest_reads(
        self,
        parts: list[tuple[str, ReadResult]],
        options: IngestOptions,
        report: Progress,
        sha: str,
        shown_name: str,
    ) -> IngestResult:
        multi = len(parts) > 1
        frames: list[pd.DataFrame] = []
        rejects: list[Reject] = []
        rows_read = 0
        ignored: list[str] = []
        date_order = None
        for i, (name, read) in enumerate(parts):
            report(0.4 + 0.2 * i / len(parts), f"Checking {name}")
            try:
                checked = validate(read, options)
            except IngestError as exc:
                if not multi:
                    raise
                raise IngestError(f"{name}: {exc}") from None
            # The raw cells are not needed again (a million rows: ~150 MB freed).
            read = _validated_only(read)
            parts[i] = (name, read)
            date_order = date_order or checked.date_order
            rows_read += checked.rows_read
            ignored.extend(c for c in read.ignored_columns if c not in ignored)
            rejects.extend(replace(r, file=name) if multi else r for r in checked.rejects)
            if multi:
                frame = checked.frame.copy()
                frame["_file"] = name
                frame["_file_no"] = i
            else:
                frame = checked.frame  # one file: no copy (a million rows: ~0.3 s, ~250 MB)
            frames.append(frame)
            del checked, frame
        if len(frames) == 1:
            rows = frames[0]
        else:
            rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        report(0.65, "Pseudonymising identifiers")
        stored = self._pseudonymise(rows)
        stored, sector_report = sectors.file_rows(stored, self.store)  # text → industry
        if len(stored):
            # Validation compares identifiers roughly; the keys are exact (an address in
            # two cases, a profile under two country hosts: one person).
            stored, dup_rejects = _drop_repeated_pairs(rows, stored)
            rejects.extend(dup_rejects)
        del rows, frames  # identifiers and raw text end here; only keys are stored
        _release_freed_memory()
        rejects.sort(key=lambda r: (r.file or "", r.line))
        if options.strict and rejects:
            first = rejects[0]
            where = f"{first.file}, " if first.file else ""
            raise IngestError(
                f"strict mode: {len(rejects)} of {rows_read} rows are not valid, so nothing was "
                f"imported. First: {where}line {first.line}, {first.field}: {first.reason}"
            )
        report(0.75, f"Storing {len(stored):,} rows")
        upload_id, rows_new, rows_updated = self.store.write_upload(
            stored,
            label=options.label,  # never the file name: names often name the person
            file_sha256=sha,
            rows_read=rows_read,
            rows_rejected=len(rejects),
            options=options.to_dict(),
            is_demo=options.is_demo,
            pairs_checked=True,  # _drop_repeated_pairs above
        )
        audit.record(self.store, None, "demo_load" if options.is_demo else "upload", upload_id)
        report(1.0, "Done")
        return IngestResult(
            upload_id=upload_id,
            rows_read=rows_read,
            rows_accepted=len(stored),
            rows_rejected=len(rejects),
            rows_new=rows_new,
            rows_updated=rows_updated,
            ignored_columns=ignored,
            rejects=rejects,
            file_name=shown_name,
            date_order=date_order,
            sectors=sector_report,
        )

    def _pseudonymise(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Replace the ``person`` column by its keyed hash; the raw value goes no further."""
        columns = ["sector", "network", *METRICS, *RANKS, *LINKEDIN_AVERAGES, *OUTCOMES]
        out = pd.DataFrame(index=rows.index)
        if len(rows):
            codes, keys = person_key_codes(self._secret, rows["person"])
            out["person_key"] = key_column(codes, keys, rows.index)
            out[KEY_CODE] = codes  # one person, one code: duplicates are found on these
        else:
            out["person_key"] = pd.Series(dtype="str")
        out["snapshot_date"] = pd.to_datetime(rows["snapshot_date"]) if len(rows) else []
        for col in columns:
            if col in rows.columns:
                out[col] = rows[col]
            elif col in ("sector", "network"):
                out[col] = pd.Series(pd.NA, index=rows.index, dtype="str")
            # numeric columns the file lacks stay absent: the store writes them as NULL
        return out.reset_index(drop=True)

    @staticmethod
    def rejects_csv(rejects: Iterable[Reject]) -> bytes:
        """The reject report as a formula-safe CSV: file (several files only), line, field,
        reason, then the row's cells under their headers (identifiers already masked), so
        the rows can be fixed and uploaded again."""
        rejects = list(rejects)
        headers: list[str] = []
        for r in rejects:
            headers.extend(h for h in r.cells if h not in headers)
        fixed = ["file", "line", "field", "reason"]
        # A header named like a report column is kept apart ("line" → "cell: line").
        named = {h: (f"cell: {h}" if h in fixed else h) for h in headers}
        records = [
            {"file": r.file, "line": r.line, "field": r.field, "reason": r.reason,
             **{named[h]: v for h, v in r.cells.items()}}
            for r in rejects
        ]  # fmt: skip
        frame = pd.DataFrame(records, columns=[*fixed, *named.values()])
        if frame["file"].isna().all():
            frame = frame.drop(columns=["file"])
        return export.to_csv_bytes(frame)

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

    # ------------------------------------------------------------------ admin
    # ------------------------------------------------------------------ network groups
    def network_groups(self) -> list[NetworkGroup]:
        """The admin-defined network groups, by name (see :mod:`ssi_bench.network_groups`)."""
        return network_groups.groups(self.store)

    def network_group_create(self, name: str, networks: Sequence[str]) -> NetworkGroup:
        """Define a network group (published like a network from the next release).

        Raises GroupError (an SSIBenchError) for an empty name, a name equal to a network's
        or another group's, fewer than 2 networks, an unknown network, or a network already
        in another group. Audit-logged as ``group_create`` with the group's id.
        """
        group = network_groups.create(self.store, name, networks)
        audit.record(self.store, None, "group_create", group.group_id)
        return group

    def network_group_delete(self, group_id: int) -> str:
        """Delete a network group; returns its name. NotFoundError when there is none.
        Audit-logged as ``group_delete``."""
        name = network_groups.delete(self.store, group_id)
        audit.record(self.store, None, "group_delete", group_id)
        return name

    def network_groups_inactive(self) -> list[str]:
        """Groups left out of the release because a network in the data now has their name."""
        return network_groups.inactive(
            network_groups.groups(self.store), network_groups.network_names(self.store)
        )

    def uploads(self) -> list[UploadInfo]:
        """Every upload, newest first, shown by its label (file names are not stored)."""
        return self.store.uploads()

    def undo(self, upload_id: int) -> int:
        """Remove one upload (restoring what it replaced); returns score rows removed."""
        removed = self.store.undo(upload_id)
        audit.record(self.store, None, "undo", upload_id)
        return removed

    def erase(self, identifier: str) -> EraseResult:
        """Erase the person behind ``identifier`` from every table and from the file's bytes.

        Deletes their scores, outcomes, replaced versions, shares and private links, and
        the upload records that described only them; rewrites the database file and
        deletes kept write-ahead-log copies (see :meth:`Store.erase`). An unknown person
        erases nothing (``rows_deleted`` 0). Backups are untouched: the result says so.
        Raises SSIBenchError for an empty identifier or when the file cannot be rewritten.
        """
        erased = self.store.erase(person_key(self._secret, identifier))
        audit.record(self.store, None, "erase", erased.rows_deleted)  # a count, no key
        return erased

    def load_demo(
        self, people: int = 400, seed: int = 7, progress: Progress | None = None
    ) -> IngestResult:
        """Generate the synthetic demo population and import it as a demo upload."""
        from ssi_bench import demo

        data = demo.demo_csv(people=people, seed=seed, today=self._today())
        return self.ingest(
            data,
            demo.DEMO_FILE_NAME,
            IngestOptions(is_demo=True, date_order="ymd"),
            progress,
        )

    @staticmethod
    def _today() -> dt.date:
        return dt.date.today()

    def remove_demo(self) -> int:
        """Delete every demo upload and its rows; returns score rows removed."""
        removed = self.store.remove_demo()
        audit.record(self.store, None, "demo_remove", removed)
        return removed

    # ------------------------------------------------------------------ sectors
    def stored_sectors(self) -> list[sectors.StoredSector]:
        """Every stored sector text with its LinkedIn industry (None: kept as written), rows,
        people and the admin's remembered mapping (see :mod:`ssi_bench.sectors`)."""
        return sectors.stored(self.store)

    def sector_mappings(self) -> list[dict[str, Any]]:
        """The remembered sector choices: text → industry."""
        return sectors.mappings(self.store)

    def sector_changes(self) -> list[sectors.SectorChange]:
        """Every mapping change, newest first."""
        return sectors.changes(self.store)

    def map_sector(self, text: str, industry: int | str) -> sectors.SectorChange:
        """Remember that ``text`` means ``industry`` (id or label) for later uploads and
        re-file the stored rows it names, in one transaction (undo: :meth:`undo_sector`).
        Raises NotFoundError for an unknown industry, SSIBenchError for an empty text.
        Recorded in the audit log ("sector_map": change id, old and new industry)."""
        change = sectors.map_sector(self.store, text, industry)
        audit.record(self.store, None, "sector_map", sectors.audit_object(change))
        return change

    def undo_sector(self) -> sectors.SectorChange:
        """Undo the latest sector mapping change. Raises NotFoundError when there is none.
        Recorded in the audit log ("sector_undo": the change undone, as for "sector_map")."""
        change = sectors.undo(self.store)
        audit.record(self.store, None, "sector_undo", sectors.audit_object(change))
        return change

    # ------------------------------------------------------------------ shares
    def share_create(self, view: dict[str, Any], person_key: str | None = None) -> str:
        """A share token for ``view`` (expires after ``settings.share_days``)."""
        return share.create(self.store, view, days=self.settings.share_days, person_key=person_key)

    def share_resolve(self, token: str) -> dict[str, Any]:
        return share.resolve(self.store, token)

    def share_revoke(self, share_id: int) -> bool:
        revoked = share.revoke(self.store, share_id)
        audit.record(self.store, None, "share_revoke", share_id)
        return revoked

    def shares_active(self) -> list[dict[str, Any]]:
        return share.active(self.store)


# ---------------------------------------------------------------------- helpers
def benchmarks_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = ["kind", "name", "as_of", "metric", "n", "suppressed", "p10", "p25", "p50"]
    columns += ["p75", "p90"]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    frame["n"] = frame["n"].astype("Int64")
    for col in ("p10", "p25", "p50", "p75", "p90"):
        frame[col] = frame[col].astype("Float64")
    return frame


def _dated(options: IngestOptions) -> IngestOptions:
    return options if options.date is not None else replace(options, date=dt.date.today())


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


#: Column of the pseudonymised frame holding each row's person code (not stored).
KEY_CODE = "_key_code"


def _release_freed_memory() -> None:
    """Hand memory freed by reading and validation back to the system (glibc only).

    The C allocator keeps freed blocks below 32 MB for reuse, but DuckDB allocates through
    its own allocator: without this, storing a million rows comes on top of ~300 MB that
    the process no longer uses. Elsewhere this does nothing.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


#: Rows in the preview's parsed sample.
SAMPLE_ROWS = 10


def _sample(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The first :data:`SAMPLE_ROWS` validated rows as parsed: person masked (like the reject
    report), date ISO, blanks None; internal columns (``_line``…) left out."""
    out: list[dict[str, Any]] = []
    shown = [c for c in frame.columns if not str(c).startswith("_")]
    for _, row in frame.head(SAMPLE_ROWS).iterrows():
        rec: dict[str, Any] = {"line": int(row["_line"])} if "_line" in frame.columns else {}
        for col in shown:
            value = row[col]
            if col == "person":
                rec[col] = mask(str(value))
            elif col == "snapshot_date":
                rec["date"] = pd.Timestamp(value).date().isoformat()
            elif value is None or (not isinstance(value, str) and pd.isna(value)):
                rec[col] = None
            else:
                rec[col] = value if isinstance(value, str) else float(value)
        out.append(rec)
    return out


def _validated_only(read: ReadResult) -> ReadResult:
    """``read`` without its cells (a million rows: ~150 MB freed before storing)."""
    return replace(read, frame=read.frame.iloc[:0])


def _drop_repeated_pairs(
    rows: pd.DataFrame, stored: pd.DataFrame
) -> tuple[pd.DataFrame, list[Reject]]:
    """Keep one stored row per person key and date; a reject for each other row.

    ``rows`` (validated, same index as ``stored``) gives ``_line`` and, when present,
    ``_file``, ``_file_no`` and ``_captured_at``. The latest capture wins, else the later
    file, else the later line. Costs one factorisation when nothing repeats.
    """
    rows = rows.reset_index(drop=True)
    stored = stored.reset_index(drop=True)
    if KEY_CODE in stored.columns:
        keys = stored[KEY_CODE].to_numpy(dtype=np.int64)
    else:
        keys = pd.factorize(stored["person_key"])[0].astype(np.int64)
    days = pd.factorize(stored["snapshot_date"])[0].astype(np.int64)
    pair = pd.Series(keys * (int(days.max(initial=0)) + 1) + days, index=stored.index)
    repeated = pair.duplicated(keep=False)
    if not repeated.any():
        return stored.reset_index(drop=True), []
    cols = [c for c in ("_file", "_file_no", "_captured_at") if c in rows.columns]
    group = rows.loc[repeated, ["_line", *cols]].copy()
    group["_pair"] = pair[repeated]
    group["_stamp"] = (
        pd.to_datetime(group["_captured_at"], errors="coerce", utc=True, format="ISO8601")
        if "_captured_at" in group.columns
        else pd.NaT
    )
    order = ["_pair", "_stamp", *(["_file_no"] if "_file_no" in cols else []), "_line"]
    group = group.sort_values(order, na_position="first", kind="stable")
    losers = group.duplicated("_pair", keep="last")
    winners = group[~losers].set_index("_pair")
    multi = "_file" in group.columns
    rejects = []
    for pair_code, line, file in zip(
        group.loc[losers, "_pair"],
        group.loc[losers, "_line"],
        group.loc[losers, "_file"] if multi else [None] * int(losers.sum()),
        strict=True,
    ):
        w = winners.loc[pair_code]
        if multi:
            reason = (
                f"duplicate of {w['_file']} line {int(w['_line'])} (same person and date); "
                "the later capture (or later file) was kept"
            )
        else:
            reason = (
                f"duplicate of line {int(w['_line'])} (same person and date); "
                "the later row was kept"
            )
        rejects.append(Reject(int(line), "date", reason, file=None if file is None else str(file)))
    kept = stored.drop(index=group.index[losers.to_numpy()])
    return kept.reset_index(drop=True), rejects


__all__ = ["Bench", "benchmarks_frame", "quantiles"]
