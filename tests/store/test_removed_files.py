"""A sandbox's SQLite file removed by another process while this one still holds its store: the store is closed,
and the file is never made again, empty (a journal writer's late flush found "no such table" in such a file)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from auth_server.store import Store
from auth_server.store.database import StoreClosed


def _existing(tmp_path: Path) -> tuple[Store, Path]:
    path = tmp_path / "sandbox.db"
    made = Store(f"sqlite:///{path}")
    made.create_schema()
    made.dispose()
    return Store(f"sqlite:///{path}", existing_file=True), path


def test_a_connection_to_a_removed_file_does_not_make_it_again(tmp_path: Path) -> None:
    store, path = _existing(tmp_path)
    os.remove(path)

    with pytest.raises(sa.exc.OperationalError):
        store.engine.connect()

    assert not path.exists()


def test_a_transaction_that_finds_its_file_removed_under_it_says_the_store_closed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, path = _existing(tmp_path)
    os.remove(path)
    exists = os.path.exists
    checks = iter([True])  # the race: the file was there when the transaction looked, gone when it connected
    monkeypatch.setattr(os.path, "exists", lambda p: next(checks, None) or exists(p))

    with pytest.raises(StoreClosed), store.unit_of_work() as repo:
        repo.session.execute(sa.text("SELECT 1"))

    assert not path.exists()
