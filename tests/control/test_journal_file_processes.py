"""The journal file under several processes (`linksim serve --workers N --journal-file F`): every worker appends
to the one file and rotates it, and no line is lost or written twice, whichever worker rotates."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC
from datetime import datetime
from pathlib import Path

from auth_server.control.journal_file import JournalFile
from auth_server.control.request_journal import RequestRecord

BOUND = 4096
LINES = 400  # each process's: some fifteen rotations in all


def write_lines(path: str, writer: str, start: multiprocessing.synchronize.Event) -> None:
    journal = JournalFile(path, max_bytes=BOUND, backups=200)  # room for every line: none may go
    start.wait()
    for n in range(LINES):
        journal.write(RequestRecord(world=writer, wall_time=datetime.now(UTC), at=None, method="GET",
                                    path="/_sim/clock", status=200, seq=n))
    journal.close()


def test_workers_rotating_one_file_lose_no_line_and_keep_each_file_within_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    processes = multiprocessing.get_context("spawn")  # not forked from a test run that holds threads
    start = processes.Event()
    writers = [processes.Process(target=write_lines, args=(str(path), f"worker_{n}", start)) for n in range(3)]
    try:
        for writer in writers:
            writer.start()
        start.set()
        for writer in writers:
            writer.join(timeout=60)
            assert writer.exitcode == 0
    finally:
        for writer in writers:
            if writer.is_alive():
                writer.kill()

    files = sorted(tmp_path.glob("journal.jsonl*"))
    lines = [json.loads(line) for file in files for line in file.read_text(encoding="utf-8").splitlines()]
    written = sorted((line["world"], line["seq"]) for line in lines)
    assert written == sorted((f"worker_{n}", seq) for n in range(3) for seq in range(LINES))
    assert len(files) > 10
    assert all(file.stat().st_size <= BOUND for file in files)
