"""Backups while another process holds and writes the database; restore with the key file.

A helper process (standing in for the running dashboard) opens the database and uploads a
small file every few milliseconds. ``python -m ssi_bench backup DEST`` cannot open the file
then, so it copies and verifies it. The backup must open and hold exactly the source's data
at one data version (every upload up to some id, none after), and ``restore`` must bring
back both the data and the key, so identifiers still find their rows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = 40

HOLDER = """
import sys, time
from pathlib import Path
from ssi_bench.api import Bench
from ssi_bench.config import Settings
from ssi_bench.model import IngestOptions
import datetime as dt

db = Path(sys.argv[1])
today = dt.date(2026, 11, 22)
bench = Bench.open(db, Settings.from_env())
n = 0
deadline = time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    n += 1
    lines = ["email,date,sector,brand,people,insights,relationships"]
    day = today - dt.timedelta(days=n % 60)
    for i in range(PEOPLE):
        lines.append(f"p{i}@example.com,{day},S{i % 3},{(n + i) % 25},{i % 25},7.5,12.25")
    bench.ingest(("\\n".join(lines) + "\\n").encode(), f"u{n}.csv", IngestOptions(today=today))
    if n == 3:
        print("ready", flush=True)
    time.sleep(0.01)
print("stopped", n, flush=True)
bench.close()
""".replace("PEOPLE", str(PEOPLE))


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k != "SSI_BENCH_SECRET"}
    out["PYTHONPATH"] = str(ROOT)
    return out


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ssi_bench", *args],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def snapshot(path: Path, max_upload: int | None = None) -> dict[str, list[tuple]]:
    """The rows of the data tables, optionally only those of uploads up to ``max_upload``."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        where = "" if max_upload is None else f" WHERE upload_id <= {int(max_upload)}"
        return {
            "scores": con.execute(f"SELECT * FROM scores{where} ORDER BY ALL").fetchall(),
            "uploads": con.execute(
                f"SELECT upload_id, label, file_sha256, rows_new, rows_updated "
                f"FROM uploads{where} ORDER BY ALL"
            ).fetchall(),
            "scores_replaced": con.execute(
                "SELECT * FROM scores_replaced"
                + ("" if max_upload is None else f" WHERE replaced_by <= {int(max_upload)}")
                + " ORDER BY ALL"
            ).fetchall(),
        }
    finally:
        con.close()


def version_of(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        got = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    finally:
        con.close()
    assert got is not None
    return int(got[0])


@pytest.mark.timeout(120)
def test_backup_while_another_process_writes_then_restore_round_trips_with_the_key(tmp_path):
    db = tmp_path / "live" / "bench.duckdb"
    db.parent.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), "20"],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    backups: list[Path] = []
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        for i in range(3):
            dest = tmp_path / f"backup{i}.duckdb"
            started = time.monotonic()
            got = cli("--db", str(db), "backup", str(dest), "--json")
            assert got.returncode == 0, got.stderr
            assert time.monotonic() - started < 45
            assert "Traceback" not in got.stderr
            doc = json.loads(got.stdout)
            assert doc["dest"] == str(dest)
            assert doc["key_file"] == f"{dest}.key"
            backups.append(dest)
            time.sleep(0.2)
    finally:
        holder.terminate()
        _out, err = holder.communicate(timeout=30)
    assert "Traceback" not in err, err

    source_key = Path(f"{db}.key").read_bytes()
    versions = []
    for dest in backups:
        # Each upload bumps the version once and nothing else writes: version == last id.
        v = version_of(dest)
        versions.append(v)
        assert v >= 3
        assert snapshot(dest) == snapshot(db, max_upload=v), f"{dest} is not version {v}"
        assert Path(f"{dest}.key").read_bytes() == source_key
        assert Path(f"{dest}.key").stat().st_mode & 0o777 == 0o600
    assert versions == sorted(versions)

    # restore the latest backup into a fresh place: data and key come back
    target = tmp_path / "restored" / "bench.duckdb"
    target.parent.mkdir()
    got = cli("--db", str(target), "restore", str(backups[-1]), "--json")
    assert got.returncode == 0, got.stderr
    assert snapshot(target) == snapshot(backups[-1])
    assert Path(f"{target}.key").read_bytes() == source_key
    # identifiers still find their rows: the pseudonyms are recomputed with the same key
    got = cli("--db", str(target), "percentile", "--person", "P3@Example.com", "--cohort", "all")
    assert got.returncode == 0, got.stderr
    got = cli("--db", str(target), "erase", "--person", "p3@example.com", "--json")
    assert got.returncode == 0, got.stderr
    live_rows_of_p3 = versions[-1]  # p3 has one row per date; dates cycle over 60 days
    assert json.loads(got.stdout)["rows_deleted"] == min(live_rows_of_p3, 60)


def test_restore_refuses_to_overwrite_a_database_with_data_unless_forced(tmp_path):
    source = tmp_path / "a.duckdb"
    target = tmp_path / "b.duckdb"
    for path in (source, target):
        got = cli("--db", str(path), "demo", "--people", "30")
        assert got.returncode == 0, got.stderr
    dest = tmp_path / "backup.duckdb"
    assert cli("--db", str(source), "backup", str(dest)).returncode == 0
    before = snapshot(target)
    got = cli("--db", str(target), "restore", str(dest))
    assert got.returncode == 1
    assert "--force" in got.stderr and "Traceback" not in got.stderr
    assert snapshot(target) == before
    got = cli("--db", str(target), "restore", str(dest), "--force")
    assert got.returncode == 0, got.stderr
    assert snapshot(target) == snapshot(source)
    assert Path(f"{target}.key").read_bytes() == Path(f"{source}.key").read_bytes()


def test_backup_refuses_an_existing_destination_and_restore_a_file_that_is_no_backup(tmp_path):
    db = tmp_path / "a.duckdb"
    assert cli("--db", str(db), "demo", "--people", "20").returncode == 0
    dest = tmp_path / "taken.duckdb"
    dest.write_bytes(b"precious")
    got = cli("--db", str(db), "backup", str(dest))
    assert got.returncode == 1 and "exists" in got.stderr
    assert dest.read_bytes() == b"precious"
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"\0" * 10_000)
    got = cli("--db", str(tmp_path / "new.duckdb"), "restore", str(junk))
    assert got.returncode == 1 and "Traceback" not in got.stderr
    assert junk.read_bytes() == b"\0" * 10_000
