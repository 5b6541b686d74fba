"""Many sessions reading while uploads, an undo and an erase run on the same Bench.

Eight reader threads (standing in for Streamlit sessions) share one file-backed Bench with
one writer thread. Each read records the data version before and after it. Afterwards the
same writes are replayed one by one into a fresh Bench, and the answer to every query is
computed single-threaded for every data version: a read that saw one version must equal
that version's answer exactly; a read that straddled writes must equal the answer of one of
the versions it straddled.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.model import IngestOptions
from tests.conftest import TEST_SECRET, TODAY, csv_bytes

READERS = 8
UPLOADS = 20
MIN_READS_PER_THREAD = 60
BASE_DAY = TODAY - dt.timedelta(days=40)
SECTORS = ["Software"] * 20 + ["Consulting"] * 12 + ["Tiny"] * 8
OPTIONS = IngestOptions(today=TODAY)


def email(i: int) -> str:
    return f"person.{i}@example.com"


def snapshot(rng: random.Random, i: int, day: dt.date) -> dict[str, object]:
    return {
        "email": email(i),
        "date": day.isoformat(),
        "sector": SECTORS[i],
        "team": f"Team {i % 3}",
        # whole-number pillars: plenty of ties
        "brand": rng.randint(5, 20),
        "people": rng.randint(5, 20),
        "insights": rng.randint(5, 20),
        "relationships": rng.randint(5, 20),
    }


def make_files(seed: int = 5) -> list[bytes]:
    """The first file (everyone on BASE_DAY), then UPLOADS files: some change existing
    snapshots, some add a later date (which moves the default as-of date)."""
    rng = random.Random(seed)
    files = [csv_bytes([snapshot(rng, i, BASE_DAY) for i in range(len(SECTORS))])]
    for j in range(UPLOADS):
        day = BASE_DAY + dt.timedelta(days=2 * (j // 3))
        people = rng.sample(range(len(SECTORS)), 15)
        files.append(csv_bytes([snapshot(rng, i, day) for i in people]))
    return files


Op = Callable[[Bench], Any]


def make_ops(files: list[bytes]) -> list[Op]:
    """Every write, in order: uploads 1..21 with an undo of upload #6 after the 10th and an
    erase of person 7 at the end. Upload ids are the same in any fresh database."""
    ops: list[Op] = []
    for n, data in enumerate(files, start=1):
        ops.append(lambda b, data=data, n=n: b.ingest(data, f"f{n}.csv", OPTIONS))
        if n == 11:
            ops.append(lambda b: b.undo(6))
    ops.append(lambda b: b.erase(email(7)))
    return ops


QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("percentile", {"person": email(0), "cohort": "sector"}),
    ("percentile", {"person": email(21), "cohort": "sector", "metric": "brand"}),
    ("percentile", {"person": email(35), "cohort": "sector"}),  # Tiny: suppressed + fallback
    ("percentile", {"person": email(3), "cohort": "network", "metric": "relationships"}),
    ("percentile", {"score": 55.0, "sector": "Software", "cohort": "sector"}),
    ("benchmarks", {}),
    ("benchmarks", {"cohort": "sector"}),
]


def answer(bench: Bench, query: tuple[str, dict[str, Any]]) -> Any:
    kind, kwargs = query
    if kind == "percentile":
        return bench.percentile(**kwargs)
    return bench.benchmarks(**kwargs)


def expected_by_version(ops: list[Op]) -> dict[int, list[Any]]:
    """Replay the writes serially into a fresh Bench; every query's answer per version."""
    out: dict[int, list[Any]] = {}
    with Bench.memory(Settings(secret=TEST_SECRET)) as bench:
        for op in ops:
            op(bench)
            out[bench.data_version()] = [answer(bench, q) for q in QUERIES]
    return out


