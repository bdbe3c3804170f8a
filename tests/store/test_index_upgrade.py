"""A database made before an index was added gets it when linksim opens it: what came due on the clock is asked
before every operation, so at 100,000 accounts or links it must not read them all."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from auth_server.simulator import open_store
from auth_server.store import Store
from auth_server.store import schema
from auth_server.store import schema_fingerprint

DUE_INDEXES = [("accounts", "ix_accounts_verification_due_at"), ("links", "ix_links_state_review_due_at"),
               ("links", "ix_links_state_consent_expires_at"), ("invitations", "ix_invitations_state_expires_at"),
               ("affiliate_invitations", "ix_affiliate_invitations_state_expires_at")]
KEY_INDEXES = [("invitations", "ix_invitations_shop_id"), ("tokens", "ix_tokens_open_id_client_key"),
               ("shop_grants", "ix_shop_grants_party"), ("shop_grants", "ix_shop_grants_expires_at"),
               ("shops", "ix_shops_seller_id")]


def _indexes(store: Store, table: str) -> set[str]:
    with store.engine.connect() as connection:
        return set(connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)).scalars())


@pytest.mark.parametrize(("table", "index"), DUE_INDEXES)
def test_what_came_due_is_found_by_an_index(tmp_path: Path, table: str, index: str) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'linksim.db'}")

    assert index in _indexes(store, table)
    store.dispose()


@pytest.mark.parametrize(("table", "index"), DUE_INDEXES + KEY_INDEXES)
def test_a_database_made_without_the_index_gets_it_when_opened(tmp_path: Path, table: str, index: str) -> None:
    url = f"sqlite:///{tmp_path / 'linksim.db'}"
    older = open_store(url)
    with older.engine.begin() as connection:
        connection.exec_driver_sql(f"DROP INDEX {index}")
    older.dispose()

    store = open_store(url)

    assert index in _indexes(store, table)
    store.dispose()


def test_a_search_by_nickname_in_any_case_is_found_by_an_index(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'linksim.db'}")
    with store.engine.connect() as connection:
        plan = " ".join(str(row) for row in connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT open_id FROM accounts WHERE lower(nickname) = 'maya'"))

    assert "USING INDEX ix_accounts_nickname_lower" in plan, plan
    store.dispose()


def test_a_template_made_before_an_index_was_added_is_not_copied_for_a_sandbox() -> None:
    """A sandbox is a copy of its data's template, opened as it is: the template's name tells the indexes too."""
    before = schema_fingerprint()
    added = sa.Index("ix_links_added_since", schema.links.c.created_at)
    try:
        assert schema_fingerprint() != before
    finally:
        schema.links.indexes.discard(added)
    assert schema_fingerprint() == before
