"""Sandboxes: isolated worlds on one server, reached by a path prefix or a header."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from auth_server.app import create_app
from auth_server.config import ServerConfig
from mobile_stub.app import TikTokApp
from seller_client.client import SellerClient
from tests.login_kit.conftest import csrf_of

DEMO_KEY, DEMO_SECRET, PASSWORD = "linksim_demo_key", "linksim_demo_secret", "linksim-demo"


@pytest.fixture
def app() -> Flask:
    return create_app()


@pytest.fixture
def http(app: Flask) -> FlaskClient:
    return app.test_client()


def new_sandbox(http: FlaskClient, **body: Any) -> dict[str, Any]:
    response = http.post("/_sim/sandboxes", json={"fixtures": "demo", **body})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def partner_token(http: FlaskClient, prefix: str) -> dict[str, str]:
    answer = http.post(f"{prefix}/v2/oauth/token/", data={"client_key": DEMO_KEY, "client_secret": DEMO_SECRET,
                                                          "grant_type": "client_credentials"}).get_json()
    assert "access_token" in answer, answer
    return {"Authorization": f"Bearer {answer['access_token']}"}


def test_a_new_sandbox_answers_its_id_base_url_header_and_clock(http: FlaskClient) -> None:
    response = http.post("/_sim/sandboxes", json={"fixtures": "demo"})
    sandbox = response.get_json()
    assert response.status_code == 201
    assert sandbox["base_url"] == f"http://localhost/sandboxes/{sandbox['id']}"
    assert sandbox["header"] == {"X-Linksim-Sandbox": sandbox["id"]}
    assert sandbox["clock"] == "2026-03-02T09:00:00+00:00"  # the demo data's start
    assert response.headers["Location"].endswith(f"/_sim/sandboxes/{sandbox['id']}")


def test_a_sandbox_holds_its_data_and_the_main_world_stays_empty(http: FlaskClient) -> None:
    sandbox = new_sandbox(http)
    assert "access_token" in http.post(f"/sandboxes/{sandbox['id']}/v2/oauth/token/", data={
        "client_key": DEMO_KEY, "client_secret": DEMO_SECRET, "grant_type": "client_credentials"}).get_json()
    main = http.post("/v2/oauth/token/", data={"client_key": DEMO_KEY, "client_secret": DEMO_SECRET,
                                               "grant_type": "client_credentials"}).get_json()
    assert main["error"] == "invalid_client"


def test_the_header_reaches_the_same_sandbox_as_the_prefix(http: FlaskClient) -> None:
    sandbox = new_sandbox(http)
    http.post(f"/sandboxes/{sandbox['id']}/_sim/clock", json={"advance": "3h"})
    by_header = http.get("/_sim/clock", headers={"X-Linksim-Sandbox": sandbox["id"]}).get_json()
    assert by_header["now"] == "2026-03-02T12:00:00+00:00"


def test_each_sandbox_moves_its_own_clock(http: FlaskClient) -> None:
    first, second = new_sandbox(http), new_sandbox(http)
    main_before = http.get("/_sim/clock").get_json()["now"]
    http.post(f"/sandboxes/{first['id']}/_sim/clock", json={"advance": "181d"})
    assert http.get(f"/sandboxes/{first['id']}/_sim/clock").get_json()["now"] == "2026-08-30T09:00:00+00:00"
    assert http.get(f"/sandboxes/{second['id']}/_sim/clock").get_json()["now"] == "2026-03-02T09:00:00+00:00"
    assert http.get("/_sim/clock").get_json()["now"] == main_before


def test_a_sandbox_starts_at_the_time_it_is_given(http: FlaskClient) -> None:
    sandbox = http.post("/_sim/sandboxes", json={"start": "2027-01-01T00:00:00Z"}).get_json()
    assert sandbox["clock"] == "2027-01-01T00:00:00+00:00"


def test_an_unknown_sandbox_is_refused_with_its_code(http: FlaskClient) -> None:
    response = http.get("/sandboxes/nope/api/shops/shop_acme_us/linked-accounts")
    assert response.status_code == 404
    assert response.get_json()["code"] == "sandbox_not_found"
    assert http.get("/_sim/clock", headers={"X-Linksim-Sandbox": "nope"}).get_json()["code"] == "sandbox_not_found"


def test_an_unknown_sandbox_on_a_consent_screen_is_an_error_page(http: FlaskClient) -> None:
    response = http.get("/sandboxes/nope/app/sign-in")
    assert response.status_code == 404
    assert "sandbox_not_found" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_a_deleted_sandbox_is_gone(http: FlaskClient) -> None:
    sandbox = new_sandbox(http)
    assert http.delete(f"/_sim/sandboxes/{sandbox['id']}").status_code == 204
    assert http.get(f"/sandboxes/{sandbox['id']}/_sim/clock").status_code == 404
    assert http.delete(f"/_sim/sandboxes/{sandbox['id']}").get_json()["code"] == "sandbox_not_found"


def test_the_list_names_every_sandbox_and_the_limit(http: FlaskClient) -> None:
    ids = {new_sandbox(http)["id"], new_sandbox(http)["id"]}
    listing = http.get("/_sim/sandboxes").get_json()
    assert {s["id"] for s in listing["sandboxes"]} == ids
    assert listing["count"] == 2
    assert listing["limit"] == ServerConfig().max_sandboxes


def test_a_caller_may_name_its_sandbox_once(http: FlaskClient) -> None:
    assert new_sandbox(http, id="test_qr_flow")["base_url"].endswith("/sandboxes/test_qr_flow")
    again = http.post("/_sim/sandboxes", json={"id": "test_qr_flow"})
    assert again.status_code == 409
    assert again.get_json()["code"] == "sandbox_exists"


@pytest.mark.parametrize("bad_id", ["has space", "a/b", "", "x" * 65, 7, "..", ".", "a.b", "a:b", "-x", "main"])
def test_a_sandbox_id_must_be_a_plain_name(http: FlaskClient, bad_id: Any) -> None:
    response = http.post("/_sim/sandboxes", json={"id": bad_id})
    assert response.status_code == 400
    assert response.get_json()["violations"][0]["details"]["field"] == "id"


def test_the_main_world_is_not_a_sandbox(http: FlaskClient) -> None:
    assert http.get("/sandboxes/main/_sim/clock").get_json()["code"] == "sandbox_not_found"
    assert http.get("/_sim/clock", headers={"X-Linksim-Sandbox": "main"}).get_json()["code"] == "sandbox_not_found"


def test_an_unknown_sandbox_is_named_back_as_sent_and_not_at_any_length(http: FlaskClient) -> None:
    assert "There is no sandbox été:" in http.get("/sandboxes/%C3%A9t%C3%A9/_sim/clock").get_json()["message"]
    long = http.get(f"/sandboxes/{'x' * 500}/_sim/clock").get_json()["message"]
    assert f"{'x' * 64}…:" in long and "x" * 65 not in long


def test_invalid_data_makes_no_sandbox(http: FlaskClient) -> None:
    response = http.post("/_sim/sandboxes", json={"id": "broken", "data": {"sellers": "not a list"}})
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid_input"
    assert http.get("/_sim/sandboxes").get_json()["count"] == 0


def test_the_server_refuses_sandboxes_beyond_its_limit() -> None:
    http = create_app(config=ServerConfig(max_sandboxes=1)).test_client()
    new_sandbox(http)
    response = http.post("/_sim/sandboxes", json={})
    assert response.status_code == 409
    assert response.get_json()["code"] == "sandbox_limit_reached"


def test_sandboxes_are_made_from_the_main_world_only(http: FlaskClient) -> None:
    sandbox = new_sandbox(http)
    response = http.post(f"/sandboxes/{sandbox['id']}/_sim/sandboxes", json={})
    assert response.status_code == 400
    assert response.get_json()["violations"][0]["details"]["field"] == "path"


def test_urls_the_server_builds_stay_inside_the_sandbox(http: FlaskClient) -> None:
    prefix = f"/sandboxes/{new_sandbox(http)['id']}"
    link = http.post(f"{prefix}/api/shops/shop_acme_us/official-link", json={},
                     headers=partner_token(http, prefix)).get_json()
    assert link["qr"]["scan_url"].startswith(f"http://localhost{prefix}/app/scan?")
    assert link["qr"]["png_url"].startswith(f"http://localhost{prefix}/api/links/")


def test_a_partner_token_from_one_sandbox_means_nothing_in_another(http: FlaskClient) -> None:
    first, second = (f"/sandboxes/{new_sandbox(http)['id']}" for _ in range(2))
    response = http.get(f"{second}/api/shops/shop_acme_us/linked-accounts", headers=partner_token(http, first))
    assert response.status_code == 401
    assert response.get_json()["code"] == "partner_token_invalid"


def test_an_app_session_from_one_sandbox_means_nothing_in_another(http: FlaskClient) -> None:
    first, second = (f"/sandboxes/{new_sandbox(http)['id']}" for _ in range(2))
    token = http.post(f"{first}/api/app/sessions", json={"username": "maya", "password": PASSWORD}).get_json()
    response = http.get(f"{second}/api/app/me", headers={"Authorization": f"Bearer {token['token']}"})
    assert response.status_code == 401
    assert response.get_json()["code"] == "app_session_invalid"


def test_a_qr_code_from_one_sandbox_is_unreadable_in_another(http: FlaskClient) -> None:
    first, second = (f"/sandboxes/{new_sandbox(http)['id']}" for _ in range(2))
    link = http.post(f"{first}/api/shops/shop_acme_us/official-link", json={},
                     headers=partner_token(http, first)).get_json()
    session = http.post(f"{second}/api/app/sessions", json={"username": "maya", "password": PASSWORD}).get_json()
    scan = http.post(f"{second}/api/app/scans", json={"scan_url": link["qr"]["scan_url"]},
                     headers={"Authorization": f"Bearer {session['token']}"})
    assert scan.status_code == 400
    assert scan.get_json()["code"] == "qr_unreadable"


def test_a_browser_session_in_a_sandbox_does_not_sign_in_the_main_world(http: FlaskClient) -> None:
    prefix = f"/sandboxes/{new_sandbox(http)['id']}"
    http.post("/_sim/reset", json={"fixtures": "demo"})
    page = http.get(f"{prefix}/app/sign-in").get_data(as_text=True)
    http.post(f"{prefix}/app/sign-in", data={"username": "maya", "password": "linksim-demo",
                                             "csrf_token": csrf_of(page)})
    assert http.get(f"{prefix}/app/inbox").status_code == 200
    assert http.get("/app/inbox").status_code == 302  # to the sign-in page: nobody is signed in here


def test_parallel_flows_in_separate_sandboxes_never_collide() -> None:
    """Eight seller-and-phone pairs link the same account to the same shop at once, each in its own sandbox."""
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    results: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def link_in_own_sandbox() -> None:
        try:
            base = SellerClient(url).transport.session.post(f"{url}/_sim/sandboxes",
                                                            json={"fixtures": "demo"}).json()["base_url"]
            seller, phone = SellerClient(base), TikTokApp(base)
            phone.sign_in("maya", PASSWORD)
            start.wait()
            link = seller.start_official_link("shop_acme_us")
            phone.authorize(phone.scan(link.qr.scan_url))
            results.append(seller.accept_terms(link.link_id).state)
        except BaseException as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)

    racers = [threading.Thread(target=link_in_own_sandbox) for _ in range(8)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)
    server.shutdown()
    assert errors == []
    assert results == ["active"] * 8


def test_a_sandbox_journal_keeps_the_smaller_sandbox_bound() -> None:
    http = create_app(config=ServerConfig(journal_entries=50, sandbox_journal_entries=3)).test_client()
    prefix = f"/sandboxes/{new_sandbox(http)['id']}"
    for _ in range(6):
        http.get(f"{prefix}/_sim/clock")
        http.get("/_sim/clock")
    assert len(http.get(f"{prefix}/_sim/journal", query_string={"kind": "request"}).get_json()["entries"]) == 3
    assert len(http.get("/_sim/journal", query_string={"kind": "request"}).get_json()["entries"]) == 7


def test_starting_a_world_over_lifts_its_fault_rules(http: FlaskClient) -> None:
    prefix = f"/sandboxes/{new_sandbox(http)['id']}"
    http.post(f"{prefix}/_sim/faults", json={"path": "/api/*", "status": 503})
    http.post(f"{prefix}/_sim/reset", json={"fixtures": "demo"})
    assert http.get(f"{prefix}/_sim/faults").get_json()["count"] == 0


def test_a_start_beside_data_that_names_its_own_is_refused(http: FlaskClient) -> None:
    response = http.post("/_sim/sandboxes", json={"fixtures": "demo", "start": "2027-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert response.get_json()["violations"][0]["details"]["field"] == "start"


def test_a_request_held_when_its_sandbox_is_deleted_finds_the_sandbox_gone() -> None:
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    http = SellerClient(url).transport.session
    sandbox = http.post(f"{url}/_sim/sandboxes", json={"fixtures": "demo"}).json()
    http.post(f"{sandbox['base_url']}/_sim/faults", json={"path": "/api/app/*", "delay": "30s", "times": 1})
    answers: list[Any] = []
    held = threading.Thread(target=lambda: answers.append(
        SellerClient(url).transport.session.post(f"{sandbox['base_url']}/api/app/sessions",
                                                 json={"username": "maya", "password": PASSWORD}, timeout=20)))
    held.start()
    while not http.get(f"{sandbox['base_url']}/_sim/faults").json()["faults"][0]["hits"]:
        threading.Event().wait(0.01)
    assert http.delete(f"{url}/_sim/sandboxes/{sandbox['id']}").status_code == 204
    held.join(timeout=20)
    server.shutdown()
    assert answers[0].status_code == 404
    assert answers[0].json()["code"] == "sandbox_not_found"


@pytest.mark.parametrize("seller_by_prefix", [True, False], ids=["made-by-prefix", "made-by-header"])
def test_a_qr_code_scans_whichever_way_the_phone_reaches_the_sandbox(http: FlaskClient,
                                                                      seller_by_prefix: bool) -> None:
    sandbox = new_sandbox(http)
    prefix, by_header = f"/sandboxes/{sandbox['id']}", {"X-Linksim-Sandbox": sandbox["id"]}
    seller_root, seller_headers = (prefix, {}) if seller_by_prefix else ("", by_header)
    phone_root, phone_headers = ("", by_header) if seller_by_prefix else (prefix, {})
    link = http.post(f"{seller_root}/api/shops/shop_acme_us/official-link", json={},
                     headers={**seller_headers, **partner_token(http, prefix)}).get_json()
    session = http.post(f"{phone_root}/api/app/sessions", headers=phone_headers,
                        json={"username": "maya", "password": PASSWORD}).get_json()
    scan = http.post(f"{phone_root}/api/app/scans", json={"scan_url": link["qr"]["scan_url"]},
                     headers={**phone_headers, "Authorization": f"Bearer {session['token']}"})
    assert scan.status_code == 200, scan.get_json()


def test_a_request_to_an_unknown_sandbox_lands_in_no_journal(http: FlaskClient) -> None:
    http.get("/sandboxes/nope/api/app/me")
    http.get("/api/app/inbox", headers={"X-Linksim-Sandbox": "gone"})
    paths = [e["path"] for e in http.get("/_sim/journal", query_string={"kind": "request"}).get_json()["entries"]]
    assert "/api/app/me" not in paths and "/api/app/inbox" not in paths


@pytest.mark.parametrize("path", ["/_sim/sandboxes", "/_sim/reset"])
def test_the_demo_data_and_a_data_file_together_are_refused(http: FlaskClient, path: str) -> None:
    answer = http.post(path, json={"fixtures": "demo", "data": [None]})
    assert answer.status_code == 400
    assert answer.get_json()["violations"][0]["details"]["field"] == "body"
