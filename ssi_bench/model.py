"""Typed results shared by the library, the command line and the pages.

Each result has ``to_dict()`` giving exactly the JSON document the CLI prints, so the
command line and the Python API cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd

from ssi_bench.fields import like_ssi

CohortKind = Literal["sector", "network", "all"]
DateOrder = Literal["dmy", "mdy", "ymd"]

#: Longest upload label kept, in characters (longer labels are cut there).
LABEL_MAX_CHARS = 80
_SPACES = re.compile(r"\s+")
#: The command that lists the backups still holding an erased person.
BACKUPS_HOLDING_COMMAND = "python -m ssi_bench backups-holding DIR --person -"


def clean_label(text: str | None) -> str | None:
    """An upload label as stored: NFC, control and format characters dropped, whitespace
    runs made one space, trimmed, cut to :data:`LABEL_MAX_CHARS`; None when nothing is left.

    The label is the admin's own text (the file name is never stored, as it often names
    the person); cleaning keeps it one short line wherever it is shown.
    """
    if text is None:
        return None
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or
                   unicodedata.category(ch)[0] != "C")  # fmt: skip
    text = _SPACES.sub(" ", text).strip()[:LABEL_MAX_CHARS].rstrip()
    return text or None


@dataclass(frozen=True)
class IngestOptions:
    """What the uploader says about a file as a whole.

    person / sector / network: one value for every row (personal history exports have no
    person or sector column). date: one snapshot date for a file that carries none (a pasted
    SSI page, a single JSON capture). date_order: forces the order of day-first / month-first dates.
    strict: refuse the whole file if any row is bad. today: the "future date" boundary
    (defaults to the wall clock; tests pin it). label: the admin's name for the upload,
    stored and shown instead of the file name (cleaned by :func:`clean_label`).
    """

    person: str | None = None
    date: dt.date | None = None
    sector: str | None = None
    network: str | None = None
    date_order: DateOrder | None = None
    strict: bool = False
    today: dt.date | None = None
    is_demo: bool = False
    label: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", clean_label(self.label))

    def to_dict(self) -> dict[str, Any]:
        """The options as recorded in ``uploads.options`` — without the raw person value
        (and without the label, which has its own column)."""
        return {
            "person_given": self.person is not None,
            "date": None if self.date is None else self.date.isoformat(),
            "sector": self.sector,
            "network": self.network,
            "date_order": self.date_order,
            "strict": self.strict,
            "is_demo": self.is_demo,
        }


@dataclass(frozen=True)
class Reject:
    """One rejected row: 1-based physical line (header is line 1), field, reason.

    The reason never contains a raw person identifier (it is masked, e.g. ``a…@e…``).
    """

    line: int
    field: str
    reason: str
    file: str | None = None  # set when one upload holds several files
    #: The row's cells as read, header → text (blank cells as ""), so the row can be fixed
    #: and uploaded again without opening the original. Person identifiers (the person
    #: column, and any cell that is some row's person or looks like an e-mail or URL) are
    #: masked like the reason. Empty when the row was not kept (e.g. a repeated key).
    cells: dict[str, str] = dataclasses.field(default_factory=dict)  # `field` is a column here

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"line": self.line, "field": self.field, "reason": self.reason}
        if self.file is not None:
            d["file"] = self.file
        if self.cells:
            d["cells"] = dict(self.cells)
        return d


@dataclass(frozen=True)
class ReadResult:
    """A file as read, before validation.

    frame: one row per data row; columns are canonical field names (see ``fields.py``),
    values are the raw cell text (``str`` or missing); column ``_line`` holds the 1-based
    physical line number of the row in the file (header = line 1).
    mapping: canonical field -> the header it was read from.
    ignored_columns: headers that matched no field, in file order.
    layout: "wide" (one row per person and date), "long" (one metric per row), "history",
    "json" or "paste".
    """

    frame: pd.DataFrame
    mapping: dict[str, str]
    ignored_columns: list[str]
    encoding: str
    delimiter: str | None
    decimal: str
    layout: str = "wide"
    notes: list[str] = field(default_factory=list)
    #: The ignored columns that look like a total, pillar or rank ("looks like an SSI figure
    #: — not used"); a subset of ``ignored_columns``, filled from it when not given.
    unmatched_like_ssi: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.unmatched_like_ssi:
            object.__setattr__(self, "unmatched_like_ssi", like_ssi(self.ignored_columns))

    @property
    def rows_read(self) -> int:
        return len(self.frame)


@dataclass(frozen=True)
class Validated:
    """Validated rows, ready to pseudonymise.

    frame columns: ``person`` (normalised identifier, in memory only), ``snapshot_date``
    (datetime64 day), ``sector``, ``network`` (str or missing), ``ssi`` and the four
    pillars (float; ssi is the precise pillar sum when pillars are present), LinkedIn's
    figures and outcomes (float or missing), ``_line``.
    """

    frame: pd.DataFrame
    rejects: list[Reject]
    date_order: DateOrder | None
    rows_read: int


@dataclass(frozen=True)
class PreviewSummary:
    """What a file holds among its valid rows, before anything is written.

    people: distinct people (by their keyed hash, as the import counts them); dates: the
    distinct snapshot dates, ascending (ISO text); sectors / networks: name → people in it
    (rows without a network are not counted). The names are the admin's own data and are
    shown only on the admin's Upload page.
    """

    people: int = 0
    dates: list[str] = field(default_factory=list)
    sectors: dict[str, int] = field(default_factory=dict)
    networks: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Preview:
    """What the Upload page shows before anything is written.

    ``date_order_text``: how the dates were read, in words ("day first (31/12/2026)",
    "Excel dates (no order to guess)", "—" without dates). ``sample``: the first 10 valid
    rows as parsed (person masked by :func:`ssi_bench.validate.mask`, date ISO, numbers as
    float). ``earlier_uploads``: stored uploads of a file with the same SHA-256, newest first.
    """

    file_name: str
    file_sha256: str
    encoding: str
    delimiter: str | None
    decimal: str
    layout: str
    date_order: DateOrder | None
    mapping: dict[str, str]
    ignored_columns: list[str]
    rows_read: int
    rows_valid: int
    rejects: list[Reject]
    notes: list[str] = field(default_factory=list)
    #: Ignored columns that look like an SSI figure (subset of ignored_columns).
    unmatched_like_ssi: list[str] = field(default_factory=list)
    date_order_text: str = "—"
    sample: list[dict[str, Any]] = field(default_factory=list)
    summary: PreviewSummary = field(default_factory=PreviewSummary)
    earlier_uploads: list[UploadInfo] = field(default_factory=list)
    #: Per distinct sector: the LinkedIn industry it will be stored as, or kept as written
    #: with the three closest (:class:`ssi_bench.sectors.SectorPreview`).
    sectors: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.unmatched_like_ssi:
            object.__setattr__(self, "unmatched_like_ssi", like_ssi(self.ignored_columns))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["rejects"] = [r.to_dict() for r in self.rejects]
        d["earlier_uploads"] = [u.to_dict() for u in self.earlier_uploads]
        d["sectors"] = [s.to_dict() for s in self.sectors]
        return d


@dataclass(frozen=True)
class IngestResult:
    upload_id: int
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_new: int
    rows_updated: int
    ignored_columns: list[str]
    rejects: list[Reject]
    file_name: str = ""
    date_order: DateOrder | None = None
    #: Ignored columns that look like an SSI figure (subset of ignored_columns).
    unmatched_like_ssi: list[str] = field(default_factory=list)
    #: Per distinct sector: the industry it was stored as (ssi_bench.sectors.SectorPreview).
    sectors: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.unmatched_like_ssi:
            object.__setattr__(self, "unmatched_like_ssi", like_ssi(self.ignored_columns))

    def to_dict(self) -> dict[str, Any]:
        return {
            "sectors": [s.to_dict() for s in self.sectors],
            "upload_id": self.upload_id,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "rows_new": self.rows_new,
            "rows_updated": self.rows_updated,
            "ignored_columns": list(self.ignored_columns),
            "unmatched_like_ssi": list(self.unmatched_like_ssi),
            "rejects": [r.to_dict() for r in self.rejects],
        }


@dataclass(frozen=True)
class CohortId:
    """A cohort on a date. ``level``: for an industry group (a level of LinkedIn's industry
    hierarchy holding every industry below it), its depth, 1 = top-level group; None for an
    industry itself, a network, a sector kept as written and everyone. A group is a
    ``"sector"`` cohort with a level; ``level`` appears in the JSON only when set."""

    kind: CohortKind
    name: str | None  # None for "all"
    as_of: dt.date
    level: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "name": self.name, "as_of": self.as_of.isoformat()}
        if self.level is not None:
            d["level"] = self.level
        return d

    @property
    def label(self) -> str:
        if self.kind == "all":
            return "Everyone"
        if self.level is not None:
            return f"Industry group (level {self.level}): {self.name}"
        return f"{self.kind.capitalize()}: {self.name}"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CohortId:
        level = d.get("level")
        return cls(d["kind"], d["name"], dt.date.fromisoformat(d["as_of"]),
                   None if level is None else int(level))  # fmt: skip


@dataclass(frozen=True)
class Standing:
    """A score's place in a cohort, after the privacy gate.

    n, percentile, top_percent are None where the gate withholds them. display is the text
    a person sees (:mod:`ssi_bench.wording`). fallback is the parent cohort's standing when
    this one is withheld.

    ``basis``: "own" — a stored person's own standing, exact mid-rank definitions
    (percentile and top_percent unrounded from 30 people, banded below); "published" — a
    typed-in score, answered from the release only: ``top_percent_range`` is the Top-X%
    range between the two published quantiles around it, percentile and top_percent are
    None. ``note`` says when the figure is from another date than the one asked for.
    """

    metric: str
    score: float
    cohort: CohortId
    n: int | None
    suppressed: bool
    percentile: float | None
    top_percent: float | None
    display: str
    fallback: Standing | None = None
    precision: Literal["suppressed", "banded", "exact", "range"] = "exact"
    basis: Literal["own", "published"] = "own"
    top_percent_range: tuple[int, int] | None = None
    note: str | None = None
    #: LinkedIn-wide industry standing estimated from captured ranks (SSI total only):
    #: {"industry", "top_percent", "plus_minus", "captures", …} or None.
    linkedin_industry: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "score": self.score,
            "cohort": self.cohort.to_dict(),
            "basis": self.basis,
            "n": self.n,
            "suppressed": self.suppressed,
            "percentile": self.percentile,
            "top_percent": self.top_percent,
            "top_percent_range": (
                None if self.top_percent_range is None else list(self.top_percent_range)
            ),
            "precision": self.precision,
            "display": self.display,
            "note": self.note,
            "fallback": None if self.fallback is None else self.fallback.to_dict(),
            "linkedin_industry": self.linkedin_industry,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Standing:
        """Inverse of :meth:`to_dict` (a frozen, already-gated standing from a share)."""
        rng = d.get("top_percent_range")
        precision = d.get("precision") or (
            "suppressed" if d["suppressed"] else "banded" if d["percentile"] is None else "exact"
        )
        return cls(
            metric=d["metric"],
            score=float(d["score"]),
            cohort=CohortId.from_dict(d["cohort"]),
            n=d["n"],
            suppressed=bool(d["suppressed"]),
            percentile=d["percentile"],
            top_percent=d["top_percent"],
            display=d["display"],
            fallback=None if d.get("fallback") is None else cls.from_dict(d["fallback"]),
            precision=precision,  # type: ignore[arg-type]
            basis=d.get("basis", "own"),
            top_percent_range=None if rng is None else (int(rng[0]), int(rng[1])),
            note=d.get("note"),
            linkedin_industry=d.get("linkedin_industry"),
        )


@dataclass(frozen=True)
class BenchmarkRow:
    """Published quantiles of one cohort and metric; withheld values are None."""

    kind: CohortKind
    name: str | None
    as_of: dt.date
    metric: str
    n: int | None
    suppressed: bool
    p10: float | None = None
    p25: float | None = None
    p50: float | None = None
    p75: float | None = None
    p90: float | None = None
    #: Why the figure is withheld (None: published); see ssi_bench.disclosure.REASONS.
    reason: str | None = None
    #: For an industry group (sectors viewed at a level): its depth, 1 = top; else None.
    level: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["as_of"] = self.as_of.isoformat()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BenchmarkRow:
        return cls(**{**d, "as_of": dt.date.fromisoformat(d["as_of"])})


@dataclass(frozen=True)
class UploadInfo:
    """One upload as listed: the admin's label (None when none was typed), never a file
    name; the file's SHA-256 identifies the file for whoever holds it."""

    upload_id: int
    uploaded_at: dt.datetime
    label: str | None
    file_sha256: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_new: int
    rows_updated: int
    options: dict[str, Any]
    is_demo: bool
    rows_live: int  # score rows this upload currently provides

    @property
    def file_name(self) -> str:
        """What used to be the file name: the label, else ``upload #N``. Kept for pages
        that still show ``file_name``; no file name is stored any more."""
        return self.label or f"upload #{self.upload_id}"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["uploaded_at"] = self.uploaded_at.isoformat()
        return d


