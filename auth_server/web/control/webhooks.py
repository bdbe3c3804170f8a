"""The webhooks of the request's world: what was sent, to whom, and each attempt; and a way to send what is due now.

``GET /_sim/webhooks?app_key=&event=&state=pending|delivered|given_up&limit=`` answers ``{webhooks, count}``,
newest first, each with its attempts. ``POST /_sim/webhooks/deliver`` runs the delivery loop's turn for this
world in the request (expiry warnings due, webhooks of new linking events, every delivery due on the world's
clock) and answers the attempts it made: for tests and users who do not want to wait for the loop.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import jsonify
from flask import request

from auth_server.domain import codes
from auth_server.domain.errors import Refused
from auth_server.shop_partner.delivery import STATES
from auth_server.shop_partner.delivery import view
from auth_server.web import context
from auth_server.web.control.access import controls_only
from auth_server.web.control.bodies import json_object

bp = Blueprint("webhooks", __name__, url_prefix="/_sim/webhooks")
bp.before_request(controls_only)

FILTERS = ("app_key", "event", "state", "limit")
MAX_TEXT = 200
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@bp.get("")
def list_webhooks() -> Any:
    args = request.args.to_dict(flat=False)
    unknown = sorted(set(args) - set(FILTERS))
    if unknown:
        raise _invalid(unknown[0], f"not a filter of the webhooks: use {', '.join(FILTERS)}")
    values: dict[str, str] = {}
    for name, given in args.items():
        if len(given) != 1 or not given[0].strip() or len(given[0]) > MAX_TEXT:
            raise _invalid(name, f"give it once, 1 to {MAX_TEXT} characters")
        values[name] = given[0].strip()
    if values.get("state") not in (None, *STATES):
        raise _invalid("state", f"use {', '.join(STATES)}")
    limit = DEFAULT_LIMIT
    if "limit" in values:
        if not values["limit"].isdecimal() or not 1 <= int(values["limit"]) <= MAX_LIMIT:
            raise _invalid("limit", f"give a whole number from 1 to {MAX_LIMIT}")
        limit = int(values["limit"])
    found = context.world().webhooks.deliveries(app_key=values.get("app_key"), event=values.get("event"),
                                                state=values.get("state"))
    shown = [view(delivery) for delivery in found[:limit]]
    return jsonify({"webhooks": shown, "count": len(shown), "more": len(found) > limit, "world": context.world().id})


@bp.post("/deliver")
def deliver_now() -> Any:
    """Send what is due on this world's clock now, in this request; answers each attempt made."""
    json_object()  # an empty body, or an empty object: nothing to choose yet
    attempted = context.webhooks().run_world(context.world())
    made = [{"delivery_id": delivery.delivery_id, "event": delivery.event, "url": delivery.url,
             "app_key": delivery.app_key, **attempt} for delivery, attempt in attempted]
    return jsonify({"attempted": made, "count": len(made), "world": context.world().id})


def _invalid(field: str, problem: str) -> Refused:
    return Refused.because(codes.INVALID_INPUT, field=field, problem=problem)
