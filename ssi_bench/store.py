"""DuckDB storage: connect, migrate, uploads (upsert), undo, erase, queries.

The schema and its migrations are in :mod:`ssi_bench.schema`; private file modes, fsync
and the reader/swap guard in :mod:`ssi_bench.private_files`.

One ``Store`` (one DuckDB connection) per process. Every unit of work takes a fresh
``cursor()`` and fetches its results fully: sharing one connection's cursor across
Streamlit's script threads returns other threads' rows. Writes are serialised behind
``self.lock`` and each is ONE transaction (followed by a checkpoint), so an upload killed
half-way is entirely absent on reopen.

Undo keeps history: when an upload changes a stored row, the old version moves to
``scores_replaced`` with ``replaced_by`` = the new upload. Undoing an upload deletes its
rows and brings back what it replaced; when a later upload has since replaced the same
person + date, the old version is handed on to that later upload instead (so undoing that
one later restores it), and the undone upload's own superseded versions are dropped.

Erase really erases: DuckDB leaves the blocks a DELETE freed in the file, readable by
anyone with the bytes, so after deleting a person's rows :meth:`Store.erase` rewrites the
database into a fresh file and swaps it in (see :meth:`Store.rewrite`), and removes the
copies of interrupted write-ahead logs kept beside it.

Files are private: a Store on a file sets the process umask to 0o077 (see
:func:`private_umask`) and tightens the database, its WAL and kept copies to 0600.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import secrets
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from ssi_bench.errors import DatabaseBusyError, NotFoundError, SSIBenchError
from ssi_bench.fields import METRICS, OUTCOMES
from ssi_bench.model import EraseResult, UploadInfo
from ssi_bench.private_files import (
    SwapGuard,
    fsync_file,
    make_private,
    private_umask,
)
from ssi_bench.schema import (
    MEMBER_COLUMNS,
    MIGRATIONS,
    OUTCOME_ALL,
    REWRITE_AFTER,
    SCORE_ALL,
    SCORE_VALUE_COLUMNS,
    TEXT_COLUMNS,
    columns_sql,
    same_sql,
)

log = logging.getLogger(__name__)

_SCHEMA_VERSION_SQL = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP)
"""
_BUMP_SQL = "UPDATE meta SET value = value + 1 WHERE key = 'data_version'"
_VERSION_SQL = "SELECT value FROM meta WHERE key = 'data_version'"

_INSERT_UPLOAD_SQL = """
INSERT INTO uploads (upload_id, uploaded_at, label, file_sha256, rows_read, rows_accepted,
    rows_rejected, rows_new, rows_updated, options, is_demo)
VALUES (nextval('upload_seq'), now()::TIMESTAMP, $label, $sha,
    $rows_read, $rows_accepted, $rows_rejected, 0, 0, $options, $is_demo)
RETURNING upload_id
"""
_UPLOAD_COUNTS_SQL = """
UPDATE uploads SET rows_new = $new, rows_updated = $updated WHERE upload_id = $uid
"""


def _stage_sql(table: str, columns: tuple[str, ...], values: tuple[str, ...]) -> list[str]:
    """Statements that upsert ``incoming_<table>`` (a registered Arrow table) into ``table``,
    keeping replaced rows.

    Identical rows are skipped (they keep their upload); changed ones are copied to
    ``<table>_replaced`` and then updated in place; fresh rows are appended by one plain
    INSERT … ANTI JOIN, whose row count is the number of new rows. No full copy of the
    upload is materialised and no per-row conflict check runs (the earlier
    ``ON CONFLICT … WHERE EXISTS`` form took about 6 s and 1 GB per million rows).
    """
    inc = f"incoming_{table}"
    keys = "person_key, snapshot_date"
    return [
        f"""CREATE OR REPLACE TEMP TABLE changed_{table} AS
            SELECT {columns_sql(columns, "t.")} FROM {table} t JOIN {inc} i USING ({keys})
            WHERE NOT ({same_sql(values, "t", "i")})""",
        f"""INSERT INTO {table}_replaced ({columns_sql(columns)}, replaced_by)
            SELECT {columns_sql(columns)}, $uid FROM changed_{table}""",
        f"""UPDATE {table} t SET
            {", ".join(f"{c} = u.{c}" for c in values)}, upload_id = $uid
            FROM (SELECT i.* FROM {inc} i SEMI JOIN changed_{table} c USING ({keys})) u
            WHERE t.person_key = u.person_key AND t.snapshot_date = u.snapshot_date""",
        f"""INSERT INTO {table} ({columns_sql(columns)})
            SELECT {columns_sql(columns[:-1], "i.")}, $uid
            FROM {inc} i ANTI JOIN {table} t USING ({keys})""",
    ]


