"""What the controls read from a request: a JSON object, the data file it carries, an account it names."""

from __future__ import annotations

from typing import Any

from flask import request

from auth_server import fixtures
from auth_server.domain import codes
from auth_server.domain.accounts import Account
from auth_server.domain.errors import Refused
from auth_server.domain.service import LinkingService


def json_object() -> dict[str, Any]:
    body = request.get_json(silent=True) if request.data else {}
    if not isinstance(body, dict):
        raise Refused.because(codes.INVALID_INPUT, field="body", problem="send a JSON object")
    return body


def data_of(body: dict[str, Any]) -> dict[str, Any] | None:
    """The data file a body carries: ``{"fixtures": "demo"}``, or ``{"data": {...a data file as JSON...}}``."""
    if body.get("fixtures") is not None and body.get("data") is not None:
        raise Refused.because(codes.INVALID_INPUT, field="body", problem='give "fixtures" or "data", not both')
    try:
        if body.get("fixtures") is not None:
            if body["fixtures"] != fixtures.DEMO:
                raise fixtures.FixtureError('"fixtures" names a built-in data set, and there is one: "demo"')
            return fixtures.read(fixtures.DEMO)
        if body.get("data") is not None:
            return fixtures.validate(body["data"], "the data")
    except fixtures.FixtureError as error:
        raise Refused.because(codes.INVALID_INPUT, field="body", problem=str(error)) from None
    return None


def account_named(service: LinkingService, name: Any, field: str) -> Account:
    """An account by its username (with or without the @) or its open_id: tests know either."""
    if not isinstance(name, str) or not name.strip():
        raise Refused.because(codes.INVALID_INPUT, field=field, problem="give a username or an open_id")
    try:
        return service.get_account_by_username(name)
    except Refused:
        return service.get_account(name)
