"""Adding parties to a running world over /_sim/parties, in a data file's format."""

from __future__ import annotations

from flask.testing import FlaskClient

from auth_server.app import create_app

NEW_SHOP = {"sellers": [{"id": "seller_new", "name": "New Goods Ltd", "entity": "ENT-NEW", "shops": [
    {"id": "shop_new_us", "name": "New Goods", "region": "US", "market": "global"}]}],
    "accounts": [{"username": "newbie", "region": "US", "age": 30, "verification": "verified",
                  "password": "newbie-pass"}]}


def demo_sandbox() -> tuple[FlaskClient, str]:
    http = create_app().test_client()
    return http, f"/sandboxes/{http.post('/_sim/sandboxes', json={'fixtures': 'demo'}).get_json()['id']}"


def test_parties_are_added_beside_the_ones_there_and_the_clock_stays() -> None:
    http, prefix = demo_sandbox()
    http.post(f"{prefix}/_sim/clock", json={"advance": "1h"})
    response = http.post(f"{prefix}/_sim/parties", json={"data": NEW_SHOP})
    assert response.status_code == 201
    assert response.get_json() == {"sellers": 1, "shops": 1, "accounts": 1, "partner_apps": 0, "history": 0}
    assert http.get(f"{prefix}/_sim/clock").get_json()["now"] == "2026-03-02T10:00:00+00:00"
    signed_in = http.post(f"{prefix}/api/app/sessions", json={"username": "newbie", "password": "newbie-pass"})
    assert signed_in.status_code == 201


def test_an_account_added_twice_is_refused_and_nothing_is_added() -> None:
    http, prefix = demo_sandbox()
    again = {"accounts": [{"username": "maya", "region": "US", "age": 29}],
             "sellers": [{"id": "seller_x", "name": "X Ltd", "entity": "ENT-X", "shops": []}]}
    response = http.post(f"{prefix}/_sim/parties", json={"data": again})
    assert response.status_code == 400
    assert "maya" in response.get_json()["message"]
    assert http.post(f"{prefix}/_sim/parties", json={"data": {"sellers": again["sellers"]}}).status_code == 201


def test_a_history_entry_a_rule_refuses_leaves_the_world_as_it_was() -> None:
    http, prefix = demo_sandbox()
    data = {"accounts": [{"username": "newbie", "region": "US", "age": 30, "password": "newbie-pass"}],
            "history": [{"ago": "1d", "action": "link_official", "shop": "shop_nowhere", "account": "newbie"}]}
    response = http.post(f"{prefix}/_sim/parties", json={"data": data})
    assert response.status_code == 400
    assert "history[0]" in response.get_json()["message"]
    session = http.post(f"{prefix}/api/app/sessions", json={"username": "newbie", "password": "newbie-pass"})
    assert session.get_json()["code"] == "invalid_credentials"  # no such account: it was taken back


def test_a_reset_that_fails_leaves_the_world_as_it_was() -> None:
    http, prefix = demo_sandbox()
    broken = {"sellers": [], "history": [{"ago": "1d", "action": "unlink", "shop": "shop_x", "account": "nobody"}]}
    assert http.post(f"{prefix}/_sim/reset", json={"data": broken}).status_code == 400
    signed_in = http.post(f"{prefix}/api/app/sessions", json={"username": "maya", "password": "linksim-demo"})
    assert signed_in.status_code == 201


def test_parties_need_a_data_object() -> None:
    http, prefix = demo_sandbox()
    response = http.post(f"{prefix}/_sim/parties", json={})
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid_input"
