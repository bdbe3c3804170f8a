"""The simulator's own controls over HTTP (``/_sim/...``), open to loopback callers only.

Registering partner apps at runtime, reading and moving the simulated clock, and starting over from a data
file. The rest of the test-control plane (faults, journal, sandboxes) grows here.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from flask import Blueprint
from flask import abort
from flask import jsonify
from flask import request

from auth_server import fixtures
from auth_server.domain import codes
from auth_server.domain.clock import ManualClock
from auth_server.domain.clock import parse_duration
from auth_server.domain.clock import parse_time
from auth_server.domain.errors import Refused
from auth_server.simulator import builtin_markets
from auth_server.web.holder import simulator

bp = Blueprint("control", __name__, url_prefix="/_sim")


@bp.before_request
def loopback_only() -> None:
    try:
        loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        abort(403, "The simulator's controls answer loopback callers only.")
    if request.method == "POST" and not request.is_json:
        # A page in the developer's browser could post a form here; it cannot send JSON without a preflight.
        abort(415, "Send the controls JSON (Content-Type: application/json).")


@bp.post("/partner-apps")
def create_partner_app() -> Any:
    """Register a partner app (the same fields as a data file's ``partner_apps``)."""
    body = request.get_json(silent=True)
    try:
        data = fixtures.validate_partner_app(body)
        with simulator().store.unit_of_work() as repo:
            app = fixtures.add_partner_app(repo, data, simulator().clock.now())
    except fixtures.FixtureError as error:
        raise Refused.because(codes.INVALID_INPUT, field="body", problem=str(error)) from None
    return jsonify({"client_key": app.client_key, "name": app.name, "redirect_uris": app.redirect_uris,
                    "scopes": app.scopes, "grant_types": app.grant_types}), 201


def _manual_clock() -> ManualClock:
    clock = simulator().clock
    if not isinstance(clock, ManualClock):
        raise Refused.because(codes.INVALID_INPUT, field="clock",
                              problem="this server runs on the system clock, which cannot be moved")
    return clock


def _clock_view(clock: ManualClock) -> Any:
    return jsonify({"now": clock.now().isoformat(), "frozen": clock.frozen})


@bp.get("/clock")
def read_clock() -> Any:
    return _clock_view(_manual_clock())


@bp.post("/clock")
def move_clock() -> Any:
    """``{"advance": "25h"}``, ``{"set": "2026-04-01T00:00:00Z"}``, ``{"freeze": true}`` or ``{"freeze": false}``."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not body.keys() & {"advance", "set", "freeze"}:
        raise Refused.because(codes.INVALID_INPUT, field="body",
                              problem='send {"advance": "25h"}, {"set": "<ISO time>"} or {"freeze": true|false}')
    clock = _manual_clock()
    try:
        if "set" in body:
            clock.set(parse_time(str(body["set"])))
        if "advance" in body:
            clock.advance(parse_duration(str(body["advance"])))
    except ValueError as error:
        raise Refused.because(codes.INVALID_INPUT, field="clock", problem=str(error)) from None
    if body.get("freeze") is True:
        clock.freeze()
    elif body.get("freeze") is False:
        clock.unfreeze()
    simulator().service.settle()
    return _clock_view(clock)


@bp.post("/reset")
def reset() -> Any:
    """Start over: an empty store, then ``{"fixtures": "demo"}`` or ``{"data": {...a data file as JSON...}}``.

    The clock is set to the data's ``start`` (and frozen, as the command line does).
    """
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        raise Refused.because(codes.INVALID_INPUT, field="body", problem="send a JSON object")
    sim = simulator()
    try:
        data = fixtures.read(fixtures.DEMO) if body.get("fixtures") == fixtures.DEMO else fixtures.validate(
            body.get("data", {}), "the data")
        markets = fixtures.markets_of(data, builtin_markets())
    except fixtures.FixtureError as error:
        raise Refused.because(codes.INVALID_INPUT, field="body", problem=str(error)) from None
    clock = _manual_clock()
    sim.store.reset()
    sim.markets = sim.service.markets = markets
    loaded = fixtures.load(sim.service, data, now=clock.now())
    clock.set(loaded.start)
    clock.freeze()
    return jsonify({"sellers": loaded.sellers, "shops": loaded.shops, "accounts": loaded.accounts,
                    "partner_apps": loaded.partner_apps, "history": loaded.history,
                    "clock": loaded.start.isoformat()})
