"""Raw cells → typed rows, with one reason for every row that cannot be used.

:func:`validate` turns a :class:`~ssi_bench.model.ReadResult` into a
:class:`~ssi_bench.model.Validated`: dates parsed with one order for the whole file, numbers
read with the file's decimal mark, ranges and the total-versus-pillars rule checked, and
duplicates (same person and date) resolved. No row vanishes: every row read is either in
the output frame or in ``rejects`` (line, field, reason). A reason never holds a raw
person identifier; :func:`mask` is how one is shown.

The work is vectorised with Arrow compute kernels (pandas' ``str`` dtype is Arrow-backed);
Python loops only ever run over rejected rows.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ssi_bench.errors import IngestError
from ssi_bench.fields import (
    IDENTIFIERS,
    LINKEDIN_AVERAGES,
    METRICS,
    OUTCOMES,
    PILLAR_MAX,
    PILLARS,
    RANKS,
    SSI_MAX,
)
from ssi_bench.model import DateOrder, IngestOptions, ReadResult, Reject, Validated
from ssi_bench.reader import PROBLEM_COLUMN

#: A total may differ from the pillar sum by this much (LinkedIn shows the rounded sum).
SUM_TOLERANCE = 0.5 + 1e-9
#: Scores are stored with this many decimals (LinkedIn shows up to three).
DECIMALS = 4
#: Raw values quoted in a reason are cut to this many characters.
_SHOWN_CHARS = 40

_ISO_DATE = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[T ].*)?$"
_OTHER_DATE = r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})(?:[T ].*)?$"
#: A score, optionally "of 100" in the languages LinkedIn speaks ("53 de 100", "53/100").
_SCORE = (
    r"(?i)^(?P<n>[-+]?\d+(?:[.,]\d+)?)\s*"
    r"(?:(?:/|de|of|out of|von|sur|van|di|su|sobre|на|из|av|af|z)\s*100)?$"
)
#: A rank: any words, a number, an optional % and words ("Top 5%", "Primeiros 10 %", "5").
_RANK = r"^[^\d+\-]*(?P<n>[-+]?\d+(?:[.,]\d+)?)\s*%?[^\d]*$"
_PLAIN_NUMBER = r"^[-+]?\d+(?:\.\d+)?$"
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def mask(identifier: str) -> str:
    """A person identifier shortened so it no longer identifies anyone, for messages.

    E-mail: first character of the local part and of the domain (``"jane.doe@example.com"``
    → ``"j…@e…"``). URL: scheme dropped, then the first character of each path part
    (``"https://www.linkedin.com/in/jane"`` → ``"w…/i…/j…"``). Anything else (ids, names):
    the first character of each word (``"Jane Doe"`` → ``"J… D…"``). Parts of one character
    show nothing but ``…``. Never raises; an empty value gives ``"…"``.
    """
    text = str(identifier).strip()

    def part(p: str) -> str:
        return (p[0] if len(p) > 1 else "") + "…"

    if "@" in text:
        local, _, domain = text.rpartition("@")
        return f"{part(local)}@{part(domain)}"
    if "/" in text:
        text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text, flags=re.IGNORECASE)
        return "/".join(part(p) for p in text.split("/") if p) or "…"
    words = text.split()
    return " ".join(part(w) for w in words) if words else "…"


# --------------------------------------------------------------------------- arrow helpers
def _arrow(series: pd.Series) -> Any:
    """The series as an Arrow string array (zero-copy for pandas' Arrow-backed ``str``)."""
    if str(series.dtype) != "str":
        series = series.astype("str")
    try:
        return pa.array(series.array)
    except (TypeError, pa.ArrowInvalid):
        # A Python-backed str dtype (pyarrow missing from pandas' view): convert explicitly.
        values = np.asarray(series.astype(object).where(series.notna(), None), dtype=object)
        return pa.array(values, type=pa.large_string())


def _numpy_bool(arr: Any) -> np.ndarray[Any, Any]:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _numpy_float(arr: Any) -> np.ndarray[Any, Any]:
    return np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def _text_values(arr: Any) -> np.ndarray[Any, Any]:
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)


def _to_str_series(arr: Any) -> pd.Series:
    """An Arrow string array as a pandas ``str`` series, without a copy where possible."""
    series = arr.to_pandas(types_mapper=_STR_TYPES.get)
    return series if str(series.dtype) == "str" else series.astype("str")


