"""Private files and safe swaps: the umask and modes of everything the project writes,
fsync, and the guard that lets one thread swap the database file under readers.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Mode of every file the project writes: the owner only.
PRIVATE_FILE_MODE = 0o600
PRIVATE_UMASK = 0o077


def private_umask() -> None:
    """Make every file this process creates from now on private (umask 0o077).

    Why process-wide: DuckDB creates the database, its ``.wal`` and its temporary files
    itself with mode 0666 minus the umask, and the CLI writes exports, backups and reject
    reports; a umask is the one setting that covers them all, including files created by
    code that does not know about it. Called when a Store opens a file database and when
    the command line starts. Idempotent; never loosens a stricter umask.
    """
    current = os.umask(PRIVATE_UMASK)
    os.umask(current | PRIVATE_UMASK)


def make_private(path: Path) -> None:
    """chmod ``path`` to 0600 when it is a file of ours with a looser mode (files made
    before the umask was set, or copied in by hand). Missing files are ignored."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        mode = path.stat().st_mode
        if stat.S_ISREG(mode) and mode & 0o077:
            path.chmod(PRIVATE_FILE_MODE)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SwapGuard:
    """Readers share the connection; swapping the database file excludes them all.

    ``shared()`` is held for the life of every cursor, ``exclusive()`` by the rewrite while
    it closes the connection, replaces the file and opens it again, so no thread can see
    a closed connection or the old file. Re-entrant for readers (a read nested in a read
    never waits); once a swap is waiting, new readers wait behind it, so a busy dashboard
    cannot starve an erase.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._swapping = False
        self._local = threading.local()

    @contextmanager
    def shared(self) -> Iterator[None]:
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            with self._cond:
                while self._swapping:
                    self._cond.wait()
                self._readers += 1
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth
            if depth == 0:
                with self._cond:
                    self._readers -= 1
                    if self._readers == 0:
                        self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        if getattr(self._local, "depth", 0):
            raise RuntimeError("the database file cannot be swapped while a cursor is open")
        with self._cond:
            while self._swapping:
                self._cond.wait()
            self._swapping = True
            while self._readers:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._swapping = False
                self._cond.notify_all()
