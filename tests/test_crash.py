"""Crash safety: imports killed with SIGKILL, a second process, damaged files at start-up.

The kill test runs ``tests/crash_worker.py`` (an endless loop of uploads of people never
seen before, with an undo every third round) and kills it at a random moment, 50 times, on
one database file. After every kill the file must open, and every upload must be entirely
present with its ``uploads`` record (all its rows live, as many as it counted new) or
entirely absent; an upload whose commit had returned must still be there.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.errors import DatabaseBusyError, SSIBenchError
from ssi_bench.store import Store
from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parent.parent
WORKER = ROOT / "tests" / "crash_worker.py"
KILLS = 50
ROWS = 3000


def env() -> dict[str, str]:
    return {**os.environ, "SSI_BENCH_SECRET": TEST_SECRET, "PYTHONPATH": str(ROOT)}


def check_whole_or_absent(path: Path) -> dict[int, int]:
    """Open the file as the app would and check every upload; returns live rows by id."""
    store = Store(path)  # must open: raises otherwise
    try:
        with store.cursor() as cur:
            uploads = cur.execute(
                "SELECT upload_id, rows_accepted, rows_new, rows_updated FROM uploads"
            ).fetchall()
            live = dict(
                cur.execute("SELECT upload_id, count(*) FROM scores GROUP BY ALL").fetchall()
            )
            replaced = cur.execute("SELECT count(*) FROM scores_replaced").fetchone()
            repeated = cur.execute(
                "SELECT count(*) - count(DISTINCT (person_key, snapshot_date)) FROM scores"
            ).fetchone()
            version = cur.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    finally:
        store.close()
    recorded = {u[0] for u in uploads}
    assert set(live) <= recorded, f"rows without their uploads record: {set(live) - recorded}"
    for upload_id, accepted, new, updated in uploads:
        assert (accepted, new, updated) == (ROWS, ROWS, 0), upload_id
        assert live.get(upload_id, 0) == new, f"upload {upload_id} is only partly present"
    assert replaced == (0,)
    assert repeated == (0,), "a person and date stored twice"
    assert version is not None
    return live


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_an_import_killed_at_random_moments_is_always_whole_or_absent(tmp_path: Path):
    path = tmp_path / "bench.duckdb"
    rng = random.Random(20261122)
    committed: set[int] = set()  # uploads whose commit returned and that were not undone
    phases: dict[str, int] = {}
    started = time.monotonic()
    for kill in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), str(path), str(kill), str(ROWS)],
            cwd=ROOT,
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        if kill % 10 == 9:
            time.sleep(rng.uniform(0.0, 0.5))  # while opening / importing modules
        else:
            assert proc.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.0, 0.45))  # a few uploads in, then somewhere inside one
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        lines = out.split("\n")
        last = next((ln for ln in reversed(lines) if ln.strip()), "start")
        phase = last.split()[0]
        phases[phase] = phases.get(phase, 0) + 1
        undoing = None  # the upload whose undo was under way when the kill came
        for ln in lines:
            parts = ln.split()
            if parts[:1] == ["done"]:
                committed.add(int(parts[2]))
            elif parts[:1] == ["undo"]:
                undoing = int(parts[2])
            elif parts[:1] == ["undone"]:
                committed.discard(undoing)
                undoing = None
        live = check_whole_or_absent(path)
        # An undo cut short may have committed before it could say so: either outcome is
        # whole (checked above), so that one upload may be present or absent.
        must_live = committed - {undoing}
        assert must_live <= set(live), (
            f"committed uploads lost: {must_live - set(live)}; last line {last!r}"
        )
        # what was live but not known committed is the one upload whose commit returned
        # just before the kill (or whose undo was cut short)
        assert len(set(live) - committed) <= 1
        committed = set(live)
    elapsed = time.monotonic() - started
    assert sum(phases.values()) == KILLS
    # The kills really landed inside uploads, not only between them.
    assert phases.get("begin", 0) >= 15, phases
    print(f"\n{KILLS} kills in {elapsed:.0f} s; last line before each kill: {phases}")


def test_a_second_process_gets_a_clear_busy_message_and_exit_1_from_the_cli(tmp_path: Path):
    path = tmp_path / "bench.duckdb"
    holder = Bench.open(path, Settings(secret=TEST_SECRET))
    try:
        for args in (["uploads"], ["uploads", "--json"], ["ingest", str(WORKER)]):
            started = time.monotonic()
            got = subprocess.run(
                [sys.executable, "-m", "ssi_bench", "--db", str(path), *args],
                cwd=ROOT,
                env=env(),
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert time.monotonic() - started < 30
            assert got.returncode == 1, got.stderr
            assert "in use by another process" in got.stderr
            assert str(os.getpid()) in got.stderr
            assert "Traceback" not in got.stderr + got.stdout
            if "--json" in args:
                assert "in use" in json.loads(got.stdout)["error"]
    finally:
        holder.close()


def test_a_second_bench_in_another_process_raises_database_busy(tmp_path: Path):
    path = tmp_path / "bench.duckdb"
    code = (
        "import sys\n"
        "from ssi_bench.api import Bench\n"
        "from ssi_bench.errors import DatabaseBusyError\n"
        "try:\n"
        "    Bench.open(sys.argv[1])\n"
        "except DatabaseBusyError:\n"
        "    sys.exit(7)\n"
    )
    with Bench.open(path, Settings(secret=TEST_SECRET)):
        got = subprocess.run(
            [sys.executable, "-c", code, str(path)], cwd=ROOT, env=env(), timeout=60
        )
    assert got.returncode == 7
    assert issubclass(DatabaseBusyError, SSIBenchError)


# ---------------------------------------------------------------------- damaged files
def leftover_wal(path: Path) -> None:
    """Leave ``path`` with committed rows only in its .wal, as a crash after commit does."""
    with Bench.open(path, Settings(secret=TEST_SECRET)):
        pass  # schema in the file itself
    code = (
        "import duckdb, os, sys\n"
        "c = duckdb.connect(sys.argv[1])\n"
        "c.execute('PRAGMA disable_checkpoint_on_shutdown')\n"
        "c.execute(\"SET wal_autocheckpoint = '1GB'\")\n"
        "for i in range(5):\n"
        '    c.execute("INSERT INTO uploads (upload_id, uploaded_at, label) '
        "VALUES (100 + $i, now()::TIMESTAMP, 'wal')\", {'i': i})\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, env=env(), check=True)
    assert Path(f"{path}.wal").stat().st_size > 0


def test_a_leftover_write_ahead_log_is_replayed_on_start_up(tmp_path: Path):
    path = tmp_path / "bench.duckdb"
    leftover_wal(path)
    with Bench.open(path, Settings(secret=TEST_SECRET)) as bench, bench.store.cursor() as cur:
        got = cur.execute("SELECT count(*) FROM uploads WHERE label = 'wal'").fetchone()
    assert got == (5,)


def test_a_corrupt_write_ahead_log_is_refused_clearly_and_nothing_is_deleted(tmp_path: Path):
    path = tmp_path / "bench.duckdb"
    leftover_wal(path)
    wal = Path(f"{path}.wal")
    data = bytearray(wal.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    wal.write_bytes(bytes(data))
    db_before = path.read_bytes()
    with pytest.raises(SSIBenchError, match="cannot be opened") as err:
        Bench.open(path, Settings(secret=TEST_SECRET))
    assert str(path) in str(err.value)
    assert "backup" in str(err.value)
    assert wal.read_bytes() == bytes(data)
    assert path.read_bytes() == db_before
    # and the command line says the same, exit 1, no traceback
    got = subprocess.run(
        [sys.executable, "-m", "ssi_bench", "--db", str(path), "uploads"],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert got.returncode == 1
    assert "cannot be opened" in got.stderr and "Traceback" not in got.stderr
    assert wal.exists() and path.exists()


@pytest.mark.parametrize("damage", ["truncated", "garbage", "zeroed header"])
def test_a_damaged_database_file_is_refused_clearly_and_nothing_is_deleted(tmp_path, damage):
    path = tmp_path / "bench.duckdb"
    with Bench.open(path, Settings()) as bench:  # key file beside it
        bench.store.conn.execute("CHECKPOINT")
    key = Path(f"{path}.key")
    assert key.exists()
    data = path.read_bytes()
    if damage == "truncated":
        broken = data[: len(data) // 3]
    elif damage == "garbage":
        broken = random.Random(1).randbytes(len(data))
    else:
        broken = b"\0" * 4096 + data[4096:]
    path.write_bytes(broken)
    with pytest.raises(SSIBenchError) as err:
        Bench.open(path, Settings())
    assert str(path) in str(err.value)
    assert path.read_bytes() == broken
    assert key.exists()
    got = subprocess.run(
        [sys.executable, "-m", "ssi_bench", "--db", str(path), "uploads"],
        cwd=ROOT,
        env={k: v for k, v in env().items() if k != "SSI_BENCH_SECRET"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert got.returncode == 1, got.stderr
    assert "Traceback" not in got.stderr
    assert str(path) in got.stderr
    assert path.read_bytes() == broken and key.exists()


def test_duckdb_itself_cannot_open_what_the_store_refused(tmp_path: Path):
    """Guard for the test above: the damage is real, not an artefact of the store."""
    path = tmp_path / "bench.duckdb"
    path.write_bytes(b"\0" * 8192)
    with pytest.raises(duckdb.Error):
        duckdb.connect(str(path))


def test_an_unreadable_write_ahead_log_is_not_silently_dropped(tmp_path: Path):
    """DuckDB drops a torn WAL without a word; the store keeps its bytes and says so."""
    path = tmp_path / "bench.duckdb"
    leftover_wal(path)
    wal = Path(f"{path}.wal")
    damaged = random.Random(2).randbytes(wal.stat().st_size)
    wal.write_bytes(damaged)
    try:
        bench = Bench.open(path, Settings(secret=TEST_SECRET))
    except SSIBenchError:
        return  # refused clearly: nothing lost
    with bench, bench.store.cursor() as cur:
        got = cur.execute("SELECT count(*) FROM uploads WHERE label = 'wal'").fetchone()
        note = bench.store.recovery_note
    if got == (5,):
        return  # replayed after all
    assert note is not None and "copy is kept" in note
    kept = [p for p in tmp_path.iterdir() if p.name.endswith(".kept")]
    assert len(kept) == 1
    assert kept[0].read_bytes() == damaged  # the log's bytes are not lost
    assert str(kept[0]) in note