_STR_TYPES = {
    pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan),
    pa.string(): pd.StringDtype("pyarrow", na_value=np.nan),
}


def _null_unless(mask_arr: Any, arr: Any) -> Any:
    return pc.if_else(mask_arr, arr, pa.scalar(None, arr.type))


def _looks_like_identifier(text: str) -> bool:
    return "@" in text or "://" in text or "linkedin." in text.lower()


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _fmt(x: float) -> str:
    """A number as a person would write it: 86, 52.648 (no trailing zeros)."""
    return f"{round(float(x), DECIMALS):.{DECIMALS}f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------- rejects
class _Rejects:
    """The first problem of each row: a field and a reason per rejected position."""

    def __init__(self, n: int) -> None:
        self.bad = np.zeros(n, dtype=bool)
        self.field = np.empty(n, dtype=object)
        self.reason = np.empty(n, dtype=object)

    def add(
        self,
        cond: np.ndarray[Any, Any],
        field: str,
        reason: str | Callable[[np.ndarray[Any, Any]], Iterable[str]],
    ) -> None:
        """Reject rows where ``cond`` holds and that have no reason yet.

        ``reason`` is a text, or a function from the positions to one text each (so that
        values are formatted for rejected rows only).
        """
        hit = cond & ~self.bad
        if not hit.any():
            return
        positions = np.flatnonzero(hit)
        self.bad[positions] = True
        self.field[positions] = field
        if isinstance(reason, str):
            self.reason[positions] = reason
        else:
            self.reason[positions] = list(reason(positions))


# --------------------------------------------------------------------------- numbers
def parse_bounded(arr: Any, *, rank: bool = False) -> np.ndarray[Any, Any]:
    """Scores, pillars, averages and ranks (all below 1000) as floats; NaN where unreadable.

    A single ``,`` or ``.`` between digits is always the decimal mark here (a thousands
    separator cannot occur below 1000), so files of either convention read the same.
    Scores may read ``53 de 100`` / ``53 out of 100`` / ``53/100``; ranks may carry words
    and a percent sign (``Top 5%``, ``Primeiros 10 %``).
    """
    try:
        # Fast path: every value is a plain number (``,`` or ``.`` as decimal mark).
        plain = _numpy_float(pc.replace_substring(arr, ",", "."))
        given = ~_numpy_bool(pc.is_null(arr))
        if np.isfinite(plain[given]).all():  # "nan" / "inf" must not pass as numbers
            return plain
    except pa.ArrowInvalid:
        pass
    found = pc.struct_field(pc.extract_regex(arr, _RANK if rank else _SCORE), "n")
    return _numpy_float(pc.replace_substring(found, ",", "."))


def parse_unbounded(arr: Any, decimal: str) -> np.ndarray[Any, Any]:
    """Outcome counts and revenue as floats; NaN where unreadable.

    ``decimal`` is the file's decimal mark; the other mark is taken as a thousands separator
    when it groups digits by three (``1.234.567,5`` with ``,``), and as a decimal mark when
    a value uses it alone without a group of three (``12.5`` in a decimal-comma file).
    Spaces, apostrophes and currency symbols are ignored.
    """
    text = pc.replace_substring_regex(arr, r"[\s\x{00a0}\x{202f}'’€$£¥]", "")
    group = "." if decimal == "," else ","
    g, d = re.escape(group), re.escape(decimal)
    grouped = pc.match_substring_regex(text, rf"^[-+]?\d{{1,3}}(?:{g}\d{{3}})+(?:{d}\d+)?$")
    text = pc.if_else(grouped, pc.replace_substring(text, group, ""), text)
    text = pc.replace_substring(text, ",", ".")
    valid = pc.match_substring_regex(text, _PLAIN_NUMBER)
    return _numpy_float(_null_unless(pc.fill_null(valid, False), text))


# --------------------------------------------------------------------------- dates
def infer_date_order(values: Iterable[str]) -> DateOrder | None:
    """The day/month order that fits every non-ISO date in ``values``, or None.

    ``"dmy"`` when some first part is above 12, ``"mdy"`` when some second part is; None when
    no value tells (some value has unequal parts both ≤ 12, or there are only ISO dates).
    Values whose day and month are equal (03/03/2026) read the same either way: alone, they
    give ``"dmy"``. Raises IngestError when values
    contradict each other (some only day-first, others only month-first).
    """
    arr = pa.array([None if v is None else str(v).strip() for v in values], pa.large_string())
    order, _ = _infer(arr, lambda i: i + 1, unit="value")
    return order


