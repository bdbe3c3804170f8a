"""A receiver that keeps failing: five attempts on the world's clock, at +0, +2 min, +32 min, +3 h 32 min and
+15 h 32 min, then none, whether the clock moves step by step or in one jump."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any

from tests.webhooks.conftest import Linksim
from tests.webhooks.conftest import Receiver
from tests.webhooks.conftest import authorize_seller
from tests.webhooks.conftest import demo_with_webhooks
from tests.webhooks.conftest import load

DUE_AFTER = [timedelta(0), timedelta(minutes=2), timedelta(minutes=32), timedelta(hours=3, minutes=32),
             timedelta(hours=15, minutes=32)]


def removed_app(linksim_app: Linksim, receiver: Receiver) -> datetime:
    """Nordic Home (one shop) removes the app; the webhook is due now. Answers that time."""
    world = linksim_app.world
    load(world, demo_with_webhooks(receiver.url))
    grant = authorize_seller(world, "seller@nordic.example")
    world.shop_partner.deauthorize(grant.grant_id, grant.party_id)
    return world.simulator.clock.now()


def the_webhook(linksim_app: Linksim) -> dict[str, Any]:
    [webhook] = linksim_app.control("GET", "/_sim/webhooks")["webhooks"]
    return webhook  # type: ignore[no-any-return]


def test_a_failing_receiver_gets_five_attempts_as_the_clock_moves_step_by_step(
        linksim_app: Linksim, receiver: Receiver) -> None:
    receiver.status = 500
    start = removed_app(linksim_app, receiver)
    moved = timedelta(0)
    linksim_app.deliver()
    assert len(the_webhook(linksim_app)["attempts"]) == 1
    for attempt, due in enumerate(DUE_AFTER[1:], start=2):
        linksim_app.advance(f"{int((due - moved).total_seconds()) - 1}s")
        linksim_app.deliver()
        assert len(the_webhook(linksim_app)["attempts"]) == attempt - 1, "not due a second early"
        linksim_app.advance("1s")
        linksim_app.deliver()
        moved = due
        assert len(the_webhook(linksim_app)["attempts"]) == attempt
    linksim_app.advance("30d")
    linksim_app.deliver()

    webhook = the_webhook(linksim_app)
    assert [a["at"] for a in webhook["attempts"]] == [(start + d).isoformat() for d in DUE_AFTER]
    assert [(a["outcome"], a["status"]) for a in webhook["attempts"]] == [("failed", 500)] * 5
    assert webhook["state"] == "given_up" and webhook["due_at"] is None
    assert len(receiver.received) == 5


def test_a_clock_moved_a_day_at_once_runs_every_attempt_in_order(linksim_app: Linksim, receiver: Receiver) -> None:
    receiver.status = 503
    start = removed_app(linksim_app, receiver)
    linksim_app.advance("1d")
    linksim_app.deliver()

    webhook = the_webhook(linksim_app)
    assert [a["due_at"] for a in webhook["attempts"]] == [(start + d).isoformat() for d in DUE_AFTER]
    assert [a["n"] for a in webhook["attempts"]] == [1, 2, 3, 4, 5]
    assert webhook["state"] == "given_up"
    assert len(receiver.received) == 5
