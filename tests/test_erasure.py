"""Erase erases: no byte of an erased person stays in any file of the database folder.

The scans read every file under the folder (database, .wal, kept log copies, anything else)
and look for the person's key as ASCII and UTF-16, and for their unique score values as
IEEE-754 little-endian doubles and as text. Each scan has a control: before the erase the
same scan finds the person (so a scan that could never find anything would fail), and after
it another person's key is still found in the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from ssi_bench import links
from ssi_bench.api import Bench
from ssi_bench.cli import run
from ssi_bench.config import Settings
from ssi_bench.model import BACKUPS_HOLDING_COMMAND, IngestOptions
from ssi_bench.store import MIGRATIONS, Store
from tests.conftest import TEST_SECRET, csv_bytes

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 22)
GONE = "zoe.gone@example.com"
STAYS = "sam.stays@example.com"
#: Zoe's pillars on her two dates: values nobody else has (others use two decimals).
ZOE_VALUES = ((21.4375, 13.0625, 17.8125, 9.3125), (22.5625, 14.1875, 18.6875, 10.4375))


def expected_key(identifier: str, secret: str = TEST_SECRET) -> str:
    """The pseudonym computed independently of the library (README: HMAC-SHA256, 128 bits)."""
    message = identifier.strip().casefold().encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def folder_bytes(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def needles(key: str, values: tuple[float, ...] = ()) -> dict[str, bytes]:
    found = {"key ascii": key.encode("ascii"), "key utf-16": key.encode("utf-16-le")}
    for v in values:
        found[f"{v} double"] = struct.pack("<d", v)
        found[f"{v} text"] = repr(v).encode("ascii")
    return found


def hits(folder: Path, wanted: dict[str, bytes]) -> list[tuple[str, str]]:
    """(needle name, file name) for every needle found in every file under ``folder``."""
    return [
        (name, path.name)
        for path, data in folder_bytes(folder).items()
        for name, needle in wanted.items()
        if needle in data
    ]


def team_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i in range(24):
        for day in ("2026-10-01", "2026-11-01"):
            rows.append(
                {
                    "email": f"member.{i}@example.com",
                    "date": day,
                    "sector": "Software",
                    "team": f"Team {i % 3}",
                    "brand": f"{10 + (i % 13) * 0.25:.2f}",
                    "people": f"{8 + (i % 7) * 0.5:.2f}",
                    "insights": f"{9 + (i % 11) * 0.25:.2f}",
                    "relationships": f"{11 + (i % 5) * 0.5:.2f}",
                    "meetings": i % 4,
                }
            )
    rows.append({**rows[0], "email": STAYS})
    return rows


def zoe_history() -> bytes:
    lines = ["date,brand,people,insights,relationships"]
    for day, pillars in zip(("2026-10-15", "2026-11-15"), ZOE_VALUES, strict=True):
        lines.append(",".join([day, *(repr(p) for p in pillars)]))
    return ("\n".join(lines) + "\n").encode()


def load(bench: Bench) -> None:
    """A team file, then Zoe's personal history under her own label, then a share of her view."""
    bench.ingest(csv_bytes(team_rows()), "team.csv", IngestOptions(today=TODAY, label="Team Q4"))
    zoe = IngestOptions(
        person=GONE, sector="Software", network="Team 1", today=TODAY, label="History Zoe Gone"
    )
    bench.ingest(zoe_history(), "SSI history - Zoe Gone (zoe.gone@example.com).csv", zoe)
    key = expected_key(GONE)
    view = {"page": "my", "scores": {"brand": ZOE_VALUES[1][0]}, "frozen_key": key}
    bench.share_create(view, person_key=key)
    links.create(bench.store, TEST_SECRET.encode(), [GONE, STAYS], 5)  # private links


def zoe_needles() -> dict[str, bytes]:
    values = tuple(v for pillars in ZOE_VALUES for v in pillars)
    wanted = needles(expected_key(GONE), values)
    wanted["label"] = b"History Zoe Gone"
    wanted["file name"] = b"zoe.gone"
    return wanted


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "db"
    path.mkdir()
    return path


