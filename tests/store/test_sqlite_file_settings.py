"""How linksim opens a SQLite file: write-ahead logging, commits that do not wait for the disk, and statements compiled
once for every file."""

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


def test_every_sqlite_file_finds_the_statements_another_compiled(tmp_path: Path) -> None:
    """A sandbox is a file with an engine of its own: compiling again each statement its flows run, and letting them
    go with it, cost a server CPU for every sandbox and some 12 MB of fragmented memory after a hundred of them."""
    first, second = (open_store(f"sqlite:///{tmp_path / name}") for name in ("first.db", "second.db"))
    with first.unit_of_work() as repo:
        repo.accounts()
    cache = first.engine.get_execution_options().get("compiled_cache")
    compiled = len(cache) if cache is not None else 0

    with second.unit_of_work() as repo:
        repo.accounts()

    assert cache is not None and second.engine.get_execution_options().get("compiled_cache") is cache
    assert len(cache) == compiled
    first.dispose()
    second.dispose()
