"""Forcing a flow's next transition over /_sim/flows: a test plays a party, or expires and holds things."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from auth_server.app import create_app

KEY, SECRET = "linksim_demo_key", "linksim_demo_secret"
REVIEW_AFTER_AN_HOUR = {
    "start": "2026-03-02T09:00:00Z",
    "default_password": "linksim-demo",
    "partner_apps": [{"client_key": KEY, "client_secret": SECRET, "redirect_uris": ["http://127.0.0.1:*/cb/"],
                      "shop": {"app_key": "7slow0app", "app_secret": "slow_shop_secret",
                               "service_id": "7310000000000000009", "redirect_url": "http://127.0.0.1:9/shop-cb"}}],
    "sellers": [{"id": "seller_slow", "name": "Slow Review Ltd", "entity": "ENT-SLOW",
                 "authorized_apps": ["7slow0app"], "shops": [
        {"id": "shop_slow", "name": "Slow Shop", "region": "US", "market": "global",
         "review": {"mode": "auto", "delay": "1h"}}]}],
    "accounts": [{"username": "ada", "region": "US", "age": 30, "verification": "verified"}],
}


class Sandbox:
    def __init__(self, http: FlaskClient, body: dict[str, Any]) -> None:
        self.http = http
        self.prefix = f"/sandboxes/{http.post('/_sim/sandboxes', json=body).get_json()['id']}"
        token = http.post(f"{self.prefix}/v2/oauth/token/", data={
            "client_key": KEY, "client_secret": SECRET, "grant_type": "client_credentials"}).get_json()
        self.seller = {"Authorization": f"Bearer {token['access_token']}"}

    def api(self, method: str, path: str, **body: Any) -> Any:
        return self.http.open(f"{self.prefix}/api{path}", method=method, json=body, headers=self.seller)

    def force(self, flow_id: str, **body: Any) -> Any:
        return self.http.post(f"{self.prefix}/_sim/flows/{flow_id}", json=body)

    def start_qr_link(self, shop_id: str = "shop_acme_us") -> str:
        response = self.api("POST", f"/shops/{shop_id}/official-link")
        assert response.status_code == 201, response.get_json()
        return str(response.get_json()["link_id"])


@pytest.fixture
def http() -> FlaskClient:
    return create_app().test_client()


@pytest.fixture
def demo(http: FlaskClient) -> Sandbox:
    return Sandbox(http, {"fixtures": "demo"})


@pytest.fixture
def slow_review(http: FlaskClient) -> Sandbox:
    return Sandbox(http, {"data": REVIEW_AFTER_AN_HOUR})


def test_next_walks_a_qr_link_from_the_scan_to_active(demo: Sandbox) -> None:
    link_id = demo.start_qr_link()
    steps = [demo.force(link_id, action="next", **({"as": "maya"} if n == 0 else {})).get_json() for n in range(4)]
    assert [(s["action"], s["state"]) for s in steps[:3]] == [
        ("scan", "pending_consent"), ("authorize", "consented"), ("accept_terms", "active")]
    assert steps[3]["code"] == "link_not_awaiting"  # an active link waits for nothing


def test_next_needs_the_holder_while_nobody_has_scanned(demo: Sandbox) -> None:
    response = demo.force(demo.start_qr_link(), action="next")
    assert response.status_code == 400
    assert response.get_json()["violations"][0]["details"]["field"] == "as"


def test_a_forced_consent_still_obeys_the_linking_rules(demo: Sandbox) -> None:
    link_id = demo.start_qr_link()
    response = demo.force(link_id, action="authorize", **{"as": "tim"})
    assert response.status_code == 409
    assert response.get_json()["code"] == "underage"


def test_expire_ends_the_qr_code_now_and_the_phone_then_sees_it_expired(demo: Sandbox) -> None:
    link_id = demo.start_qr_link()
    link = demo.api("GET", f"/links/{link_id}").get_json()
    forced = demo.force(link_id, action="expire").get_json()
    assert forced["state"] == "expired"
    session = demo.http.post(f"{demo.prefix}/api/app/sessions", json={"username": "maya", "password": "linksim-demo"})
    scan = demo.http.post(f"{demo.prefix}/api/app/scans", json={"scan_url": link["qr"]["scan_url"]},
                          headers={"Authorization": f"Bearer {session.get_json()['token']}"})
    assert scan.status_code == 410
    assert scan.get_json()["code"] == "qr_expired"


def test_hold_review_keeps_an_automatic_review_pending_past_its_delay(slow_review: Sandbox) -> None:
    link_id = slow_review.start_qr_link("shop_slow")
    for action in ("scan", "authorize", "accept_terms"):
        slow_review.force(link_id, action=action, **{"as": "ada"})
    assert slow_review.force(link_id, action="hold_review").get_json()["state"] == "pending_review"
    slow_review.http.post(f"{slow_review.prefix}/_sim/clock", json={"advance": "90m"})  # the partner token lives 2 h
    assert slow_review.api("GET", f"/links/{link_id}").get_json()["state"] == "pending_review"
    assert slow_review.force(link_id, action="approve").get_json()["state"] == "active"


def test_without_a_hold_the_same_review_ends_after_its_delay(slow_review: Sandbox) -> None:
    link_id = slow_review.start_qr_link("shop_slow")
    for action in ("scan", "authorize", "accept_terms"):
        slow_review.force(link_id, action=action, **{"as": "ada"})
    slow_review.http.post(f"{slow_review.prefix}/_sim/clock", json={"advance": "1h"})
    assert slow_review.api("GET", f"/links/{link_id}").get_json()["state"] == "active"


def test_reject_ends_a_review_with_review_rejected(slow_review: Sandbox) -> None:
    link_id = slow_review.start_qr_link("shop_slow")
    for action in ("scan", "authorize", "accept_terms"):
        slow_review.force(link_id, action=action, **{"as": "ada"})
    link = slow_review.force(link_id, action="reject").get_json()
    assert link["state"] == "refused"
    assert [r["code"] for r in link["refusals"]] == ["review_rejected"]


def test_an_invitation_can_be_expired_now(demo: Sandbox) -> None:
    invitation = demo.api("POST", "/shops/shop_acme_us/marketing-invitations", open_id="oid_nora").get_json()
    forced = demo.force(invitation["invitation_id"], action="expire").get_json()
    assert (forced["type"], forced["state"]) == ("invitation", "expired")


def test_next_accepts_an_invitation_for_its_holder(demo: Sandbox) -> None:
    invitation = demo.api("POST", "/shops/shop_acme_us/marketing-invitations", open_id="oid_nora").get_json()
    forced = demo.force(invitation["invitation_id"], action="next").get_json()
    assert (forced["action"], forced["state"]) == ("accept", "accepted")


def test_an_unknown_flow_is_refused_with_flow_not_found(demo: Sandbox) -> None:
    response = demo.force("lnk_nothing", action="next")
    assert response.status_code == 404
    assert response.get_json()["code"] == "flow_not_found"


def test_an_unknown_action_lists_the_ones_there_are(demo: Sandbox) -> None:
    response = demo.force(demo.start_qr_link(), action="teleport")
    assert response.status_code == 400
    assert "next, scan, authorize" in response.get_json()["message"]


@pytest.mark.parametrize("action", [["next"], {"a": 1}, None, 3])
def test_an_action_that_is_not_a_name_is_refused(demo: Sandbox, action: Any) -> None:
    response = demo.force(demo.start_qr_link(), action=action)
    assert response.status_code == 400
    assert response.get_json()["violations"][0]["details"]["field"] == "action"


@pytest.mark.parametrize("body", [{"permissions": [None]}, {"permissions": "all"}, {"as": 7}, {"as": " "}])
def test_a_malformed_holder_or_permission_list_is_refused_whatever_the_action(demo: Sandbox, body: dict) -> None:
    invitation = demo.api("POST", "/shops/shop_acme_us/marketing-invitations", open_id="oid_nora").get_json()
    answer = demo.force(invitation["invitation_id"], action="next", **body)
    assert answer.status_code == 400
    assert answer.get_json()["code"] == "invalid_input"
