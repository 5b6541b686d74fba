"""Shared fixtures: an in-memory Bench with a fixed secret, and CSV builders."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

import pytest

from ssi_bench.api import Bench
from ssi_bench.config import Settings

TEST_SECRET = "test-secret-not-for-production-32+chars"


@pytest.fixture
def settings() -> Settings:
    return Settings(secret=TEST_SECRET)


@pytest.fixture
def bench(settings: Settings) -> Iterator[Bench]:
    b = Bench.memory(settings)
    yield b
    b.close()


@pytest.fixture
def file_bench(tmp_path, monkeypatch) -> Iterator[Bench]:
    """A Bench on a database file in a temporary folder, key file beside it."""
    monkeypatch.delenv("SSI_BENCH_SECRET", raising=False)
    b = Bench.open(tmp_path / "bench.duckdb", Settings())
    yield b
    b.close()


def csv_bytes(rows: list[dict[str, object]], sep: str = ",", *, quote_all: bool = False) -> bytes:
    """A CSV with the union of the rows' keys as header (order of first appearance).

    ``quote_all`` quotes every cell (csv.writer leaves a lone CR unquoted otherwise).
    """
    header: list[str] = []
    for r in rows:
        header.extend(k for k in r if k not in header)
    buf = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n", quoting=quoting)
    writer.writerow(header)
    for r in rows:
        writer.writerow(["" if r.get(h) is None else str(r.get(h)) for h in header])
    return buf.getvalue().encode("utf-8")


TODAY = dt.date(2026, 11, 22)
