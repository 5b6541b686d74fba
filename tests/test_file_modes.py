"""Every file the project writes is private (0600), whatever umask it was started with."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.model import IngestOptions
from tests.conftest import csv_bytes

ROOT = Path(__file__).resolve().parent.parent


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """Start from the common default 022 (files 0644) and restore what was there."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def team_csv() -> bytes:
    return csv_bytes(
        [
            {"email": f"p{i}@x.org", "date": "2026-10-01", "sector": "S", "ssi": 40 + i}
            for i in range(12)
        ]
        + [{"email": "bad@x.org", "date": "2026-10-01", "sector": "S", "ssi": 400}]
    )


def test_the_database_key_file_and_folder_are_private_in_process(
    tmp_path, loose_umask, monkeypatch
):
    monkeypatch.delenv("SSI_BENCH_SECRET", raising=False)
    db = tmp_path / "new-folder" / "bench.duckdb"
    with Bench.open(db, Settings()) as bench:
        bench.ingest(team_csv(), "t.csv", IngestOptions())
        assert mode(db) == 0o600
        assert mode(Path(f"{db}.key")) == 0o600
        assert mode(db.parent) == 0o700  # the folder Bench.open made
        bench.erase("p1@x.org")  # the rewritten file too
        assert mode(db) == 0o600
    for path in db.parent.iterdir():
        assert mode(path) == 0o600, path


def test_files_made_before_the_umask_are_tightened_on_open(tmp_path, loose_umask):
    db = tmp_path / "bench.duckdb"
    duckdb.connect(str(db)).close()
    kept = Path(f"{db}.wal.20260101T000000000000.kept")
    kept.write_bytes(b"old log copy")
    assert mode(db) == 0o644 and mode(kept) == 0o644  # control: the loose umask applied
    Bench.open(db, Settings(secret="s" * 32)).close()
    assert mode(db) == 0o600 and mode(kept) == 0o600


def test_a_kept_copy_of_an_interrupted_log_is_private(tmp_path, loose_umask):
    db = tmp_path / "bench.duckdb"
    Bench.open(db, Settings(secret="s" * 32)).close()
    code = (
        "import duckdb, os, sys\n"
        "os.umask(0o022)\n"
        "c = duckdb.connect(sys.argv[1])\n"
        "c.execute('PRAGMA disable_checkpoint_on_shutdown')\n"
        "c.execute(\"SET wal_autocheckpoint = '1GB'\")\n"
        "c.execute(\"INSERT INTO meta VALUES ('x', 1)\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(db)], check=True)
    assert mode(Path(f"{db}.wal")) == 0o644  # control: DuckDB follows the umask
    with Bench.open(db, Settings(secret="s" * 32)) as bench:
        [kept] = bench.store.kept_wal_copies()
        assert mode(kept) == 0o600


def test_every_file_the_command_line_writes_is_private(tmp_path):
    """A fresh process started with umask 022: database, key, reject report, backup and its
    key, benchmark export, restored database."""
    env = {k: v for k, v in os.environ.items() if k != "SSI_BENCH_SECRET"}
    env["PYTHONPATH"] = str(ROOT)
    data = tmp_path / "data"
    data.mkdir()
    src = tmp_path / "team.csv"
    src.write_bytes(team_csv())
    db = data / "bench.duckdb"

    def cli(*args: str) -> None:
        got = subprocess.run(
            [sys.executable, "-m", "ssi_bench", "--db", str(db), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=lambda: os.umask(0o022),
        )
        assert got.returncode == 0, got.stderr

    cli("ingest", str(src), "--rejects", str(tmp_path / "rejects.csv"))
    cli("benchmarks", "--format", "csv", "--out", str(tmp_path / "bench.csv"))
    backups = tmp_path / "backups"
    backups.mkdir()
    cli("backup", str(backups / "b.duckdb"))
    target = tmp_path / "restored" / "r.duckdb"
    target.parent.mkdir()
    db = target
    cli("restore", str(backups / "b.duckdb"))
    written = [
        data / "bench.duckdb",
        data / "bench.duckdb.key",
        tmp_path / "rejects.csv",
        tmp_path / "bench.csv",
        backups / "b.duckdb",
        backups / "b.duckdb.key",
        target,
        Path(f"{target}.key"),
    ]
    for path in written:
        assert path.exists(), path
        assert mode(path) == 0o600, (path, oct(mode(path)))
