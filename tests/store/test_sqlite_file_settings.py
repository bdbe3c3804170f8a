"""How linksim opens a SQLite file: write-ahead logging, and commits that do not wait for the disk."""

from __future__ import annotations

from pathlib import Path

from auth_server.simulator import open_store


def test_a_sqlite_file_commits_to_its_write_ahead_log_without_waiting_for_the_disk(tmp_path: Path) -> None:
    """WAL with synchronous=NORMAL: a commit survives the process's crash, and is not fsynced one by one (the last
    commits may be lost if the machine itself loses power: a simulator's trade)."""
    store = open_store(f"sqlite:///{tmp_path / 'linksim.db'}")
    with store.engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()

    assert (mode, synchronous) == ("wal", 1)  # 1: NORMAL
    store.dispose()