def open_bench(folder: Path) -> Bench:
    return Bench.open(folder / "bench.duckdb", Settings(secret=TEST_SECRET))


def test_before_the_erase_the_scan_finds_the_person(folder: Path):
    """Control for every scan below: the person's key is in the file's bytes at first."""
    with open_bench(folder) as bench:
        load(bench)
    assert ("key ascii", "bench.duckdb") in hits(folder, zoe_needles())


def test_after_erase_no_byte_of_the_person_remains_in_any_file(folder: Path):
    with open_bench(folder) as bench:
        load(bench)
        result = bench.erase("  Zoe.Gone@EXAMPLE.com ")
        assert result.file_rewritten
        # Zoe: 2 scores, 1 share, 1 private link; her personal upload held only her and goes.
        assert result.tables["scores"] == 2 and result.tables["shares"] == 1
        assert result.tables["private_links"] == 1
        assert result.rows_deleted == 4
        assert result.uploads_removed == 1
        assert hits(folder, zoe_needles()) == []
        # the scan still sees data that stays
        assert hits(folder, needles(expected_key(STAYS)))
        assert bench.status().people == 25
    assert hits(folder, zoe_needles()) == []  # and after the close's checkpoint


def test_after_a_restart_the_erase_still_leaves_nothing(folder: Path):
    with open_bench(folder) as bench:
        load(bench)
    with open_bench(folder) as bench:
        assert bench.erase(GONE).rows_deleted == 4
    with open_bench(folder) as bench:  # reopening brings nothing back
        assert bench.status().people == 25
        with bench.store.cursor() as cur:
            got = cur.execute(
                "SELECT count(*) FROM scores WHERE person_key = $k", {"k": expected_key(GONE)}
            ).fetchone()
        assert got == (0,)
    assert hits(folder, zoe_needles()) == []


def test_everything_else_survives_the_rewrite_unchanged(folder: Path):
    with open_bench(folder) as bench:
        load(bench)
        key = expected_key(GONE)
        with bench.store.cursor() as cur:
            before = {
                t: sorted(
                    map(
                        repr,
                        cur.execute(
                            f"SELECT * FROM {t} WHERE person_key IS DISTINCT FROM $k",
                            {"k": key},
                        ).fetchall(),
                    )
                )
                for t in ("scores", "outcomes", "shares", "private_links")
            }
            uploads_before = cur.execute("SELECT * FROM uploads ORDER BY upload_id").fetchall()
        bench.erase(GONE)
        with bench.store.cursor() as cur:
            after = {
                t: sorted(map(repr, cur.execute(f"SELECT * FROM {t}").fetchall()))
                for t in ("scores", "outcomes", "shares", "private_links")
            }
            uploads_after = cur.execute("SELECT * FROM uploads ORDER BY upload_id").fetchall()
        assert after == before
        # the team upload stays as it was; Zoe's own upload (#2) is gone
        assert uploads_after == [uploads_before[0]]
        # sequences carry on: the next upload does not reuse an id
        again = bench.ingest(zoe_history(), "h.csv", IngestOptions(person=STAYS, sector="S"))
        assert again.upload_id == 3


