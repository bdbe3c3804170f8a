"""What linksim asks of a world's store on its busy paths costs the same at 100,000 links, tokens or authorizations
as at 10: each query searches an index, and none reads a table whole.

What came due on the clock is asked before every operation and every read; the others are look-ups by a key: whom a
partner app acts for (on every call of the linking API), a party's authorizations, a shop's invitations, a user's
tokens (when an app is removed or listed), a seller's shops (the Shop authorization page)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from auth_server.oauth.models import Token
from auth_server.shop_partner.authorizations import seller_authorized_partner_app
from auth_server.shop_partner.models import Grant
from auth_server.simulator import open_store
from auth_server.store import Store
from auth_server.store.repository import SqlRepository
from tests.store.query_plans import plan_of
from tests.store.query_plans import tables_read_whole

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)

DUE_CHECKS: dict[str, Callable[[SqlRepository], Any]] = {
    "anything_due": lambda repo: repo.anything_due(NOW),
    "accounts_due_for_verification": lambda repo: repo.accounts_due_for_verification(NOW),
    "links_due": lambda repo: repo.links_due(NOW),
    "invitations_due": lambda repo: repo.invitations_due(NOW),
    "affiliate_invitations_due": lambda repo: repo.affiliate_invitations_due(NOW),
}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    found = open_store(f"sqlite:///{tmp_path / 'linksim.db'}")
    yield found
    found.dispose()


@pytest.mark.parametrize("name", DUE_CHECKS)
def test_a_due_check_reads_no_table_whole(store: Store, name: str) -> None:
    steps = plan_of(store, DUE_CHECKS[name])

    assert tables_read_whole(steps) == [], steps


LOOK_UPS: dict[str, Callable[[SqlRepository], Any]] = {
    "whom a partner app acts for": lambda repo: seller_authorized_partner_app(repo, "client", "seller", NOW),
    "a party's authorizations": lambda repo: repo.all_where(Grant, order_by="granted_at", party_id="seller"),
    "a shop's invitations": lambda repo: repo.invitations(shop_id="shop"),
    "a user's tokens": lambda repo: repo.all_where(Token, order_by="issued_at", open_id="user"),
    "a user's tokens of one app": lambda repo: repo.all_where(Token, order_by="issued_at", client_key="client",
                                                              open_id="user"),
    "a seller's shops": lambda repo: repo.shops_of_seller("seller"),
}


@pytest.mark.parametrize("name", LOOK_UPS)
def test_a_look_up_by_key_reads_no_table_whole(store: Store, name: str) -> None:
    steps = plan_of(store, LOOK_UPS[name])

    assert tables_read_whole(steps) == [], steps
