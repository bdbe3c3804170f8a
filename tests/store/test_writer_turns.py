"""The writers of a SQLite file take turns at its one write lock through a lock the kernel hands over (``flock`` on the
file ``<database>-writers``), whichever process they are in, rather than through SQLite's busy handler, which polls
with growing sleeps: a writer waiting in another process starts as soon as the lock is free."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from auth_server.store import Store
from auth_server.store.sandboxes import remove_database
from auth_server.store.writer_turns import WriterTurns

WAIT_SECONDS = 5


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    made = Store(f"sqlite:///{tmp_path / 'linksim.db'}")
    made.create_schema()
    yield made
    made.dispose()


def _turn_is_free(database: Path) -> bool:
    """Whether a writer of another process could take the turn now (another open file description, as a process's
    own would be: ``flock`` excludes those even within one process)."""
    fd = os.open(f"{database}-writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_a_write_transaction_holds_the_writers_turn_until_it_ends(store: Store, tmp_path: Path) -> None:
    database = tmp_path / "linksim.db"

    with store.unit_of_work() as repo:
        repo.set_setting("held", True)
        held = not _turn_is_free(database)

    assert held
    assert _turn_is_free(database)


def test_a_write_transaction_takes_its_turn_at_its_first_statement_as_sqlite_takes_its_lock(
        store: Store, tmp_path: Path) -> None:
    """Not when the block opens: what a request does before it touches the database (parse, authenticate, build
    its answer) does not hold up the writers of other processes."""
    database = tmp_path / "linksim.db"

    with store.unit_of_work() as repo:
        free_before = _turn_is_free(database)
        repo.set_setting("held", True)
        repo.flush()
        held = not _turn_is_free(database)

    assert free_before and held
    assert _turn_is_free(database)


def test_a_write_transaction_that_fails_lets_go_of_its_turn(store: Store, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), store.unit_of_work() as repo:
        repo.set_setting("held", True)
        repo.flush()
        raise RuntimeError("the operation failed")

    assert _turn_is_free(tmp_path / "linksim.db")


def test_a_read_takes_no_writers_turn(store: Store, tmp_path: Path) -> None:
    with store.reading() as repo:
        repo.session.execute(sa.text("SELECT 1"))
        free = _turn_is_free(tmp_path / "linksim.db")

    assert free


def test_a_writer_of_another_process_waits_for_the_turn_and_then_writes(store: Store, tmp_path: Path) -> None:
    database = tmp_path / "linksim.db"
    fd = os.open(f"{database}-writers", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process's writer holds the turn
    written = threading.Event()

    def write() -> None:
        with store.unit_of_work() as repo:
            repo.set_setting("after", True)
        written.set()

    writer = threading.Thread(target=write)
    writer.start()
    waited = not written.wait(0.3)
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
    writer.join(WAIT_SECONDS)

    assert waited and written.is_set()
    with store.reading() as repo:
        assert repo.setting("after") is True


def test_a_turn_taken_again_by_its_thread_is_kept_until_the_outermost_release(tmp_path: Path) -> None:
    turns = WriterTurns(tmp_path / "linksim.db")

    with turns:
        with turns:
            pass
        kept = not _turn_is_free(tmp_path / "linksim.db")

    assert kept
    assert _turn_is_free(tmp_path / "linksim.db")
    turns.close()


def test_a_forked_process_waits_for_its_parents_turn(tmp_path: Path) -> None:
    """A child made by ``fork`` inherits its parent's open file; a turn taken on it would be the parent's turn too,
    and the two would write at once. The child takes its turns on a file it opens itself."""
    fork = multiprocessing.get_context("fork")
    turns = WriterTurns(tmp_path / "linksim.db")
    with turns:
        pass  # the file is open in the parent now
    ready, taken_at = fork.Event(), fork.Value("d", 0.0)
    with turns:
        child = fork.Process(target=_take_inherited, args=(turns, ready, taken_at))
        child.start()
        assert ready.wait(WAIT_SECONDS)
        time.sleep(0.3)
        released_at = time.time()
    child.join(WAIT_SECONDS)
    turns.close()

    assert child.exitcode == 0
    assert taken_at.value >= released_at


def _take_inherited(turns: WriterTurns, ready: object, taken_at: object) -> None:
    ready.set()  # type: ignore[attr-defined]
    with turns:
        taken_at.value = time.time()  # type: ignore[attr-defined]


def test_removing_a_database_removes_its_writers_file(store: Store, tmp_path: Path) -> None:
    database = tmp_path / "linksim.db"
    with store.unit_of_work() as repo:
        repo.set_setting("written", True)
    store.dispose()
    assert Path(f"{database}-writers").exists()

    remove_database(database)

    assert not Path(f"{database}-writers").exists()