def test_a_kept_log_copy_from_a_crash_before_the_erase_is_removed(folder: Path):
    """A writer killed with SIGKILL, then a torn-run WAL holding Zoe's raw values: the copy
    the store keeps of that log is the place where her doubles sit unencoded."""
    db = folder / "bench.duckdb"
    env = {**os.environ, "SSI_BENCH_SECRET": TEST_SECRET, "PYTHONPATH": str(ROOT)}
    worker = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "crash_worker.py"), str(db), "5", "400"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    for line in worker.stdout:
        if line.startswith("begin 3"):
            break
    time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    victim = "s5-u1-7@example.com"  # in upload 1, done before the kill
    with open_bench(folder) as bench:
        load(bench)
    # A run that dies after committing Zoe's extra row into its log, before a checkpoint.
    code = (
        "import duckdb, os, sys\n"
        "c = duckdb.connect(sys.argv[1])\n"
        "c.execute('PRAGMA disable_checkpoint_on_shutdown')\n"
        "c.execute(\"SET wal_autocheckpoint = '1GB'\")\n"
        'c.execute("INSERT INTO scores (person_key, snapshot_date, sector, brand, upload_id) '
        "VALUES ($k, DATE '2026-11-20', 'Software', $v, 2)\", {'k': sys.argv[2], 'v': 7.8125})\n"
        "os._exit(0)\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(db), expected_key(GONE)], cwd=ROOT, env=env, check=True
    )
    with open_bench(folder) as bench:
        assert bench.store.recovery_note is not None
        kept = bench.store.kept_wal_copies()
        assert len(kept) >= 1  # the injected log's copy; the killed writer may leave one too
        wanted = {**zoe_needles(), **needles(expected_key(GONE), (7.8125,))}
        found = hits(folder, wanted)
        assert ("7.8125 double", kept[-1].name) in found  # control: raw value in the copy
        victim_key = expected_key(victim)
        assert hits(folder, needles(victim_key))  # control for the crashed writer's rows
        result = bench.erase(GONE)
        assert result.kept_wal_copies_removed == len(kept) and result.tables["scores"] == 3
        assert bench.erase(victim).tables["scores"] == 1
        assert hits(folder, wanted) == []
        assert hits(folder, needles(victim_key)) == []
    assert not list(folder.glob("*.kept"))
    assert hits(folder, wanted) == [] and hits(folder, needles(victim_key)) == []


def test_readers_in_other_threads_never_see_the_file_swap(folder: Path):
    with open_bench(folder) as bench:
        load(bench)
        for i in range(3):
            bench.ingest(zoe_history(), "h.csv", IngestOptions(person=f"p{i}@x.org", sector="S"))
        errors: list[BaseException] = []
        stop = threading.Event()

        def read() -> None:
            while not stop.is_set():
                try:
                    assert bench.status().people >= 25
                    bench.percentile(person=STAYS, cohort="all")
                except BaseException as exc:
                    errors.append(exc)
                    return

        threads = [threading.Thread(target=read) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            for who in (GONE, "p0@x.org", "p1@x.org", "p2@x.org"):
                assert bench.erase(who).file_rewritten
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)
        assert errors == []
        assert bench.status().people == 25


def test_an_upload_holding_only_the_person_keeps_no_record(folder: Path):
    with open_bench(folder) as bench:
        load(bench)
        [zoe_upload, team] = bench.uploads()
        assert zoe_upload.options["person_given"] is True
        assert zoe_upload.label == "History Zoe Gone"
        bench.erase(GONE)
        assert [u.upload_id for u in bench.uploads()] == [team.upload_id]
        assert bench.uploads()[0].rows_live == team.rows_live


