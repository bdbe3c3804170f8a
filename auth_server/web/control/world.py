"""Controls over the request's world: its parties, its partner apps, its clock, and starting over."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import jsonify
from flask import request

from auth_server import fixtures
from auth_server.domain import codes
from auth_server.domain.clock import ManualClock
from auth_server.domain.clock import SystemClock
from auth_server.domain.clock import parse_duration
from auth_server.domain.clock import parse_time
from auth_server.domain.errors import Refused
from auth_server.web import context
from auth_server.web.control.access import controls_only
from auth_server.web.control.bodies import data_of
from auth_server.web.control.bodies import json_object

bp = Blueprint("control", __name__, url_prefix="/_sim")
bp.before_request(controls_only)


def loaded_view(loaded: fixtures.Loaded) -> dict[str, Any]:
    return {"sellers": loaded.sellers, "shops": loaded.shops, "accounts": loaded.accounts,
            "partner_apps": loaded.partner_apps, "history": loaded.history}


@bp.post("/partner-apps")
def create_partner_app() -> Any:
    """Register a partner app (the same fields as a data file's ``partner_apps``)."""
    simulator = context.world().simulator
    try:
        data = fixtures.validate_partner_app(request.get_json(silent=True))
        with simulator.store.unit_of_work() as repo:
            app = fixtures.add_partner_app(repo, data, simulator.clock.now())
    except fixtures.FixtureError as error:
        raise Refused.because(codes.INVALID_INPUT, field="body", problem=str(error)) from None
    return jsonify({"client_key": app.client_key, "name": app.name, "redirect_uris": app.redirect_uris,
                    "scopes": app.scopes, "grant_types": app.grant_types, "developer": app.developer_id}), 201


@bp.post("/parties")
def add_parties() -> Any:
    """Add sellers, shops, accounts and partner apps to the world, as a data file names them; the clock stays."""
    data = data_of(json_object())
    if data is None:
        raise Refused.because(codes.INVALID_INPUT, field="body",
                              problem='send {"data": {...}} with the sellers, accounts and partner_apps to add')
    try:
        loaded = context.world().load(data, replace=False)
    except fixtures.FixtureError as error:
        raise Refused.because(codes.INVALID_INPUT, field="data", problem=str(error)) from None
    return jsonify(loaded_view(loaded)), 201


@bp.post("/reset")
def reset() -> Any:
    """Start over: an empty store, then ``{"fixtures": "demo"}`` or ``{"data": {...}}``.

    The clock is set to the data's ``start`` (and frozen, as the command line does).
    """
    data = data_of(json_object()) or {}
    _manual_clock()
    try:
        loaded = context.world().load(data, replace=True)
    except fixtures.FixtureError as error:
        raise Refused.because(codes.INVALID_INPUT, field="data", problem=str(error)) from None
    return jsonify({**loaded_view(loaded), "clock": loaded.start.isoformat()})


def _manual_clock() -> ManualClock:
    clock = context.world().simulator.clock
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
    """``{"advance": "25h"}``, ``{"set": "2026-04-01T00:00:00Z"}`` (or ``"now"``, the real time: what clients that sign
    with the real time, like TikTok Shop SDKs, need), ``{"freeze": true}`` or ``{"freeze": false}``.

    Whatever came due by the new time (reviews, expiries, verifications) settles before the answer.
    """
    body = json_object()
    if not body.keys() & {"advance", "set", "freeze"}:
        raise Refused.because(codes.INVALID_INPUT, field="body",
                              problem='send {"advance": "25h"}, {"set": "<ISO time>"} or {"freeze": true|false}')
    if "freeze" in body and not isinstance(body["freeze"], bool):
        raise Refused.because(codes.INVALID_INPUT, field="freeze", problem="give true or false")
    clock = _manual_clock()

    def change(clock: ManualClock) -> None:
        if body.get("set") == "now":
            clock.set(SystemClock().now())
        elif "set" in body:
            clock.set(parse_time(str(body["set"])))
        if "advance" in body:
            clock.advance(parse_duration(str(body["advance"])))
        if body.get("freeze") is True:
            clock.freeze()
        elif body.get("freeze") is False:
            clock.unfreeze()

    try:  # a served database keeps the move before anyone sees it: a restart, even after a crash, goes on from here
        context.simulator().move_clock(change)
    except ValueError as error:
        raise Refused.because(codes.INVALID_INPUT, field="clock", problem=str(error)) from None
    context.service().settle()
    return _clock_view(clock)
