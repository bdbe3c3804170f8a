"""The developer's timeline: the page at /_sim/ for a browser (an index of the controls for other clients), and the
feed it reads every second, /_sim/timeline: the clock, the parties, the flows with the steps that can be forced,
the fault rules and the events after a cursor, in words."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Mapper

from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.domain.accounts import Account
from auth_server.domain.clock import ManualClock
from auth_server.domain.links import Channel
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.links import Role
from auth_server.simulator import Simulator
from auth_server.web import context
from auth_server.web.control.timeline_feed import FLOWS_SHOWN
from auth_server.web.control.timeline_feed import PARTIES_SHOWN

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
TOKEN = "a-control-token-for-tests"
ELSEWHERE = {"REMOTE_ADDR": "10.1.2.3"}
MANY = 3000


@pytest.fixture
def http() -> FlaskClient:
    client = create_app().test_client()
    assert client.post("/_sim/reset", json={"fixtures": "demo"}).status_code == 200
    return client


def feed(http: FlaskClient, prefix: str = "", **query: str) -> Any:
    response = http.get(f"{prefix}/_sim/timeline", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def flow(answer: dict[str, Any], flow_id: str) -> dict[str, Any]:
    return next(f for f in answer["flows"] if f["id"] == flow_id)


def simulator(http: FlaskClient) -> Simulator:
    found: Simulator = http.application.extensions[context.MAIN_SIMULATOR]
    return found


def start_qr_link(http: FlaskClient) -> str:
    """The seller starts an official link by QR code, as Seller Center does."""
    return simulator(http).service.start_official_link("shop_acme_us").link_id


def test_a_browser_gets_the_timeline_page() -> None:
    response = create_app().test_client().get("/_sim/", headers=BROWSER)
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'data-testid="timeline"' in page and 'data-feed="/_sim/timeline"' in page
    assert "Accept" in response.headers["Vary"]


def test_an_api_client_gets_an_index_of_the_controls() -> None:
    response = create_app().test_client().get("/_sim/")
    assert response.mimetype == "application/json"
    index = response.get_json()
    assert index["timeline"] == "http://localhost/_sim/timeline"
    assert index["controls"]["flows"] == "http://localhost/_sim/flows/{flow_id}"


def test_a_sandboxs_page_reads_the_sandboxs_feed_and_lists_the_worlds_from_the_main_one(http: FlaskClient) -> None:
    sandbox = http.post("/_sim/sandboxes", json={"id": "qa"}).get_json()["id"]
    page = http.get(f"/sandboxes/{sandbox}/_sim/", headers=BROWSER).get_data(as_text=True)
    assert 'data-feed="/sandboxes/qa/_sim/timeline"' in page
    assert 'data-sandboxes="/_sim/sandboxes"' in page
    assert '<option value="qa" selected>sandbox qa</option>' in page


def test_with_a_control_token_the_page_asks_for_it_and_the_feed_wants_it() -> None:
    client = create_app(config=ServerConfig(control_token=TOKEN)).test_client()
    page = client.get("/_sim/", headers=BROWSER)
    assert page.status_code == 200
    assert 'data-token-needed="true"' in page.get_data(as_text=True)
    refused = client.get("/_sim/timeline")
    assert refused.status_code == 401 and refused.get_json()["code"] == "control_token_invalid"
    assert client.get("/_sim/timeline", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_without_a_control_token_another_machines_browser_is_turned_away_with_a_page() -> None:
    response = create_app().test_client().get("/_sim/", headers=BROWSER, environ_base=ELSEWHERE)
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert "--control-token" in response.get_data(as_text=True)


def test_a_browser_asking_for_an_unknown_sandboxs_timeline_gets_a_page_with_a_way_back() -> None:
    response = create_app().test_client().get("/sandboxes/nope/_sim/", headers=BROWSER)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert 'data-code="sandbox_not_found"' in response.get_data(as_text=True)


def test_the_feed_shows_the_worlds_time_in_words_and_utc(http: FlaskClient) -> None:
    http.post("/_sim/clock", json={"advance": "25h"})
    answer = feed(http)
    assert answer["now"] == "2026-03-03T10:00:00+00:00"
    assert answer["now_text"] == "Tuesday 3 March 2026, 10:00:00 UTC"
    assert answer["frozen"] is True and answer["movable"] is True


def test_the_feed_lists_the_parties(http: FlaskClient) -> None:
    answer = feed(http)
    assert {"shop_id": "shop_acme_us", "name": "Acme Outdoor", "region": "US", "status": "active",
            "seller": "Acme Outdoor Ltd"} in answer["shops"]
    assert any(account["username"] == "maya" for account in answer["accounts"])
    assert {"product": "Login Kit", "name": "linksim demo app", "key": "linksim_demo_key"} in answer["partner_apps"]


def test_an_unscanned_qr_link_waits_for_a_scan_by_a_holder_the_developer_names(http: FlaskClient) -> None:
    link_id = start_qr_link(http)
    link = flow(feed(http), link_id)
    assert (link["state"], link["next"], link["needs_holder"]) == ("pending_consent", "scan", True)
    assert [a["action"] for a in link["actions"]] == ["scan", "authorize", "deny", "expire"]


def test_once_scanned_the_link_knows_its_holder(http: FlaskClient) -> None:
    link_id = start_qr_link(http)
    http.post(f"/_sim/flows/{link_id}", json={"action": "next", "as": "maya"})
    link = flow(feed(http), link_id)
    assert (link["next"], link["needs_holder"], link["account"]) == ("authorize", False, "@maya")


def test_a_flow_that_ended_offers_nothing_to_force(http: FlaskClient) -> None:
    link_id = start_qr_link(http)
    http.post(f"/_sim/flows/{link_id}", json={"action": "expire"})
    link = flow(feed(http), link_id)
    assert (link["state"], link["next"], link["actions"]) == ("expired", None, [])


def test_a_pending_invitation_can_be_accepted_declined_or_expired(http: FlaskClient) -> None:
    service = simulator(http).service
    sent = service.invite_marketing_account("shop_acme_us", service.get_account_by_username("nora").open_id)
    invitation = flow(feed(http), sent.invitation_id)
    assert invitation["title"] == "Invitation from Acme Outdoor to @nora"
    assert invitation["next"] == "accept"
    assert [a["action"] for a in invitation["actions"]] == ["accept", "decline", "expire"]


def test_each_event_is_written_in_words_with_its_flow(http: FlaskClient) -> None:
    link_id = start_qr_link(http)
    http.post(f"/_sim/flows/{link_id}", json={"action": "scan", "as": "maya"})
    scanned = feed(http)["events"][-1]
    assert (scanned["kind"], scanned["flow"]) == ("link.scanned", link_id)
    assert scanned["words"] == "@maya scanned the QR code"
    assert scanned["at_text"] == "2 Mar 2026, 09:00 UTC"


def test_after_a_cursor_the_feed_answers_the_events_since(http: FlaskClient) -> None:
    first = feed(http)
    link_id = start_qr_link(http)
    later = feed(http, after=first["cursor"])
    last_seen = first["events"][-1]["seq"]
    assert later["replace"] is False
    assert [e["kind"] for e in later["events"] if e["seq"] > last_seen] == ["link.started"]
    assert later["events"][-1]["flow"] == link_id


def test_after_a_reset_the_cursor_names_no_event_and_the_events_start_again(http: FlaskClient) -> None:
    start_qr_link(http)
    cursor = feed(http)["cursor"]
    http.post("/_sim/reset", json={"fixtures": "demo"})
    answer = feed(http, after=cursor)
    assert answer["replace"] is True
    assert "link.started" not in [e["kind"] for e in answer["events"] if e["actor"] == "seller"]


@pytest.mark.parametrize("cursor", ["12", "x-0123456789", "1-0123"])
def test_a_malformed_cursor_is_invalid_input(http: FlaskClient, cursor: str) -> None:
    response = http.get("/_sim/timeline", query_string={"after": cursor})
    assert response.status_code == 400
    assert response.get_json()["violations"][0]["details"]["field"] == "after"


def test_the_feed_lists_the_worlds_fault_rules(http: FlaskClient) -> None:
    http.post("/_sim/faults", json={"path": "/seller/*", "status": 503, "times": 1})
    assert [(rule["id"], rule["status"], rule["active"]) for rule in feed(http)["faults"]] == [("flt_1", 503, True)]


def test_reading_the_feed_is_not_journaled(http: FlaskClient) -> None:
    feed(http)
    journal = http.get("/_sim/journal", query_string={"kind": "request"}).get_json()
    paths = [entry["path"] for entry in journal["entries"]]
    assert "/_sim/timeline" not in paths and "/_sim/reset" in paths


def test_reading_the_feed_settles_nothing(http: FlaskClient) -> None:
    link_id = start_qr_link(http)
    clock = simulator(http).clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(minutes=6))  # past the QR code's 5 minutes, and nobody asked since
    assert flow(feed(http), link_id)["state"] == "pending_consent"
    assert http.get(f"/_sim/links/{link_id}").get_json()["state"] == "expired"  # a party's read settles it


def test_the_start_page_leads_to_the_timeline(http: FlaskClient) -> None:
    page = http.get("/", headers=BROWSER).get_data(as_text=True)
    assert 'href="/_sim/" data-testid="go-timeline"' in page


# --- at scale ------------------------------------------------------------------------------------------------------


def test_the_feed_reads_only_what_it_shows_however_many_parties_and_flows_the_world_holds(http: FlaskClient) -> None:
    """A world of 100,000 accounts and links answers the page's polling as quickly as the demo's: the feed loads the
    newest flows and the first parties it shows, and counts the rest."""
    sim = simulator(http)
    when = sim.clock.now()
    with sim.store.unit_of_work() as repo:
        repo.session.execute(sa.insert(Account), [asdict(Account(
            open_id=f"bulk_{n}", username=f"bulk_user_{n:04d}", nickname=f"Bulk {n}", region="US"))
            for n in range(MANY)])
        repo.session.execute(sa.insert(Link), [asdict(Link(
            link_id=f"lnk_bulk_{n}", shop_id="shop_acme_us", open_id=f"bulk_{n}", role=Role.OFFICIAL,
            channel=Channel.QR, state=LinkState.EXPIRED, created_at=when - timedelta(days=1)))
            for n in range(MANY)])
    loaded: list[object] = []
    listening = (Mapper, "load", lambda target, _context: loaded.append(target))
    sa.event.listen(*listening)
    try:
        answer = feed(http)
    finally:
        sa.event.remove(*listening)

    assert answer["party_count"]["accounts"] > MANY and answer["flow_count"] > MANY
    assert len(answer["accounts"]) == PARTIES_SHOWN and len(answer["flows"]) <= 2 * FLOWS_SHOWN
    assert len(loaded) < 2 * (PARTIES_SHOWN + FLOWS_SHOWN), "it loaded what it does not show"
