"""The store on both databases: the schema, the unique partial indexes that keep the invariants, whole flows.

Each test runs on a file-backed SQLite database and on PostgreSQL (when LINKSIM_TEST_POSTGRES_URL names
a server; ``make test`` starts a throwaway one), from a freshly made schema. Rows are written straight
into the database, past every rule, to show that the database itself refuses what breaks an invariant.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from auth_server.domain.accounts import Account
from auth_server.domain.accounts import AccountType
from auth_server.domain.accounts import Verification
from auth_server.domain.errors import Refused
from auth_server.domain.links import Channel
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from auth_server.domain.repository import SlotConflict
from auth_server.domain.shops import Seller
from auth_server.domain.shops import Shop
from auth_server.store import Store
from auth_server.store import schema
from auth_server.store.sandboxes import registry_metadata
from tests.conftest import START
from tests.conftest import WorldBuilder

SLOT_INDEXES = (
    "one_official_per_shop",
    "one_official_shop_per_account",
    "one_role_per_shop",
    "marketing_slot",
)


@pytest.fixture
def store(database: Store) -> Store:
    return database


@pytest.fixture
def world(database_world: WorldBuilder) -> WorldBuilder:
    return database_world


# --- building rows straight into the database -------------------------------------------------------------


def add(store: Store, *objs: object) -> None:
    with store.unit_of_work() as repo:
        for obj in objs:
            repo.add(obj)
            repo.flush()


def parties(store: Store, *, shops: int = 1, accounts: int = 2) -> tuple[list[Shop], list[Account]]:
    seller = Seller(seller_id="seller1", name="A seller", entity_id="ENT-1")
    shop_rows = [
        Shop(shop_id=f"shop{n}", seller_id=seller.seller_id, name=f"Shop {n}", region="US", market="global")
        for n in range(1, shops + 1)
    ]
    account_rows = [
        Account(open_id=f"oid_user{n}", username=f"user{n}", nickname=f"User{n}", region="US",
                verification=Verification.VERIFIED)
        for n in range(1, accounts + 1)
    ]
    add(store, seller, *shop_rows, *account_rows)
    return shop_rows, account_rows


_ids = iter(range(1, 10_000))


def link(shop: Shop, account: Account, role: Role, state: LinkState = LinkState.ACTIVE, *,
         slot: int | None = None) -> Link:
    return Link(
        link_id=f"lnk_{next(_ids)}",
        shop_id=shop.shop_id,
        open_id=account.open_id,
        role=role,
        channel=Channel.QR if role is Role.OFFICIAL else Channel.INVITATION,
        state=state,
        marketing_slot=slot,
        created_at=START,
        activated_at=START if state is LinkState.ACTIVE else None,
        ended_at=START if state in (LinkState.UNLINKED, LinkState.REFUSED, LinkState.EXPIRED) else None,
    )


def conflict_of(store: Store, *objs: object) -> str:
    with pytest.raises(SlotConflict) as caught:
        add(store, *objs)
    return caught.value.invariant


def holding(store: Store) -> list[Link]:
    with store.unit_of_work() as repo:
        return list(repo.holding_links())


# --- the schema -------------------------------------------------------------------------------------------


def test_the_schema_creates_with_its_partial_unique_indexes(store: Store) -> None:
    store.reset()  # a second reset drops and recreates everything cleanly
    inspector = sa.inspect(store.engine)
    # Beside the world's tables, a main store may hold its sandboxes' registry (made by a server that served sandboxes
    # from it; on a metadata of its own, so that a reset keeps it): nothing else.
    assert set(inspector.get_table_names()) - set(registry_metadata.tables) == set(schema.metadata.tables)
    indexes = {index["name"]: index for index in inspector.get_indexes("links")}
    dialect = store.engine.dialect.name
    for name in SLOT_INDEXES:
        assert indexes[name]["unique"], name
        where = indexes[name].get("dialect_options", {}).get(f"{dialect}_where")
        assert where is not None and "pending_review" in str(where) and "active" in str(where), (name, where)
    checks = {check["name"] for check in inspector.get_check_constraints("links")}
    assert {"marketing_slot_positive", "marketing_link_has_slot", "holding_link_has_account"} <= checks


def test_json_durations_and_times_round_trip(store: Store) -> None:
    (shop,), (account, _) = parties(store)
    row = link(shop, account, Role.OFFICIAL)
    row.granted_permissions = ["profile_information", "content"]
    row.refusal_codes = []
    add(store, row)
    with store.unit_of_work() as repo:
        again = repo.link(row.link_id)
        assert again is not None
        assert again.granted_permissions == ["profile_information", "content"]
        assert again.created_at == START and again.created_at.tzinfo is not None
        assert again.state is LinkState.ACTIVE and again.role is Role.OFFICIAL
        assert repo.account(account.open_id).verification_delay == timedelta(0)  # type: ignore[union-attr]


# --- the unique partial indexes ---------------------------------------------------------------------------


def test_a_second_official_link_cannot_hold_the_same_shops_slot(store: Store) -> None:
    (shop,), (first, second) = parties(store)
    add(store, link(shop, first, Role.OFFICIAL))

    in_review = link(shop, second, Role.OFFICIAL, LinkState.PENDING_REVIEW)
    assert conflict_of(store, in_review) == "one_official_per_shop"
    assert conflict_of(store, link(shop, second, Role.OFFICIAL)) == "one_official_per_shop"
    assert [row.open_id for row in holding(store)] == [first.open_id]  # the refused writes were rolled back


def test_the_official_index_is_partial_ended_links_do_not_hold_the_slot(store: Store) -> None:
    (shop,), (first, second) = parties(store)
    ended = [link(shop, first, Role.OFFICIAL, state) for state in (LinkState.UNLINKED, LinkState.REFUSED)]
    add(store, *ended)
    add(store, link(shop, second, Role.OFFICIAL, LinkState.CONSENTED), link(shop, second, Role.OFFICIAL))
    assert [row.open_id for row in holding(store)] == [second.open_id]


def test_an_account_is_official_at_one_shop_at_a_time(store: Store) -> None:
    (shop1, shop2), (account, _) = parties(store, shops=2)
    add(store, link(shop1, account, Role.OFFICIAL))

    assert conflict_of(store, link(shop2, account, Role.OFFICIAL)) == "one_official_shop_per_account"


def test_an_account_cannot_hold_both_roles_at_one_shop(store: Store) -> None:
    (shop,), (account, _) = parties(store)
    add(store, link(shop, account, Role.OFFICIAL))

    assert conflict_of(store, link(shop, account, Role.MARKETING, slot=1)) == "one_role_per_shop"
    in_review = link(shop, account, Role.MARKETING, LinkState.PENDING_REVIEW, slot=2)
    assert conflict_of(store, in_review) == "one_role_per_shop"


def test_an_account_cannot_hold_two_marketing_links_at_one_shop(store: Store) -> None:
    (shop,), (account, _) = parties(store)
    add(store, link(shop, account, Role.MARKETING, slot=1))

    assert conflict_of(store, link(shop, account, Role.MARKETING, slot=2)) == "one_role_per_shop"


def test_two_marketing_links_cannot_hold_the_same_numbered_slot(store: Store) -> None:
    (shop,), accounts = parties(store, accounts=3)
    add(store, link(shop, accounts[0], Role.MARKETING, slot=1))

    assert conflict_of(store, link(shop, accounts[1], Role.MARKETING, slot=1)) == "marketing_slot"
    add(store, link(shop, accounts[1], Role.MARKETING, slot=2))
    add(store, link(shop, accounts[2], Role.MARKETING, LinkState.UNLINKED))  # ended: holds no slot
    assert sorted(row.marketing_slot for row in holding(store)) == [1, 2]  # type: ignore[type-var]


def test_a_holding_marketing_link_needs_a_slot(store: Store) -> None:
    (shop,), (account, _) = parties(store)
    with pytest.raises(sa.exc.IntegrityError, match="marketing_link_has_slot"):
        add(store, link(shop, account, Role.MARKETING, slot=None))


# --- whole flows through the simulator --------------------------------------------------------------------


def test_an_official_link_flow_runs_on_the_store(world: WorldBuilder) -> None:
    shop = world.shop()
    account = world.account()

    linked = world.link_official(shop, account)
    assert linked.open_id == account.open_id
    assert linked.state in (LinkState.PENDING_REVIEW, LinkState.ACTIVE)

    world.advance("1s")
    active = world.service.get_link(linked.link_id)
    assert active.state is LinkState.ACTIVE
    assert active.granted_permissions == ["profile_information", "content", "audience_data"]
    assert world.service.get_account(account.open_id).account_type is AccountType.BUSINESS

    # The slot is taken: another account's official link is refused with the rule's code.
    other = world.account()
    with pytest.raises(Refused) as refused:
        world.link_official(shop, other)
    assert "official_slot_taken" in refused.value.codes

    # After the wait, the seller unlinks, and the slot is free again.
    world.advance("24h")
    unlinked = world.service.unlink(shop.shop_id, account.open_id)
    assert unlinked.state is LinkState.UNLINKED
    relinked = world.link_official(shop, other)
    world.advance("1s")
    assert world.service.get_link(relinked.link_id).state is LinkState.ACTIVE

    kinds = [event.kind for event in world.service.journal(subject_type="link", subject_id=linked.link_id)]
    assert kinds[0] == "link.started" and "link.active" in kinds and kinds[-1] == "link.unlinked"


def test_a_marketing_link_flow_runs_on_the_store(world: WorldBuilder) -> None:
    shop = world.shop()
    account = world.account(followers=5000)

    linked = world.link_marketing(shop, account)
    world.advance("1s")
    active = world.service.get_link(linked.link_id)
    assert active.state is LinkState.ACTIVE and active.role is Role.MARKETING
    assert active.marketing_slot == 1


def test_a_store_opened_by_the_simulator_holds_the_oauth_tables_in_a_fresh_interpreter(tmp_path: Path) -> None:
    # The OAuth records' tables join the store's metadata when their module is imported: opening a store through
    # the composition root must make them, whatever the process imported before.
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    script = ("import sys, sqlalchemy as sa; from auth_server.simulator import open_store; "
              "print(' '.join(sorted(sa.inspect(open_store(sys.argv[1]).engine).get_table_names())))")
    made = subprocess.run([sys.executable, "-c", script, url], capture_output=True, text=True, check=True)
    assert {"partner_apps", "authorization_codes", "tokens", "login_qr_codes", "accounts", "links"} <= set(
        made.stdout.split())
