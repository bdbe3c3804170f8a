"""The parties' simulator settings, changed while the world runs: how a shop's reviews end, its status, and
what an account's app and verification do (the troubleshooting cases, on demand).

``POST /_sim/shops/<id>/settings`` and ``POST /_sim/accounts/<username or open_id>/settings`` take any of
their fields; each one given is applied (and journaled) in turn, and the answer is the party as it is now.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum
from typing import Any

from flask import Blueprint
from flask import jsonify

from auth_server.domain import codes
from auth_server.domain.accounts import Account
from auth_server.domain.accounts import AppFault
from auth_server.domain.accounts import Standing
from auth_server.domain.accounts import VerificationOutcome
from auth_server.domain.clock import parse_duration
from auth_server.domain.errors import Refused
from auth_server.domain.events import plain
from auth_server.domain.shops import ReviewMode
from auth_server.domain.shops import Shop
from auth_server.domain.shops import ShopStatus
from auth_server.web import context
from auth_server.web.control.access import controls_only
from auth_server.web.control.bodies import account_named
from auth_server.web.control.bodies import json_object

bp = Blueprint("control_settings", __name__, url_prefix="/_sim")
bp.before_request(controls_only)

SHOP_FIELDS = ("review", "review_delay", "status", "probation")
ACCOUNT_FIELDS = ("app_fault", "standing", "verification_outcome", "verification_delay")


@bp.post("/shops/<shop_id>/settings")
def shop_settings(shop_id: str) -> Any:
    """``{"review": "manual"}`` (auto, manual, reject, or default: the market's), ``"review_delay": "2h"``,
    ``"status": "suspended"`` (active, pending_approval, suspended), ``"probation": "30d"`` (left from now, as a data
    file gives it; ``null`` ends it now)."""
    body = _fields(SHOP_FIELDS)
    service = context.service()
    shop = service.get_shop(shop_id)
    changes: list[Callable[[], Shop]] = []
    if "review" in body or "review_delay" in body:
        mode = body.get("review", shop.review_mode.value if shop.review_mode else "default")
        review = None if mode == "default" else _choice(ReviewMode, mode, "review", extra=("default",))
        delay = _duration(body["review_delay"], "review_delay") if "review_delay" in body else shop.review_delay
        changes.append(lambda: service.set_review(shop_id, review, delay))
    if "status" in body:
        status = _choice(ShopStatus, body["status"], "status")
        changes.append(lambda: service.set_shop_status(shop_id, status))
    if "probation" in body:
        until = None if body["probation"] is None else context.now() + _duration(body["probation"], "probation")
        changes.append(lambda: service.set_shop_status(shop_id, probation_until=until))
    for change in changes:  # every field was checked before the first change
        change()
    return jsonify(plain(service.get_shop(shop_id)))


@bp.post("/accounts/<account>/settings")
def account_settings(account: str) -> Any:
    """``{"app_fault": "qr_unreadable"}`` (or authorization_failed, none), ``"standing": "restricted"``,
    ``"verification_outcome": "fail"`` (pass, fail, stay_pending) with ``"verification_delay": "1h"``."""
    body = _fields(ACCOUNT_FIELDS)
    service = context.service()
    open_id = account_named(service, account, "account").open_id
    changes: list[Callable[[], Account]] = []
    if "app_fault" in body:
        fault = _choice(AppFault, body["app_fault"], "app_fault")
        changes.append(lambda: service.set_app_fault(open_id, fault))
    if "standing" in body:
        standing = _choice(Standing, body["standing"], "standing")
        changes.append(lambda: service.set_standing(open_id, standing))
    if "verification_outcome" in body or "verification_delay" in body:
        current = service.get_account(open_id).verification_outcome.value
        outcome = _choice(VerificationOutcome, body.get("verification_outcome", current),
                          "verification_outcome")
        delay = _duration(body["verification_delay"], "verification_delay") if "verification_delay" in body else None
        changes.append(lambda: service.set_verification_outcome(open_id, outcome, delay=delay))
    for change in changes:  # every field was checked before the first change
        change()
    return jsonify(plain(service.get_account(open_id)))


def _fields(allowed: tuple[str, ...]) -> dict[str, Any]:
    body = json_object()
    unknown = sorted(set(body) - set(allowed))
    if unknown or not body:
        raise Refused.because(codes.INVALID_INPUT, field=", ".join(unknown) or "body",
                              problem=f"give one or more of: {', '.join(allowed)}")
    return body


def _choice(kind: type[StrEnum], value: Any, field: str, *, extra: tuple[str, ...] = ()) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise Refused.because(codes.INVALID_INPUT, field=field,
                              problem=f"choose one of: {', '.join([*(m.value for m in kind), *extra])}") from None


def _duration(value: Any, field: str) -> timedelta:
    try:
        return parse_duration(str(value))
    except ValueError as error:
        raise Refused.because(codes.INVALID_INPUT, field=field, problem=str(error)) from None
