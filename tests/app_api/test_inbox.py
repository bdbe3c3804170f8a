"""The app's inbox: Seller-app permission requests (O10), marketing (M5) and affiliate invitations."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.app_api.conftest import PERMISSIONS
from tests.app_api.conftest import SHOP
from tests.app_api.conftest import another_holder
from tests.app_api.conftest import refusal
from tests.app_api.conftest import sign_in
from tests.app_api.conftest import start_qr_link
from tests.conftest import WorldBuilder


def request_link(client: FlaskClient, seller: dict[str, str], username: str = "holder") -> dict[str, Any]:
    response = client.post(f"/api/shops/{SHOP}/official-link", json={"via": "app", "username": username,
                                                                     "agreed": True}, headers=seller)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def answer_request(client: FlaskClient, phone: dict[str, str], link_id: str, permissions: Any = PERMISSIONS,
                   decision: str = "continue") -> Any:
    return client.post(f"/api/app/requests/{link_id}", json={"decision": decision, "permissions": permissions},
                       headers=phone)


def inbox(client: FlaskClient, phone: dict[str, str]) -> dict[str, Any]:
    response = client.get("/api/app/inbox", headers=phone)
    assert response.status_code == 200
    return response.get_json()


def invite(client: FlaskClient, seller: dict[str, str], open_id: str) -> dict[str, Any]:
    response = client.post(f"/api/shops/{SHOP}/marketing-invitations", json={"open_id": open_id}, headers=seller)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def test_an_empty_inbox(client: FlaskClient, phone) -> None:  # noqa: ANN001
    assert inbox(client, phone) == {"requests": [], "invitations": [], "affiliate_invitations": []}


# --- Seller-app requests -------------------------------------------------------------------------------------


def test_a_request_waits_in_the_named_accounts_inbox_with_its_toggles(client: FlaskClient, phone, seller,  # noqa: ANN001
                                                                      shop, world: WorldBuilder) -> None:
    link = request_link(client, seller)
    [waiting] = inbox(client, phone)["requests"]
    assert waiting["link_id"] == link["link_id"] and waiting["state"] == "pending_consent"
    assert waiting["shop"]["name"] == "App Shop" and waiting["permissions"] == PERMISSIONS
    another_holder(world)
    assert inbox(client, sign_in(client, "other"))["requests"] == []


def test_every_toggle_on_then_continue_consents(client: FlaskClient, phone, seller, shop, holder) -> None:  # noqa: ANN001
    link = request_link(client, seller)
    response = answer_request(client, phone, link["link_id"])
    assert response.status_code == 200
    body = response.get_json()
    assert body["decision"] == "continue" and body["link"]["state"] == "consented"
    assert body["link"]["open_id"] == holder.open_id
    assert inbox(client, phone)["requests"] == []
    linked = client.post(f"/api/links/{link['link_id']}/terms", json={"accepted": True}, headers=seller)
    assert linked.get_json()["state"] == "active"


def test_a_toggle_left_off_is_consent_incomplete_and_the_request_stays(client: FlaskClient, phone, seller,  # noqa: ANN001
                                                                       shop) -> None:
    link = request_link(client, seller)
    refusal(answer_request(client, phone, link["link_id"], PERMISSIONS[:2]), 409, "consent_incomplete")
    refusal(client.post(f"/api/app/requests/{link['link_id']}", json={"decision": "continue"}, headers=phone), 409,
            "consent_incomplete")  # toggles start off
    assert len(inbox(client, phone)["requests"]) == 1
    assert answer_request(client, phone, link["link_id"]).get_json()["link"]["state"] == "consented"


def test_another_account_answering_is_account_mismatch(client: FlaskClient, seller, shop, holder,  # noqa: ANN001
                                                       world: WorldBuilder) -> None:
    link = request_link(client, seller)
    another_holder(world)
    refusal(answer_request(client, sign_in(client, "other"), link["link_id"]), 403, "account_mismatch")


def test_cancel_refuses_the_request(client: FlaskClient, phone, seller, shop) -> None:  # noqa: ANN001
    link = request_link(client, seller)
    body = answer_request(client, phone, link["link_id"], [], "cancel").get_json()
    assert body["decision"] == "cancel" and body["link"]["state"] == "refused"
    assert body["link"]["refusals"][0]["code"] == "consent_denied"


def test_an_old_request_is_consent_expired(client: FlaskClient, phone, seller, shop, world: WorldBuilder) -> None:  # noqa: ANN001
    link = request_link(client, seller)
    world.advance("30d")
    assert inbox(client, phone)["requests"] == []
    refusal(answer_request(client, phone, link["link_id"]), 410, "consent_expired")


def test_a_qr_link_is_no_request(client: FlaskClient, phone, seller, shop) -> None:  # noqa: ANN001
    link = start_qr_link(client, seller)
    refusal(answer_request(client, phone, link["link_id"]), 404, "link_not_found")
    refusal(answer_request(client, phone, "lnk_nope"), 404, "link_not_found")
    assert client.get(f"/api/links/{link['link_id']}", headers=seller).get_json()["state"] == "pending_consent"


def test_a_bad_answer_to_a_request_is_invalid_input(client: FlaskClient, phone, seller, shop) -> None:  # noqa: ANN001
    link = request_link(client, seller)
    for body in ({}, {"decision": "authorize"}, {"decision": "continue", "permissions": "all"},
                 {"decision": "continue", "permissions": [{"a": 1}]}):
        refusal(client.post(f"/api/app/requests/{link['link_id']}", json=body, headers=phone), 400, "invalid_input")


# --- invitations ---------------------------------------------------------------------------------------------


def test_accepting_an_invitation_links_a_marketing_account(client: FlaskClient, phone, seller, shop,  # noqa: ANN001
                                                           holder) -> None:
    sent = invite(client, seller, holder.open_id)
    [waiting] = inbox(client, phone)["invitations"]
    assert waiting["invitation_id"] == sent["invitation_id"] and waiting["kind"] == "marketing"
    assert waiting["shop"]["name"] == "App Shop" and waiting["state"] == "pending"
    response = client.post(f"/api/app/invitations/{sent['invitation_id']}", json={"decision": "accept"},
                           headers=phone)
    assert response.status_code == 200
    body = response.get_json()
    assert body["state"] == "accepted" and body["link_id"]
    view = client.get(f"/api/shops/{SHOP}/linked-accounts", headers=seller).get_json()
    assert [m["open_id"] for m in view["marketing"]] == [holder.open_id]
    assert inbox(client, phone)["invitations"] == []


def test_declining_an_invitation(client: FlaskClient, phone, seller, shop, holder) -> None:  # noqa: ANN001
    sent = invite(client, seller, holder.open_id)
    body = client.post(f"/api/app/invitations/{sent['invitation_id']}", json={"decision": "decline"},
                       headers=phone).get_json()
    assert body["state"] == "declined" and body["refusal"]["code"] == "invitation_declined"
    refusal(client.post(f"/api/app/invitations/{sent['invitation_id']}", json={"decision": "accept"}, headers=phone),
            403, "invitation_declined")


def test_an_invitation_answered_after_seven_days_is_invitation_expired(client: FlaskClient, phone, seller,  # noqa: ANN001
                                                                       shop, holder, world: WorldBuilder) -> None:
    sent = invite(client, seller, holder.open_id)
    world.advance("7d")
    assert inbox(client, phone)["invitations"] == []
    refusal(client.post(f"/api/app/invitations/{sent['invitation_id']}", json={"decision": "accept"}, headers=phone),
            410, "invitation_expired")


def test_an_invitation_of_another_account_or_none_is_invitation_not_found(client: FlaskClient, phone, seller,  # noqa: ANN001
                                                                          shop, world: WorldBuilder) -> None:
    other = another_holder(world)
    sent = invite(client, seller, other.open_id)
    for invitation_id in (sent["invitation_id"], "inv_nope"):
        refusal(client.post(f"/api/app/invitations/{invitation_id}", json={"decision": "accept"}, headers=phone),
                404, "invitation_not_found")


def test_an_affiliate_invitation_is_answered_in_the_inbox_too(client: FlaskClient, phone, shop, holder,  # noqa: ANN001
                                                              world: WorldBuilder) -> None:
    offer = world.service.invite_affiliate(SHOP, holder.open_id, "12.5")
    [waiting] = inbox(client, phone)["affiliate_invitations"]
    assert waiting["invitation_id"] == offer.invitation_id and waiting["kind"] == "affiliate"
    assert waiting["commission_rate"] == "12.50" and waiting["shop"]["name"] == "App Shop"
    body = client.post(f"/api/app/invitations/{offer.invitation_id}", json={"decision": "accept"},
                       headers=phone).get_json()
    assert body["state"] == "accepted" and body["kind"] == "affiliate"


def test_a_bad_answer_to_an_invitation_is_invalid_input(client: FlaskClient, phone, seller, shop,  # noqa: ANN001
                                                        holder) -> None:
    sent = invite(client, seller, holder.open_id)
    for body in ({}, {"decision": "maybe"}, {"decision": True}):
        refusal(client.post(f"/api/app/invitations/{sent['invitation_id']}", json=body, headers=phone), 400,
                "invalid_input")
