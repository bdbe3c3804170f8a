"""The simulator's own controls over HTTP (``/_sim/...``), open to loopback callers only.

For now: registering partner apps at runtime. The test-control plane (clock, faults, journal, sandboxes)
grows here.
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
from auth_server.domain.errors import Refused
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
