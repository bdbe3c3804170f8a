"""Fault rules reach outgoing webhooks (``webhook: true``), and every attempt is in the request journal."""

from __future__ import annotations

from tests.webhooks.conftest import Linksim
from tests.webhooks.conftest import Receiver
from tests.webhooks.conftest import authorize_seller
from tests.webhooks.conftest import demo_with_webhooks
from tests.webhooks.conftest import load


def test_a_fault_rule_makes_a_receiver_fail_and_every_attempt_is_in_the_journal(
        linksim_app: Linksim, receiver: Receiver) -> None:
    world = linksim_app.world
    load(world, demo_with_webhooks(receiver.url))
    fault = linksim_app.control("POST", "/_sim/faults", {"webhook": True, "url": "*/tiktok/*", "status": 502,
                                                         "times": 1})
    grant = authorize_seller(world, "seller@nordic.example")
    world.shop_partner.deauthorize(grant.grant_id, grant.party_id)

    linksim_app.deliver()
    linksim_app.advance("2m")
    linksim_app.deliver()

    [webhook] = linksim_app.control("GET", "/_sim/webhooks")["webhooks"]
    assert [(a["status"], a["fault_id"]) for a in webhook["attempts"]] == [(502, fault["id"]), (200, None)]
    assert len(receiver.received) == 1  # the faulted attempt never reached it
    journal = linksim_app.control("GET", "/_sim/journal?kind=request")["entries"]
    sent = [entry for entry in journal if entry["direction"] == "out"]
    assert [(e["method"], e["path"], e["status"], e["fault_id"]) for e in sent] == [
        ("POST", "/tiktok/webhooks", 502, fault["id"]), ("POST", "/tiktok/webhooks", 200, None)]
    assert [e["webhook"]["delivery_id"] for e in sent] == [webhook["delivery_id"]] * 2
    assert [e["webhook"]["url"] for e in sent] == [receiver.url] * 2
    assert [e["webhook"]["attempt"] for e in sent] == [1, 2]
    assert all(e["duration_ms"] is not None for e in sent)


def test_a_silent_receiver_times_out_after_3_seconds(linksim_app: Linksim, receiver: Receiver) -> None:
    world = linksim_app.world
    load(world, demo_with_webhooks(receiver.url))
    linksim_app.control("POST", "/_sim/faults", {"webhook": True, "silent": True})
    grant = authorize_seller(world, "seller@nordic.example")
    world.shop_partner.deauthorize(grant.grant_id, grant.party_id)

    linksim_app.deliver()

    [webhook] = linksim_app.control("GET", "/_sim/webhooks")["webhooks"]
    [attempt] = webhook["attempts"]
    assert (attempt["outcome"], attempt["status"], attempt["error"]) == ("failed", None, "timeout")
    assert 2900 <= attempt["elapsed_ms"] < 4000


def test_a_webhook_rule_matches_by_url_not_by_path(linksim_app: Linksim) -> None:
    answer = linksim_app.client.post("/_sim/faults", json={"webhook": True, "path": "/x", "status": 500})
    assert answer.status_code == 400 and answer.get_json()["violations"][0]["details"]["field"] == "path"
    answer = linksim_app.client.post("/_sim/faults", json={"webhook": True, "code": "qr_expired"})
    assert answer.status_code == 400 and answer.get_json()["violations"][0]["details"]["field"] == "code"


def test_a_webhook_rule_is_shown_with_no_path_and_a_request_rule_with_no_url(linksim_app: Linksim) -> None:
    webhook = linksim_app.control("POST", "/_sim/faults", {"webhook": True, "silent": True})
    request = linksim_app.control("POST", "/_sim/faults", {"path": "/v2/oauth/token*", "status": 503})
    assert (webhook["path"], webhook["url"]) == (None, "*")
    assert (request["path"], request["url"]) == ("/v2/oauth/token*", None)
