"""Signing in to the app: a password, or an organization member's one-time passcode."""

from __future__ import annotations

import re

import pytest

from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import csrf_of


@pytest.fixture
def organization(world):  # noqa: ANN001, ANN201
    shop = world.shop("org_shop", seller=world.seller("org_seller", entity="ENT-ORG"))
    link = world.service.create_organization_account(shop.shop_id, username="brand.org",
                                                     email="admin@brand.example", members=["ops@brand.example"])
    return world.service.get_account(link.open_id)


def get_otp(browser: Browser, username: str, contact: str):  # noqa: ANN201
    page = browser.client.get("/app/sign-in").get_data(as_text=True)
    return browser.client.post("/app/sign-in/passcode", data={"username": username, "contact": contact,
                                                              "csrf_token": csrf_of(page)})


def test_a_password_signs_the_holder_in(browser: Browser) -> None:
    assert browser.sign_in().status_code == 302
    assert 'data-testid="home-username">@holder<' in browser.client.get("/app/").get_data(as_text=True)


def test_sign_out_ends_the_session(browser: Browser) -> None:
    browser.sign_in()
    home = browser.client.get("/app/").get_data(as_text=True)
    browser.client.post("/app/sign-out", data={"csrf_token": csrf_of(home)})
    assert 'data-testid="go-sign-in"' in browser.client.get("/app/").get_data(as_text=True)


def test_a_member_signs_in_with_the_passcode_the_simulator_shows(browser: Browser, organization) -> None:  # noqa: ANN001
    sent = get_otp(browser, organization.username, "ops@brand.example").get_data(as_text=True)
    code = re.search(r'data-testid="sent-code" data-code="(\d{6})"', sent).group(1)  # type: ignore[union-attr]
    response = browser.client.post("/app/sign-in/passcode/verify", data={
        "username": organization.username, "contact": "ops@brand.example", "passcode": code,
        "csrf_token": csrf_of(sent)})
    assert response.status_code == 302
    assert f"@{organization.username}<" in browser.client.get("/app/").get_data(as_text=True)


def test_a_wrong_passcode_is_invalid_credentials(browser: Browser, organization) -> None:  # noqa: ANN001
    sent = get_otp(browser, organization.username, "ops@brand.example").get_data(as_text=True)
    response = browser.client.post("/app/sign-in/passcode/verify", data={
        "username": organization.username, "contact": "ops@brand.example", "passcode": "000000x",
        "csrf_token": csrf_of(sent)})
    assert response.status_code == 401 and 'data-code="invalid_credentials"' in response.get_data(as_text=True)


def test_an_expired_passcode_is_passcode_expired(browser: Browser, organization, sim) -> None:  # noqa: ANN001
    sent = get_otp(browser, organization.username, "ops@brand.example").get_data(as_text=True)
    code = re.search(r'data-code="(\d{6})"', sent).group(1)  # type: ignore[union-attr]
    sim.clock.advance("5m")
    response = browser.client.post("/app/sign-in/passcode/verify", data={
        "username": organization.username, "contact": "ops@brand.example", "passcode": code,
        "csrf_token": csrf_of(sent)})
    assert 'data-code="passcode_expired"' in response.get_data(as_text=True)


def test_someone_who_is_not_a_member_gets_no_passcode(browser: Browser, organization) -> None:  # noqa: ANN001
    response = get_otp(browser, organization.username, "stranger@example.com")
    assert response.status_code == 401 and 'data-code="not_an_org_member"' in response.get_data(as_text=True)


def test_signing_in_by_a_name_rule_e2_changed_says_what_the_account_is_called_now(
        browser: Browser, world, holder) -> None:  # noqa: ANN001
    world.link_official(world.shop(name="Center Shop"), holder)
    page = browser.sign_in("holder").get_data(as_text=True)
    error = re.search(r'data-testid="sign-in-error" data-code="account_renamed">([^<]*)<', page)
    assert error and "@holder is now called @center_shop" in error.group(1)


def test_the_sign_in_form_after_a_rename_offers_the_accounts_name_now(browser: Browser, world, holder) -> None:  # noqa: ANN001
    world.link_official(world.shop(name="Center Shop"), holder)
    page = browser.sign_in("holder").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="username"[^>]*value="center_shop"', page)
