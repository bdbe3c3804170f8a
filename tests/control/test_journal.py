"""The flow journal (/_sim/journal): every request and domain event of a world, correlated by flow, redacted,
bounded in memory and on disk."""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from auth_server import fixtures
from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.control.redaction import hint
from auth_server.control.request_journal import EXCERPT_CHARS
from auth_server.control.request_journal import JournalQuery
from auth_server.control.request_journal import RequestJournal
from auth_server.control.request_journal import RequestRecord
from auth_server.control.request_journal import excerpt
from auth_server.simulator import Simulator
from auth_server.simulator import open_store
from auth_server.web.context import journal_file
from auth_server.web.context import worlds
from auth_server.worlds import SHARED_TEMPLATES
from mobile_stub.app import TikTokApp
from seller_client.client import SellerClient

DEMO_KEY, DEMO_SECRET, PASSWORD = "linksim_demo_key", "linksim_demo_secret", "linksim-demo"
SHOP = "shop_acme_us"
QR_REDIRECT_URI = "http://127.0.0.1:8080/callback/"  # the demo app's first redirect URI without a wildcard port


def demo_app(**settings: Any) -> Flask:
    """A server on the demo data: a copy of it loaded once (loading takes half a second, a copy a millisecond)."""
    simulator = SHARED_TEMPLATES.simulator(fixtures.read(fixtures.DEMO), datetime.now(UTC))
    return create_app(simulator, ServerConfig(secret_key="journal-tests", **settings))


def demo_app_on_file(path: Path) -> Flask:
    """The same, on a SQLite file: its journal is kept in the store, written by the background writer."""
    in_memory = SHARED_TEMPLATES.simulator(fixtures.read(fixtures.DEMO), datetime.now(UTC))
    with sqlite3.connect(path) as target:
        connection = in_memory.store._connection  # noqa: SLF001
        assert connection is not None
        connection.connection.driver_connection.backup(target)  # type: ignore[union-attr]
    in_memory.store.dispose()
    simulator = Simulator(open_store(f"sqlite:///{path}"), clock=in_memory.clock, markets=in_memory.markets)
    return create_app(simulator, ServerConfig(secret_key="journal-tests"))