def _infer(
    arr: Any, locate: Callable[[int], int], unit: str = "line"
) -> tuple[DateOrder | None, tuple[int, str] | None]:
    """(order or None, an ambiguous example (line, text) when no value tells).

    ``locate`` maps a position in ``arr`` to the line shown in messages.
    """
    other = pc.extract_regex(arr, _OTHER_DATE)
    a = _numpy_float(pc.struct_field(other, "a"))
    b = _numpy_float(pc.struct_field(other, "b"))
    day_first = (a > 12) & (b <= 12)
    month_first = (b > 12) & (a <= 12)
    if day_first.any() and month_first.any():
        i, j = int(np.argmax(day_first)), int(np.argmax(month_first))
        raise IngestError(
            f"the dates disagree on their order: {unit} {locate(i)} ({arr[i].as_py()}) can "
            f"only be day-first but {unit} {locate(j)} ({arr[j].as_py()}) can only be "
            "month-first; correct the file or choose the date order (dmy or mdy)"
        )
    if day_first.any():
        return "dmy", None
    if month_first.any():
        return "mdy", None
    # Equal parts (03/03/2026) read the same either way, so only unequal ones are ambiguous.
    ambiguous = (a <= 12) & (b <= 12) & (a != b)
    if ambiguous.any():
        i = int(np.argmax(ambiguous))
        return None, (locate(i), str(arr[i].as_py()))
    if ((a <= 12) & (b <= 12)).any():
        return "dmy", None  # only equal day and month: either order reads them the same
    return None, None


class _Column:
    """One raw text column, dictionary-encoded once; cleaning and parsing run per distinct value.

    Files repeat values heavily (a few dates, sectors and teams, scores with two decimals),
    so trimming, collapsing and parsing the distinct values and spreading the results back
    by index is much cheaper than working on every cell. ``values`` are the distinct raw
    values trimmed, blank ones as null (they may repeat: ``"5"`` and ``" 5"``).
    """

    def __init__(self, series: pd.Series) -> None:
        arr = _arrow(series)
        # One dictionary for the whole column (chunks encoded apart would each have their
        # own): the combined copy lives only as long as the encoding takes.
        whole = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        encoded = pc.dictionary_encode(whole)
        del whole
        raw = encoded.dictionary
        trimmed = pc.utf8_trim_whitespace(raw)
        self.values = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, trimmed.type), trimmed)
        self._raw = arr  # the caller's (zero-copy) array, handed back by text() when unchanged
        self._same = bool(pc.all(pc.fill_null(pc.equal(self.values, raw), False)).as_py())
        indices = encoded.indices
        # int32 as Arrow gives them: half the memory of intp for a million rows.
        self.index = np.asarray(pc.fill_null(indices, 0).to_numpy(zero_copy_only=False))
        blank_value = _numpy_bool(pc.is_null(self.values))
        self.null = _numpy_bool(pc.is_null(indices))
        if len(blank_value) and blank_value.any():
            self.null |= blank_value[self.index]
        self._text: dict[bool, Any] = {}

    def spread(self, per_value: np.ndarray[Any, Any], missing: Any) -> np.ndarray[Any, Any]:
        """Per-row results from per-distinct-value results; ``missing`` for blank cells."""
        if len(per_value) == 0:
            return np.full(len(self.index), missing, dtype=per_value.dtype)
        out = per_value[self.index]
        out[self.null] = missing
        return out

    def first_row(self, k: int) -> int:
        """Position of the first row holding distinct value ``k``."""
        return int(np.argmax((self.index == k) & ~self.null))

    def text(self, *, collapse: bool = False) -> Any:
        """The cleaned value of every row (Arrow); ``collapse``: inner whitespace runs as one
        space. The raw array itself when cleaning changes no value."""
        if len(self.values) == 0:  # every cell blank
            return pa.nulls(len(self.index), pa.large_string())
        if collapse not in self._text:
            values = _collapse(self.values) if collapse else self.values
            assert values is not None
            if self._same and (
                not collapse
                or bool(pc.all(pc.fill_null(pc.equal(values, self.values), True)).as_py())
            ):
                self._text[collapse] = self._raw
            else:
                taken = pc.take(values, pa.array(self.index))
                self._text[collapse] = _null_unless(pa.array(~self.null), taken)
        return self._text[collapse]

    def take(self, pos: np.ndarray[Any, Any]) -> Any:
        """The cleaned values of the rows at ``pos`` (Arrow), for messages."""
        if len(self.values) == 0:
            return pa.nulls(len(pos), pa.large_string())
        return _null_unless(
            pa.array(~self.null[pos]), pc.take(self.values, pa.array(self.index[pos]))
        )


