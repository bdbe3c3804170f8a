"""Bad input of any kind is refused as invalid_input with the field named, never a crash."""

from __future__ import annotations

from datetime import datetime

import pytest

from auth_server.domain.errors import Refused


def refused(call) -> list[str]:  # noqa: ANN001
    with pytest.raises(Refused) as excinfo:
        call()
    return excinfo.value.codes


@pytest.mark.parametrize("username", [None, "", "   ", 42])
def test_a_missing_username_is_invalid_input(world, username) -> None:  # noqa: ANN001
    shop = world.shop()
    assert refused(lambda: world.service.request_app_consent(shop.shop_id, username)) == ["invalid_input"]
    assert refused(lambda: world.service.create_organization_account(shop.shop_id, username=username)) == [
        "invalid_input"]


@pytest.mark.parametrize("username", ["Has Space!", "x", "a" * 25, "émile"])
def test_a_username_outside_the_allowed_characters_is_invalid_input(world, username: str) -> None:
    account = world.account()
    assert refused(lambda: world.service.rename_account(account.open_id, username=username)) == ["invalid_input"]


def test_a_missing_search_query_is_invalid_input(world) -> None:  # noqa: ANN001
    assert refused(lambda: world.service.search_accounts(None)) == ["invalid_input"]


def test_a_shop_name_must_be_given(world) -> None:  # noqa: ANN001
    shop = world.shop()
    assert refused(lambda: world.service.rename_shop(shop.shop_id, None)) == ["invalid_input"]


def test_unknown_or_missing_ids_are_refused_with_their_codes(world) -> None:  # noqa: ANN001
    assert refused(lambda: world.service.start_official_link("nope")) == ["shop_not_found"]
    assert refused(lambda: world.service.start_official_link(None)) == ["invalid_input"]
    assert refused(lambda: world.service.get_link("nope")) == ["link_not_found"]
    assert refused(lambda: world.service.get_account(None)) == ["invalid_input"]


def test_a_probation_end_without_a_time_zone_is_invalid_input(world) -> None:  # noqa: ANN001
    shop = world.shop()
    naive = datetime(2026, 4, 1)
    assert refused(lambda: world.service.set_shop_status(shop.shop_id, probation_until=naive)) == ["invalid_input"]


@pytest.mark.parametrize("rate", ["0.001", "0", "-5", "80.01", "abc", "nan", "inf"])
def test_a_commission_rate_outside_0_to_80_percent_is_refused(world, rate: str) -> None:
    shop, account = world.shop(), world.account()
    assert refused(lambda: world.service.invite_affiliate(shop.shop_id, account.open_id, rate)) == [
        "invalid_commission_rate"]


def test_a_commission_rate_is_kept_to_two_decimals(world) -> None:  # noqa: ANN001
    shop, account = world.shop(), world.account()
    assert str(world.service.invite_affiliate(shop.shop_id, account.open_id, "12.345").commission_rate) == "12.34"


@pytest.mark.parametrize("link_id", ["", "has space", "x" * 65, 7])
def test_an_id_a_script_chooses_must_be_short_and_plain(world, link_id) -> None:  # noqa: ANN001
    shop = world.shop()
    assert refused(lambda: world.service.start_official_link(shop.shop_id, link_id=link_id)) == ["invalid_input"]


def test_a_shop_name_longer_than_the_store_keeps_is_invalid_input(world) -> None:  # noqa: ANN001
    shop = world.shop()
    assert refused(lambda: world.service.rename_shop(shop.shop_id, "n" * 201)) == ["invalid_input"]


def test_sign_in_without_a_password_is_invalid_input(world) -> None:  # noqa: ANN001
    world.account("ann")
    assert refused(lambda: world.service.sign_in("ann", None)) == ["invalid_input"]


def test_a_passcode_sign_in_without_a_code_is_invalid_input(world) -> None:  # noqa: ANN001
    shop = world.shop(seller=world.seller(entity="ENT-1"))
    link = world.service.create_organization_account(shop.shop_id, username="org.acct", email="a@b.example")
    username = world.service.get_account(link.open_id).username  # renamed after the shop (E2)
    assert refused(lambda: world.service.sign_in_with_passcode(username, "a@b.example", None)) == ["invalid_input"]


@pytest.mark.parametrize("member", [None, "", "  ", 7, {"contact": "ops@acme.example"}])
def test_an_organization_member_that_is_no_contact_is_refused(world, member: object) -> None:  # noqa: ANN001
    seller = world.seller(entity="ENT-ORG")
    shop = world.shop(seller=seller)
    with pytest.raises(Refused) as refused:
        world.service.create_organization_account(shop.shop_id, username="org.account", members=[member])
    assert refused.value.code == "invalid_input"
    assert refused.value.violations[0].details["field"] == "members"
