"""Who may use the controls: callers on the server's own machine, or anyone with the control token."""

from __future__ import annotations

import ipaddress

from flask import abort
from flask import request

from auth_server.web import context
from auth_server.web import guard

LOOPBACK_ONLY = ("The simulator's controls answer loopback callers only: start the server with --control-token to "
                 "open them to other machines.")


def controls_only() -> None:
    """A blueprint's ``before_request``: loopback callers, or the configured control token, and JSON only."""
    token = context.config().control_token
    if token is not None:
        guard.require_control_token(token)
    elif not from_loopback():
        abort(403, LOOPBACK_ONLY)
    if request.method == "POST" and not request.is_json:
        # A page in the developer's browser could post a form here (even an empty one); it cannot send JSON
        # without a preflight. Other methods need a preflight anyway.
        abort(415, "Send the controls JSON (Content-Type: application/json).")


def from_loopback() -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False
