"""Uploads: read → validate → pseudonymise → store (the ingest part of ``Bench``).

Previews (what a file will become, before anything is stored), imports of one or several
files or pasted text, the reject report, and the synthetic demo upload. Mixed into
:class:`ssi_bench.api.Bench`; uses its ``store``, ``settings`` and keyed-hash secret.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ssi_bench import audit, export, sectors
from ssi_bench.config import Settings
from ssi_bench.errors import IngestError
from ssi_bench.fields import LINKEDIN_AVERAGES, METRICS, OUTCOMES, RANKS
from ssi_bench.model import (
    IngestOptions,
    IngestResult,
    Preview,
    PreviewSummary,
    ReadResult,
    Reject,
    UploadInfo,
    Validated,
)
from ssi_bench.pseudonym import key_column, person_key_codes
from ssi_bench.reader import describe_date_order, read_bytes
from ssi_bench.store import Store
from ssi_bench.validate import mask, validate

Progress = Callable[[float, str], None]


def _dated(options: IngestOptions) -> IngestOptions:
    """``options`` with today's date where the upload gives none."""
    return options if options.date is not None else replace(options, date=dt.date.today())


class IngestMixin:
    """Previews and imports; mixed into :class:`ssi_bench.api.Bench`."""

    store: Store
    settings: Settings
    _secret: bytes

    def publish(self) -> None:
        """Bring the release up to date with the stored data now (Bench overrides this)."""
        raise NotImplementedError

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
        report(0.85, "Publishing the release")
        self.publish()
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


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _no_progress(_fraction: float, _message: str) -> None:
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