def _parse_dates(arr: Any, order: DateOrder | None) -> np.ndarray[Any, Any]:
    """datetime64[us] per value (NaT where unreadable) under ``order`` for non-ISO dates."""
    iso = pc.extract_regex(arr, _ISO_DATE)
    year = _numpy_float(pc.struct_field(iso, "y"))
    month = _numpy_float(pc.struct_field(iso, "m"))
    day = _numpy_float(pc.struct_field(iso, "d"))
    if order in ("dmy", "mdy"):
        other = pc.extract_regex(arr, _OTHER_DATE)
        a = _numpy_float(pc.struct_field(other, "a"))
        b = _numpy_float(pc.struct_field(other, "b"))
        y = _numpy_float(pc.struct_field(other, "y"))
        y = np.where(y < 100, y + 2000, y)  # two-digit years: the SSI exists since 2014
        use = np.isnan(year) & ~np.isnan(a)
        first_is_day = order == "dmy"
        year = np.where(use, y, year)
        month = np.where(use, b if first_is_day else a, month)
        day = np.where(use, a if first_is_day else b, day)
    ok = ~(np.isnan(year) | np.isnan(month) | np.isnan(day))
    # Out-of-range parts (month 13, 31 February) become NaT through errors="coerce".
    parts = pd.DataFrame(
        {
            "year": np.where(ok, year, 2000),
            "month": np.where(ok & (month >= 1) & (month <= 12), month, 99),
            "day": np.where(ok, day, 1),
        }
    )
    parsed = np.array(pd.to_datetime(parts, errors="coerce").to_numpy(dtype="datetime64[us]"))
    parsed[~ok] = np.datetime64("NaT")
    return parsed


