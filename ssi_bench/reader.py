"""Bytes → :class:`~ssi_bench.model.ReadResult`: encoding, separator, decimal mark, headers.

:func:`read_bytes` is the only entry point. It decides, for the file as a whole:

- the encoding: UTF-8 (with or without BOM), UTF-16 LE/BE (with BOM, or without one when
  the NUL pattern gives it away), UTF-32 with BOM, else Windows-1252 (Latin-1 as the last
  resort, since it decodes any byte);
- the separator among ``,`` ``;`` tab ``|``, chosen by how many headers it makes
  recognisable, then by how consistently it splits the first lines (quote-aware);
- the decimal mark, from the numeric cells (``20,998`` → comma);
- which column is which field, through :func:`ssi_bench.fields.match_header`.

Cells stay raw text; :mod:`ssi_bench.validate` interprets them. Files that look like a
tracker's capture (long "tidy" rows, LinkedIn JSON, a pasted SSI page) are handed to
:mod:`ssi_bench.captures` after decoding.
"""

from __future__ import annotations

import csv
import importlib
import io
import itertools
import re
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ssi_bench.config import Settings
from ssi_bench.errors import IngestError
from ssi_bench.fields import (
    IDENTIFIERS,
    LINKEDIN_AVERAGES,
    METRICS,
    OUTCOMES,
    RANKS,
    match_header,
)
from ssi_bench.model import ReadResult

SEPARATORS: tuple[str, ...] = (",", ";", "\t", "|")
#: Fields whose values are bounded (≤ 100): the safest evidence for the decimal mark.
_BOUNDED_NUMERIC = (*METRICS, *RANKS, *LINKEDIN_AVERAGES)
#: How much of the text the separator sniffer looks at.
_SNIFF_CHARS = 65_536
_SNIFF_ROWS = 50
#: Share of control characters (other than tab and line breaks) above which text is binary.
_CONTROL_SHARE = 0.01
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc
#: Column holding a structural problem of a row (e.g. more cells than headers); read by
#: validate, which rejects such rows with this text as the reason.
PROBLEM_COLUMN = "_problem"


def read_bytes(data: bytes, file_name: str, *, settings: Settings) -> ReadResult:
    """Read an uploaded CSV / text / ``.xlsx`` file into raw, canonically named columns.

    Returns a :class:`ReadResult` whose frame has one row per data row: the canonical
    columns found (the chosen identifier renamed ``person``), cell text as ``str`` with
    blanks as missing, and ``_line``, the 1-based physical line (Excel row for ``.xlsx``)
    where the row starts; the header is line 1 when it is the first line, blank lines are
    skipped but counted, and quoted cells spanning lines are accounted for. A row with more
    cells than the header gets a reason in column ``_problem`` (validate rejects it).

    Raises IngestError for an empty file, a binary or undecodable one, a file larger than
    ``settings.max_upload_bytes``, more than ``settings.max_rows`` data rows, a cell longer
    than ``settings.max_field_chars`` (naming line and column), an unclosed quote, no
    recognisable column (listing those found), and a header without data rows.
    """
    if len(data) > settings.max_upload_bytes:
        raise IngestError(
            f"the file is {len(data) / 1024 / 1024:.1f} MB, above the limit of "
            f"{settings.max_upload_mb} MB"
        )
    if not data:
        raise IngestError("the file is empty")
    name = file_name.lower()
    if data.startswith(_OLE_MAGIC) or name.endswith(".xls"):
        raise IngestError("old Excel .xls files are not supported: save the sheet as .xlsx or CSV")
    if name.endswith(_XLSX_SUFFIXES) or data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, settings)

    plain = _read_plain(data, file_name, settings)
    if plain is not None:
        return plain
    text, encoding = decode(data)
    if not text.strip():
        raise IngestError("the file is empty (it holds only blank lines)")

    captures = _captures_module()
    if captures is not None:
        layout = captures.detect(text, file_name)
        if layout is not None:
            result: ReadResult = captures.read(text, layout, encoding=encoding)
            return result
    return _read_text(text, encoding, settings)


