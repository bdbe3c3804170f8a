"""``Store.read_row``: the one-statement read every request makes (its world's revision). On a SQLite file it goes
straight to SQLite, outside any transaction, so it always sees the latest commit, never waits for a writer, and never
makes a removed file again."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from auth_server.control import world_controls
from auth_server.control.tables import world_controls as controls_table
from auth_server.store import Store
from auth_server.store.database import StoreClosed
from tests.conftest import file_store

REVISION = sa.select(controls_table.c.revision).where(world_controls.ROW)
WAIT_SECONDS = 5


def _bumped(store: Store) -> int:
    with store.unit_of_work() as repo:
        world_controls.bump(repo)
        return world_controls.counters(repo).revision


def test_each_read_sees_the_latest_commit(tmp_path: Path) -> None:
    store = file_store(tmp_path)
    first = _bumped(store)
    assert store.read_row(REVISION) == (first,)

    second = _bumped(store)

    assert store.read_row(REVISION) == (second,)
    store.dispose()


def test_a_read_goes_ahead_while_a_write_is_under_way(tmp_path: Path) -> None:
    store = file_store(tmp_path)
    kept = _bumped(store)
    answers: list[object] = []
    with store.unit_of_work() as writing:
        world_controls.bump(writing)
        writing.flush()  # the write lock is taken now, and held until the block ends
        reader = threading.Thread(target=lambda: answers.append(store.read_row(REVISION)))
        reader.start()
        reader.join(WAIT_SECONDS)
        finished = list(answers)
    reader.join()

    assert finished == [(kept,)]
    store.dispose()


def test_a_read_of_a_removed_file_closes_the_store_and_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.db"
    made = Store(f"sqlite:///{path}")
    made.create_schema()
    _bumped(made)
    made.dispose()
    store = Store(f"sqlite:///{path}", existing_file=True)
    store.read_row(REVISION)  # a connection is kept for the next read

    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{path}{suffix}"):
            os.remove(f"{path}{suffix}")

    with pytest.raises(StoreClosed):
        store.read_row(REVISION)
    assert not path.exists()


def test_a_disposed_store_reads_no_more(tmp_path: Path) -> None:
    store = file_store(tmp_path)
    _bumped(store)
    store.read_row(REVISION)

    store.close()

    with pytest.raises(StoreClosed):
        store.read_row(REVISION)