@pytest.mark.timeout(120)
def test_eight_readers_see_exactly_the_data_version_they_read_during_writes(tmp_path: Path):
    files = make_files()
    ops = make_ops(files)
    settings = Settings(secret=TEST_SECRET)
    bench = Bench.open(tmp_path / "bench.duckdb", settings)
    ops[0](bench)  # readers need some data from the start
    first_version = bench.data_version()

    records: list[tuple[int, int, Any, int]] = []  # (query, before, result, after)
    errors: list[BaseException] = []
    lock = threading.Lock()
    writer_done = threading.Event()
    start = threading.Barrier(READERS + 1)
    write_versions: list[int] = []
    # Versions some reader has answered at: the writer waits (at most 2 s) for one answer
    # at each version before the next write. Every answer now comes from the release, which
    # the first read after a write rebuilds; without the wait, on a loaded machine all the
    # writes could land while the readers wait for one rebuild, and the test would check
    # one version only.
    answered: set[int] = set()
    answered_cv = threading.Condition()

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[tuple[int, int, Any, int]] = []
        start.wait()
        try:
            while not writer_done.is_set() or len(mine) < MIN_READS_PER_THREAD:
                q = rng.randrange(len(QUERIES))
                before = bench.data_version()
                result = answer(bench, QUERIES[q])
                after = bench.data_version()
                mine.append((q, before, result, after))
                if before == after:
                    with answered_cv:
                        answered.add(before)
                        answered_cv.notify_all()
        except BaseException as exc:  # every error counts, whatever its type
            with lock:
                errors.append(exc)
        with lock:
            records.extend(mine)

    def writer() -> None:
        start.wait()
        try:
            for op in ops[1:]:
                op(bench)
                version = bench.data_version()
                write_versions.append(version)
                time.sleep(0.005)  # let readers in between writes
                with answered_cv:
                    answered_cv.wait_for(lambda v=version: v in answered, timeout=2.0)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            writer_done.set()

    threads = [threading.Thread(target=reader, args=(s,)) for s in range(READERS)]
    threads.append(threading.Thread(target=writer))
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    elapsed = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), "a thread hung"
    final = bench.data_version()
    bench.close()

    assert errors == []
    assert write_versions == list(range(first_version + 1, first_version + len(ops)))
    assert final == first_version + len(ops) - 1

    expected = expected_by_version(ops)
    assert sorted(expected) == list(range(first_version, final + 1))
    exact = straddled = 0
    seen_versions = set()
    for q, before, result, after in records:
        assert first_version <= before <= after <= final
        if before == after:
            exact += 1
            seen_versions.add(before)
            assert result == expected[before][q], (QUERIES[q], before)
        else:
            straddled += 1
            assert any(result == expected[v][q] for v in range(before, after + 1)), (
                QUERIES[q],
                before,
                after,
            )
    assert len(records) >= READERS * MIN_READS_PER_THREAD
    # The readers really ran during the writes: they saw many versions, not just the last.
    assert len(seen_versions) >= 5, sorted(seen_versions)
    print(
        f"\n{READERS} threads x {len(records)} reads ({exact} at one version, "
        f"{straddled} straddling writes), {len(ops) - 1} writes, "
        f"{len(seen_versions)} versions seen, {elapsed:.1f} s"
    )


def upload_at_once(
    bench: Bench, files: list[bytes], prefix: str
) -> tuple[list[Any], list[BaseException]]:
    """One thread per file, all uploading at once; (results, errors) when all are done."""
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def upload(data: bytes, n: int) -> None:
        try:
            r = bench.ingest(data, f"{prefix}{n}.csv", OPTIONS)
            with lock:
                results.append(r)
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=upload, args=(d, n)) for n, d in enumerate(files)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=50)
    return results, errors


@pytest.mark.timeout(60)
def test_writes_from_many_threads_are_serialised_and_none_is_lost(tmp_path: Path):
    """Eight threads uploading at once: every upload lands whole, ids and versions unique."""
    bench = Bench.open(tmp_path / "bench.duckdb", Settings(secret=TEST_SECRET))
    rng = random.Random(3)
    files = [
        csv_bytes([snapshot(rng, i, BASE_DAY + dt.timedelta(days=t)) for i in range(40)])
        for t in range(8)
    ]
    results, errors = upload_at_once(bench, files, "t")
    try:
        assert errors == []
        assert sorted(r.upload_id for r in results) == list(range(1, 9))
        assert all((r.rows_new, r.rows_updated) == (40, 0) for r in results)
        assert bench.data_version() == 8
        assert bench.status().rows == 8 * 40
        assert {u.upload_id: u.rows_live for u in bench.uploads()} == dict.fromkeys(range(1, 9), 40)
    finally:
        bench.close()


@pytest.mark.timeout(60)
def test_threads_uploading_the_same_people_and_dates_leave_one_row_per_pair(tmp_path: Path):
    """The tables have no key index: serialised writes are what keep each pair once.

    Eight threads upload the same 40 people on the same 3 days with different scores. In
    the end each pair is stored once, holding the values of the upload that wrote it last,
    and every other version is kept for undo.
    """
    bench = Bench.open(tmp_path / "bench.duckdb", Settings(secret=TEST_SECRET))
    files = []
    for t in range(8):
        rng = random.Random(100 + t)
        rows = [
            snapshot(rng, i, BASE_DAY + dt.timedelta(days=d)) for d in range(3) for i in range(40)
        ]
        for r in rows:
            r["brand"] = 5 + t  # each file's scores differ from every other file's
        files.append(csv_bytes(rows))
    results, errors = upload_at_once(bench, files, "same")
    try:
        assert errors == []
        with bench.store.cursor() as cur:
            pairs, distinct = cur.execute(
                "SELECT count(*), count(DISTINCT (person_key, snapshot_date)) FROM scores"
            ).fetchone()
            found = cur.execute("SELECT DISTINCT upload_id FROM scores").fetchall()
            writers = {r[0] for r in found}
            kept = cur.execute("SELECT count(*) FROM scores_replaced").fetchone()[0]
        assert pairs == distinct == 120
        last = max(results, key=lambda r: r.upload_id)
        assert writers == {last.upload_id}  # every score differs, so the last upload wrote all
        assert sum(r.rows_new for r in results) == 120
        assert kept == sum(r.rows_updated for r in results) == 7 * 120
    finally:
        bench.close()
