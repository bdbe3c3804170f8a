"""Sandboxes: isolated worlds that parallel tests create, use through a path prefix or a header, and delete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import jsonify
from flask import request
from flask import url_for

from auth_server import fixtures
from auth_server.domain import codes
from auth_server.domain.clock import parse_time
from auth_server.domain.errors import Refused
from auth_server.web import context
from auth_server.web.control.access import controls_only
from auth_server.web.control.bodies import data_of
from auth_server.web.control.bodies import json_object
from auth_server.web.sandboxing import HEADER
from auth_server.web.sandboxing import PATH_PREFIX
from auth_server.worlds import HostedWorld

bp = Blueprint("sandboxes", __name__, url_prefix="/_sim/sandboxes")
bp.before_request(controls_only)


@bp.before_request
def from_the_main_world() -> None:
    if context.world().is_sandbox:
        raise Refused.because(codes.INVALID_INPUT, field="path",
                              problem="sandboxes are made from the main world: call /_sim/sandboxes without a "
                                      "sandbox prefix or header")


def sandbox_view(sandbox: HostedWorld) -> dict[str, Any]:
    root = request.host_url.rstrip("/") + request.script_root
    return {"id": sandbox.id, "base_url": f"{root}{PATH_PREFIX}{sandbox.id}", "header": {HEADER: sandbox.id},
            "clock": sandbox.simulator.clock.now().isoformat()}


@bp.post("")
def create_sandbox() -> Any:
    """``{}``, or ``{"id": "my-test", "start": "<ISO time>", "fixtures": "demo"}`` or ``{"data": {...}}``."""
    body = json_object()
    try:
        start = parse_time(str(body["start"])) if body.get("start") is not None else None
    except ValueError as error:
        raise Refused.because(codes.INVALID_INPUT, field="start", problem=str(error)) from None
    try:
        sandbox = context.worlds().create(body.get("id"), data=data_of(body), start=start)
    except fixtures.FixtureError as error:
        raise Refused.because(codes.INVALID_INPUT, field="data", problem=str(error)) from None
    view = sandbox_view(sandbox)
    return jsonify(view), 201, {"Location": url_for("sandboxes.read_sandbox", sandbox_id=sandbox.id)}


@bp.get("")
def list_sandboxes() -> Any:
    every = context.worlds().sandboxes()
    return jsonify({"sandboxes": [sandbox_view(s) for s in every], "count": len(every),
                    "limit": context.worlds().limit})


@bp.get("/<sandbox_id>")
def read_sandbox(sandbox_id: str) -> Any:
    return jsonify(sandbox_view(context.worlds().get(sandbox_id)))


@bp.delete("/<sandbox_id>")
def delete_sandbox(sandbox_id: str) -> Any:
    context.worlds().delete(sandbox_id)
    return "", 204