# --------------------------------------------------------------------------- plain files
def _read_plain(data: bytes, file_name: str, settings: Settings) -> ReadResult | None:
    """The common file read straight from its bytes by Arrow's parser; None when it is not one.

    A plain file is UTF-8 (BOM allowed), starts with its header, has no quote character,
    no blank line between rows and the same number of cells on every line. Then row *i*
    is line *i* + 1 and nothing needs decoding into a Python string first (for a million
    rows this saves about half of the reading time and three copies of the file in
    memory). Anything else, or any doubt, returns None and the careful path reads the
    file: the result is the same either way (a test compares the two on generated files).
    """
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if len(data) == start or data[start : start + 1] in (b"\xff", b"\xfe", b"\x00"):
        return None
    if data.find(b"\x00", start) >= 0 or data.find(b'"', start) >= 0:
        return None  # Arrow is lenient with quotes (an unclosed one ends at the line break)
    # The sniffers see the same first characters as on the careful path: all of the text,
    # or more than _SNIFF_CHARS of it (4 bytes per character at most), in whole lines.
    prefix = data[start : start + 4 * _SNIFF_CHARS + 4]
    whole = start + len(prefix) >= len(data)
    if not whole:
        cut = prefix.rfind(b"\n")
        if cut < 0:
            return None
        prefix = prefix[: cut + 1]  # whole lines (a CRLF kept whole)
    try:
        raw_head = prefix.decode("utf-8")
    except UnicodeDecodeError:
        return None
    head = normalise_line_breaks(raw_head)  # no quotes: every CR is a line break
    if not whole and len(head) <= _SNIFF_CHARS:
        return None  # very long lines: leave them to the careful path
    if not head or head[0].isspace() or head[0] in "{[":
        return None
    if _CONTROL_RE.search(raw_head[:_SNIFF_CHARS]):
        return None  # binary or not: decode() decides on the careful path
    captures = _captures_module()
    if captures is not None and captures.detect(raw_head, file_name) is not None:
        return None
    sep = sniff_separator(head)
    width = _header_width(head, sep)
    names = [f"f{i}" for i in range(width)]
    try:
        # Without quotes every CR, LF or CRLF ends a row, as on the careful path; empty
        # lines are rows too, so that row i is line i + 1 (or the parse fails on them).
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data).slice(start)),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(
                delimiter=sep, quote_char=False, newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # a ragged or blank row, invalid UTF-8: the careful path decides
    lines = table.num_rows
    if lines * (width + 1) > MAX_CELLS:
        return None  # the careful path refuses it with its message
    frame = table.to_pandas(types_mapper=_STR_TYPES.get, self_destruct=True)
    del table
    frame.columns = list(range(width))
    return _finish(
        frame,
        np.arange(1, lines + 1, dtype=np.int64),
        encoding="utf-8-sig" if start else "utf-8",
        delimiter=sep,
        settings=settings,
        notes=[f"separator {_SEP_NAMES[sep]}"],
        unit="line",
    )


_STR_TYPES = {
    pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan),
    pa.string(): pd.StringDtype("pyarrow", na_value=np.nan),
}


