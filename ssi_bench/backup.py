"""Consistent backups and restores of the database, with its key file.

The key file (``<db>.key``) is what turns an identifier into its pseudonym. A backup
without it still holds every score, but erase-by-identifier and "find me by my e-mail"
stop working for everything in it. So ``backup`` writes ``DEST`` and, when the key comes
from a key file, ``DEST.key`` (mode 0600) beside it; keep the two together, and apart from
the place the backups are shipped to if you want the pseudonyms to stay unlinkable there.
When the key comes from ``SSI_BENCH_SECRET`` instead, keep that secret with the backup.

How the copy stays consistent while the dashboard runs: the dashboard holds the database
open in its process, so the backup is taken there (``Bench.backup`` through DuckDB's
``COPY FROM DATABASE``, under the write lock: no upload can be half in it). From the
command line, while the dashboard holds the file, the file is copied and the copy is then
opened and read in full: DuckDB checks every block's checksum, so a copy torn by a
concurrent checkpoint fails that check and is taken again (a few tries, then a clear
refusal).

Every file written here is private (0600): the umask of a file Store already makes it so,
and each backup, key copy and restored file is also chmod-ed, since the command line can
copy a database without opening a Store.

An erase does not reach into backups. :func:`backups_holding` (``python -m ssi_bench
backups-holding DIR --person -``) lists the backups in a folder that still hold a person,
so they can be rotated out.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from ssi_bench.errors import SSIBenchError
from ssi_bench.store import make_private, private_umask

if TYPE_CHECKING:
    from ssi_bench.api import Bench

COPY_TRIES = 5
_TABLES_SQL = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"


def _key_file(db_path: Path) -> Path:
    return Path(str(db_path) + ".key")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _copy_key(src_db: Path, dest_db: Path) -> Path | None:
    src = _key_file(src_db)
    if not src.exists():
        return None
    dest = _key_file(dest_db)
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(src.read_bytes())
    return dest


def verify(path: Path) -> dict[str, int]:
    """Open ``path`` and read every table in full; returns row counts per table.

    Raises SSIBenchError when the file does not open or a block fails its checksum.
    """
    try:
        con = duckdb.connect(str(path))
        try:
            tables = [r[0] for r in con.execute(_TABLES_SQL).fetchall()]
            counts = {}
            for t in tables:
                # Reading every column forces every block through its checksum.
                con.execute(f"SELECT * FROM {_quote(t)}").fetchall()  # noqa: S608 - catalog name
                got = con.execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()  # noqa: S608
                counts[t] = int(got[0]) if got else 0
            con.execute("CHECKPOINT")
        finally:
            con.close()
    except duckdb.Error as exc:
        raise SSIBenchError(f"{path} is not a readable SSI Bench database: {exc}") from None
    if "scores" not in counts:
        raise SSIBenchError(f"{path} is a DuckDB file but not an SSI Bench database")
    return counts


def backup_in_process(bench: Bench, dest: Path) -> dict[str, Any]:
    """Copy the open database into a new file ``dest`` from inside the owning process."""
    dest = Path(dest)
    if dest.exists():
        raise SSIBenchError(f"{dest} exists already: choose a new file name")
    source = Path(bench.settings.db_path)
    with bench.store.lock, bench.store.cursor() as cur:
        cur.execute(f"ATTACH {_literal(dest)} AS backup_target")
        try:
            cur.execute("COPY FROM DATABASE " + _current_db(cur) + " TO backup_target")
        finally:
            cur.execute("DETACH backup_target")
    make_private(dest)
    counts = verify(dest)
    key = _copy_key(source, dest) if str(source) != ":memory:" else None
    return {"dest": str(dest), "key_file": None if key is None else str(key), "tables": counts}


def _current_db(cur: duckdb.DuckDBPyConnection) -> str:
    got = cur.execute("SELECT current_database()").fetchone()
    return _quote(str(got[0]) if got else "memory")


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def backup(bench: Bench, dest: Path) -> dict[str, Any]:
    """``python -m ssi_bench backup DEST`` when the CLI could open the database itself."""
    return backup_in_process(bench, dest)


def backup_file_copy(db_path: Path, dest: Path) -> dict[str, Any]:
    """Back up a database another process holds open: copy, verify, retry if torn."""
    dest = Path(dest)
    if dest.exists():
        raise SSIBenchError(f"{dest} exists already: choose a new file name")
    private_umask()  # the copies below are made before any Store exists in this process
    last: Exception | None = None
    for attempt in range(COPY_TRIES):
        with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
            copy = Path(tmp) / "copy.duckdb"
            shutil.copyfile(db_path, copy)
            wal = Path(str(db_path) + ".wal")
            if wal.exists():
                shutil.copyfile(wal, Path(str(copy) + ".wal"))
            try:
                counts = verify(copy)
            except SSIBenchError as exc:
                last = exc
                time.sleep(0.2 * (attempt + 1))
                continue
            make_private(copy)
            os.replace(copy, dest)
        key = _copy_key(db_path, dest)
        return {"dest": str(dest), "key_file": None if key is None else str(key), "tables": counts}
    raise SSIBenchError(f"could not take a consistent copy after {COPY_TRIES} tries: {last}")


def restore(bench: Bench, source: Path, *, force: bool = False) -> dict[str, Any]:
    """Replace the (closed) database by the backup ``source``; its key file comes along.

    Refuses when the current database holds data, unless ``force``. ``bench`` is closed
    first; the caller must not use it afterwards.
    """
    source = Path(source)
    if not source.is_file():
        raise SSIBenchError(f"{source}: no such backup file")
    counts = verify(source)
    target = Path(bench.settings.db_path)
    if str(target) == ":memory:":
        raise SSIBenchError("cannot restore into an in-memory database")
    if not force and not bench.status().is_empty:
        raise SSIBenchError(
            f"{target} holds data: restoring would replace it. Back it up, then use --force."
        )
    bench.close()
    private_umask()
    shutil.copyfile(source, target)
    make_private(target)
    for leftover in (Path(str(target) + ".wal"),):
        if leftover.exists():
            leftover.unlink()
    src_key = _key_file(source)
    key_note = None
    if src_key.exists():
        dest_key = _key_file(target)
        tmp = Path(str(dest_key) + ".restoring")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(src_key.read_bytes())
        os.replace(tmp, dest_key)
        key_note = str(dest_key)
    return {"restored": str(target), "key_file": key_note, "tables": counts}


#: DuckDB's file header: 8 bytes of checksum, then this magic.
_DUCKDB_MAGIC = b"DUCK"
_MAGIC_AT = 8
_PERSON_TABLES_SQL = """
SELECT DISTINCT table_name FROM information_schema.columns
WHERE table_schema = 'main' AND column_name = 'person_key' ORDER BY table_name
"""


def _holds_in_tables(path: Path, person_key: str) -> list[str] | None:
    """Tables of the DuckDB file ``path`` with a row of ``person_key``; None when the file
    cannot be opened read-only (held by another process, damaged)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        found = []
        for (table,) in con.execute(_PERSON_TABLES_SQL).fetchall():
            sql = f"SELECT count(*) FROM {_quote(table)} WHERE person_key = $k"  # noqa: S608
            got = con.execute(sql, {"k": person_key}).fetchone()
            if got and got[0]:
                found.append(str(table))
        return found
    except duckdb.Error:
        return None
    finally:
        con.close()


def backups_holding(directory: Path, person_key: str) -> list[dict[str, Any]]:
    """The files under ``directory`` (recursively) that still hold ``person_key``.

    Each file's bytes are searched for the key as ASCII and as UTF-16; a DuckDB file is
    also opened read-only and its tables with a ``person_key`` column are queried, since
    DuckDB may store the key compressed (so a byte search alone can miss it). Returns one
    entry per file holding the person: ``path``, ``in_bytes`` (bool), ``tables`` (names,
    or None when the file could not be opened as a database). Files that do not hold the
    person are not listed. Key files (``*.key``) are skipped: they hold the secret only.

    Raises SSIBenchError when ``directory`` is not a folder.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise SSIBenchError(f"{directory}: no such folder")
    needles = (person_key.encode("ascii"), person_key.encode("utf-16-le"))
    found: list[dict[str, Any]] = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        if path.name.endswith(".key"):
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        in_bytes = any(n in data for n in needles)
        tables: list[str] | None = None
        if data[_MAGIC_AT : _MAGIC_AT + 4] == _DUCKDB_MAGIC:
            tables = _holds_in_tables(path, person_key)
        if in_bytes or tables:
            found.append({"path": str(path), "in_bytes": in_bytes, "tables": tables})
    return found