@pytest.fixture(params=["in-memory", "sqlite-file"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """Each test of a served journal runs on a world in memory, then on one whose journal is in its store."""
    if request.param == "in-memory":
        yield demo_app()
        return
    app = demo_app_on_file(tmp_path / "linksim.db")
    yield app
    with app.app_context():
        worlds().main.journal.close()  # type: ignore[union-attr]
        worlds().main.simulator.store.dispose()


@pytest.fixture
def http(app: Flask) -> FlaskClient:
    return app.test_client()


def journal(http: FlaskClient, prefix: str = "", **params: Any) -> list[dict[str, Any]]:
    response = http.get(f"{prefix}/_sim/journal", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["entries"]


def partner(http: FlaskClient, prefix: str = "") -> dict[str, str]:
    answer = http.post(f"{prefix}/v2/oauth/token/", data={"client_key": DEMO_KEY, "client_secret": DEMO_SECRET,
                                                          "grant_type": "client_credentials"}).get_json()
    return {"Authorization": f"Bearer {answer['access_token']}"}


def phone(http: FlaskClient, username: str = "maya") -> dict[str, str]:
    answer = http.post("/api/app/sessions", json={"username": username, "password": PASSWORD}).get_json()
    return {"Authorization": f"Bearer {answer['token']}"}


def start_link(http: FlaskClient, seller: dict[str, str], shop: str = SHOP) -> dict[str, Any]:
    response = http.post(f"/api/shops/{shop}/official-link", json={}, headers=seller)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def label(entry: dict[str, Any]) -> str:
    return f"{entry['method']} {entry['path']}" if entry["kind"] == "request" else entry["event"]


# --- one flow, in order ----------------------------------------------------------------------------------------


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def test_a_whole_official_qr_link_reads_back_by_its_link_id_requests_and_events_in_order(live_url: str) -> None:
    for _ in range(3):  # events the reset then wipes: the new store numbers its events from 1 again
        requests.post(f"{live_url}/api/app/sessions", json={"username": "uma", "password": PASSWORD}, timeout=10)
    assert requests.post(f"{live_url}/_sim/reset", json={"fixtures": "demo"}, timeout=10).status_code == 200
    seller, app = SellerClient(live_url), TikTokApp(live_url)
    app.sign_in("maya", PASSWORD)
    link = seller.start_official_link(SHOP)
    app.authorize(app.scan(link.qr.scan_url))
    seller.accept_terms(link.link_id)
    app.close()

    entries = requests.get(f"{live_url}/_sim/journal", params={"flow": link.link_id}, timeout=10).json()["entries"]
    assert [label(e) for e in entries] == [
        "link.started", f"POST /api/shops/{SHOP}/official-link",
        "link.scanned", "POST /api/app/scans",
        "link.consented", f"POST {entries[5]['path']}",
        "link.pending_review", "link.active", "account.upgraded_to_business", "account.renamed",
        "account.storefront_added", f"POST /api/links/{link.link_id}/terms",
    ]
    assert entries[5]["path"].startswith("/api/app/consents/")
    assert {e["flow"] for e in entries} == {link.link_id}
    assert entries[-1]["events"] == [e["seq"] for e in entries[6:11]]  # what the terms' answer set off


def test_each_request_names_its_shop_account_and_partner_app(http: FlaskClient) -> None:
    seller = partner(http)
    link = start_link(http, seller)
    http.post("/api/app/scans", json={"scan_url": link["qr"]["scan_url"]}, headers=phone(http))
    started, scanned = journal(http, flow=link["link_id"], kind="request")
    assert (started["shop"], started["partner_app"], started["status"]) == (SHOP, DEMO_KEY, 201)
    assert (scanned["account"], scanned["username"]) == ("oid_maya", "maya")
    assert started["duration_ms"] >= 0 and started["at"] == "2026-03-02T09:00:00+00:00"


def test_every_step_a_partner_app_takes_names_it_as_the_events_actor(http: FlaskClient) -> None:
    assert http.post(f"/_sim/shops/{SHOP}/settings", json={"review": "manual"}).status_code == 200
    seller, holder = partner(http), phone(http)
    link = start_link(http, seller)
    link_id = link["link_id"]
    consent = http.post("/api/app/scans", json={"scan_url": link["qr"]["scan_url"]}, headers=holder).get_json()
    http.post(f"/api/app/consents/{consent['consent_id']}", json={"decision": "authorize"}, headers=holder)
    assert http.post(f"/api/links/{link_id}/terms", json={"accepted": True}, headers=seller).status_code == 200
    assert http.post(f"/api/links/{link_id}/review", json={"approve": True}, headers=seller).status_code == 200
    http.post("/_sim/clock", json={"advance": "24h"})  # U1; the app's client token expired meanwhile
    unlinked = http.post(f"/api/shops/{SHOP}/unlink", json={"open_id": "oid_maya"}, headers=partner(http))
    assert unlinked.status_code == 200, unlinked.get_data(as_text=True)

    events = {e["event"]: e for e in journal(http, flow=link_id, kind="event")}
    for kind in ("link.started", "link.pending_review", "link.active", "link.unlinked"):
        assert (events[kind]["actor"], events[kind]["partner_app"]) == (f"partner:{DEMO_KEY}", DEMO_KEY), kind
    assert (events["link.scanned"]["actor"], events["link.consented"]["actor"]) == ("app", "app")


def test_asking_for_a_shop_or_an_account_shows_every_entry_of_their_flows(http: FlaskClient) -> None:
    seller = partner(http)
    link = start_link(http, seller)
    http.post("/api/app/scans", json={"scan_url": link["qr"]["scan_url"]}, headers=phone(http))
    other = start_link(http, seller, "shop_review_us")
    of_shop = {label(e) for e in journal(http, shop=SHOP)}
    assert {"POST /api/app/scans", "link.scanned", f"POST /api/shops/{SHOP}/official-link"} <= of_shop
    assert f"POST /api/shops/{other['shop_id']}/official-link" not in of_shop
    by_username = {label(e) for e in journal(http, account="maya", kind="request")}
    assert by_username >= {"POST /api/app/sessions", "POST /api/app/scans",
                           f"POST /api/shops/{SHOP}/official-link"}  # the link's start: maya's flow


def test_a_login_kit_qr_login_is_one_flow_from_get_qrcode_to_the_token_and_the_user_info(http: FlaskClient) -> None:
    qr = http.post("/v2/oauth/get_qrcode/", data={"client_key": DEMO_KEY, "scope": "user.info.basic"}).get_json()
    scanned = http.post("/api/app/scans", json={"scan_url": qr["scan_qrcode_url"]}, headers=(holder := phone(http)))
    http.post(f"/api/app/consents/{scanned.get_json()['consent_id']}", json={"decision": "authorize"},
              headers=holder)
    confirmed = http.post("/v2/oauth/check_qrcode/", data={"client_key": DEMO_KEY, "client_secret": DEMO_SECRET,
                                                           "token": qr["token"]}).get_json()
    token = http.post("/v2/oauth/token/", data={"client_key": DEMO_KEY, "client_secret": DEMO_SECRET,
                                                "grant_type": "authorization_code", "code": confirmed["code"],
                                                "redirect_uri": QR_REDIRECT_URI}).get_json()
    http.get("/v2/user/info/?fields=open_id", headers={"Authorization": f"Bearer {token['access_token']}"})

    flow = journal(http, path="/v2/oauth/get_qrcode")[0]["flow"]
    assert flow.startswith("loginqr_")
    assert [label(e) for e in journal(http, flow=flow, kind="request")] == [
        "POST /v2/oauth/get_qrcode/", "POST /api/app/scans", f"POST {journal(http, flow=flow)[2]['path']}",
        "POST /v2/oauth/check_qrcode/", "POST /v2/oauth/token/"]
    user_info = journal(http, path="/v2/user/info")[0]
    assert (user_info["account"], user_info["partner_app"]) == ("oid_maya", DEMO_KEY)


# --- secrets ---------------------------------------------------------------------------------------------------


def test_no_secret_reaches_the_journal_in_memory_or_on_disk(tmp_path: Path) -> None:
    app = demo_app(journal_file=str(tmp_path / "journal.jsonl"))
    http = app.test_client()
    seller = partner(http)
    sign_in = http.post("/api/app/sessions", json={"username": "maya", "password": PASSWORD}).get_json()
    holder = {"Authorization": f"Bearer {sign_in['token']}"}
    link = start_link(http, seller)
    consent = http.post("/api/app/scans", json={"scan_url": link["qr"]["scan_url"]}, headers=holder).get_json()
    http.post(f"/api/app/consents/{consent['consent_id']}", json={"decision": "authorize"}, headers=holder)
    linked = http.post(f"/api/links/{link['link_id']}/terms", json={"accepted": True}, headers=seller).get_json()
    refreshed = http.post("/v2/oauth/token/", data={"client_key": DEMO_KEY, "client_secret": DEMO_SECRET,
                                                    "grant_type": "refresh_token",
                                                    "refresh_token": linked["token"]["refresh_token"]}).get_json()
    http.get("/v2/user/info/?fields=open_id", headers={"Authorization": f"Bearer {refreshed['access_token']}"})
    http.post("/v2/oauth/token/", data={"client_key": DEMO_KEY, "client_secret": "wrong-" + DEMO_SECRET,
                                        "grant_type": "client_credentials"})
    journal_file(app).close()  # type: ignore[union-attr]

    secrets = [DEMO_SECRET, PASSWORD, seller["Authorization"][7:], sign_in["token"], consent["consent_id"],
               link["qr"]["scan_url"].split("token=")[1], linked["token"]["access_token"],
               linked["token"]["refresh_token"], refreshed["access_token"], refreshed["refresh_token"]]
    in_memory = json.dumps(journal(http, limit=5000))
    on_disk = (tmp_path / "journal.jsonl").read_text()
    assert "act." in in_memory and len(on_disk.splitlines()) == 9
    for secret in secrets:
        assert secret not in in_memory and secret not in on_disk, secret[:6]


def request_entry(http: FlaskClient, path: str, **headers: str) -> dict[str, Any]:
    """The journal's latest record of a request to ``path``."""
    answer = http.get("/_sim/journal", query_string={"kind": "request", "path": path}, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    entry: dict[str, Any] = answer.get_json()["entries"][-1]
    return entry


def test_a_client_secret_is_masked_whole_with_no_hint_to_guess_it_from(http: FlaskClient) -> None:
    partner(http)
    assert request_entry(http, "/v2/oauth/token/")["request_body"]["client_secret"] == "[redacted]"


def test_basic_credentials_are_masked_whole(http: FlaskClient) -> None:
    basic = base64.b64encode(f"{DEMO_KEY}:{DEMO_SECRET}".encode()).decode()
    http.post("/v2/oauth/token/", data={"grant_type": "client_credentials"},
              headers={"Authorization": f"Basic {basic}"})
    assert request_entry(http, "/v2/oauth/token/")["headers"]["Authorization"] == "Basic [redacted]"


def test_the_control_token_is_masked_whole() -> None:
    control = {"Authorization": "Bearer abcd-the-control-token"}
    http = demo_app(control_token=control["Authorization"][7:]).test_client()
    assert http.get("/_sim/clock", headers=control).status_code == 200
    assert request_entry(http, "/_sim/clock", **control)["headers"]["Authorization"] == "Bearer [redacted]"


def test_a_credential_sent_to_a_control_is_masked_whole_even_where_no_token_is_set(http: FlaskClient) -> None:
    http.get("/_sim/clock", headers={"Authorization": "Bearer abcd-a-guess-at-a-control-token"})
    assert request_entry(http, "/_sim/clock")["headers"]["Authorization"] == "Bearer [redacted]"


def test_a_token_linksim_minted_keeps_its_hint(http: FlaskClient) -> None:
    seller = partner(http)
    start_link(http, seller)
    recorded = request_entry(http, f"/api/shops/{SHOP}/official-link")["headers"]["Authorization"]
    assert recorded == f"Bearer {hint(seller['Authorization'][7:])}" and recorded.startswith("Bearer clt.…#")


# --- bounds ----------------------------------------------------------------------------------------------------


def test_memory_keeps_the_latest_records_up_to_its_bound() -> None:
    http = demo_app(journal_entries=5).test_client()
    for _ in range(12):
        http.get("/_sim/clock")
    kept = journal(http, kind="request")
    assert [e["seq"] for e in kept] == [8, 9, 10, 11, 12]


def test_the_file_rotates_at_its_size_bound_keeping_its_backups(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    app = demo_app(journal_file=str(path), journal_file_bytes=2048, journal_file_backups=2)
    http = app.test_client()
    for _ in range(40):
        http.get("/_sim/clock")
    journal_file(app).close()  # type: ignore[union-attr]

    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [".__journal.jsonl.lock", "journal.jsonl", "journal.jsonl.1", "journal.jsonl.2"]
    assert all((tmp_path / name).stat().st_size <= 2048 for name in files[1:])
    newest = [json.loads(line) for line in path.read_text().splitlines()]
    assert newest[-1]["seq"] == 40 and newest[-1]["path"] == "/_sim/clock" and newest[-1]["world"] == "main"


# --- worlds ----------------------------------------------------------------------------------------------------


def test_each_sandbox_keeps_its_own_journal_and_the_file_names_each_lines_world(tmp_path: Path) -> None:
    app = demo_app(journal_file=str(tmp_path / "journal.jsonl"))
    http = app.test_client()
    first, second = (http.post("/_sim/sandboxes", json={"fixtures": "demo"}).get_json()["id"] for _ in range(2))
    partner(http, f"/sandboxes/{first}")
    http.get("/_sim/clock", headers={"X-Linksim-Sandbox": second})
    journal_file(app).close()  # type: ignore[union-attr]

    assert [label(e) for e in journal(http, f"/sandboxes/{first}", kind="request")] == ["POST /v2/oauth/token/"]
    assert [label(e) for e in journal(http, f"/sandboxes/{second}", kind="request")] == ["GET /_sim/clock"]
    assert [label(e) for e in journal(http, kind="request")] == ["POST /_sim/sandboxes", "POST /_sim/sandboxes"]
    lines = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]
    assert [(line["world"], line["path"]) for line in lines[-2:]] == [(first, "/v2/oauth/token/"),
                                                                     (second, "/_sim/clock")]


# --- refusals --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("send", "status", "code"), [
    (lambda http: http.post("/api/app/scans", json={"scan_url": "https://example.com/"}, headers=phone(http)),
     400, "qr_unreadable"),
    (lambda http: http.post(f"/api/shops/{SHOP}/official-link", json={}, headers={"Authorization": "Bearer nope"}),
     401, "partner_token_invalid"),
    (lambda http: http.post("/v2/oauth/token/", data={"client_key": DEMO_KEY, "client_secret": "wrong",
                                                      "grant_type": "client_credentials"}),
     200, "invalid_client"),  # TikTok answers OAuth errors with HTTP 200
    (lambda http: http.get("/v2/user/info/?fields=open_id"), 401, "access_token_invalid"),
])
def test_a_refusal_is_recorded_with_its_code_in_every_wire_shape(http: FlaskClient, send: Any, status: int,
                                                                 code: str) -> None:
    assert send(http).status_code == status
    last = journal(http, kind="request")[-1]
    assert (last["status"], last["error_code"]) == (status, code)


def test_a_refused_consent_belongs_to_its_links_flow(http: FlaskClient) -> None:
    link, holder = start_link(http, partner(http)), phone(http, "tim")
    consent = http.post("/api/app/scans", json={"scan_url": link["qr"]["scan_url"]}, headers=holder).get_json()
    http.post(f"/api/app/consents/{consent['consent_id']}", json={"decision": "authorize"}, headers=holder)
    refused = journal(http, flow=link["link_id"], kind="request")[-1]
    assert refused["path"].startswith("/api/app/consents/")
    assert (refused["status"], refused["error_code"]) == (409, "underage")


def test_a_request_a_fault_hit_names_the_fault(http: FlaskClient) -> None:
    fault = http.post("/_sim/faults", json={"path": "/api/app/me", "status": 503, "times": 1})
    assert fault.status_code == 201, fault.get_data(as_text=True)
    assert http.get("/api/app/me").status_code == 503
    assert journal(http, kind="request")[-1]["fault_id"] == fault.get_json()["id"]


# --- reading and clearing --------------------------------------------------------------------------------------


def test_since_answers_only_what_came_after_that_request(http: FlaskClient) -> None:
    seller = partner(http)
    mark = journal(http, kind="request")[-1]["seq"]
    link = start_link(http, seller)
    assert [label(e) for e in journal(http, since=mark)] == ["link.started", f"POST /api/shops/{SHOP}/official-link"]
    assert journal(http, since=mark + 1) == []
    assert link["link_id"]


def test_limit_keeps_the_latest_and_says_more_were_left_out(http: FlaskClient) -> None:
    for _ in range(3):
        http.get("/_sim/clock")
    answer = http.get("/_sim/journal?kind=request&limit=2").get_json()
    assert [e["seq"] for e in answer["entries"]] == [2, 3] and answer["more"] is True


def test_delete_forgets_the_requests_but_not_the_worlds_events(http: FlaskClient) -> None:
    start_link(http, partner(http))
    cleared = http.delete("/_sim/journal")
    assert cleared.status_code == 200 and cleared.get_json()["cleared"] == 2
    assert journal(http, kind="request") == []
    assert journal(http, kind="event")[-1]["event"] == "link.started"


@pytest.mark.parametrize(("query", "field"), [
    ("kind=everything", "kind"), ("limit=0", "limit"), ("limit=5001", "limit"), ("limit=ten", "limit"),
    ("since=-1", "since"), ("flow=", "flow"), ("link=lnk_1", "link"), ("shop=a&shop=b", "shop"),
])
def test_a_malformed_query_is_invalid_input_naming_the_parameter(http: FlaskClient, query: str, field: str) -> None:
    response = http.get(f"/_sim/journal?{query}")
    body = response.get_json()
    assert response.status_code == 400 and body["code"] == "invalid_input", body
    assert body["violations"][0]["details"]["field"] == field


def test_reading_the_journal_is_not_journaled(http: FlaskClient) -> None:
    http.get("/_sim/clock")
    journal(http)
    journal(http)
    assert [label(e) for e in journal(http, kind="request")] == ["GET /_sim/clock"]


# --- the journal itself, without HTTP --------------------------------------------------------------------------


def a_record(path: str = "/api/x", **tags: Any) -> RequestRecord:
    return RequestRecord(world="main", wall_time=datetime.now(UTC), at=None, method="GET", path=path, status=200,
                         **tags)


def test_the_journal_answers_its_records_by_each_tag_and_by_path() -> None:
    kept = RequestJournal()
    kept.append(a_record("/api/shops/s1/official-link", flows=("lnk_1",), shop="s1", partner_app="app1"))
    kept.append(a_record("/api/app/scans", flows=("lnk_1",), account="oid_a", username="a"))
    kept.append(a_record("/v2/oauth/token/", partner_app="app2"))

    def paths(**query: Any) -> list[str]:
        return [record.path for record in kept.query(JournalQuery(**query))]

    assert paths(flow="lnk_1") == ["/api/shops/s1/official-link", "/api/app/scans"]
    assert paths(account="a") == paths(shop="s1") == paths(partner_app="app1") == paths(flow="lnk_1")
    assert paths(partner_app="app2") == paths(path="/v2/") == ["/v2/oauth/token/"]
    assert paths(since=1, limit=1) == ["/api/app/scans"]


def test_a_second_flow_id_a_request_names_joins_the_first() -> None:
    kept = RequestJournal()
    kept.append(a_record("/v2/oauth/check_qrcode/", flows=("loginqr_1", "authcode_2")))
    exchanged = kept.append(a_record("/v2/oauth/token/", flows=("authcode_2",)))
    assert exchanged.flow == "loginqr_1" and kept.canonical_flow("authcode_2") == "loginqr_1"


def test_concurrent_appends_each_get_a_seq_of_their_own() -> None:
    kept = RequestJournal(max_entries=10_000)
    workers = [threading.Thread(target=lambda: [kept.append(a_record()) for _ in range(500)]) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(record.seq for record in kept.records()) == list(range(1, 4001))


def test_a_body_longer_than_the_bound_is_kept_as_its_start_and_its_length() -> None:
    body = {"accounts": [{"username": f"user{n}"} for n in range(500)]}
    cut = excerpt(body)
    assert isinstance(cut, str) and len(cut) < EXCERPT_CHARS + 40
    assert cut.endswith(f"… ({len(json.dumps(body))} characters)")
    assert excerpt({"short": True}) == {"short": True}


def test_the_events_a_request_makes_are_its_own_after_requests_that_made_none(http: FlaskClient) -> None:
    """The journal reads the store's events only after a transaction that added some; requests that made none
    (a token, reads) leave the next request's events to it."""
    seller = partner(http)
    for _ in range(3):
        assert http.get(f"/api/shops/{SHOP}/linked-accounts", headers=seller).status_code == 200
    link = start_link(http, seller)
    http.post("/api/app/scans", json={"scan_url": link["qr"]["scan_url"]}, headers=phone(http))

    started, scanned = journal(http, flow=link["link_id"], kind="request")
    events = {e["seq"]: e["event"] for e in journal(http, flow=link["link_id"], kind="event")}
    assert [events[seq] for seq in started["events"]] == ["link.started"]
    assert [events[seq] for seq in scanned["events"]] == ["link.scanned"]
    reads = [e for e in journal(http, kind="request") if e["path"].endswith("/linked-accounts")]
    assert [e["events"] for e in reads] == [[], [], []]
