"""A database made by an older linksim opens with the schema of this one: the tables and the nullable columns added
since are added, and the parties it held are kept; a column that cannot be added says to start over."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from auth_server.domain.clock import ManualClock
from auth_server.oauth.models import PartnerApp
from auth_server.oauth.records import OAuthStore
from auth_server.simulator import open_store
from auth_server.store import Store
from auth_server.store import StoreError
from tests.conftest import START
from tests.conftest import postgres_store

APP = PartnerApp(client_key="old_app", client_secret_hash="x", name="Made before", redirect_uris=[], scopes=[])


def made_by_an_older_linksim(store: Store) -> None:
    """As a database made before partner apps had a developer, and before TikTok Shop's tables."""
    with store.unit_of_work() as repo:
        repo.add(APP)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE shop_tokens")
        connection.exec_driver_sql("ALTER TABLE partner_apps DROP COLUMN developer")
        connection.exec_driver_sql("ALTER TABLE links DROP COLUMN refusal_details")
        connection.exec_driver_sql("ALTER TABLE link_tokens DROP COLUMN sealed")
        connection.exec_driver_sql("ALTER TABLE login_qr_codes DROP COLUMN granted_scope")
        connection.exec_driver_sql("ALTER TABLE shop_logins DROP COLUMN failed_sign_ins")
        connection.exec_driver_sql("ALTER TABLE shop_logins DROP COLUMN sign_in_locked_until")


def test_an_older_sqlite_file_gains_the_new_tables_and_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = open_store(url)
    made_by_an_older_linksim(old)
    old.dispose()
    store = open_store(url)
    try:
        columns = {column["name"] for column in sa.inspect(store.engine).get_columns("partner_apps")}
        assert "developer" in columns and sa.inspect(store.engine).has_table("shop_tokens")
        assert "refusal_details" in {column["name"] for column in sa.inspect(store.engine).get_columns("links")}
        assert "sealed" in {column["name"] for column in sa.inspect(store.engine).get_columns("link_tokens")}
        assert "failed_sign_ins" in {column["name"] for column in sa.inspect(store.engine).get_columns("shop_logins")}
        with store.unit_of_work() as repo:
            kept = repo.get(PartnerApp, "old_app")
            assert kept is not None and kept.name == "Made before" and kept.developer is None
    finally:
        store.dispose()


def test_an_older_postgresql_database_gains_the_new_columns() -> None:
    store = postgres_store()
    try:
        made_by_an_older_linksim(store)
        store.create_schema()
        columns = {column["name"] for column in sa.inspect(store.engine).get_columns("partner_apps")}
        assert "developer" in columns
    finally:
        store.dispose()


def test_a_missing_column_that_cannot_be_added_says_to_start_over(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = open_store(url)
    with old.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE partner_apps DROP COLUMN name")
    old.dispose()
    with pytest.raises(StoreError, match="lacks name, which cannot be added to it; start over with `linksim init"):
        open_store(url)


def test_a_token_an_older_linksim_kept_in_plain_text_no_longer_works(tmp_path: Path) -> None:
    """Tokens are kept as digests now (tests/store/test_no_working_token_in_a_dump.py); those kept before are not
    looked up, so the partner app asks for a new one."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = open_store(url)
    with old.unit_of_work() as repo:
        repo.add(PartnerApp(client_key="old_app", client_secret_hash="x", name="Made before"))
    with old.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO tokens (access_token, client_key, scope, issued_at, expires_in) "
            f"VALUES ('clt.kept-in-plain-text', 'old_app', '', '{START.replace(tzinfo=None).isoformat(' ')}', 7200)")
    old.dispose()
    store = open_store(url)
    try:
        assert OAuthStore(store.unit_of_work, ManualClock(START)).token("clt.kept-in-plain-text") is None
    finally:
        store.dispose()
