"""Every write publishes: after an upload, undo, erase or demo removal the stored release is
already the one of the new data, so the next viewer reads it instead of paying the rebuild.

Checked from the outside: the release tables' ``data_version`` against the store's, and a
second Bench on the same file (another process's view) that must serve without building.
"""

from __future__ import annotations

import datetime as dt

import pyarrow.compute as pc
import pytest

from ssi_bench import release, release_store
from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.model import IngestOptions
from tests.conftest import TEST_SECRET, csv_bytes

DAY = dt.date(2026, 11, 2)


def team(n: int, *, sector: str = "Software Development", start: int = 0) -> bytes:
    rows = [
        {
            "email": f"p{start + i}@example.com",
            "date": DAY.isoformat(),
            "sector": sector,
            "ssi": 30 + (start + i) % 50,
        }
        for i in range(n)
    ]
    return csv_bytes(rows)


def published_version(b: Bench) -> str | None:
    return release_store.meta(b.store).get("data_version")


def everyone_n(b: Bench) -> int | None:
    figs = release_store.load_figures(b.store)
    sel = figs.filter(pc.and_(pc.equal(figs["kind"], "all"), pc.equal(figs["metric"], "ssi")))
    return sel["n"].to_pylist()[-1] if sel.num_rows else None


@pytest.fixture
def pair(tmp_path):
    settings = Settings(secret=TEST_SECRET)
    writer = Bench.open(tmp_path / "b.duckdb", settings)
    yield writer, tmp_path / "b.duckdb", settings
    writer.close()


def test_an_upload_undo_and_erase_each_leave_the_release_of_the_new_data(pair, monkeypatch):
    b, _, _ = pair
    first = b.ingest(team(25), "a.csv", IngestOptions())
    assert published_version(b) == str(b.store.data_version())
    assert everyone_n(b) == 25
    second = b.ingest(team(12, start=100), "b.csv", IngestOptions())
    assert published_version(b) == str(b.store.data_version())
    assert everyone_n(b) == 37
    b.undo(second.upload_id)
    assert published_version(b) == str(b.store.data_version())
    assert everyone_n(b) == 25
    b.erase("p0@example.com")
    assert published_version(b) == str(b.store.data_version())
    assert everyone_n(b) == 24
    assert first.upload_id != second.upload_id


def test_a_viewer_after_an_upload_reads_the_stored_release_without_building(pair, monkeypatch):
    writer, path, settings = pair
    writer.ingest(team(30), "a.csv", IngestOptions())
    writer.close()
    calls: list[int] = []
    real = release.build_figures
    monkeypatch.setattr(release, "build_figures", lambda *a, **k: calls.append(1) or real(*a, **k))
    viewer = Bench.open(path, settings)
    try:
        got = viewer.benchmarks(cohort="all")
        assert got and calls == []  # served from what the upload published
    finally:
        viewer.close()


def test_a_failed_publication_keeps_the_upload_and_the_next_read_builds(pair, monkeypatch, caplog):
    b, _, _ = pair
    from ssi_bench.errors import SSIBenchError

    def broken(*a, **k):
        raise SSIBenchError("disk full")

    monkeypatch.setattr(release, "build_figures", broken)
    result = b.ingest(team(20), "a.csv", IngestOptions())
    assert result.rows_accepted == 20 and b.status().people == 20
    assert "publishing the release after a write failed" in caplog.text
    monkeypatch.undo()
    assert everyone_n(b) is None or published_version(b) != str(b.store.data_version())
    b.release()
    assert published_version(b) == str(b.store.data_version()) and everyone_n(b) == 20
