"""The app's home after sign-in: something to do (the inbox, identity verification), not just a name."""

from __future__ import annotations

import re

from auth_server.domain.accounts import Verification
from tests.login_kit.conftest import Browser
from tests.login_kit.conftest import account_with_password
from tests.login_kit.conftest import csrf_of


def test_the_home_shows_an_invitation_waiting_in_the_inbox(browser: Browser, world, holder, sim) -> None:  # noqa: ANN001
    invitation = sim.service.invite_marketing_account(world.shop("shop_inv", name="Invite Shop").shop_id,
                                                      holder.open_id)
    browser.sign_in()
    home = browser.client.get("/app/").get_data(as_text=True)
    assert f'data-testid="invitation" data-invitation-id="{invitation.invitation_id}"' in home
    assert "Invite Shop invites you as a marketing account" in home


def test_the_holder_accepts_an_invitation_from_the_home(browser: Browser, world, holder, sim) -> None:  # noqa: ANN001
    invitation = sim.service.invite_marketing_account(world.shop("shop_inv").shop_id, holder.open_id)
    browser.sign_in()
    home = browser.client.get("/app/").get_data(as_text=True)
    browser.client.post(f"/app/invitations/{invitation.invitation_id}", data={"decision": "accept",
                                                                              "csrf_token": csrf_of(home)})
    assert sim.service.get_invitation(invitation.invitation_id).state.value == "accepted"


def test_the_home_says_when_nothing_waits_in_the_inbox(browser: Browser) -> None:
    browser.sign_in()
    assert 'data-testid="inbox-empty"' in browser.client.get("/app/").get_data(as_text=True)


def test_the_home_says_a_verified_account_needs_nothing_more(browser: Browser) -> None:
    browser.sign_in()
    home = browser.client.get("/app/").get_data(as_text=True)
    assert 'data-testid="verification" data-state="verified"' in home
    assert 'data-testid="start-verification"' not in home


def test_the_home_offers_identity_verification_to_an_unverified_account(browser: Browser, world) -> None:  # noqa: ANN001
    account_with_password(world, world.account("una", verification=Verification.UNVERIFIED))
    browser.sign_in("una")
    home = browser.client.get("/app/").get_data(as_text=True)
    assert 'data-testid="verification" data-state="unverified"' in home
    assert 'data-testid="start-verification"' in home


def test_verifying_from_the_home_starts_the_accounts_verification(browser: Browser, world, sim) -> None:  # noqa: ANN001
    una = world.account("una", verification=Verification.UNVERIFIED)
    account_with_password(world, una)
    browser.sign_in("una")
    home = browser.client.get("/app/").get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"[^>]*data-testid="verification-form"', home)
    assert action, home
    answer = browser.client.post(action.group(1), data={"csrf_token": csrf_of(home)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/app/"
    assert sim.service.get_account(una.open_id).verification is Verification.VERIFIED
