"""linksim's own linking events as webhooks: an app that opted in hears of them, in TikTok Shop's envelope; an
app that did not hears nothing."""

from __future__ import annotations

from tests.webhooks.conftest import Linksim
from tests.webhooks.conftest import Receiver
from tests.webhooks.conftest import authorize_seller
from tests.webhooks.conftest import demo_with_webhooks
from tests.webhooks.conftest import load
from tests.webhooks.conftest import second_app
from tests.webhooks.conftest import signature


def test_a_linking_event_reaches_the_app_that_opted_in_and_not_the_one_that_did_not(
        linksim_app: Linksim, receiver: Receiver, other_receiver: Receiver) -> None:
    world = linksim_app.world
    data = demo_with_webhooks(receiver.url, events=["LINK_ACTIVE", "INVITATION_ACCEPTED"])
    data["partner_apps"].append(second_app(other_receiver.url, events=["LINK_UNLINKED"]))  # another event only
    load(world, data)
    authorize_seller(world)
    authorize_seller(world, app_key="7other0app")
    service = world.simulator.service
    with world.simulator.store.unit_of_work() as repo:
        nora = repo.account_by_username("nora")
    invitation = service.invite_marketing_account("shop_acme_us", nora.open_id)
    service.answer_invitation(invitation.invitation_id, nora.open_id, accept=True)

    linksim_app.deliver()

    bodies = {r.json()["type"]: r for r in receiver.received}
    # Only what happened since the authorization: the demo's history (Acme's links 10 days ago) sends nothing.
    assert sorted(r.json()["type"] for r in receiver.received) == ["INVITATION_ACCEPTED", "LINK_ACTIVE"]
    active = bodies["LINK_ACTIVE"]
    assert active.headers["Authorization"] == signature(active.body)
    body = active.json()
    link_id = body["data"]["link_id"]
    assert body == {"type": "LINK_ACTIVE", "tts_notification_id": body["tts_notification_id"],
                    "shop_id": "shop_acme_us", "timestamp": int(world.simulator.clock.now().timestamp()),
                    "data": {"link_id": link_id, "open_id": nora.open_id, "role": "marketing", "state": "active",
                             "reason": None}}
    assert bodies["INVITATION_ACCEPTED"].json()["data"] == {
        "invitation_id": invitation.invitation_id, "open_id": nora.open_id, "state": "accepted", "link_id": link_id}
    assert other_receiver.received == []