def _undo_sql(table: str, columns: tuple[str, ...]) -> list[str]:
    keys_match = "u.person_key = r.person_key AND u.snapshot_date = r.snapshot_date"
    return [
        f"DELETE FROM {table} WHERE upload_id = $uid",
        # Where the undone upload's own version was itself replaced later (by W), the
        # version it had replaced now counts as replaced by W: undoing W restores it.
        f"""UPDATE {table}_replaced r SET replaced_by = u.replaced_by FROM {table}_replaced u
            WHERE r.replaced_by = $uid AND u.upload_id = $uid AND {keys_match}""",
        f"""INSERT INTO {table} ({columns_sql(columns)})
            SELECT {columns_sql(columns)} FROM {table}_replaced WHERE replaced_by = $uid""",
        f"DELETE FROM {table}_replaced WHERE replaced_by = $uid OR upload_id = $uid",
    ]


_MEMBERS_SQL = f"""
SELECT person_key, max(snapshot_date) AS snapshot_date,
       {", ".join(f"arg_max_null({c}, snapshot_date) AS {c}" for c in MEMBER_COLUMNS[2:])}
FROM scores
WHERE snapshot_date >= $start AND snapshot_date <= $as_of
GROUP BY person_key
"""
_OUTCOME_MEMBERS_SQL = f"""
WITH m AS ({_MEMBERS_SQL}),
o AS (
    SELECT person_key,
           {", ".join(f"arg_max_null({c}, snapshot_date) AS {c}" for c in OUTCOMES)}
    FROM outcomes WHERE snapshot_date >= $start AND snapshot_date <= $as_of
    GROUP BY person_key
)
SELECT m.person_key, m.sector, m.network,
       {columns_sql(METRICS, "m.")}, {columns_sql(OUTCOMES, "o.")}
FROM m JOIN o USING (person_key)
"""
_HISTORY_SQL = f"""
SELECT {columns_sql(MEMBER_COLUMNS)} FROM scores WHERE person_key = $key ORDER BY snapshot_date
"""
#: Rows that decide one person's sector cohorts over their history: every row, in the
#: span, of everyone who was in one of that person's sectors at some point of the span.
_SECTOR_SPAN_SQL = """
WITH candidates AS (
    SELECT DISTINCT person_key FROM scores
    WHERE snapshot_date >= $start AND snapshot_date <= $end
      AND sector IN (SELECT sector FROM scores WHERE person_key = $key AND sector IS NOT NULL)
)
SELECT s.person_key, s.snapshot_date, s.sector, s.{metric} AS value
FROM scores s SEMI JOIN candidates c USING (person_key)
WHERE s.snapshot_date >= $start AND s.snapshot_date <= $end
"""
#: The same for one named sector or network (column chosen from a fixed pair).
_COHORT_SPAN_SQL = """
WITH candidates AS (
    SELECT DISTINCT person_key FROM scores
    WHERE snapshot_date >= $start AND snapshot_date <= $end AND {kind} = $name
)
SELECT s.person_key, s.snapshot_date, s.{kind} AS sector, s.{metric} AS value
FROM scores s SEMI JOIN candidates c USING (person_key)
WHERE s.snapshot_date >= $start AND s.snapshot_date <= $end
"""
_UPLOADS_SQL = """
SELECT u.upload_id, u.uploaded_at, u.label, u.file_sha256, u.rows_read, u.rows_accepted,
       u.rows_rejected, u.rows_new, u.rows_updated, u.options, u.is_demo,
       coalesce(l.live, 0) AS live
FROM uploads u
LEFT JOIN (SELECT upload_id, count(*) AS live FROM scores GROUP BY upload_id) l USING (upload_id)
ORDER BY u.upload_id DESC
"""
_STATUS_SQL = """
SELECT count(DISTINCT person_key), count(DISTINCT sector), count(DISTINCT network), count(*),
       (SELECT count(*) FROM uploads), min(snapshot_date), max(snapshot_date),
       count(*) FILTER (WHERE upload_id IN (SELECT upload_id FROM uploads WHERE is_demo))
FROM scores
"""
#: Tables in the main schema with a ``person_key`` column, and every text column of every
#: table: erase is driven by the catalogue, so a table added later (private links, an
#: audit log) is covered without a change here.
_PERSON_TABLES_SQL = """
SELECT DISTINCT table_name FROM information_schema.columns
WHERE table_schema = 'main' AND column_name = 'person_key' ORDER BY table_name
"""
_TEXT_COLUMNS_SQL = """
SELECT c.table_name, c.column_name FROM information_schema.columns c
JOIN information_schema.tables t USING (table_schema, table_name)
WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE' AND c.data_type = 'VARCHAR'
ORDER BY c.table_name, c.ordinal_position
"""
#: Uploads that provided or replaced a row of the person (found before the rows go).
_TOUCHED_UPLOADS_SQL = """
SELECT upload_id FROM scores WHERE person_key = $key
UNION SELECT upload_id FROM outcomes WHERE person_key = $key
UNION SELECT upload_id FROM scores_replaced WHERE person_key = $key
UNION SELECT replaced_by FROM scores_replaced WHERE person_key = $key
UNION SELECT upload_id FROM outcomes_replaced WHERE person_key = $key
UNION SELECT replaced_by FROM outcomes_replaced WHERE person_key = $key
"""
#: An upload nothing refers to any more: its record (counts, SHA-256, options, label)
#: described only the erased person, so it goes too.
_DROP_EMPTY_UPLOAD_SQL = """
DELETE FROM uploads u WHERE u.upload_id = $uid
  AND NOT EXISTS (SELECT 1 FROM scores WHERE upload_id = $uid)
  AND NOT EXISTS (SELECT 1 FROM outcomes WHERE upload_id = $uid)
  AND NOT EXISTS (SELECT 1 FROM scores_replaced WHERE upload_id = $uid OR replaced_by = $uid)
  AND NOT EXISTS (SELECT 1 FROM outcomes_replaced WHERE upload_id = $uid OR replaced_by = $uid)
"""
_LOCK_PID = re.compile(r"PID (\d+)")
#: Name of the catalogue the fresh copy is attached under during a rewrite.
_REWRITE_ALIAS = "ssi_bench_rewrite"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class Store:
    """The DuckDB file (or ``:memory:``) behind one SSI Bench."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path: Path | None = None if str(path) == ":memory:" else Path(path)
        self.lock = threading.RLock()
        self._guard = SwapGuard()
        #: Said to the user once when a leftover write-ahead log was found at start-up.
        self.recovery_note: str | None = None
        if self.path is not None:
            private_umask()
            for own in (self.path, self.wal_path, *self.kept_wal_copies()):
                make_private(own)
        kept = self._keep_leftover_wal()
        try:
            self.conn = self._connect(str(path))
        except SSIBenchError:
            if kept is not None:
                kept.unlink(missing_ok=True)  # not ours to recover: another process holds it
            raise
        if kept is not None:
            # DuckDB replays the log, but drops a torn one without a word: keep the bytes.
            self.recovery_note = (
                f"An interrupted run left a write-ahead log; it was replayed and a copy is kept "
                f"at {kept}. If a recent upload is missing, restore your latest backup or keep "
                "that copy for support."
            )
        try:
            migrated = self._migrate()
        except duckdb.Error as exc:
            self.conn.close()
            raise SSIBenchError(f"{path}: cannot prepare the database schema: {exc}") from None
        if self.path is not None:
            self._remove_stale_rewrite()
            if REWRITE_AFTER & set(migrated):
                self.rewrite()

    # ------------------------------------------------------------------ files
    @property
    def wal_path(self) -> Path:
        """The database's write-ahead log (``<db>.wal``); raises for an in-memory store."""
        assert self.path is not None
        return Path(str(self.path) + ".wal")

    def kept_wal_copies(self) -> list[Path]:
        """Copies of interrupted write-ahead logs kept beside the database, oldest first."""
        if self.path is None:
            return []
        return sorted(self.path.parent.glob(f"{glob_escape(self.path.name)}.wal.*.kept"))

    def _rewrite_target(self) -> Path:
        assert self.path is not None
        return self.path.with_name(f".{self.path.name}.rewrite")

    def _remove_stale_rewrite(self) -> None:
        """A rewrite killed before its swap leaves its fresh copy; the database is intact."""
        target = self._rewrite_target()
        for leftover in (target, Path(str(target) + ".wal")):
            leftover.unlink(missing_ok=True)

    def _keep_leftover_wal(self) -> Path | None:
        """Copy a non-empty ``<db>.wal`` aside before DuckDB replays (and removes) it."""
        if self.path is None:
            return None
        wal = Path(str(self.path) + ".wal")
        if not wal.is_file() or wal.stat().st_size == 0:
            return None
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        kept = Path(f"{wal}.{stamp}.kept")
        shutil.copyfile(wal, kept)
        make_private(kept)  # copyfile follows the umask; a WAL made before it may be 0644
        return kept

    @staticmethod
    def _connect(path: str) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(path)
        except duckdb.IOException as exc:
            text = str(exc)
            if not Path(path).parent.is_dir():
                raise SSIBenchError(
                    f"The database {path} cannot be created: the folder {Path(path).parent} "
                    "does not exist."
                ) from None
            if "lock" in text.lower():
                pid = _LOCK_PID.search(text)
                who = f" (process {pid.group(1)})" if pid else ""
                raise DatabaseBusyError(
                    f"The database {path} is in use by another process{who}. Stop it, or use "
                    "another --db / SSI_BENCH_DB."
                ) from None
            raise SSIBenchError(
                f"The database {path} cannot be opened ({text.splitlines()[0]}). If the file "
                "or its .wal is damaged, restore the latest backup (python -m ssi_bench "
                "restore); nothing was changed."
            ) from None
        except duckdb.Error as exc:
            raise SSIBenchError(
                f"The database {path} cannot be opened ({str(exc).splitlines()[0]}). If the "
                "file or its .wal is damaged, restore the latest backup (python -m ssi_bench "
                "restore); nothing was changed."
            ) from None

    def _migrate(self) -> list[int]:
        """Apply the missing migrations; returns the schema versions reached, in order."""
        reached: list[int] = []
        with self.lock, self.cursor() as cur:
            cur.execute(_SCHEMA_VERSION_SQL)
            row = cur.execute("SELECT max(version) FROM schema_version").fetchone()
            current = int(row[0]) if row and row[0] is not None else 0
            if current > len(MIGRATIONS):
                raise SSIBenchError(
                    f"this database has schema version {current}, newer than this SSI Bench "
                    f"({len(MIGRATIONS)}): upgrade SSI Bench"
                )
            for version in range(current, len(MIGRATIONS)):
                cur.execute("BEGIN")
                try:
                    for statement in MIGRATIONS[version]:
                        cur.execute(statement)
                    cur.execute(
                        "INSERT INTO schema_version VALUES ($v, now()::TIMESTAMP)",
                        {"v": version + 1},
                    )
                    cur.execute("COMMIT")
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
                reached.append(version + 1)
        return reached

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A fresh cursor for one unit of work, closed afterwards.

        Held open, it keeps the database file from being swapped (see :meth:`rewrite`).
        """
        with self._guard.shared():
            cur = self.conn.cursor()
            try:
                yield cur
            finally:
                cur.close()

    @contextmanager
    def transaction(self, *, bump: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write transaction under the write lock; rolled back on any exception (which is
        re-raised), checkpointed after the commit.

        ``bump``: raise ``data_version`` in the same transaction, so every cache keyed by it
        is invalidated. Share links pass False: they change no score, and invalidating the
        cohort caches on every new link would cost a rebuild for nothing.
        """
        with self.lock, self.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                if bump:
                    cur.execute(_BUMP_SQL)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            # With another reader active the checkpoint may fail; DuckDB does it later itself.
            with contextlib.suppress(duckdb.Error):
                cur.execute("CHECKPOINT")

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    def rewrite(self) -> bool:
        """Rewrite the database into a fresh file and swap it in; False for ``:memory:``.

        Why: a DELETE leaves the freed blocks, with the deleted values, in the file until
        DuckDB happens to reuse them. Under the write lock and with every reader excluded:
        checkpoint, ATTACH a new file beside the database, COPY FROM DATABASE into it,
        checkpoint and detach it, close the connection, fsync, ``os.replace`` it over the
        database (atomic: a crash leaves the old file or the new one, never a mix), fsync
        the folder, open it again. A marker written into the copy proves the reopened
        connection reads the new file. Raises SSIBenchError when the copy cannot be made
        (the database is then unchanged and still open).
        """
        if self.path is None:
            return False
        target = self._rewrite_target()
        marker = secrets.randbits(62)
        with self.lock, self._guard.exclusive():
            self._remove_stale_rewrite()
            try:
                self.conn.execute("CHECKPOINT")
                got = self.conn.execute("SELECT current_database()").fetchone()
                source = _quote(str(got[0]) if got else self.path.stem)
                self.conn.execute(f"ATTACH {_literal(target)} AS {_REWRITE_ALIAS}")
                try:
                    self.conn.execute(f"COPY FROM DATABASE {source} TO {_REWRITE_ALIAS}")
                    self.conn.execute(
                        f"INSERT OR REPLACE INTO {_REWRITE_ALIAS}.meta VALUES ('file_marker', $m)",
                        {"m": marker},
                    )
                    self.conn.execute(f"CHECKPOINT {_REWRITE_ALIAS}")
                finally:
                    self.conn.execute(f"DETACH {_REWRITE_ALIAS}")
            except duckdb.Error as exc:
                self._remove_stale_rewrite()
                raise SSIBenchError(
                    f"The database {self.path} could not be rewritten ({str(exc).splitlines()[0]})."
                    " Nothing was lost; free disk space and run the erase again."
                ) from None
            self.conn.close()
            try:
                wal = self.wal_path
                if wal.exists() and wal.stat().st_size > 0:
                    # Not checkpointed on close: that log belongs to the old file and would
                    # be replayed onto the new one. Keep the old file.
                    raise SSIBenchError(
                        f"The database {self.path} could not be rewritten: its write-ahead "
                        "log was not cleared. Nothing was lost; run the erase again."
                    )
                wal.unlink(missing_ok=True)
                make_private(target)
                fsync_file(target)
                os.replace(target, self.path)
                _fsync_dir(self.path.parent)
            finally:
                self._remove_stale_rewrite()
                self.conn = self._connect(str(self.path))
            with contextlib.closing(self.conn.cursor()) as cur:
                got = cur.execute("SELECT value FROM meta WHERE key = 'file_marker'").fetchone()
            if not got or int(got[0]) != marker:
                raise SSIBenchError(
                    f"The database {self.path} was rewritten but the reopened connection does "
                    "not read the new file: restart SSI Bench before going on."
                )
        return True

    # ------------------------------------------------------------------ writes
    def data_version(self) -> int:
        """Bumped by every write transaction (upload, undo, erase, demo removal)."""
        with self.cursor() as cur:
            row = cur.execute(_VERSION_SQL).fetchone()
        return int(row[0]) if row else 0

    def write_upload(
        self,
        rows: pd.DataFrame,
        *,
        label: str | None = None,
        file_sha256: str,
        rows_read: int,
        rows_rejected: int,
        options: dict[str, Any],
        is_demo: bool = False,
        pairs_checked: bool = False,
        file_name: str | None = None,
    ) -> tuple[int, int, int]:
        """Store one upload in one transaction; returns (upload_id, rows_new, rows_updated).

        ``rows``: person_key, snapshot_date, sector, network and those of SCORE_COLUMNS and
        OUTCOMES the upload has (absent ones are stored as NULL); unique on (person_key,
        snapshot_date). Rows identical to the stored ones are neither new nor updated and
        keep their original upload. Raises SSIBenchError, storing nothing, when a pair
        repeats; ``pairs_checked=True`` skips that check for a caller that has just made
        the pairs unique itself (the API does, to report repeats as rejected rows).

        ``label``: the admin's text for the upload (already cleaned, see
        :func:`ssi_bench.model.clean_label`). ``file_name`` is accepted for older callers
        and ignored: file names are never stored (they often name the person).
        """
        del file_name
        scores = _frame(rows, ("person_key", "snapshot_date", *SCORE_VALUE_COLUMNS))
        given = [c for c in OUTCOMES if c in rows.columns]
        has_outcome = (
            rows[given].notna().any(axis=1)
            if len(rows) and given
            else pd.Series(False, index=rows.index)
        )
        outcomes = _frame(rows[has_outcome], ("person_key", "snapshot_date", *OUTCOMES))
        with self.transaction() as cur:
            got = cur.execute(
                _INSERT_UPLOAD_SQL,
                {
                    "label": label,
                    "sha": file_sha256,
                    "rows_read": rows_read,
                    "rows_accepted": len(rows),
                    "rows_rejected": rows_rejected,
                    "options": json.dumps(options, default=str),
                    "is_demo": is_demo,
                },
            ).fetchone()
            assert got is not None
            uid = int(got[0])
            counts = {}
            for table, frame, columns, values in (
                ("scores", scores, SCORE_ALL, SCORE_VALUE_COLUMNS),
                ("outcomes", outcomes, OUTCOME_ALL, OUTCOMES),
            ):
                cur.register(f"incoming_{table}", frame)
                if table == "scores" and not pairs_checked:  # outcomes: a subset of these
                    _refuse_repeated_pairs(cur)
                changed_sql, replaced_sql, update_sql, insert_sql = _stage_sql(
                    table, columns, values
                )
                cur.execute(changed_sql)
                changed = _count(cur, f"changed_{table}")
                if changed:
                    cur.execute(replaced_sql, {"uid": uid})
                    cur.execute(update_sql, {"uid": uid})
                got_new = cur.execute(insert_sql, {"uid": uid}).fetchone()
                counts[table] = (int(got_new[0]) if got_new else 0, changed)
                cur.execute(f"DROP TABLE changed_{table}")
                cur.unregister(f"incoming_{table}")
            new, updated = counts["scores"]
            cur.execute(_UPLOAD_COUNTS_SQL, {"new": new, "updated": updated, "uid": uid})
        return uid, new, updated

    def _undo_in(self, cur: duckdb.DuckDBPyConnection, upload_id: int) -> int:
        got = cur.execute(
            "SELECT count(*) FROM scores WHERE upload_id = $uid", {"uid": upload_id}
        ).fetchone()
        removed = int(got[0]) if got else 0
        for table, columns in (("scores", SCORE_ALL), ("outcomes", OUTCOME_ALL)):
            for sql in _undo_sql(table, columns):
                cur.execute(sql, {"uid": upload_id})
        cur.execute("DELETE FROM uploads WHERE upload_id = $uid", {"uid": upload_id})
        return removed

    def undo(self, upload_id: int) -> int:
        """Remove one upload and restore what it replaced; returns score rows removed.

        Raises NotFoundError when there is no such upload.
        """
        with self.transaction() as cur:
            found = cur.execute(
                "SELECT 1 FROM uploads WHERE upload_id = $uid", {"uid": upload_id}
            ).fetchone()
            if not found:
                raise NotFoundError(f"There is no upload #{upload_id}.")
            return self._undo_in(cur, upload_id)

    def remove_demo(self) -> int:
        """Undo every demo upload (newest first); returns score rows removed."""
        with self.transaction() as cur:
            ids = [
                int(r[0])
                for r in cur.execute(
                    "SELECT upload_id FROM uploads WHERE is_demo ORDER BY upload_id DESC"
                ).fetchall()
            ]
            return sum(self._undo_in(cur, uid) for uid in ids)

    def erase(self, person_key: str) -> EraseResult:
        """Delete every trace of one person and rewrite the file; returns what went.

        In one transaction: every row with this ``person_key`` in every table that has the
        column; then every row of any table with a text column containing the key (a
        share's frozen view, anything added later); then the upload records nothing
        refers to any more. Then, for a file database, the file is rewritten
        (:meth:`rewrite`) and the kept copies of interrupted write-ahead logs, which may
        hold the person, are deleted. Backups are not touched: the result says so.

        Raises SSIBenchError when the file cannot be rewritten (the rows are gone by then;
        erasing again rewrites again).
        """
        deleted: dict[str, int] = {}
        with self.lock:
            with self.transaction() as cur:
                touched = [
                    int(r[0])
                    for r in cur.execute(_TOUCHED_UPLOADS_SQL, {"key": person_key}).fetchall()
                    if r[0] is not None
                ]
                for (table,) in cur.execute(_PERSON_TABLES_SQL).fetchall():
                    sql = f"DELETE FROM {_quote(table)} WHERE person_key = $key"
                    got = cur.execute(sql, {"key": person_key}).fetchone()
                    deleted[table] = int(got[0]) if got else 0
                for table, column in cur.execute(_TEXT_COLUMNS_SQL).fetchall():
                    sql = (
                        f"DELETE FROM {_quote(table)} "  # names from the catalogue
                        f"WHERE contains({_quote(column)}, $key)"
                    )
                    got = cur.execute(sql, {"key": person_key}).fetchone()
                    if got and got[0]:
                        deleted[table] = deleted.get(table, 0) + int(got[0])
                uploads_removed = 0
                for uid in touched:
                    got = cur.execute(_DROP_EMPTY_UPLOAD_SQL, {"uid": uid}).fetchone()
                    uploads_removed += int(got[0]) if got else 0
            rewritten = self.rewrite()
            kept = self.kept_wal_copies()
            for copy in kept:
                copy.unlink(missing_ok=True)
        return EraseResult(
            tables=deleted,
            uploads_removed=uploads_removed,
            file_rewritten=rewritten,
            kept_wal_copies_removed=len(kept),
        )

    # ------------------------------------------------------------------ reads
    def uploads(self) -> list[UploadInfo]:
        """Every upload, newest first, with the score rows it currently provides."""
        with self.cursor() as cur:
            rows = cur.execute(_UPLOADS_SQL).fetchall()
        return [
            UploadInfo(
                upload_id=int(r[0]),
                uploaded_at=r[1],
                label=r[2],
                file_sha256=r[3],
                rows_read=int(r[4]),
                rows_accepted=int(r[5]),
                rows_rejected=int(r[6]),
                rows_new=int(r[7]),
                rows_updated=int(r[8]),
                options=json.loads(r[9] or "{}"),
                is_demo=bool(r[10]),
                rows_live=int(r[11]),
            )
            for r in rows
        ]

    def latest_date(self) -> dt.date | None:
        with self.cursor() as cur:
            row = cur.execute("SELECT max(snapshot_date) FROM scores").fetchone()
        return None if not row or row[0] is None else row[0]

    def status(self) -> dict[str, Any]:
        with self.cursor() as cur:
            r = cur.execute(_STATUS_SQL).fetchone()
        assert r is not None
        keys = ("people", "sectors", "networks", "rows", "uploads", "first_date", "last_date")
        out: dict[str, Any] = dict(zip(keys, r[:7], strict=True))
        out["demo_rows"] = int(r[7] or 0)
        return out

    def members(self, as_of: dt.date, lookback_days: int) -> pd.DataFrame:
        """Each person's latest snapshot with as_of − lookback_days ≤ date ≤ as_of.

        A 90-day window thus holds as_of and the 90 days before it: a snapshot exactly 90
        days old still counts (what the README promises).
        """
        params = {"as_of": as_of, "start": as_of - dt.timedelta(days=lookback_days)}
        with self.cursor() as cur:
            return _pandas(cur.execute(_MEMBERS_SQL, params))

    def outcomes_members(self, as_of: dt.date, lookback_days: int) -> pd.DataFrame:
        """Latest outcomes per person in the window, beside their latest scores."""
        params = {"as_of": as_of, "start": as_of - dt.timedelta(days=lookback_days)}
        with self.cursor() as cur:
            return _pandas(cur.execute(_OUTCOME_MEMBERS_SQL, params))

    def sector_span(
        self, person_key: str, metric: str, start: dt.date, end: dt.date
    ) -> pd.DataFrame:
        """person_key, snapshot_date, sector, value (= ``metric``) of every row with
        start < date ≤ end of everyone who had a row in one of ``person_key``'s sectors in
        that span, in no particular order. Feeds :func:`cohorts.sector_values_at`."""
        if metric not in METRICS:
            raise SSIBenchError(f"unknown metric {metric!r}")
        params = {"key": person_key, "start": start, "end": end}
        with self.cursor() as cur:
            return _pandas(cur.execute(_SECTOR_SPAN_SQL.format(metric=metric), params))

    def cohort_span(
        self, kind: str, name: str, metric: str, start: dt.date, end: dt.date
    ) -> pd.DataFrame:
        """Like :meth:`sector_span` for the sector or network ``name`` (``kind``): every row
        with start < date ≤ end of everyone who was in it at some point of that span; the
        cohort column comes back as ``sector``."""
        if metric not in METRICS or kind not in ("sector", "network"):
            raise SSIBenchError(f"unknown metric {metric!r} or cohort kind {kind!r}")
        params = {"name": name, "start": start, "end": end}
        sql = _COHORT_SPAN_SQL.format(kind=kind, metric=metric)
        with self.cursor() as cur:
            return _pandas(cur.execute(sql, params))

    def history(self, person_key: str) -> pd.DataFrame:
        """Every snapshot of one person, oldest first."""
        with self.cursor() as cur:
            return _pandas(cur.execute(_HISTORY_SQL, {"key": person_key}))


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters escaped (a database named ``a[1].duckdb``)."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_STR_TYPES = {
    pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan),
    pa.string(): pd.StringDtype("pyarrow", na_value=np.nan),
}