@dataclass(frozen=True)
class EraseResult:
    """What an erase removed.

    tables: rows deleted per table (every table with a ``person_key`` column, and any
    other table where a text value held the key, e.g. a share's frozen view).
    uploads_removed: upload records that described only this person (no row of anyone
    refers to them any more) and were deleted. file_rewritten: the database file was
    rewritten so the freed blocks are gone (False for an in-memory database).
    kept_wal_copies_removed: copies of interrupted write-ahead logs deleted (they may hold
    the person). Backups made before the erase still hold the person until they are
    rotated out: :data:`BACKUPS_HOLDING_COMMAND` lists them.
    """

    tables: dict[str, int]
    uploads_removed: int = 0
    file_rewritten: bool = False
    kept_wal_copies_removed: int = 0

    @property
    def rows_deleted(self) -> int:
        """Rows of the person deleted, all tables together (upload records not counted)."""
        return sum(self.tables.values())

    @property
    def backups_note(self) -> str:
        return (
            "Backups made before this erase still hold this person until they are rotated "
            f"out; list them with: {BACKUPS_HOLDING_COMMAND}"
        )

    def __format__(self, spec: str) -> str:
        # Pages written when erase returned a row count format it as a number.
        return format(self.rows_deleted, spec)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_deleted": self.rows_deleted,
            "tables": dict(self.tables),
            "uploads_removed": self.uploads_removed,
            "file_rewritten": self.file_rewritten,
            "kept_wal_copies_removed": self.kept_wal_copies_removed,
            "backups_still_hold_person": True,
            "backups_command": BACKUPS_HOLDING_COMMAND,
            "note": self.backups_note,
        }


