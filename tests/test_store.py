"""The DuckDB store: upserts, undo, erase, the data version, locking and the as-of window."""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest

from ssi_bench import share
from ssi_bench.errors import NotFoundError, SSIBenchError
from ssi_bench.fields import LINKEDIN_AVERAGES, METRICS, OUTCOMES, RANKS, SCORE_COLUMNS
from ssi_bench.store import MIGRATIONS, Store

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 6, 30)
TABLES = ("scores", "scores_replaced", "outcomes", "outcomes_replaced", "shares")


def key(i: int) -> str:
    return f"{i:032x}"


def row(person: int, day: dt.date = DAY, ssi: float = 50.0, **values: Any) -> dict[str, Any]:
    """One validated row: the pillars split ``ssi`` evenly unless given."""
    out: dict[str, Any] = {
        "person_key": key(person),
        "snapshot_date": day,
        "sector": "Software",
        "network": "Team A",
        "ssi": ssi,
        "brand": ssi / 4,
        "people": ssi / 4,
        "insights": ssi / 4,
        "relationships": ssi / 4,
    }
    out.update(values)
    return out


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows in the shape ``write_upload`` takes: every column present, NaN where unknown."""
    df = pd.DataFrame(rows)
    df["snapshot_date"] = pd.to_datetime(df["snapshot_date"])
    for col in ("sector", "network"):
        df[col] = df[col].astype("str") if col in df else pd.Series(pd.NA, index=df.index)
    for col in (*SCORE_COLUMNS, *OUTCOMES):
        df[col] = df[col].astype("float64") if col in df else np.nan
    return df


def upload(store: Store, rows: list[dict[str, Any]], *, demo: bool = False, name: str = "f.csv"):
    return store.write_upload(
        frame(rows),
        label=name,
        file_sha256="0" * 64,
        rows_read=len(rows) + 1,
        rows_rejected=1,
        options={"strict": False},
        is_demo=demo,
    )


def count(store: Store, table: str, person: str | None = None) -> int:
    with store.cursor() as cur:
        if person is None:
            got = cur.execute(f"SELECT count(*) FROM {table}").fetchone()
        else:
            got = cur.execute(
                f"SELECT count(*) FROM {table} WHERE person_key = $k", {"k": person}
            ).fetchone()
    assert got is not None
    return int(got[0])


def live(store: Store, person: int, day: dt.date = DAY) -> tuple[float, int] | None:
    """(ssi, upload_id) of the stored row, or None."""
    with store.cursor() as cur:
        got = cur.execute(
            "SELECT ssi, upload_id FROM scores WHERE person_key = $k AND snapshot_date = $d",
            {"k": key(person), "d": day},
        ).fetchone()
    return None if got is None else (float(got[0]), int(got[1]))


@pytest.fixture
def store():
    s = Store()
    yield s
    s.close()


# ---------------------------------------------------------------------- upserts
def test_new_rows_are_counted_as_new_and_the_upload_is_recorded(store):
    uid, new, updated = upload(store, [row(1), row(2), row(3, ssi=70.0)])
    assert (new, updated) == (3, 0)
    [info] = store.uploads()
    assert info.upload_id == uid
    assert (info.rows_read, info.rows_accepted, info.rows_rejected) == (4, 3, 1)
    assert (info.rows_new, info.rows_updated, info.rows_live) == (3, 0, 3)
    assert info.label == "f.csv"
    assert info.file_sha256 == "0" * 64
    assert info.options == {"strict": False}
    assert info.is_demo is False
    assert isinstance(info.uploaded_at, dt.datetime)


def test_identical_rows_are_neither_new_nor_updated_and_keep_their_first_upload(store):
    rows = [row(1, network=None, brand=None), row(2)]
    first, _, _ = upload(store, rows)
    _, new, updated = upload(store, rows)
    assert (new, updated) == (0, 0)
    assert live(store, 1) == (50.0, first)
    assert count(store, "scores_replaced") == 0
    assert [u.rows_live for u in store.uploads()] == [0, 2]  # newest first


def test_a_changed_row_counts_as_updated_and_its_old_version_is_kept(store):
    first, _, _ = upload(store, [row(1), row(2)])
    second, new, updated = upload(store, [row(1, ssi=60.0), row(2, sector="Retail"), row(3)])
    assert (new, updated) == (1, 2)
    assert live(store, 1) == (60.0, second)
    with store.cursor() as cur:
        kept = cur.execute(
            "SELECT person_key, ssi, sector, upload_id, replaced_by FROM scores_replaced "
            "ORDER BY person_key"
        ).fetchall()
    assert kept == [
        (key(1), 50.0, "Software", first, second),
        (key(2), 50.0, "Software", first, second),
    ]


def test_a_value_that_becomes_missing_is_a_change(store):
    upload(store, [row(1, industry_rank=5.0)])
    _, new, updated = upload(store, [row(1)])
    assert (new, updated) == (0, 1)


def test_undo_removes_an_upload_and_restores_what_it_replaced(store):
    first, _, _ = upload(store, [row(1), row(2)])
    second, _, _ = upload(store, [row(1, ssi=60.0), row(3)])
    assert store.undo(second) == 2
    assert live(store, 1) == (50.0, first)
    assert live(store, 3) is None
    assert count(store, "scores") == 2
    assert count(store, "scores_replaced") == 0
    assert [u.upload_id for u in store.uploads()] == [first]


def test_undo_of_an_unknown_upload_is_not_found(store):
    with pytest.raises(NotFoundError):
        store.undo(42)


def test_undoing_the_middle_of_a_chain_hands_the_old_version_to_the_later_upload(store):
    u1, _, _ = upload(store, [row(1, ssi=10.0)])
    u2, _, _ = upload(store, [row(1, ssi=20.0)])
    u3, _, _ = upload(store, [row(1, ssi=30.0)])
    assert store.undo(u2) == 0  # its version is no longer live
    assert live(store, 1) == (30.0, u3)
    assert store.undo(u3) == 1
    assert live(store, 1) == (10.0, u1)
    assert count(store, "scores_replaced") == 0


def test_undoing_the_first_upload_of_a_chain_drops_its_superseded_version(store):
    u1, _, _ = upload(store, [row(1, ssi=10.0)])
    u2, _, _ = upload(store, [row(1, ssi=20.0)])
    assert store.undo(u1) == 0
    assert live(store, 1) == (20.0, u2)
    assert store.undo(u2) == 1
    assert count(store, "scores") == 0
    assert count(store, "scores_replaced") == 0


def test_outcomes_are_stored_only_for_rows_that_have_some_and_undo_restores_them(store):
    u1, _, _ = upload(store, [row(1, meetings=3.0), row(2)])
    assert count(store, "outcomes") == 1
    u2, new, updated = upload(store, [row(1, meetings=5.0, revenue=100.0)])
    assert (new, updated) == (0, 0)  # the scores did not change
    with store.cursor() as cur:
        got = cur.execute("SELECT meetings, revenue, upload_id FROM outcomes").fetchall()
    assert got == [(5.0, 100.0, u2)]
    store.undo(u2)
    with store.cursor() as cur:
        got = cur.execute("SELECT meetings, revenue, upload_id FROM outcomes").fetchall()
    assert got[0][0] == 3.0 and got[0][1] is None and got[0][2] == u1


def test_a_failing_upload_rolls_back_entirely(store):
    upload(store, [row(1)])
    version = store.data_version()
    # Two rows for the same person and date: refused after the uploads record was written.
    with pytest.raises(SSIBenchError, match=f"person {key(5)} on {DAY} 2 times"):
        upload(store, [row(1, ssi=70.0), row(5), row(5, ssi=60.0)])
    assert count(store, "scores") == 1
    assert live(store, 1) is not None and live(store, 1)[0] == 50.0
    assert count(store, "scores_replaced") == 0
    assert len(store.uploads()) == 1
    assert store.data_version() == version
    # and the store still works
    _, new, _ = upload(store, [row(5)])
    assert new == 1


def test_an_empty_upload_is_recorded_with_no_rows(store):
    empty = frame([row(1)]).iloc[:0]
    _, new, updated = store.write_upload(
        empty, label="e.csv", file_sha256="1" * 64, rows_read=0, rows_rejected=0, options={}
    )
    assert (new, updated) == (0, 0)
    assert store.uploads()[0].rows_accepted == 0


# ---------------------------------------------------------------------- erase, demo
def test_erase_removes_every_row_of_the_person_from_every_table(store):
    upload(store, [row(1, meetings=1.0), row(1, DAY - dt.timedelta(days=7)), row(2)])
    upload(store, [row(1, ssi=60.0, meetings=2.0), row(2, ssi=55.0)])
    share.create(store, {"page": "trends"}, days=30, person_key=key(1))
    share.create(store, {"page": "sector"}, days=30)
    before = {t: count(store, t, key(1)) for t in TABLES}
    assert before == {
        "scores": 2,
        "scores_replaced": 1,
        "outcomes": 1,
        "outcomes_replaced": 1,
        "shares": 1,
    }
    others = {t: count(store, t) - before[t] for t in TABLES}
    erased = store.erase(key(1)).tables
    assert {t: n for t, n in erased.items() if n} == {t: n for t, n in before.items() if n}
    assert {t: count(store, t, key(1)) for t in TABLES} == dict.fromkeys(TABLES, 0)
    assert {t: count(store, t) for t in TABLES} == others


def test_erasing_an_unknown_person_deletes_nothing(store):
    upload(store, [row(1)])
    assert store.erase(key(99)).rows_deleted == 0
    assert count(store, "scores") == 1


def test_remove_demo_removes_demo_uploads_and_keeps_real_ones(store):
    upload(store, [row(1), row(2)], demo=True)
    real, _, _ = upload(store, [row(3), row(4), row(5)])
    assert store.status()["demo_rows"] == 2
    assert store.remove_demo() == 2
    assert [u.upload_id for u in store.uploads()] == [real]
    assert count(store, "scores") == 3
    assert store.status()["demo_rows"] == 0


def test_every_write_bumps_the_data_version_and_shares_do_not(store):
    seen = [store.data_version()]
    uid, _, _ = upload(store, [row(1), row(2)])
    seen.append(store.data_version())
    share.create(store, {"page": "sector"}, days=1)
    assert store.data_version() == seen[-1]
    store.erase(key(2))
    seen.append(store.data_version())
    store.undo(uid)
    seen.append(store.data_version())
    upload(store, [row(1)], demo=True)
    seen.append(store.data_version())
    store.remove_demo()
    seen.append(store.data_version())
    assert seen == sorted(set(seen))  # strictly increasing
    assert len(seen) == 6


# ---------------------------------------------------------------------- reads
def test_status_counts_people_sectors_networks_rows_and_dates(store):
    upload(
        store,
        [
            row(1, DAY - dt.timedelta(days=3)),
            row(1),
            row(2, sector="Retail", network=None),
            row(3, network="Team B"),
        ],
    )
    upload(store, [row(4)], demo=True)
    assert store.status() == {
        "people": 4,
        "sectors": 2,
        "networks": 2,
        "rows": 5,
        "uploads": 2,
        "first_date": DAY - dt.timedelta(days=3),
        "last_date": DAY,
        "demo_rows": 1,
    }
    assert store.latest_date() == DAY


def test_an_empty_store_has_no_latest_date(store):
    assert store.latest_date() is None
    assert store.status()["rows"] == 0


def test_members_are_latest_snapshots_inside_the_window_boundary_day_included(store):
    d = dt.timedelta
    upload(
        store,
        [
            row(1, DAY - d(days=90), ssi=11.0),  # exactly 90 days old: in (README's promise)
            row(2, DAY - d(days=91), ssi=22.0),  # 91 days old: out
            row(3, DAY - d(days=40), ssi=30.0),
            row(3, DAY - d(days=10), ssi=33.0),  # the latest on or before as_of
            row(3, DAY + d(days=5), ssi=39.0),  # after as_of: ignored
            row(4, DAY + d(days=1), ssi=44.0),  # only after as_of: out
            row(5, DAY, ssi=55.0),  # on as_of: in
        ],
    )
    m = store.members(DAY, 90).sort_values("person_key").reset_index(drop=True)
    assert m["person_key"].tolist() == [key(1), key(3), key(5)]
    assert m["ssi"].tolist() == [11.0, 33.0, 55.0]
    days = [pd.Timestamp(x).date() for x in m["snapshot_date"]]
    assert days == [DAY - d(days=90), DAY - d(days=10), DAY]
    expected = ["person_key", "snapshot_date", "sector", "network", *METRICS, *RANKS]
    assert list(m.columns) == [*expected, *LINKEDIN_AVERAGES, "industry_id"]


def test_a_persons_latest_row_is_taken_whole_even_where_it_has_gaps(store):
    upload(
        store,
        [
            row(1, DAY - dt.timedelta(days=5), network="Old team", industry_rank=5.0),
            row(1, DAY, network=None),
        ],
    )
    [m] = store.members(DAY, 90).to_dict("records")
    assert pd.isna(m["network"])
    assert math.isnan(m["industry_rank"])


def test_history_lists_every_snapshot_of_one_person_oldest_first(store):
    days = [DAY - dt.timedelta(days=n) for n in (30, 0, 60)]
    upload(store, [row(1, d, ssi=float(i)) for i, d in enumerate(days)] + [row(2)])
    h = store.history(key(1))
    assert [pd.Timestamp(x).date() for x in h["snapshot_date"]] == sorted(days)
    assert h["ssi"].tolist() == [2.0, 0.0, 1.0]
    assert store.history(key(99)).empty


def test_outcomes_members_pair_latest_outcomes_with_latest_scores(store):
    upload(
        store,
        [
            row(1, DAY - dt.timedelta(days=20), ssi=40.0, meetings=2.0),
            row(1, DAY, ssi=45.0),
            row(2, DAY, ssi=60.0, deals_won=1.0),
            row(3, DAY, ssi=70.0),  # no outcomes: left out
        ],
    )
    got = store.outcomes_members(DAY, 90).sort_values("person_key").reset_index(drop=True)
    assert got["person_key"].tolist() == [key(1), key(2)]
    assert got["ssi"].tolist() == [45.0, 60.0]
    assert got.loc[0, "meetings"] == 2.0
    assert got.loc[1, "deals_won"] == 1.0
    assert set(OUTCOMES) <= set(got.columns)


def test_reads_from_many_threads_get_only_their_own_rows(store):
    upload(
        store, [row(p, DAY - dt.timedelta(days=n), ssi=p) for p in range(1, 9) for n in range(20)]
    )
    errors: list[str] = []

    def read(p: int) -> None:
        for _ in range(30):
            h = store.history(key(p))
            if len(h) != 20 or set(h["ssi"]) != {float(p)}:
                errors.append(f"person {p}: {len(h)} rows")

    threads = [threading.Thread(target=read, args=(p,)) for p in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


# ---------------------------------------------------------------------- files
def test_a_file_keeps_its_data_and_schema_version_when_reopened(tmp_path):
    path = tmp_path / "bench.duckdb"
    s = Store(path)
    upload(s, [row(1)])
    s.close()
    s = Store(path)
    try:
        assert count(s, "scores") == 1
        with s.cursor() as cur:
            got = cur.execute("SELECT max(version) FROM schema_version").fetchone()
        assert got == (len(MIGRATIONS),)
    finally:
        s.close()


def test_a_version_1_database_loses_its_key_index_and_keeps_every_row(tmp_path):
    """Migration 2 rebuilds scores and outcomes without the primary-key index."""
    path = tmp_path / "bench.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)")
    for statement in MIGRATIONS[0]:
        con.execute(statement)
    con.execute("INSERT INTO schema_version VALUES (1, now()::TIMESTAMP)")
    con.execute(
        "INSERT INTO scores (person_key, snapshot_date, sector, ssi, upload_id) "
        "VALUES ('k1', DATE '2026-01-05', 'S', 41.5, 1), ('k2', DATE '2026-01-05', 'S', 60, 1)"
    )
    con.execute(
        "INSERT INTO outcomes (person_key, snapshot_date, meetings, upload_id) "
        "VALUES ('k1', DATE '2026-01-05', 3, 1)"
    )
    con.close()
    s = Store(path)
    try:
        with s.cursor() as cur:
            scores = cur.execute(
                "SELECT person_key, snapshot_date, sector, ssi, upload_id FROM scores ORDER BY 1"
            ).fetchall()
            outcomes = cur.execute("SELECT person_key, meetings FROM outcomes").fetchall()
            keys = cur.execute(
                "SELECT table_name FROM duckdb_constraints() "
                "WHERE constraint_type = 'PRIMARY KEY' ORDER BY 1"
            ).fetchall()
            version = cur.execute("SELECT max(version) FROM schema_version").fetchone()
        assert scores == [
            ("k1", dt.date(2026, 1, 5), "S", 41.5, 1),
            ("k2", dt.date(2026, 1, 5), "S", 60.0, 1),
        ]
        assert outcomes == [("k1", 3.0)]
        assert ("scores",) not in keys and ("outcomes",) not in keys
        assert ("uploads",) in keys  # the other tables keep theirs
        assert version == (len(MIGRATIONS),)
        # and uploads still upsert on person + date
        _, new, updated = upload(s, [row(1), row(1, day=DAY + dt.timedelta(days=1))])
        assert (new, updated) == (2, 0)
        _, new, updated = upload(s, [row(1, ssi=70.0)])
        assert (new, updated) == (0, 1)
        assert count(s, "scores") == 4
    finally:
        s.close()


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "bench.duckdb"
    s = Store(path)
    with s.cursor() as cur:
        cur.execute("INSERT INTO schema_version VALUES (99, now()::TIMESTAMP)")
    s.close()
    with pytest.raises(SSIBenchError, match="newer"):
        Store(path)


def test_a_database_held_by_another_process_gives_a_clear_busy_error(tmp_path):
    path = tmp_path / "bench.duckdb"
    holder = Store(path)
    code = (
        "import sys\n"
        "from ssi_bench.errors import DatabaseBusyError\n"
        "from ssi_bench.store import Store\n"
        "try:\n"
        "    Store(sys.argv[1])\n"
        "except DatabaseBusyError as e:\n"
        "    print(e)\n"
        "    sys.exit(3)\n"
    )
    try:
        started = time.monotonic()
        got = subprocess.run(
            [sys.executable, "-c", code, str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert time.monotonic() - started < 30  # refused at once, never waits for the lock
    finally:
        holder.close()
    assert got.returncode == 3, got.stderr
    assert "is in use by another process" in got.stdout
    assert str(os.getpid()) in got.stdout
    assert str(path) in got.stdout
    assert "Traceback" not in got.stderr


def test_a_damaged_file_is_refused_with_its_name_and_left_untouched(tmp_path):
    path = tmp_path / "bench.duckdb"
    s = Store(path)
    upload(s, [row(p) for p in range(1, 2000)])
    s.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SSIBenchError, match="backup") as err:
        Store(path)
    assert str(path) in str(err.value)
    assert path.read_bytes() == data[: len(data) // 2]


def test_a_database_in_a_missing_folder_is_refused_clearly(tmp_path):
    with pytest.raises(SSIBenchError, match="does not exist"):
        Store(tmp_path / "nowhere" / "bench.duckdb")


def test_an_upload_killed_mid_way_is_entirely_absent_or_present(tmp_path):
    path = tmp_path / "bench.duckdb"
    code = f"""
import sys, datetime as dt
sys.path.insert(0, {str(ROOT / "tests")!r})
from test_store import Store, frame, upload, row
s = Store(sys.argv[1])
upload(s, [row(1)])
big = frame([row(p, dt.date(2026, 1, 1) + dt.timedelta(days=d)) for p in range(2, 1002)
             for d in range(200)])
print("ready", flush=True)
# About 0.6 s of writing: the kill lands inside the transaction.
s.write_upload(big, label="big", file_sha256="1" * 64, rows_read=len(big),
               rows_rejected=0, options={{}})
print("done", flush=True)
"""
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    proc.kill()
    proc.wait(timeout=30)
    s = Store(path)
    try:
        uploads = s.uploads()
        rows = count(s, "scores")
        assert (len(uploads), rows) in {(1, 1), (2, 1 + 1000 * 200)}
        assert sum(u.rows_live for u in uploads) == rows
    finally:
        s.close()