# --------------------------------------------------------------------------- decoding
def decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes; returns (text without BOM, encoding name).

    Raises IngestError when the bytes are binary (NUL bytes outside UTF-16/32, many control
    characters) or claim UTF-16/32 but do not decode as such.
    """
    encoding: str
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding = "utf-32"
    elif data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith(b"\xff\xfe"):
        encoding, data = "utf-16-le", data[2:]
    elif data.startswith(b"\xfe\xff"):
        encoding, data = "utf-16-be", data[2:]
    elif b"\x00" in data:
        encoding = _bomless_utf16(data)
    else:
        encoding = ""
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise IngestError(
                f"the file looks like {encoding.upper()} text but cannot be decoded as such"
            ) from None
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                # cp1252 leaves five bytes undefined; Latin-1 maps every byte.
                text, encoding = data.decode("latin-1"), "latin-1"
    text = text.removeprefix("\ufeff")
    sample = text[:_SNIFF_CHARS]
    if "\x00" in text or len(_CONTROL_RE.findall(sample)) > _CONTROL_SHARE * len(sample):
        raise IngestError(
            "this looks like a binary file, not a CSV, text or .xlsx file "
            "(it holds NUL bytes or control characters)"
        )
    return text, encoding


def _bomless_utf16(data: bytes) -> str:
    """ "utf-16-le"/"utf-16-be" when NULs sit in every other byte (ASCII as UTF-16), else raise."""
    sample = data[:4096]
    half = max(1, len(sample) // 2)
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if len(data) % 2 == 0:
        if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
            return "utf-16-le"
        if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
            return "utf-16-be"
    raise IngestError(
        "this looks like a binary file, not a CSV, text or .xlsx file (it holds NUL bytes)"
    )


def _captures_module() -> ModuleType | None:
    """The captures module, or None while it does not exist yet.

    Imported lazily and by name so that a missing module does not break reading wide files;
    any other import failure inside captures is a bug and propagates.
    """
    try:
        return importlib.import_module("ssi_bench.captures")
    except ModuleNotFoundError as exc:
        if exc.name == "ssi_bench.captures":
            return None
        raise


# --------------------------------------------------------------------------- text files
def sniff_separator(text: str) -> str:
    """The separator among ``, ; tab |`` that best splits the first lines of ``text``.

    Scores each candidate by (headers it makes recognisable, rows whose cell count equals
    the header's, header cell count), quote-aware via the csv module. Defaults to ``,``
    for a one-column file.
    """
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > len(sample)
    if truncated and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best: tuple[tuple[int, int, int], str] = ((-1, -1, -1), ",")
    for sep in SEPARATORS:
        try:
            rows = list(
                itertools.islice(csv.reader(io.StringIO(sample), delimiter=sep), _SNIFF_ROWS)
            )
        except csv.Error:
            continue
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            continue
        header, body = rows[0], rows[1:]
        if truncated and len(body) > 1:
            body = body[:-1]  # the last sampled row may be cut off
        recognised = len({f for f in map(match_header, header) if f is not None})
        consistent = sum(len(r) == len(header) for r in body)
        score = (recognised, consistent if len(header) > 1 else -1, len(header))
        if score > best[0]:
            best = (score, sep)
    return best[1]


def _read_text(text: str, encoding: str, settings: Settings) -> ReadResult:
    text = normalise_line_breaks(text)
    sep = sniff_separator(text)
    raw = text.encode("utf-8")
    quoted = '"' in text
    width = _header_width(text, sep)
    _check_cell_budget(text, width)
    table: pd.DataFrame | None = None
    if not quoted and not text.startswith("\n") and "\n\n" not in text.rstrip("\n"):
        # Happy path: no quotes and no blank lines, so row i is physical line i + 1 and the
        # fast Arrow parser can be used. A ragged row makes it fail: fall back to C.
        table = _parse_arrow(raw, sep, width)
    if table is None:
        table = _parse_c(raw, sep, width)
    lines = np.arange(1, len(table) + 1, dtype=np.int64)
    if quoted:
        lines = _line_numbers_with_embedded_newlines(table)
    wide_rows: dict[int, int] = {}
    if table.shape[1] > width and bool(table[width].notna().any()):
        # Rows wider than the header were cut one column past it; count their cells.
        wide_rows = _wide_row_cells(text, sep, width)
    del raw
    notes = [f"separator {_SEP_NAMES[sep]}"]
    return _finish(
        table,
        lines,
        encoding=encoding,
        delimiter=sep,
        settings=settings,
        notes=notes,
        unit="line",
        wide_rows=wide_rows,
    )


_SEP_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


#: Most cells (data lines × header columns) a text file may expand to when parsed. Real
#: exports have a few dozen columns; a header of 10,000 columns over a million short lines
#: would otherwise become ten billion empty cells.
MAX_CELLS = 200_000_000
_QUOTED_OR_CR_RE = re.compile(r'"[^"]*"|\r')


def normalise_line_breaks(text: str) -> str:
    """One line-break convention (``\\n``) that keeps line numbers simple.

    CRLF becomes LF everywhere (also inside quoted cells, where it means a newline). A bare
    CR is the line break of a file with no LF at all (classic Mac); in any other file it is
    a break only outside quotes: a CR inside a quoted cell is kept as part of the cell.
    """
    if "\r" not in text:
        return text
    text = text.replace("\r\n", "\n")
    if "\r" not in text:
        return text
    if "\n" not in text or '"' not in text:
        return text.replace("\r", "\n")
    # Quoted cells ("" escapes are two adjacent quoted runs) are kept; a CR outside breaks.
    return _QUOTED_OR_CR_RE.sub(lambda m: m[0] if m[0] != "\r" else "\n", text)


def _header_width(text: str, sep: str) -> int:
    """Cells in the header record, quote-aware (a quoted header may hold ``sep`` or ``\\n``)."""
    start = text.lstrip("\n")
    first = start.split("\n", 1)[0]
    if '"' not in first:
        return first.count(sep) + 1
    try:
        record = next(csv.reader(io.StringIO(start[: _SNIFF_CHARS * 16]), delimiter=sep), [])
    except csv.Error:
        return first.count(sep) + 1
    return max(1, len(record))


def _check_cell_budget(text: str, width: int) -> None:
    lines = text.count("\n") + 1
    if lines * (width + 1) > MAX_CELLS:
        raise IngestError(
            f"the header has {width:,} columns over {lines:,} lines: reading it would take "
            f"more than {MAX_CELLS:,} cells. Remove the columns SSI Bench does not use "
            "(keep identifier, date, sector, network and the scores) and upload again"
        )


def _wide_row_cells(text: str, sep: str, width: int) -> dict[int, int]:
    """{physical start line: cells up to the last non-empty one} for rows wider than ``width``.

    One quote-aware pass (linear in the file); empty if the csv module cannot follow the
    file, in which case the rows are still flagged, without a count.
    """
    found: dict[int, int] = {}
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    start = 1
    try:
        for record in reader:
            if len(record) > width:
                last = max((i + 1 for i, c in enumerate(record) if c), default=0)
                found[start] = last
            start = reader.line_num + 1
    except csv.Error:
        return {}
    return found


def _parse_arrow(raw: bytes, sep: str, width: int) -> pd.DataFrame | None:
    try:
        return pd.read_csv(
            io.BytesIO(raw),
            sep=sep,
            header=None,
            names=list(range(width)),
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            engine="pyarrow",
        )
    except Exception:  # any Arrow refusal just means "use the careful parser"
        return None


def _parse_c(raw: bytes, sep: str, width: int) -> pd.DataFrame:
    """Parse with pandas' C engine, keeping blank lines as empty rows (for line numbers).

    Rows are cut one column past the header's ``width``: a non-empty cell there marks a
    row wider than the header, and a ragged file costs lines × (width + 1) cells, never
    lines × its widest row.
    """

    def parse(columns: int, *, cut: bool) -> pd.DataFrame:
        return pd.read_csv(
            io.BytesIO(raw),  # bytes: a StringIO would hold the text at 4 bytes a character
            encoding="utf-8",
            sep=sep,
            header=None,
            names=list(range(columns)),
            usecols=list(range(columns)) if cut else None,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            engine="c",
            quotechar='"',
            doublequote=True,
        )

    try:
        try:
            return parse(width + 1, cut=True)
        except ValueError as exc:
            if "Too many columns specified" not in str(exc):
                raise
            # No row is wider than the header (pandas refuses a cut past every row).
            return parse(width, cut=False)
    except pd.errors.ParserError as exc:
        message = str(exc)
        found = re.search(r"EOF inside string starting at row (\d+)", message)
        if found:
            raise IngestError(
                f'a quote (") opens a cell that never closes, near line {int(found[1]) + 1}'
            ) from None
        raise IngestError(f"the file cannot be parsed as CSV: {message}") from None


def _line_numbers_with_embedded_newlines(table: pd.DataFrame) -> np.ndarray[Any, Any]:
    """Physical start line of each parsed row when quoted cells may contain newlines."""
    extra = np.zeros(len(table), dtype=np.int64)
    for col in table.columns:
        s = table[col]
        has = s.str.contains("\n", regex=False)
        if bool(has.fillna(False).any()):
            extra += s.str.count("\n").fillna(0).to_numpy(dtype=np.int64)
    # Row i starts after the i lines before it plus the newlines inside earlier rows.
    shift = np.concatenate(([0], np.cumsum(extra)[:-1])) if len(extra) else extra
    return np.arange(1, len(table) + 1, dtype=np.int64) + shift


# --------------------------------------------------------------------------- xlsx
def _read_xlsx(data: bytes, settings: Settings) -> ReadResult:
    try:
        table = pd.read_excel(
            io.BytesIO(data), sheet_name=0, header=None, dtype=str, engine="openpyxl"
        )
    except Exception as exc:  # openpyxl/zipfile raise many types on bad input
        raise IngestError(f"the .xlsx file cannot be read: {exc}") from None
    table.columns = list(range(table.shape[1]))
    lines = np.arange(1, len(table) + 1, dtype=np.int64)
    return _finish(
        table,
        lines,
        encoding="xlsx",
        delimiter=None,
        settings=settings,
        notes=["first sheet of the workbook"],
        unit="row",
    )


# --------------------------------------------------------------------------- common
def _finish(
    table: pd.DataFrame,
    lines: np.ndarray[Any, Any],
    *,
    encoding: str,
    delimiter: str | None,
    settings: Settings,
    notes: list[str],
    unit: str,
    wide_rows: dict[int, int] | None = None,
) -> ReadResult:
    """Header matching, blank rows, limits and decimal mark, shared by text and xlsx.

    ``wide_rows`` gives the true cell count of rows cut short by the parser, by start line.
    """
    if table.shape[1] == 0 or len(table) == 0:
        raise IngestError("the file is empty")
    table = table.reset_index(drop=True)
    if not all(str(t) == "str" for t in table.dtypes):
        table = table.astype("str")  # all-empty columns may come back as float
    # A row is blank when every cell is missing, or it only holds spaces in the first cell.
    rest_missing = table.iloc[:, 1:].isna().all(axis=1).to_numpy()
    blank = rest_missing.copy()
    if blank.any():
        first = table.iloc[np.flatnonzero(blank), 0]
        blank[blank] = (first.isna() | first.str.strip().eq("").fillna(True)).to_numpy()
    keep = ~blank
    if not keep.any():
        raise IngestError("the file is empty (it holds only blank lines)")
    if not keep.all():
        table = table.loc[keep]
        lines = lines[keep]

    header = [None if pd.isna(h) else str(h).strip() for h in table.iloc[0]]
    body = table.iloc[1:].reset_index(drop=True)
    body_lines = lines[1:]
    header_width = max((i + 1 for i, h in enumerate(header) if h), default=0)

    # Per column, from Arrow's byte lengths first (cheap).
    _check_lengths(table, lines, header, settings.max_field_chars, unit)

    mapping: dict[str, str] = {}
    columns: dict[str, Any] = {}
    ignored: list[str] = []
    for i, h in enumerate(header):
        field = match_header(h) if h else None
        if field is None:
            if h:
                ignored.append(h)
            elif i < header_width:
                ignored.append(f"(unnamed column {i + 1})")
            continue
        if field in mapping:
            notes.append(
                f"column {h!r} also means {field}; the first such column "
                f"({mapping[field]!r}) is used and this one is ignored"
            )
            continue
        mapping[field] = str(h)
        columns[field] = i

    if not mapping:
        found = ", ".join(repr(h) for h in header if h) or "no headers at all"
        raise IngestError(
            "no recognisable columns: the header line holds "
            f"{_shorten(found, 300)}. Expected headers such as date, email, name, ssi, "
            "brand, people, insights, relationships, sector, network"
        )
    if len(body) == 0:
        raise IngestError("the file has a header but no data rows")
    if len(body) > settings.max_rows:
        raise IngestError(
            f"the file has {len(body):,} data rows, more than the limit of {settings.max_rows:,}"
        )

    ids = [f for f in ("person", *IDENTIFIERS) if f in mapping]
    if ids:
        chosen, others = ids[0], ids[1:]
        header_text = mapping.pop(chosen)
        for other in others:
            mapping.pop(other)
            columns.pop(other)
        columns = {"person": columns.pop(chosen), **columns}
        mapping = {"person": header_text, **mapping}
        note = f"person identified by {chosen} (column {header_text!r})"
        if others:
            note += "; also present and not used: " + ", ".join(others)
        notes.append(note)

    frame = pd.DataFrame({field: body[i] for field, i in columns.items()})
    frame["_line"] = body_lines.astype(np.int64)
    extra_cols = [c for c in range(body.shape[1]) if c >= header_width]
    if extra_cols:
        has_extra = body[extra_cols].notna().any(axis=1).to_numpy()
        if has_extra.any():
            cells = body.notna().to_numpy()
            last = cells.shape[1] - np.argmax(cells[:, ::-1], axis=1)
            problem = pd.Series(pd.NA, index=frame.index, dtype="str")
            counted = wide_rows or {}
            problem[has_extra] = [
                f"the row has {counted.get(int(line), n)} cells but the header has {header_width}"
                for n, line in zip(last[has_extra], body_lines[has_extra], strict=True)
            ]
            frame[PROBLEM_COLUMN] = problem

    decimal = detect_decimal(frame, delimiter)
    if decimal == ",":
        notes.append("decimal comma")
    return ReadResult(
        frame=frame,
        mapping=mapping,
        ignored_columns=ignored,
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        layout="wide",
        notes=notes,
    )


def _check_lengths(
    table: pd.DataFrame,
    lines: np.ndarray[Any, Any],
    header: list[str | None],
    limit: int,
    unit: str,
) -> None:
    for i in range(table.shape[1]):
        column = table[i]
        try:
            values = pa.array(column.array)
        except (TypeError, pa.ArrowInvalid):
            values = None
        if values is not None and pa.types.is_string(values.type) | pa.types.is_large_string(
            values.type
        ):
            # Bytes bound characters: most columns are cleared without counting characters.
            longest_bytes = pc.max(pc.binary_length(values)).as_py()
            if longest_bytes is None or longest_bytes <= limit:
                continue
        lengths = column.str.len()
        longest = lengths.max()
        if pd.notna(longest) and longest > limit:
            row = int(np.argmax((lengths > limit).fillna(False).to_numpy()))
            name = header[i] if i < len(header) and header[i] else f"column {i + 1}"
            raise IngestError(
                f"{unit} {int(lines[row])}, column {_shorten(repr(name), 60)}: a value of "
                f"{int(lengths.iloc[row]):,} characters is longer than the limit of {limit:,}"
            )


_DECIMAL_COMMA_RE = r"[-+]?\d+,\d+"
_DECIMAL_POINT_RE = r"[-+]?\d+\.\d+"
#: A value using both marks ("1.234,5") shows its decimal mark beyond doubt: it weighs more.
_BOTH_COMMA_RE = r"[-+]?\d{1,3}(?:\.\d{3})+,\d+"
_BOTH_POINT_RE = r"[-+]?\d{1,3}(?:,\d{3})+\.\d+"
_BOTH_WEIGHT = 10


def detect_decimal(frame: pd.DataFrame, delimiter: str | None) -> str:
    """``","`` or ``"."``: the decimal mark the numeric cells use, decided for the file.

    Bounded fields (scores, ranks, LinkedIn averages, all ≤ 100) are looked at first: a single
    ``,`` or ``.`` between digits there can only be a decimal mark. Outcome columns are
    looked at only when those give no evidence; there a value with both marks
    (``1.234,5``) outweighs ten plain ones. With no evidence, or a tie, a ``;``-separated
    file (European Excel) is taken to use the comma.
    """
    for group in (_BOUNDED_NUMERIC, OUTCOMES):
        comma = point = 0
        for field in group:
            if field not in frame.columns:
                continue
            values = frame[field].dropna().head(2000).str.strip()
            comma += int(values.str.fullmatch(_DECIMAL_COMMA_RE).sum())
            point += int(values.str.fullmatch(_DECIMAL_POINT_RE).sum())
            comma += _BOTH_WEIGHT * int(values.str.fullmatch(_BOTH_COMMA_RE).sum())
            point += _BOTH_WEIGHT * int(values.str.fullmatch(_BOTH_POINT_RE).sum())
        if comma != point:
            return "," if comma > point else "."
    return "," if delimiter == ";" else "."


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- describing
#: How pandas writes an Excel date cell read as text: the exact date, no order to guess.
_EXCEL_DATE = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
_ORDER_WORDS = {
    "dmy": "day first (31/12/2026)",
    "mdy": "month first (12/31/2026)",
    "ymd": "year first (2026-12-31)",
}


def describe_date_order(read: ReadResult, date_order: str | None) -> str:
    """How the dates of ``read`` were read, in words, for the preview.

    An ``.xlsx`` date cell holds a date, not text: it is read exactly, whatever its display
    format (a Dutch sheet shows 31-12-2026), so it is described as "Excel dates" and never
    as "year first" (the order of the text pandas makes of it). Text dates in a workbook are
    described by ``date_order`` after that. "—" when the file has no date column.
    """
    if "date" not in read.frame.columns:
        return "—"
    words = _ORDER_WORDS.get(date_order or "", "—")
    if read.encoding != "xlsx":
        return words
    text = read.frame["date"].dropna().astype("str").str.strip()
    excel = text.str.match(_EXCEL_DATE)
    if len(text) == 0 or not excel.any():
        return words
    if excel.all():
        return "Excel dates (read exactly, whatever their display format)"
    others = text[~excel]
    iso_only = others.str.match(r"^\d{4}[-/.]").all()
    rest = _ORDER_WORDS["ymd"] if iso_only else words
    return f"Excel dates (read exactly); dates typed as text: {rest}"