def _pandas(result: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """A query's rows as DuckDB's ``.df()`` gives them, by way of Arrow.

    ``.df()`` turns every text value into a Python object on the way to pandas' ``str``
    dtype; through Arrow the text columns arrive without a copy (a sector's span at 10
    million rows: 1.0 s -> 0.4 s). Dates become ``datetime64[us]`` as with ``.df()``.
    """
    table = result.to_arrow_table()
    for i, field in enumerate(table.schema):
        if pa.types.is_date(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.timestamp("us")))
    return table.to_pandas(types_mapper=_STR_TYPES.get)


def _count(cur: duckdb.DuckDBPyConnection, table: str) -> int:
    got = cur.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(got[0]) if got else 0


_REPEATED_PAIRS_SQL = """
SELECT person_key, snapshot_date, count(*) FROM incoming_scores
GROUP BY person_key, snapshot_date HAVING count(*) > 1 LIMIT 1
"""


def _refuse_repeated_pairs(cur: duckdb.DuckDBPyConnection) -> None:
    """Raise SSIBenchError when the incoming rows hold one person and date twice.

    The tables have no primary key (see MIGRATIONS[1]); this is what keeps the pair unique.
    Callers remove duplicates first (the API rejects them as rows), so this only fires on a
    programming error, and then before anything is written.
    """
    found = cur.execute(_REPEATED_PAIRS_SQL).fetchone()
    if found:
        raise SSIBenchError(
            f"the upload holds person {found[0]} on {found[1]} {found[2]} times; nothing was stored"
        )


