"""Turns at a SQLite file's one write lock, for the writers of every process that opens it.

SQLite makes a writer that finds the lock taken wait in its busy handler, which sleeps and tries again, longer each
time (1, 2, 5, 10 ... 100 ms): under load the lock is often free while the next writer still sleeps, and requests
queue behind those sleeps (p99 of 120 to 750 ms at 16 connections on two workers). Writers that queue on ``flock``
instead are woken by the kernel when the lock is let go of. This process's threads queue on a lock of their own
first, so that one thread at a time waits on the file. SQLite's lock stays the last word: a writer that does not
take turns (the ``sqlite3`` shell, an older linksim) still meets the others in the busy handler.
"""

from __future__ import annotations

import fcntl
import os
import threading
import weakref
from pathlib import Path
from types import TracebackType

SUFFIX = "-writers"  # beside the database, as SQLite's own "-wal" and "-shm"


def writers_file(database: Path | str) -> str:
    return f"{database}{SUFFIX}"


class WriterTurns:
    """A lock that one thread of all the processes that open ``database`` holds at a time; re-entrant in that thread.

    The file is made on first use, and each process opens it for itself: a child made by ``fork`` inherits its
    parent's open file (a turn taken on it would be its parent's too) and, if the fork came during a turn, a lock
    held by a thread it does not have.
    """

    def __init__(self, database: Path | str) -> None:
        self._path = writers_file(database)
        self._threads = threading.RLock()
        self._depth = 0  # how many times the thread holding the turn has taken it
        self._holder: int | None = None  # that thread
        self._fd: int | None = None
        _ALL.add(self)

    def taken_here(self) -> int:
        """How many times the calling thread holds the turn now (0: it does not)."""
        return self._depth if self._holder == threading.get_ident() else 0

    def let_go_to(self, depth: int) -> None:
        """Let go of the turns the calling thread took since it held ``depth`` of them."""
        while self.taken_here() > depth:
            self.__exit__(None, None, None)

    def __enter__(self) -> None:
        self._threads.acquire()
        if self._depth == 0:
            try:
                fcntl.flock(self._file(), fcntl.LOCK_EX)  # waits with the interpreter's lock let go of
            except BaseException:
                self._threads.release()
                raise
            self._holder = threading.get_ident()
        self._depth += 1

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._depth -= 1
        try:
            if self._depth == 0:
                self._holder = None
                if self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        """Close the file (after the turn under way, if any); the next turn opens it again."""
        with self._threads:
            self._close_file()

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        return self._fd

    def _close_file(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # in a forked child, the parent's turn (if it holds one) stays its own
            self._fd = None

    def _forked(self) -> None:
        self._threads = threading.RLock()
        self._depth, self._holder = 0, None
        self._close_file()


_ALL: weakref.WeakSet[WriterTurns] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for turns in list(_ALL):
        turns._forked()


os.register_at_fork(after_in_child=_after_fork_in_child)
