"""Racing requests for the same slots: the database keeps the invariants, and every loser is told why.

These tests use a real file-backed SQLite database (and PostgreSQL when the test script started one),
with one thread per request, all released at once by a barrier.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from auth_server.domain.errors import Refused
from auth_server.domain.links import Role
from tests.conftest import WorldBuilder

RACERS = 50


def race(calls: list[Callable[[], Any]]) -> list[tuple[str, Any]]:
    """Run every call in its own thread, released together; return ("ok", result) or ("refused", codes)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, Any]] = [("missing", None)] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            outcomes[index] = ("ok", call())
        except Refused as refusal:
            outcomes[index] = ("refused", tuple(refusal.codes))
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever escaped
            outcomes[index] = ("escaped", repr(exc))

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_fifty_sellers_racing_for_one_official_slot_leave_exactly_one_winner(database_world: WorldBuilder) -> None:
    world = database_world
    shop = world.shop()
    consented = []
    for _ in range(RACERS):
        account = world.account()
        link = world.service.start_official_link(shop.shop_id)
        world.service.give_consent(link.link_id, account.open_id)
        consented.append(link.link_id)

    outcomes = race([lambda link_id=link_id: world.service.accept_terms(link_id) for link_id in consented])

    kinds = Counter(kind for kind, _ in outcomes)
    assert kinds == {"ok": 1, "refused": RACERS - 1}, outcomes
    assert {codes for kind, codes in outcomes if kind == "refused"} == {("official_slot_taken",)}
    holders = [link for link in world.service.links(shop_id=shop.shop_id) if link.state.holds_slot]
    assert len(holders) == 1 and holders[0].role is Role.OFFICIAL
    winner = next(result for kind, result in outcomes if kind == "ok")
    assert holders[0].link_id == winner.link_id


def test_fifty_accounts_racing_for_four_marketing_slots_leave_exactly_four_winners(
        database_world: WorldBuilder) -> None:
    world = database_world
    shop = world.shop()
    invitations = []
    for _ in range(RACERS):
        account = world.account()
        invitations.append((world.service.invite_marketing_account(shop.shop_id, account.open_id), account))

    outcomes = race([
        lambda inv=inv, account=account: world.service.answer_invitation(inv.invitation_id, account.open_id,
                                                                          accept=True)
        for inv, account in invitations
    ])

    kinds = Counter(kind for kind, _ in outcomes)
    assert kinds == {"ok": 4, "refused": RACERS - 4}, outcomes
    assert {codes for kind, codes in outcomes if kind == "refused"} == {("marketing_slots_full",)}
    holders = [link for link in world.service.links(shop_id=shop.shop_id) if link.state.holds_slot]
    assert sorted(link.marketing_slot for link in holders) == [1, 2, 3, 4]
    assert all(link.role is Role.MARKETING for link in holders)


def test_one_account_racing_to_be_official_at_many_shops_wins_at_one(database_world: WorldBuilder) -> None:
    world = database_world
    account = world.account()
    consented = []
    for _ in range(10):
        shop = world.shop()
        link = world.service.start_official_link(shop.shop_id)
        world.service.give_consent(link.link_id, account.open_id)
        consented.append(link.link_id)

    outcomes = race([lambda link_id=link_id: world.service.accept_terms(link_id) for link_id in consented])

    kinds = Counter(kind for kind, _ in outcomes)
    assert kinds == {"ok": 1, "refused": 9}, outcomes
    assert {codes for kind, codes in outcomes if kind == "refused"} == {("account_linked_elsewhere",)}


def test_one_account_racing_for_both_roles_at_one_shop_gets_one(database_world: WorldBuilder) -> None:
    world = database_world
    shop = world.shop()
    account = world.account()
    calls: list[Callable[[], Any]] = []
    for _ in range(5):
        link = world.service.start_official_link(shop.shop_id)
        world.service.give_consent(link.link_id, account.open_id)
        calls.append(lambda link_id=link.link_id: world.service.accept_terms(link_id))
    invitation = world.service.invite_marketing_account(shop.shop_id, account.open_id)
    calls.append(lambda: world.service.answer_invitation(invitation.invitation_id, account.open_id, accept=True))

    outcomes = race(calls)

    assert Counter(kind for kind, _ in outcomes) == {"ok": 1, "refused": 5}, outcomes
    refusals = {codes for kind, codes in outcomes if kind == "refused"}
    assert refusals <= {("already_linked",), ("same_account_both_roles",)}
    holders = [link for link in world.service.links(shop_id=shop.shop_id) if link.state.holds_slot]
    assert len(holders) == 1


def test_racing_answers_to_one_invitation_leave_it_consistent(database_world: WorldBuilder) -> None:
    world = database_world
    shop, account = world.shop(), world.account()
    invitation = world.service.invite_marketing_account(shop.shop_id, account.open_id)
    calls = [lambda accept=(i % 2 == 0): world.service.answer_invitation(invitation.invitation_id,
                                                                          account.open_id, accept=accept)
             for i in range(10)]

    outcomes = race(calls)

    assert Counter(kind for kind, _ in outcomes) == {"ok": 1, "refused": 9}, outcomes
    final = world.service.invitations(open_id=account.open_id)[0]
    holders = [link for link in world.service.links(shop_id=shop.shop_id) if link.state.holds_slot]
    if final.state.value == "accepted":
        assert [link.link_id for link in holders] == [final.link_id]
    else:
        assert final.state.value == "declined" and holders == []


def test_racing_renames_to_one_username_leave_one_owner(database_world: WorldBuilder) -> None:
    world = database_world
    accounts = [world.account() for _ in range(10)]
    outcomes = race([lambda a=a: world.service.rename_account(a.open_id, username="wanted") for a in accounts])

    assert Counter(kind for kind, _ in outcomes) == {"ok": 1, "refused": 9}, outcomes
    assert {codes for kind, codes in outcomes if kind == "refused"} == {("username_taken",)}
