"""The developer's timeline of a world at ``/_sim/`` (docs/control-plane.md#the-timeline), and the feed it reads.

``GET /_sim/`` answers a browser with the page and any other client with an index of the controls.
``GET /_sim/timeline?after=<cursor>`` is the page's feed: the world's clock, parties, flows, fault rules and its
events after the cursor. The page is a shell: everything it shows comes from the feed, which the page asks every
second, sending the control token the developer typed (kept in the tab's sessionStorage) when the server has one.
The page's buttons call the controls themselves (``/_sim/clock``, ``/_sim/flows/<id>``, ``/_sim/faults``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import abort
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from flask import url_for

from auth_server.domain import codes
from auth_server.domain.clock import ManualClock
from auth_server.domain.errors import Refused
from auth_server.oauth.models import PartnerApp
from auth_server.shop_partner.models import ShopApp
from auth_server.web import context
from auth_server.web import errors
from auth_server.web import sandboxing
from auth_server.web.control.access import LOOPBACK_ONLY
from auth_server.web.control.access import controls_only
from auth_server.web.control.access import from_loopback
from auth_server.web.control.timeline_feed import Cursor
from auth_server.web.control.timeline_feed import apps_view
from auth_server.web.control.timeline_feed import feed

bp = Blueprint("timeline", __name__, url_prefix="/_sim")

ADVANCES = (("1h", "+1 hour"), ("24h", "+24 hours"), ("48h", "+48 hours"), ("180d", "+180 days"))
FAULT_STATUSES = (500, 502, 503, 504, 429, 400, 401, 403, 404, 409)


@bp.before_request
def gate() -> None:
    """The controls' gate; the page itself, which a browser opens without a header, asks for the token instead."""
    if request.endpoint == "timeline.index" and errors.wants_page():
        if context.config().control_token is None and not from_loopback():
            abort(403, LOOPBACK_ONLY)  # answered with a page: web/errors.py answers a browser here with pages
        return
    controls_only()


@bp.get("/")
def index() -> Any:
    """The timeline page for a browser; for an API client, where the controls are."""
    if errors.wants_page():
        response = render_page()
    else:
        response = jsonify(controls_index())
    response.vary.add("Accept")
    return response


def render_page() -> Any:
    here = context.world()
    root = sandboxing.root_outside_sandbox()
    page = render_template(
        "timeline/timeline.html",
        world=here,
        token_needed=context.config().control_token is not None,
        urls={"feed": url_for("timeline.feed_of_the_world"), "clock": url_for("control.move_clock"),
              "flows": url_for("control_flows.force", flow_id="FLOW").removesuffix("FLOW"),
              "faults": url_for("faults.add_fault"), "sandboxes": f"{root}/_sim/sandboxes",
              "main": f"{root}/_sim/", "sandbox": f"{root}{sandboxing.PATH_PREFIX}"},
        advances=ADVANCES,
        fault_statuses=FAULT_STATUSES,
        refusal_codes=sorted(codes.CATALOGUE),
    )
    return make_response(page)


def controls_index() -> dict[str, Any]:
    def at(endpoint: str, **values: str) -> str:
        return url_for(endpoint, _external=True, **values)

    return {
        "world": context.world().id,
        "page": "open this address in a browser for the world's timeline",
        "timeline": at("timeline.feed_of_the_world"),
        "controls": {
            "clock": at("control.read_clock"),
            "reset": at("control.reset"),
            "parties": at("control.add_parties"),
            "partner_apps": at("control.create_partner_app"),
            "flows": at("control_flows.force", flow_id="{flow_id}").replace("%7B", "{").replace("%7D", "}"),
            "faults": at("faults.list_faults"),
            "journal": at("journal.read_journal"),
            "webhooks": at("webhooks.list_webhooks"),
            "sandboxes": at("sandboxes.list_sandboxes"),
        },
        "docs": "docs/control-plane.md",
    }


@bp.get("/timeline")
def feed_of_the_world() -> Any:
    """``?after=<cursor>``: the events after the cursor the last answer gave; without it, the latest ones."""
    unknown = sorted(set(request.args) - {"after"})
    if unknown:
        raise Refused.because(codes.INVALID_INPUT, field=unknown[0], problem="the timeline takes one parameter: after")
    cursor = None
    given = request.args.getlist("after")
    if len(given) > 1:
        raise Refused.because(codes.INVALID_INPUT, field="after", problem="give it once")
    if given:
        try:
            cursor = Cursor.parse(given[0])
        except ValueError as error:
            raise Refused.because(codes.INVALID_INPUT, field="after", problem=str(error)) from None
    here = context.world()
    clock = here.simulator.clock
    now = clock.now()
    with here.simulator.store.reading() as repo:
        apps = apps_view(repo.all_of(PartnerApp, order_by="client_key"), repo.all_of(ShopApp, order_by="app_key"))
        answer = feed(repo, now, cursor, apps)
    rules = here.faults.rules()
    return jsonify({
        "world": here.id,
        "sandbox": here.is_sandbox,
        "frozen": clock.frozen if isinstance(clock, ManualClock) else False,
        "movable": isinstance(clock, ManualClock),
        **answer,
        "faults": [rule.as_dict() for rule in rules],
    })