# --------------------------------------------------------------------------- validate
def validate(read: ReadResult, options: IngestOptions) -> Validated:
    """Check and type every row of ``read``; never drops a row silently.

    Output frame columns: ``person`` (trimmed identifier text), ``snapshot_date``
    (datetime64, midnight), ``sector``, ``network`` (trimmed, inner whitespace collapsed;
    missing network is NA), then those of ``fields.METRICS``, ``fields.RANKS``,
    ``fields.LINKEDIN_AVERAGES``, ``fields.OUTCOMES`` the file has, as float (NaN where a
    cell is blank; ``ssi`` is always there), and ``_line``. Columns the file lacks are not
    carried (the store writes them as NULL). ``ssi`` is the precise pillar sum (4 decimals)
    whenever all four pillars are given. ``rows_read == len(frame) + len(rejects)``.

    Whole-file choices: ``options.person`` / ``sector`` / ``network`` / ``date`` fill blank
    cells or stand in for a missing column (a column's own values win); the day/month order
    is inferred from the values unless ``options.date_order`` is given.

    Raises IngestError when the file cannot be used at all: no person column and no
    ``options.person``; no date column and no ``options.date``; no sector column and no
    ``options.sector``; dates that contradict each other's order; ambiguous dates with no
    ``options.date_order``.

    Rows are rejected (first problem only) for: a structural problem found by the reader;
    missing person, date or sector; an unreadable or future date (after ``options.today``);
    a number that is not one or out of range (ssi 0–100, pillars 0–25, ranks above 0 up to
    100, LinkedIn averages like their metric, outcomes ≥ 0); a total more than 0.5 away
    from the pillar sum; no ssi and not all four pillars; a duplicate person and date (the
    row captured later, else the later line, is kept); a failed capture — total and pillars
    all 0, which trackers write when the page did not load — before any range check.
    """
    src = read.frame.reset_index(drop=True)
    n = len(src)
    if "_line" in src.columns:
        lines = src["_line"].to_numpy(dtype=np.int64)
    else:
        lines = np.arange(2, n + 2, dtype=np.int64)
    rejects = _Rejects(n)

    columns: dict[str, _Column] = {}

    def column(name: str) -> _Column | None:
        if name not in src.columns:
            return None
        if name not in columns:
            columns[name] = _Column(src[name])
        return columns[name]

    known_people: list[Any] = []

    def shown(col: _Column) -> Callable[[np.ndarray[Any, Any]], np.ndarray[Any, Any]]:
        """Raw values of rejected rows for reasons, identifiers masked.

        A shifted row can put an e-mail or a name into a number column, so a value that is
        some row's person, or looks like an e-mail or URL, is shown through :func:`mask`.
        """

        def values(pos: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
            taken = col.take(pos)
            if not known_people:
                known_people.append(pc.unique(person))
            is_person = _numpy_bool(pc.is_in(taken, value_set=known_people[0]))
            raw = _text_values(taken)
            for i, value in enumerate(raw):
                if value is not None and (is_person[i] or _looks_like_identifier(str(value))):
                    raw[i] = mask(str(value))
            return raw

        return values

    if PROBLEM_COLUMN in src.columns:
        problem = src[PROBLEM_COLUMN]
        rejects.add(
            problem.notna().to_numpy(), "row", lambda pos: [str(p) for p in problem.iloc[pos]]
        )

    # person ------------------------------------------------------------------------------
    person_col = next((f for f in ("person", *IDENTIFIERS) if f in src.columns), None)
    person_column = column(person_col) if person_col else None
    person = _filled(
        person_column.text() if person_column else None,
        options.person.strip() if options.person and options.person.strip() else None,
        n,
        missing=(
            "the file has no person column (e-mail, profile URL, employee id or name); "
            "name one person for the whole file"
        ),
    )
    rejects.add(_numpy_bool(pc.is_null(person)), "person", "person missing")

    # date --------------------------------------------------------------------------------
    date_order: DateOrder | None = None
    today = np.datetime64(options.today or dt.date.today(), "us")
    date_col = column("date")
    if date_col is None:
        if options.date is None:
            raise IngestError(
                "the file has no date column; choose the snapshot date for the whole file"
            )
        dates = np.full(n, np.datetime64(options.date, "us"))
    else:
        distinct = date_col
        if options.date_order is None:
            inferred, example = _infer(distinct.values, lambda k: int(lines[distinct.first_row(k)]))
            if example is not None:
                line, text = example
                a, b = (int(p) for p in re.split(r"[-/.]", text)[:2])
                raise IngestError(
                    f"dates like {text} (line {line}) could be {a} {_MONTHS[b - 1]} or "
                    f"{b} {_MONTHS[a - 1]}: no date in the file tells the order; choose the "
                    "date order (dmy or mdy)"
                )
            date_order = inferred
        else:
            date_order = options.date_order
        dates = distinct.spread(
            _parse_dates(distinct.values, date_order), np.datetime64("NaT", "us")
        )
        if date_order is None and not np.isnat(dates).all():
            date_order = "ymd"  # only ISO dates
        blank = date_col.null.copy()
        if options.date is not None:
            dates[blank] = np.datetime64(options.date, "us")
        else:
            rejects.add(blank, "date", "date missing")
        raw_dates = shown(date_col)
        rejects.add(
            np.isnat(dates) & ~blank,
            "date",
            lambda pos: [
                bad_date_reason(_shown(v), date_order, chosen=options.date_order is not None)
                for v in raw_dates(pos)
            ],
        )
    future = ~np.isnat(dates) & (dates > today)
    rejects.add(
        future,
        "date",
        lambda pos: [f"date {str(d)[:10]} is in the future" for d in dates[pos]],
    )

    # sector and network ------------------------------------------------------------------
    sector_col, network_col = column("sector"), column("network")
    sector = _filled(
        sector_col.text(collapse=True) if sector_col else None,
        _collapse_text(options.sector),
        n,
        missing="the file has no sector column; choose one sector for the whole file",
    )
    rejects.add(_numpy_bool(pc.is_null(sector)), "sector", "sector missing")
    network = _filled(
        network_col.text(collapse=True) if network_col else None,
        _collapse_text(options.network),
        n,
    )

    # failed captures ---------------------------------------------------------------------
    # Trackers write zeros when LinkedIn's page did not load: a total and pillars that are
    # all 0 are no score at all. Checked before the ranges so that the row's zero rank is
    # not reported as the problem.
    score_cols = [(m, sc) for m in METRICS if (sc := column(m)) is not None]
    if score_cols:
        any_given = np.zeros(n, dtype=bool)
        all_zero = np.ones(n, dtype=bool)
        for _, score_col in score_cols:
            values = score_col.spread(parse_bounded(score_col.values), np.nan)
            given = ~score_col.null
            any_given |= given
            all_zero &= ~given | (values == 0)
        rejects.add(
            any_given & all_zero,
            "ssi",
            "failed capture: the total and pillars are all 0 (the page did not load)",
        )

    # numbers -----------------------------------------------------------------------------
    numbers: dict[str, np.ndarray[Any, Any]] = {}
    limits: list[tuple[str, float, bool]] = [
        ("ssi", SSI_MAX, False),
        *((p, PILLAR_MAX, False) for p in PILLARS),
        *((r, 100.0, True) for r in RANKS),
        *((a, SSI_MAX if a.endswith("_ssi") else PILLAR_MAX, False) for a in LINKEDIN_AVERAGES),
    ]
    for name, upper, is_rank in limits:
        col = column(name)
        if col is None:
            continue
        values = col.spread(parse_bounded(col.values, rank=is_rank), np.nan)
        raw = shown(col)
        given = ~col.null
        rejects.add(given & np.isnan(values), name, _quoting(raw, f'{name} "{{}}" is not a number'))
        if is_rank:
            rejects.add(
                (values <= 0) | (values > upper),
                name,
                _quoting(raw, f"{name} {{}} is not a Top % above 0 and at most 100"),
            )
        else:
            rejects.add(values < 0, name, _quoting(raw, f"{name} {{}} is below 0"))
            rejects.add(values > upper, name, _quoting(raw, f"{name} {{}} is above {_fmt(upper)}"))
        numbers[name] = np.round(values, DECIMALS)
    for name in OUTCOMES:
        col = column(name)
        if col is None:
            continue
        values = col.spread(parse_unbounded(col.values, read.decimal), np.nan)
        raw = shown(col)
        given = ~col.null
        rejects.add(given & np.isnan(values), name, _quoting(raw, f'{name} "{{}}" is not a number'))
        rejects.add(values < 0, name, _quoting(raw, f"{name} {{}} is below 0"))
        numbers[name] = values

    # total versus pillars ----------------------------------------------------------------
    nan = np.full(n, np.nan)
    count = np.zeros(n, dtype=np.int64)
    total = np.zeros(n)
    for p in PILLARS:
        if p in numbers:
            count += ~np.isnan(numbers[p])
            total += numbers[p]  # NaN unless all four are given
    all_four = count == len(PILLARS)
    pillar_sum = np.round(np.where(all_four, total, np.nan), DECIMALS)
    ssi = numbers.get("ssi", nan)
    ssi_col = column("ssi")
    ssi_raw = shown(ssi_col) if ssi_col is not None and "ssi" in numbers else None
    differs = all_four & ~np.isnan(ssi) & (np.abs(ssi - pillar_sum) > SUM_TOLERANCE)
    if ssi_raw is not None:
        rejects.add(
            differs,
            "ssi",
            lambda pos: [
                f"total {_shown(v)} differs from the pillar sum {_fmt(s)} by more than 0.5"
                for v, s in zip(ssi_raw(pos), pillar_sum[pos], strict=True)
            ],
        )
    no_ssi = np.isnan(ssi)
    rejects.add(
        no_ssi & (count > 0) & ~all_four,
        "ssi",
        lambda pos: [
            f"ssi missing and only {c} of the 4 pillars given (give ssi or all four)"
            for c in count[pos]
        ],
    )
    rejects.add(no_ssi & (count == 0), "ssi", "no score: give ssi or all four pillars")
    numbers["ssi"] = np.where(all_four, pillar_sum, ssi)

    # duplicates --------------------------------------------------------------------------
    captured_col = column("captured_at")
    captured = captured_col.text() if captured_col is not None else None
    _reject_duplicates(rejects, person, dates, captured, lines)

    keep = ~rejects.bad
    accepted = _output_frame(keep, person, dates, sector, network, numbers, lines)
    if captured is not None:
        # Kept (never stored) so a multi-file upload can keep the latest capture of a day.
        accepted["_captured_at"] = _to_str_series(pc.filter(captured, pa.array(keep)))
    order = np.argsort(lines[rejects.bad], kind="stable")
    bad = np.flatnonzero(rejects.bad)[order]
    cells = _reject_cells(src, read.mapping, bad, person, person_col)
    reject_list = [
        Reject(
            line=int(lines[i]),
            field=str(rejects.field[i]),
            reason=str(rejects.reason[i]),
            cells=row_cells,
        )
        for i, row_cells in zip(bad, cells, strict=True)
    ]
    return Validated(frame=accepted, rejects=reject_list, date_order=date_order, rows_read=n)


NUMERIC_OUTPUT: tuple[str, ...] = (*METRICS, *RANKS, *LINKEDIN_AVERAGES, *OUTCOMES)

_DATE_PARTS = re.compile(
    r"^(?:(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
    r"|(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y2>\d{4}|\d{2}))(?:[T ].*)?$"
)


def bad_date_reason(text: str, order: DateOrder | None, *, chosen: bool = False) -> str:
    """Why ``text`` is not a date, said about that date: ``"date 31-11-2026: November has
    30 days"``, ``"date 2026-13-01: there is no month 13"``, ``"date 29/02/2026: February
    2026 has 28 days"``. ``order`` is the file's day/month order for non-ISO dates (None:
    only ISO dates tell). Text that is no date at all gets the formats that are read
    (``chosen``: the order was chosen by the uploader, not inferred). Never raises.
    """
    m = _DATE_PARTS.match(text.strip())
    if m is not None and (m["y"] is not None or order in ("dmy", "mdy")):
        if m["y"] is not None:
            year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
        else:
            a, b, y = int(m["a"]), int(m["b"]), int(m["y2"])
            year = y + 2000 if y < 100 else y
            day, month = (a, b) if order == "dmy" else (b, a)
        if not 1 <= month <= 12:
            return f"date {text}: there is no month {month}"
        if day == 0:
            return f"date {text}: there is no day 0"
        last = calendar.monthrange(year, month)[1]
        if day > last:
            name = _MONTHS[month - 1]
            when = f"{name} {year}" if month == 2 else name
            return f"date {text}: {when} has {last} days"
    return (
        f'date "{text}" is not a valid date (expected e.g. 2026-11-22 or '
        f"22/11/2026{' in the chosen order' if chosen else ''})"
    )


#: Fields whose cells name a person (masked wherever a reject shows its cells).
_PERSON_FIELDS = frozenset({"person", *IDENTIFIERS})


def _reject_cells(
    src: pd.DataFrame,
    mapping: dict[str, str],
    bad: np.ndarray[Any, Any],
    person: Any,
    person_col: str | None,
) -> list[dict[str, str]]:
    """The cells of the rejected rows at ``bad``, header → text, identifiers masked.

    The person column is always masked; any other cell is masked when it is some row's
    person or looks like an e-mail or URL (a shifted row puts identifiers anywhere). Loops
    run over rejected rows only.
    """
    if len(bad) == 0:
        return []
    people = pc.unique(person)
    columns = [c for c in src.columns if c in mapping or c in _PERSON_FIELDS]
    out: list[dict[str, str]] = [{} for _ in bad]
    for col in columns:
        header = mapping.get(col, col)
        taken = pa.array(
            src[col].iloc[bad].astype(object).where(src[col].iloc[bad].notna(), None),
            pa.large_string(),
        )
        is_person = _numpy_bool(pc.fill_null(pc.is_in(pc.utf8_trim_whitespace(taken),
                                                      value_set=people), False))  # fmt: skip
        always = col in _PERSON_FIELDS or col == person_col
        for i, value in enumerate(taken.to_pylist()):
            if value is None:
                out[i][header] = ""
            elif always or is_person[i] or _looks_like_identifier(value):
                out[i][header] = mask(value) if value.strip() else ""
            else:
                out[i][header] = value  # whole: the row is to be fixed and uploaded again
    return out


def _output_frame(
    keep: np.ndarray[Any, Any],
    person: Any,
    dates: np.ndarray[Any, Any],
    sector: Any,
    network: Any,
    numbers: dict[str, np.ndarray[Any, Any]],
    lines: np.ndarray[Any, Any],
) -> pd.DataFrame:
    """The accepted rows, built column-block-wise to avoid copying a million rows twice."""
    present = [name for name in NUMERIC_OUTPUT if name in numbers]
    every = bool(keep.all())  # a clean file: nothing to filter, nothing to copy

    def kept(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return values if every else values[keep]

    def kept_text(values: Any) -> pd.Series:
        return _to_str_series(values if every else pc.filter(values, pa.array(keep)))

    # One float block of the columns the file has (absent ones are not carried: most
    # files have none of LinkedIn's averages or the outcomes), filled row by row of the
    # transposed array so that pandas takes it as is.
    block = np.empty((len(present), int(keep.sum())))
    for i, name in enumerate(present):
        block[i] = kept(numbers[name])
    frame = pd.DataFrame(block.T, columns=present, copy=False)
    frame.insert(0, "person", kept_text(person))
    frame.insert(1, "snapshot_date", kept(dates))
    frame.insert(2, "sector", kept_text(sector))
    frame.insert(3, "network", kept_text(network))
    frame["_line"] = kept(lines)
    return frame


def _quoting(
    raw: Callable[[np.ndarray[Any, Any]], np.ndarray[Any, Any]], template: str
) -> Callable[[np.ndarray[Any, Any]], list[str]]:
    """Reasons made by putting each rejected row's raw value (shortened) into ``template``."""
    return lambda pos: [template.format(_shown(v)) for v in raw(pos)]


def _filled(arr: Any | None, fill: str | None, n: int, missing: str | None = None) -> Any:
    """A column with blanks filled by the whole-file value; the value alone without column.

    Raises IngestError(``missing``) when there is neither and ``missing`` is given.
    """
    if arr is None:
        if fill is None and missing is not None:
            raise IngestError(missing)
        if fill is None:
            return pa.nulls(n, pa.large_string())
        return pa.repeat(pa.scalar(fill, pa.large_string()), n)
    if fill is None:
        return arr
    return pc.fill_null(arr, pa.scalar(fill, arr.type))


def _collapse(arr: Any | None) -> Any | None:
    """Inner runs of whitespace as one space (values are trimmed already)."""
    return None if arr is None else pc.replace_substring_regex(arr, r"\s+", " ")


def _collapse_text(text: str | None) -> str | None:
    if text is None:
        return None
    collapsed = " ".join(text.split())
    return collapsed or None


def _reject_duplicates(
    rejects: _Rejects,
    person: Any,
    dates: np.ndarray[Any, Any],
    captured: Any | None,
    lines: np.ndarray[Any, Any],
) -> None:
    """Keep one row per person and date among the rows still valid; reject the others.

    The row with the latest ``captured_at`` wins, else the later line. Person values are
    compared case-folded, and URLs without scheme, ``www.``, query and trailing slash, close
    to what pseudonymisation treats as one person.
    """
    ok = ~rejects.bad
    if ok.sum() < 2:
        return
    # The comparison key is made once per distinct person value, then spread back.
    codes, uniques = pd.factorize(_to_str_series(person))
    key = pc.utf8_lower(_arrow(pd.Series(uniques, dtype="str")))
    if _numpy_bool(pc.match_substring(key, "/")).any():
        for pattern in (r"^[a-z][a-z0-9+.-]*://", r"^www\.", r"[?#].*$", r"/+$"):
            key = pc.replace_substring_regex(key, pattern, "")
    unique_codes = pd.factorize(_to_str_series(key))[0].astype(np.int64)
    # One integer per (person, date) pair: hashing integers is far cheaper than string pairs.
    key_codes = np.where(codes >= 0, unique_codes[np.maximum(codes, 0)] if len(uniques) else 0, -1)
    date_codes = pd.factorize(dates)[0].astype(np.int64)
    pair = key_codes * (int(date_codes.max(initial=0)) + 1) + date_codes
    frame = pd.DataFrame({"key": pair, "pos": np.arange(len(dates))})[ok]
    dup = frame.duplicated("key", keep=False).to_numpy()
    if not dup.any():
        return
    group = frame[dup].copy()
    group["line"] = lines[group["pos"].to_numpy()]
    if captured is not None:
        stamps = pd.to_datetime(
            pd.Series(
                _text_values(pc.take(captured, pa.array(group["pos"].to_numpy()))), dtype="str"
            ),
            errors="coerce",
            utc=True,
            format="ISO8601",
        )
        group["captured"] = stamps.to_numpy()
    else:
        group["captured"] = pd.NaT
    group = group.sort_values(["key", "captured", "line"], na_position="first")
    winner = group.groupby("key", sort=False)["line"].transform("last")
    losers = group.duplicated("key", keep="last").to_numpy()
    lose_pos = group["pos"].to_numpy()[losers]
    lose_winner = winner.to_numpy()[losers]
    cond = np.zeros(len(dates), dtype=bool)
    cond[lose_pos] = True
    by_pos = dict(zip(lose_pos.tolist(), lose_winner.tolist(), strict=True))
    rejects.add(
        cond,
        "date",
        lambda pos: [
            f"duplicate of line {by_pos[int(p)]} (same person and date); the later row was kept"
            for p in pos
        ],
    )