def test_erase_result_says_backups_still_hold_the_person_and_how_to_find_them(
    folder: Path, monkeypatch, capsys
):
    monkeypatch.setenv("SSI_BENCH_SECRET", TEST_SECRET)
    db = folder / "bench.duckdb"
    with open_bench(folder) as bench:
        load(bench)
    backups = folder.parent / "backups"
    backups.mkdir()
    assert run(["--db", str(db), "backup", str(backups / "before.duckdb")]) == 0
    capsys.readouterr()
    assert run(["--db", str(db), "--json", "erase", "--person", GONE]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["rows_deleted"] == 4 and doc["file_rewritten"] is True
    assert doc["backups_command"] == BACKUPS_HOLDING_COMMAND
    assert "backups-holding" in doc["note"]
    assert run(["--db", str(db), "backup", str(backups / "after.duckdb")]) == 0
    capsys.readouterr()
    stdin = _Stdin(GONE + "\n")
    code = run(
        ["--db", str(db), "--json", "backups-holding", str(backups), "--person", "-"], stdin=stdin
    )
    assert code == 0
    holding = json.loads(capsys.readouterr().out)["holding"]
    assert [Path(h["path"]).name for h in holding] == ["before.duckdb"]
    assert holding[0]["tables"] == ["private_links", "scores", "shares"]
    # the text form names the file too, and a person in no backup is in none
    assert run(["--db", str(db), "backups-holding", str(backups), "--person", GONE]) == 0
    assert "before.duckdb" in capsys.readouterr().out
    assert run(["--db", str(db), "--json", "backups-holding", str(backups), "--person", "x@y"]) == 0
    assert json.loads(capsys.readouterr().out) == {"holding": []}


class _Stdin:
    def __init__(self, text: str) -> None:
        self.text = text

    def readline(self) -> str:
        return self.text


# ---------------------------------------------------------------------- file names
def test_no_file_name_is_stored_only_the_label(folder: Path):
    name = "SSI history - Bob Late (bob.late@example.com).csv"
    with open_bench(folder) as bench:
        bench.ingest(zoe_history(), name, IngestOptions(person="bob.late@example.com", sector="S"))
        bench.ingest(zoe_history(), name, IngestOptions(person="x@example.com", sector="S",
                                                       label="  Q4\n  import\t "))  # fmt: skip
        labels = [u.label for u in bench.uploads()]
        assert labels == ["Q4 import", None]
        assert bench.uploads()[1].file_sha256 == hashlib.sha256(zoe_history()).hexdigest()
        with bench.store.cursor() as cur:
            for (table,) in cur.execute(
                "SELECT table_name FROM information_schema.tables"
            ).fetchall():
                for rec in cur.execute(f'SELECT * FROM "{table}"').fetchall():
                    assert not any("bob" in str(v).lower() for v in rec), (table, rec)
    for path, data in folder_bytes(folder).items():
        for needle in (b"Bob Late", b"bob.late", "Bob Late".encode("utf-16-le")):
            assert needle not in data, path


def test_a_long_label_is_cut_and_control_characters_dropped():
    options = IngestOptions(label="a\x1b[31m" + "b" * 200)
    assert options.label == "a[31m" + "b" * 75
    assert IngestOptions(label="   ").label is None


def test_the_uploads_command_shows_the_label_and_never_a_file_name(folder, monkeypatch, capsys):
    monkeypatch.setenv("SSI_BENCH_SECRET", TEST_SECRET)
    f = folder.parent / "SSI history - Bob Late (bob.late@example.com).csv"
    f.write_bytes(zoe_history())
    db = str(folder / "bench.duckdb")
    base = ["--db", db, "ingest", str(f), "--person", "bob@x.org", "--sector", "S"]
    assert run([*base, "--label", "Bob's export"]) == 0
    capsys.readouterr()
    assert run(["--db", db, "uploads"]) == 0
    out = capsys.readouterr().out
    assert "Bob's export" in out and "bob.late" not in out
    assert run(["--db", db, "--json", "uploads"]) == 0
    [doc] = json.loads(capsys.readouterr().out)
    assert doc["label"] == "Bob's export" and "file_name" not in doc


def test_the_migration_drops_stored_file_names_from_the_table_and_the_file(folder: Path):
    """A database of schema 2 with an identifying file name: after opening, neither the
    table nor any byte of the folder holds it."""
    db = folder / "bench.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
    for version, statements in enumerate(MIGRATIONS[:2], start=1):
        for statement in statements:
            con.execute(statement)
        con.execute("INSERT INTO schema_version VALUES ($v, now()::TIMESTAMP)", {"v": version})
    con.execute(
        "INSERT INTO uploads (upload_id, uploaded_at, file_name, file_sha256, rows_read, "
        "rows_accepted, rows_rejected, rows_new, rows_updated, options) VALUES "
        "(nextval('upload_seq'), now()::TIMESTAMP, 'SSI history - Bob Late (bob.late@x.org).csv', "
        "'ab', 1, 1, 0, 1, 0, '{}')"
    )
    con.close()
    assert b"bob.late@x.org" in db.read_bytes()  # control
    store = Store(db)
    try:
        [info] = store.uploads()
        assert info.label is None and info.file_sha256 == "ab"
        with store.cursor() as cur:
            columns = [r[0] for r in cur.execute("DESCRIBE uploads").fetchall()]
        assert "file_name" not in columns and "label" in columns
    finally:
        store.close()
    for path, data in folder_bytes(folder).items():
        assert b"bob.late" not in data and b"Bob Late" not in data, path