def _frame(rows: pd.DataFrame, columns: tuple[str, ...]) -> pa.Table:
    """``rows`` restricted to ``columns`` as an Arrow table with stable types.

    Missing columns become NULL, as do NaN / missing values. Arrow rather than object
    columns: DuckDB scans Arrow without converting each value through Python (about 1 s
    per million rows saved). A column with no value at all (most files carry none of
    LinkedIn's averages or the outcomes) goes over as Arrow's null type, which holds no
    buffer; DuckDB casts it to the column's type. Text columns keep their string type even
    when empty, as they are join keys and compared values.
    """
    n = len(rows)
    arrays: list[pa.Array] = []
    for c in columns:
        present = c in rows.columns
        if c == "snapshot_date":
            # Day precision, as the table stores it (DuckDB's CAST to DATE also truncates).
            stamps = pa.Array.from_pandas(pd.to_datetime(rows[c]))
            arrays.append(stamps.cast(pa.date32(), safe=False))
            continue
        if c in TEXT_COLUMNS and (not present or n == 0 or bool(rows[c].isna().all())):
            # Typed: an untyped null person_key (an upload whose every row was rejected)
            # makes DuckDB join it as INTEGER and fail casting the stored keys.
            arrays.append(pa.nulls(n, type=pa.large_string()))
        elif not present or n == 0 or bool(rows[c].isna().all()):
            arrays.append(pa.nulls(n))
        elif c in TEXT_COLUMNS:
            arrays.append(pa.Array.from_pandas(rows[c].astype("str"), type=pa.large_string()))
        else:
            numbers = pd.to_numeric(rows[c], errors="coerce").astype("float64")
            arrays.append(pa.Array.from_pandas(numbers))
    table = pa.table(arrays, names=list(columns))
    # DuckDB scans a registered Arrow table one record batch per thread: one batch of a
    # million rows is scanned and inserted by one thread (0.88 s against 0.55 s in batches).
    return pa.Table.from_batches(table.to_batches(max_chunksize=_BATCH_ROWS), table.schema)


#: Rows per Arrow record batch handed to DuckDB (two of its row groups).
_BATCH_ROWS = 2 * 122_880
