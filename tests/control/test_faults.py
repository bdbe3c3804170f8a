"""Fault rules: a delay, an HTTP error, an OAuth error or a linking refusal on matching requests, or silence.

First the rules alone (matching, how often, validation), then over HTTP: each endpoint family answers in its own
wire format, sandboxes keep their faults to themselves, and a real seller's tool retries through one.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import flask
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.control.fault_plan import FaultPlan
from auth_server.domain.errors import Refused
from seller_client.client import SellerClient

DEMO_KEY, DEMO_SECRET = "linksim_demo_key", "linksim_demo_secret"
CLIENT_CREDENTIALS = {"client_key": DEMO_KEY, "client_secret": DEMO_SECRET, "grant_type": "client_credentials"}
TIKTOK_LOG_ID = re.compile(r"[0-9]{14}[0-9A-F]{20}")


def hits(plan: FaultPlan, requests_: int, method: str = "GET", path: str = "/api/links/lnk_1") -> list[bool]:
    return [plan.match(method, path) is not None for _ in range(requests_)]


def refusal_field(body: object) -> str:
    with pytest.raises(Refused) as refused:
        FaultPlan().add(body)
    assert refused.value.code == "invalid_input"
    return str(refused.value.violations[0].details["field"])


# --- the rules ------------------------------------------------------------------------------------------------


def test_a_rule_for_once_hits_one_request_then_retires_but_stays_listed() -> None:
    plan = FaultPlan()
    rule = plan.add({"path": "/api/*", "status": 503, "times": 1})
    assert hits(plan, 3) == [True, False, False]
    assert (rule.hits, rule.remaining, rule.active) == (1, 0, False)
    assert plan.rules() == [rule]


def test_a_rule_for_n_times_hits_n_requests() -> None:
    plan = FaultPlan()
    plan.add({"path": "/api/*", "status": 503, "times": 3})
    assert hits(plan, 5) == [True, True, True, False, False]


def test_a_rule_without_times_hits_every_request() -> None:
    plan = FaultPlan()
    rule = plan.add({"path": "/api/*", "status": 503})
    assert all(hits(plan, 20))
    assert (rule.matched, rule.hits, rule.remaining) == (20, 20, None)


def test_the_same_seed_draws_the_same_sequence() -> None:
    first, second = FaultPlan(), FaultPlan()
    for plan in (first, second):
        plan.add({"path": "/api/*", "status": 503, "probability": 0.5, "seed": 42})
    sequence = hits(first, 40)
    assert sequence == hits(second, 40)
    assert 5 < sum(sequence) < 35


def test_a_rule_without_a_seed_shows_the_one_it_drew_which_replays_its_sequence() -> None:
    plan = FaultPlan()
    rule = plan.add({"path": "/api/*", "status": 503, "probability": 0.5})
    replay = FaultPlan()
    replay.add({"path": "/api/*", "status": 503, "probability": 0.5, "seed": rule.as_dict()["seed"]})
    assert hits(plan, 30) == hits(replay, 30)


def test_a_probable_rule_counts_every_match_and_only_its_hits() -> None:
    plan = FaultPlan()
    rule = plan.add({"path": "/api/*", "status": 503, "probability": 0.3, "seed": 1, "times": 2})
    while rule.active:
        plan.match("GET", "/api/links/lnk_1")
    assert rule.hits == 2 and rule.matched > 2


@pytest.mark.parametrize(("pattern", "path", "matched"), [
    ("/v2/oauth/token*", "/v2/oauth/token/", True),
    ("/v2/oauth/token*", "/v2/oauth/token", True),
    ("/v2/oauth/token*", "/v2/oauth/revoke/", False),
    ("/api/shops/*/official-link", "/api/shops/shop_acme_us/official-link", True),
    ("/api/shops/*/official-link", "/api/shops/shop_acme_us/unlink", False),
    ("*", "/", True),
    ("/api/app/*", "/api/apple", False),
])
def test_paths_match_as_globs(pattern: str, path: str, matched: bool) -> None:
    plan = FaultPlan()
    plan.add({"path": pattern, "status": 500})
    assert (plan.match("GET", path) is not None) is matched


def test_a_rule_with_a_method_matches_that_method_only() -> None:
    plan = FaultPlan()
    plan.add({"method": "post", "path": "/api/*", "status": 503})
    assert plan.match("GET", "/api/links/lnk_1") is None
    assert plan.match("POST", "/api/links/lnk_1") is not None


def test_the_first_rule_that_fires_wins_and_one_that_does_not_leaves_the_request_to_the_next() -> None:
    plan = FaultPlan()
    never = plan.add({"path": "/api/*", "status": 500, "probability": 0, "seed": 1})
    first = plan.add({"path": "/api/*", "status": 502})
    plan.add({"path": "/api/*", "status": 503})
    assert plan.match("GET", "/api/x") is first
    assert (never.matched, never.hits) == (1, 0)


def test_a_preset_expands_and_the_callers_fields_override_it() -> None:
    rule = FaultPlan().add({"preset": "app_silent", "delay": "2s"})
    assert (rule.paths, rule.silent, rule.delay, rule.times) == (("/api/app/*", "/app/*"), True, 2.0, None)
    assert FaultPlan().add({"preset": "app_silent"}).delay == 30.0
    down = FaultPlan().add({"preset": "server_down"})
    assert (down.paths, down.status, down.retry_after) == (("*",), 503, 10)


@pytest.mark.parametrize(("body", "field"), [
    ([], "body"),
    ({"path": "/api/*"}, "body"),  # does nothing
    ({"status": 503}, "path"),
    ({"path": "api/*", "status": 503}, "path"),
    ({"path": [], "status": 503}, "path"),
    ({"path": "/_sim/*", "status": 503}, "path"),
    ({"path": "/sandboxes/a/api/*", "status": 503}, "path"),
    ({"path": "/api/*", "status": 200}, "status"),
    ({"path": "/api/*", "status": "503"}, "status"),
    ({"path": "/api/*", "status": 503, "code": "qr_expired"}, "code"),
    ({"path": "/api/*", "code": "no_such_code"}, "code"),
    ({"path": "/api/*", "oauth_error": "Invalid Grant"}, "oauth_error"),
    ({"path": "/api/*", "delay": "forever"}, "delay"),
    ({"path": "/api/*", "delay": "2m"}, "delay"),  # more than the 60 s cap
    ({"path": "/api/*", "delay": True}, "delay"),
    ({"path": "/api/*", "status": 503, "times": 0}, "times"),
    ({"path": "/api/*", "status": 503, "times": True}, "times"),
    ({"path": "/api/*", "status": 503, "probability": 1.5}, "probability"),
    ({"path": "/api/*", "status": 503, "seed": 3}, "seed"),  # a seed without a probability
    ({"path": "/api/*", "code": "qr_expired", "retry_after": 5}, "retry_after"),
    ({"path": "/api/*", "status": 503, "error_description": "x"}, "error_description"),
    ({"path": "/api/*", "status": 503, "details": {"a": "b"}}, "details"),
    ({"path": "/api/*", "code": "qr_expired", "details": {"a": [1]}}, "details"),
    ({"path": "/api/*", "method": "FETCH", "status": 503}, "method"),
    ({"path": "/api/*", "silent": "yes"}, "silent"),
    ({"path": "/api/*", "status": 503, "times": 1, "tiems": 2}, "tiems"),
    ({"preset": "meltdown"}, "preset"),
    ({"id": "a b", "path": "/api/*", "status": 503}, "id"),
])
def test_a_malformed_rule_is_refused_naming_the_field(body: object, field: str) -> None:
    assert refusal_field(body) == field


def test_a_rule_id_is_unique_in_its_plan() -> None:
    plan = FaultPlan()
    plan.add({"id": "flt_2", "path": "/api/*", "status": 503})
    assert [plan.add({"path": "/api/*", "status": 503}).id for _ in range(2)] == ["flt_1", "flt_3"]
    with pytest.raises(Refused, match="there is a fault rule flt_2 already"):
        plan.add({"id": "flt_2", "path": "/api/*", "status": 503})


def test_a_full_plan_forgets_retired_rules_and_refuses_more_active_ones() -> None:
    plan = FaultPlan(limit=2)
    plan.add({"path": "/api/*", "status": 503, "times": 1})
    plan.match("GET", "/api/x")
    plan.add({"path": "/api/*", "status": 503})
    plan.add({"path": "/api/*", "status": 503})
    assert len(plan.rules()) == 2
    with pytest.raises(Refused, match="holds 2 fault rules"):
        plan.add({"path": "/api/*", "status": 503})


def test_an_unknown_rule_is_fault_not_found() -> None:
    with pytest.raises(Refused) as refused:
        FaultPlan().remove("flt_9")
    assert refused.value.code == "fault_not_found"


def test_removing_a_rule_wakes_the_requests_it_holds() -> None:
    plan = FaultPlan()
    rule = plan.add({"path": "/api/app/*", "silent": True, "delay": "30s"})
    lifted: list[bool] = []
    held = threading.Thread(target=lambda: lifted.append(rule.wait_out_delay()))
    held.start()
    time.sleep(0.05)
    plan.clear()
    held.join(timeout=2)
    assert lifted == [True]


# --- over HTTP ------------------------------------------------------------------------------------------------


@pytest.fixture
def app() -> Flask:
    return create_app()


@pytest.fixture
def http(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert client.post("/_sim/reset", json={"fixtures": "demo"}).status_code == 200
    return client


def add_fault(http: FlaskClient, rule: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    response = http.post(f"{prefix}/_sim/faults", json=rule)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def partner_token(http: FlaskClient, prefix: str = "") -> dict[str, str]:
    answer = http.post(f"{prefix}/v2/oauth/token/", data=CLIENT_CREDENTIALS).get_json()
    assert "access_token" in answer, answer
    return {"Authorization": f"Bearer {answer['access_token']}"}


def test_an_oauth_error_on_tiktoks_token_endpoint_is_tiktoks_error_then_the_real_token(http: FlaskClient) -> None:
    add_fault(http, {"path": "/v2/oauth/token*", "oauth_error": "invalid_grant", "times": 1})
    refused = http.post("/v2/oauth/token/", data=CLIENT_CREDENTIALS)
    assert refused.status_code == 200  # TikTok answers OAuth errors with 200
    body = refused.get_json()
    assert set(body) == {"error", "error_description", "log_id"}
    assert body["error"] == "invalid_grant" and TIKTOK_LOG_ID.fullmatch(body["log_id"])
    assert "access_token" in http.post("/v2/oauth/token/", data=CLIENT_CREDENTIALS).get_json()


def test_tiktoks_oauth_errors_take_the_configured_status() -> None:
    http = create_app(config=ServerConfig(oauth_error_status=400)).test_client()
    add_fault(http, {"path": "/v2/oauth/*", "oauth_error": "temporarily_unavailable",
                     "error_description": "Try again later."})
    answer = http.post("/v2/oauth/token/", data=CLIENT_CREDENTIALS)
    assert answer.status_code == 400
    assert answer.get_json()["error_description"] == "Try again later."


def test_a_fault_on_user_info_speaks_tiktoks_api_envelope(http: FlaskClient) -> None:
    add_fault(http, {"path": "/v2/user/info*", "oauth_error": "access_token_invalid"})
    answer = http.get("/v2/user/info/?fields=open_id")
    assert answer.status_code == 401
    body = answer.get_json()
    assert body["data"] == {} and body["error"]["code"] == "access_token_invalid"
    assert TIKTOK_LOG_ID.fullmatch(body["error"]["log_id"])


def test_a_linking_refusal_code_answers_as_the_linking_api_refuses(http: FlaskClient) -> None:
    token = partner_token(http)
    add_fault(http, {"method": "POST", "path": "/api/shops/*/official-link", "code": "official_slot_taken",
                     "details": {"holder": "@maya"}})
    answer = http.post("/api/shops/shop_acme_us/official-link", json={"via": "qr"}, headers=token)
    assert answer.status_code == 409
    body = answer.get_json()
    assert body["code"] == "official_slot_taken" and body["violations"][0]["rules"] == ["O2"]
    assert "(@maya)" in body["message"]
    assert http.get("/api/shops/shop_acme_us/linked-accounts", headers=token).status_code == 200  # GET untouched


def test_plain_oauth_errors_are_rfc_6749s(http: FlaskClient) -> None:
    add_fault(http, {"path": "/oauth/token*", "oauth_error": "invalid_client", "times": 1})
    add_fault(http, {"path": "/oauth/token*", "code": "qr_expired", "times": 1})
    client = http.post("/oauth/token", data=CLIENT_CREDENTIALS)
    assert client.status_code == 401 and client.headers["WWW-Authenticate"].startswith("Basic")
    assert set(client.get_json()) == {"error", "error_description"}
    expired = http.post("/oauth/token", data=CLIENT_CREDENTIALS)
    assert expired.status_code == 400 and expired.get_json()["error"] == "invalid_grant"


def test_a_status_fault_answers_that_status_with_retry_after(http: FlaskClient) -> None:
    add_fault(http, {"path": "/api/*", "status": 503, "retry_after": 7})
    answer = http.get("/api/shops/shop_acme_us/linked-accounts", headers=partner_token(http))
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "7"
    assert answer.get_json()["code"] == "service_unavailable"


@pytest.mark.parametrize(("status", "code"), [(405, "method_not_allowed"), (429, "too_many_requests"),
                                              (599, "unknown_error")])
def test_any_error_status_answers_with_its_own_name(http: FlaskClient, status: int, code: str) -> None:
    add_fault(http, {"path": "/api/*", "status": status})
    answer = http.get("/api/links/lnk_1")
    assert answer.status_code == status and answer.get_json()["code"] == code


def test_a_status_fault_on_a_screen_is_the_error_page(http: FlaskClient) -> None:
    add_fault(http, {"path": "/seller/*", "status": 502})
    answer = http.get("/seller/")
    assert answer.status_code == 502 and answer.mimetype == "text/html"


def test_a_delay_holds_the_request_then_it_goes_on(http: FlaskClient) -> None:
    add_fault(http, {"path": "/v2/oauth/token*", "delay": "0.2s"})
    started = time.monotonic()
    answer = http.post("/v2/oauth/token/", data=CLIENT_CREDENTIALS)
    assert time.monotonic() - started >= 0.2
    assert "access_token" in answer.get_json()


def test_a_hit_is_marked_for_the_request_journal(http: FlaskClient) -> None:
    rule = add_fault(http, {"path": "/api/*", "status": 500})
    with http:
        http.get("/api/links/lnk_1")
        assert flask.g.fault_id == rule["id"]


def test_the_controls_count_matches_and_hits_and_lift_rules(http: FlaskClient) -> None:
    rule = add_fault(http, {"path": "/api/*", "status": 503, "times": 2})
    for _ in range(3):
        http.get("/api/links/lnk_1")
    seen = http.get(f"/_sim/faults/{rule['id']}").get_json()
    assert (seen["matched"], seen["hits"], seen["remaining"], seen["active"]) == (2, 2, 0, False)
    assert http.get("/_sim/faults").get_json()["count"] == 1
    assert http.delete(f"/_sim/faults/{rule['id']}").get_json()["hits"] == 2
    missing = http.get(f"/_sim/faults/{rule['id']}")
    assert missing.status_code == 404 and missing.get_json()["code"] == "fault_not_found"
    add_fault(http, {"path": "/api/*", "status": 503})
    assert http.delete("/_sim/faults").get_json() == {"removed": 1}
    assert http.get("/_sim/faults").get_json() == {"faults": [], "count": 0}


def test_a_malformed_rule_over_http_is_invalid_input(http: FlaskClient) -> None:
    answer = http.post("/_sim/faults", json={"path": "/api/*", "code": "no_such_code"})
    assert answer.status_code == 400
    assert answer.get_json()["violations"][0]["details"]["field"] == "code"


def test_the_controls_and_static_files_are_never_faulted(http: FlaskClient) -> None:
    add_fault(http, {"preset": "server_down"})
    assert http.get("/_sim/clock").status_code == 200
    static = http.get("/static/avatar.svg")
    static.close()
    assert static.status_code == 200
    assert http.get("/openapi.json").status_code == 503
    assert http.delete("/_sim/faults").status_code == 200
    assert http.get("/openapi.json").status_code == 200


def test_faults_in_one_sandbox_never_touch_another(http: FlaskClient) -> None:
    for sandbox in ("one", "two"):
        assert http.post("/_sim/sandboxes", json={"id": sandbox, "fixtures": "demo"}).status_code == 201
    add_fault(http, {"path": "/v2/oauth/token*", "status": 503}, prefix="/sandboxes/one")
    assert http.post("/sandboxes/one/v2/oauth/token/", data=CLIENT_CREDENTIALS).status_code == 503
    partner_token(http, "/sandboxes/two")
    partner_token(http)
    assert http.post("/v2/oauth/token/", data=CLIENT_CREDENTIALS,
                     headers={"X-Linksim-Sandbox": "one"}).status_code == 503
    assert http.get("/_sim/faults", headers={"X-Linksim-Sandbox": "two"}).get_json()["count"] == 0
    assert http.get("/_sim/faults").get_json()["count"] == 0


def test_a_silent_app_hangs_then_answers_504_app_not_responding(http: FlaskClient) -> None:
    add_fault(http, {"preset": "app_silent", "delay": "0.2s"})
    started = time.monotonic()
    phone = http.post("/api/app/sessions", json={"username": "maya", "password": "linksim-demo"})
    assert time.monotonic() - started >= 0.2
    assert phone.status_code == 504 and phone.get_json()["code"] == "app_not_responding"
    screen = http.get("/app/sign-in")
    assert screen.status_code == 504 and b"app_not_responding" in screen.data
    token = partner_token(http)  # the seller's side still answers: its QR code just waits, unscanned
    assert http.post("/api/shops/shop_acme_us/official-link", json={"via": "qr"}, headers=token).status_code == 201


# --- a real server ----------------------------------------------------------------------------------------------


@pytest.fixture
def live(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    assert requests.post(f"{base_url}/_sim/reset", json={"fixtures": "demo"}, timeout=5).status_code == 200
    yield base_url
    server.shutdown()
    thread.join()


def test_the_seller_client_retries_through_a_503_once_and_then_succeeds(live: str) -> None:
    rule = requests.post(f"{live}/_sim/faults", json={"method": "POST", "path": "/api/shops/*/official-link",
                                                       "status": 503, "retry_after": 0, "times": 1}, timeout=5).json()
    waits: list[float] = []
    seller = SellerClient(live, DEMO_KEY, DEMO_SECRET, sleep=waits.append)
    link = seller.start_official_link("shop_acme_us")
    assert link.shop_id == "shop_acme_us"
    assert waits == [0.0]  # the fault's Retry-After: 0
    seen = requests.get(f"{live}/_sim/faults/{rule['id']}", timeout=5).json()
    assert (seen["hits"], seen["active"]) == (1, False)


def test_lifting_a_silent_fault_lets_the_requests_it_holds_go_on(live: str) -> None:
    requests.post(f"{live}/_sim/faults", json={"id": "silence", "preset": "app_silent"}, timeout=5)
    answers: list[requests.Response] = []
    held = threading.Thread(target=lambda: answers.append(requests.get(f"{live}/api/app/me", timeout=10)))
    started = time.monotonic()
    held.start()
    time.sleep(0.2)
    assert answers == []
    assert requests.delete(f"{live}/_sim/faults/silence", timeout=5).status_code == 200
    held.join(timeout=5)
    assert time.monotonic() - started < 5
    assert answers[0].json()["code"] == "app_session_invalid"  # the app's own answer: no one is signed in


@pytest.mark.parametrize("preset", [{}, ["app_silent"], 7])
def test_a_preset_that_is_no_name_is_refused_not_a_server_error(preset: object) -> None:
    assert refusal_field({"path": "/api/*", "status": 503, "preset": preset}) == "preset"