@dataclass(frozen=True)
class Status:
    """What the database holds, for the home page and ``uploads``."""

    people: int
    sectors: int
    networks: int
    rows: int
    uploads: int
    first_date: dt.date | None
    last_date: dt.date | None
    demo_rows: int

    @property
    def is_demo(self) -> bool:
        return self.demo_rows > 0

    @property
    def is_empty(self) -> bool:
        return self.rows == 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["first_date"] = None if self.first_date is None else self.first_date.isoformat()
        d["last_date"] = None if self.last_date is None else self.last_date.isoformat()
        d["is_demo"] = self.is_demo
        return d


@dataclass(frozen=True)
class CohortSummary:
    """A cohort's name and, when publishable, its size."""

    kind: CohortKind
    name: str
    n: int | None
    publishable: bool


@dataclass(frozen=True)
class MyBenchmark:
    """Everything the My benchmark page shows for one person or one typed-in set of scores.

    standings[metric][cohort kind] and quantiles[cohort kind][metric] have passed the privacy
    gate. linkedin holds LinkedIn's own figures from the upload (empty when none).
    """

    as_of: dt.date
    scores: dict[str, float | None]
    band: str
    sector: str | None
    network: str | None
    standings: dict[str, dict[str, Standing]]
    quantiles: dict[str, dict[str, BenchmarkRow]]
    linkedin: dict[str, float | None]
    weakest_pillar: str | None
    personal: bool
    #: LinkedIn-wide industry standing of the SSI total (see Standing.linkedin_industry).
    linkedin_industry: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "scores": dict(self.scores),
            "band": self.band,
            "sector": self.sector,
            "network": self.network,
            "standings": {
                m: {k: s.to_dict() for k, s in by.items()} for m, by in self.standings.items()
            },
            "quantiles": {
                k: {m: r.to_dict() for m, r in by.items()} for k, by in self.quantiles.items()
            },
            "linkedin": dict(self.linkedin),
            "weakest_pillar": self.weakest_pillar,
            "personal": self.personal,
            "linkedin_industry": self.linkedin_industry,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MyBenchmark:
        """Inverse of :meth:`to_dict`: a shared personal view, frozen as it was shared."""
        return cls(
            as_of=dt.date.fromisoformat(d["as_of"]),
            scores=dict(d["scores"]),
            band=d["band"],
            sector=d["sector"],
            network=d["network"],
            standings={
                m: {k: Standing.from_dict(s) for k, s in by.items()}
                for m, by in d["standings"].items()
            },
            quantiles={
                k: {m: BenchmarkRow.from_dict(r) for m, r in by.items()}
                for k, by in d["quantiles"].items()
            },
            linkedin=dict(d["linkedin"]),
            weakest_pillar=d["weakest_pillar"],
            personal=bool(d["personal"]),
            linkedin_industry=d.get("linkedin_industry"),
        )


@dataclass(frozen=True)
class OutcomeResult:
    """Whether a score goes with an outcome in one cohort (Spearman, cohort-level only).

    binned: one row per score band with at least k people: band, n, median outcome.
    rho / ci_* are None when there are too few pairs to say anything.
    """

    kind: CohortKind
    name: str | None
    metric: str
    outcome: str
    n: int | None
    rho: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: str
    binned: pd.DataFrame
