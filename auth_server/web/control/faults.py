"""Fault rules over HTTP: add, list, read and lift the faults of the request's world (docs/faults.md).

Each world has its own rules, so a fault added through a sandbox's prefix or header never touches another.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import jsonify
from flask import url_for

from auth_server.control.fault_plan import FaultPlan
from auth_server.control.stored_faults import StoredFaultPlan
from auth_server.web import context
from auth_server.web.control.access import controls_only
from auth_server.web.control.bodies import json_object

bp = Blueprint("faults", __name__, url_prefix="/_sim/faults")
bp.before_request(controls_only)


def plan() -> FaultPlan | StoredFaultPlan:
    return context.world().faults


@bp.post("")
def add_fault() -> Any:
    """``{"path": "/v2/oauth/token*", "status": 503, "times": 1}``, or ``{"preset": "app_silent"}``, ..."""
    rule = plan().add(json_object())
    return jsonify(rule.as_dict()), 201, {"Location": url_for("faults.read_fault", fault_id=rule.id)}


@bp.get("")
def list_faults() -> Any:
    rules = plan().rules()
    return jsonify({"faults": [rule.as_dict() for rule in rules], "count": len(rules)})


@bp.get("/<fault_id>")
def read_fault(fault_id: str) -> Any:
    return jsonify(plan().get(fault_id).as_dict())


@bp.delete("/<fault_id>")
def delete_fault(fault_id: str) -> Any:
    """Lift one rule; requests it is holding go on at once. Answers the rule with its final counters."""
    return jsonify(plan().remove(fault_id).as_dict())


@bp.delete("")
def clear_faults() -> Any:
    return jsonify({"removed": plan().clear()})
