"""A database made before an index was added gets it when linksim opens it: whether a verification came due is asked
before every operation, so at 100,000 accounts it must not read them all."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from auth_server.simulator import open_store

DUE_INDEX = "ix_accounts_verification_due_at"


def _indexes(store: object) -> set[str]:
    return {index["name"] for index in sa.inspect(store.engine).get_indexes("accounts")}  # type: ignore[attr-defined]


def test_the_accounts_due_for_verification_are_found_by_an_index(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'linksim.db'}")

    assert DUE_INDEX in _indexes(store)
    store.dispose()


def test_a_database_made_without_the_index_gets_it_when_opened(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'linksim.db'}"
    older = open_store(url)
    with older.engine.begin() as connection:
        connection.exec_driver_sql(f"DROP INDEX {DUE_INDEX}")
    older.dispose()

    store = open_store(url)

    assert DUE_INDEX in _indexes(store)
    store.dispose()
