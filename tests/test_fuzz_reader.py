"""Whatever bytes arrive, reading and validating either succeeds or raises IngestError.

Any other exception would reach a user as a traceback, which the conventions count as a bug.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssi_bench.config import Settings
from ssi_bench.errors import IngestError
from ssi_bench.model import IngestOptions
from ssi_bench.reader import read_bytes
from ssi_bench.validate import validate

SETTINGS = Settings(max_field_chars=200, max_rows=1_000)
OPTIONS = (
    IngestOptions(today=dt.date(2026, 11, 22)),
    IngestOptions(person="me", sector="S", date=dt.date(2026, 5, 3), today=dt.date(2026, 11, 22)),
    IngestOptions(person="me", sector="S", date_order="mdy", today=dt.date(2026, 11, 22)),
)
HEADERS = (
    "email", "E-Mail", "Naam", "date", "Datum", "ssi", "Total", "brand", "Uw professionele merk "
    "creëren", "people", "insights", "relationships", "sector", "Branche", "network", "Team",
    "industry rank", "revenue", "meetings", "CapturedAt", "colour", "",
)  # fmt: skip
PAYLOADS = (
    '=HYPERLINK("x")', "<script>alert(1)</script>", "'; DROP TABLE scores; --", "\x00",
    '"', '""', "53 de 100", "Top 5%", "20,998", "1.234,5", "03/04/2026", "13/04/26",
    "2026-05-03T16:09:52.719Z", "2099-01-01", "nan", "inf", "-1", "1e400", "x" * 300,
    "\n", "\r\n", "é", "\ufeff", "🙂", "  ", "31/02/2026",
)  # fmt: skip


def _survives(data: bytes, name: str) -> None:
    try:
        read = read_bytes(data, name, settings=SETTINGS)
    except IngestError:
        return
    for options in OPTIONS:
        try:
            result = validate(read, options)
        except IngestError:
            continue
        assert result.rows_read == len(result.frame) + len(result.rejects)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2_000), name=st.sampled_from(["f.csv", "f.txt", "f.xlsx"]))
def test_arbitrary_bytes_either_read_or_raise_ingest_error(data, name):
    _survives(data, name)


cell = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=12),
    st.from_regex(r"-?\d{1,3}([.,]\d{1,3})?", fullmatch=True),
    st.from_regex(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}", fullmatch=True),
)


@st.composite
def near_csv(draw: st.DrawFn) -> tuple[bytes, str]:
    sep = draw(st.sampled_from([",", ";", "\t", "|", " "]))
    headers = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=10), max_size=8))
    quote = draw(st.booleans())

    def fmt(value: str) -> str:
        if quote and draw(st.booleans()):
            return '"' + value.replace('"', '""') + '"'
        return value

    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [sep.join(fmt(h) for h in headers)] + [sep.join(fmt(c) for c in r) for r in rows]
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 2]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    return data, draw(st.sampled_from(["f.csv", "f.txt"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sample=near_csv())
def test_near_csv_text_either_reads_or_raises_ingest_error(sample):
    data, name = sample
    _survives(data, name)


GOOD_HEADER = ("email", "date", "ssi", "brand", "people", "insights", "relationships", "sector")
good_cell = st.one_of(
    st.sampled_from(["a@x.example", "b@x.example", "2026-05-03", "03/05/2026", "50", "12,5",
                     "20.998", "Top 5%", "Software"]),
    st.sampled_from(PAYLOADS),
)  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(good_cell, min_size=8, max_size=8), min_size=1, max_size=6),
    sep=st.sampled_from([",", ";"]),
)
def test_mostly_valid_rows_with_payloads_either_read_or_raise_ingest_error(rows, sep):
    lines = [sep.join(GOOD_HEADER)]
    lines += [sep.join('"' + c.replace('"', '""') + '"' for c in row) for row in rows]
    _survives(("\n".join(lines) + "\n").encode(), "f.csv")
