"""The request journal on disk (``linksim serve --journal-file``): one JSON object a line, rotated at a size bound.

Imported only by a server that keeps the file: concurrent-log-handler and portalocker take some 90 ms to import.
"""

from __future__ import annotations

import json
import logging
import os

from concurrent_log_handler import ConcurrentRotatingFileHandler

from auth_server.control.request_journal import RequestRecord


class JournalFile:
    """The journal on disk: one JSON object a line, each with its world; rotated at ``max_bytes``.

    Every world of a server writes to the same file, and so does every worker of ``linksim serve --workers N``:
    ``journal.jsonl`` becomes ``journal.jsonl.1`` (and so on, up to ``backups`` old files) once the next line would
    not fit. The processes take turns on a lock file beside it (``.__journal.jsonl.lock``: concurrent-log-handler), so a
    line is written whole, into the file whose size was checked, and one worker's rotation is seen by the others.
    """

    def __init__(self, path: str, *, max_bytes: int, backups: int) -> None:
        self.path = path
        self._handler = _RotatingWithinTheBound(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")

    def write(self, record: RequestRecord) -> None:
        line = json.dumps(record.as_dict(), ensure_ascii=False, default=str, separators=(",", ":"))
        self._handler.handle(logging.LogRecord("linksim.journal", logging.INFO, __file__, 0, line, None, None))

    def close(self) -> None:
        self._handler.close()


class _RotatingWithinTheBound(ConcurrentRotatingFileHandler):
    """Rotates before a line that would take the file past its bound, as the standard library's handler does (this
    handler's own check lets the file pass the bound by one line). Asked with the lock held, so the size read is the
    file's as every process left it."""

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 (logging's name)
        if self.maxBytes <= 0:
            return False
        try:
            size = os.path.getsize(self.baseFilename)
        except OSError:
            return False  # not made yet
        line = len(record.getMessage().encode("utf-8")) + len(self.terminator)
        return size > 0 and size + line > self.maxBytes
