"""A database made before an index was added gets it when linksim opens it: whether a verification came due is asked
before every operation, so at 100,000 accounts it must not read them all."""

from __future__ import annotations

from pathlib import Path

from auth_server.simulator import open_store
from auth_server.store import Store

DUE_INDEX = "ix_accounts_verification_due_at"


def _indexes(store: Store) -> set[str]:
    with store.engine.connect() as connection:
        return set(connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'accounts'").scalars())


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


def test_a_search_by_nickname_in_any_case_is_found_by_an_index(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'linksim.db'}")
    with store.engine.connect() as connection:
        plan = " ".join(str(row) for row in connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT open_id FROM accounts WHERE lower(nickname) = 'maya'"))

    assert "USING INDEX ix_accounts_nickname_lower" in plan, plan
    store.dispose()
