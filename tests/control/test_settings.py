"""Changing the parties' simulator settings while the world runs: reviews, shop status, the app's faults."""

from __future__ import annotations

from typing import Any

import pytest

from auth_server.app import create_app
from tests.control.test_forcing import Sandbox


@pytest.fixture
def demo() -> Sandbox:
    return Sandbox(create_app().test_client(), {"fixtures": "demo"})


def settings(demo: Sandbox, party: str, **body: Any) -> Any:
    return demo.http.post(f"{demo.prefix}/_sim/{party}/settings", json=body)


def linked_by_force(demo: Sandbox, shop_id: str = "shop_acme_us", holder: str = "maya") -> dict[str, Any]:
    link_id = demo.start_qr_link(shop_id)
    for action in ("scan", "authorize", "accept_terms"):
        answer = demo.force(link_id, action=action, **{"as": holder}).get_json()
    return dict(answer)


def test_a_shop_set_to_manual_review_keeps_new_links_pending(demo: Sandbox) -> None:
    assert settings(demo, "shops/shop_acme_us", review="manual").get_json()["review_mode"] == "manual"
    assert linked_by_force(demo)["state"] == "pending_review"


def test_a_shop_set_to_reject_refuses_its_links_after_the_delay(demo: Sandbox) -> None:
    settings(demo, "shops/shop_acme_us", review="reject", review_delay="1h")
    assert linked_by_force(demo)["state"] == "pending_review"
    demo.http.post(f"{demo.prefix}/_sim/clock", json={"advance": "1h"})
    assert demo.api("GET", "/shops/shop_acme_us/linked-accounts").get_json()["official"] is None


def test_a_suspended_shop_cannot_link(demo: Sandbox) -> None:
    settings(demo, "shops/shop_acme_us", status="suspended")
    response = demo.api("POST", "/shops/shop_acme_us/official-link")
    assert response.get_json()["code"] == "shop_not_active"


def test_an_account_app_fault_reproduces_a_troubleshooting_case_on_demand(demo: Sandbox) -> None:
    assert settings(demo, "accounts/maya", app_fault="qr_unreadable").get_json()["app_fault"] == "qr_unreadable"
    response = demo.force(demo.start_qr_link(), action="scan", **{"as": "maya"})
    assert response.get_json()["code"] == "qr_unreadable"


def test_a_restricted_account_is_refused_by_open_id_too(demo: Sandbox) -> None:
    settings(demo, "accounts/oid_maya", standing="restricted")
    link_id = demo.start_qr_link()
    demo.force(link_id, action="scan", **{"as": "maya"})
    assert demo.force(link_id, action="authorize").get_json()["code"] == "account_restricted"


def test_a_bad_field_changes_nothing(demo: Sandbox) -> None:
    response = settings(demo, "shops/shop_acme_us", review="manual", status="closed")
    assert response.status_code == 400
    assert response.get_json()["violations"][0]["details"]["field"] == "status"
    assert linked_by_force(demo)["state"] == "active"  # the review setting was not applied either


@pytest.mark.parametrize("body", [{}, {"colour": "red"}])
def test_settings_name_their_fields(demo: Sandbox, body: dict[str, Any]) -> None:
    response = settings(demo, "accounts/maya", **body)
    assert response.status_code == 400
    assert "app_fault, standing" in response.get_json()["message"]


def test_an_unknown_party_is_refused_with_its_code(demo: Sandbox) -> None:
    assert settings(demo, "shops/shop_nowhere", review="manual").get_json()["code"] == "shop_not_found"
    assert settings(demo, "accounts/nobody", standing="good").get_json()["code"] == "account_not_found"


def test_an_account_verification_ends_as_its_setting_says(demo: Sandbox) -> None:
    settings(demo, "accounts/uma", verification_outcome="fail", verification_delay="1h")
    session = demo.http.post(f"{demo.prefix}/api/app/sessions", json={"username": "uma", "password": "linksim-demo"})
    phone = {"Authorization": f"Bearer {session.get_json()['token']}"}
    assert demo.http.post(f"{demo.prefix}/api/app/verification", headers=phone).get_json()["verification"] == "pending"
    demo.http.post(f"{demo.prefix}/_sim/clock", json={"advance": "1h"})
    assert demo.http.get(f"{demo.prefix}/api/app/me", headers=phone).get_json()["verification"] == "failed"
