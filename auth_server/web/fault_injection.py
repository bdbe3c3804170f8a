"""Fault rules applied to requests: a ``before_request`` hook that answers as the endpoint's own family would.

A client under test must not be able to tell an injected failure from a real one by its shape, so each answer
takes the wire format of the endpoint it hits: TikTok's OAuth errors on ``/v2/oauth/``, TikTok's API envelope
on the rest of ``/v2/``, RFC 6749 errors on ``/oauth/``, the refusal JSON on ``/api/``, the error page on the
screens. The rules themselves (matching, counting, validation) are in :mod:`auth_server.control.fault_plan`.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import Any

from flask import g
from flask import jsonify
from flask import make_response
from flask import request
from werkzeug.exceptions import GatewayTimeout
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import default_exceptions

from auth_server.control.fault_plan import NEVER_FAULTED
from auth_server.control.fault_plan import FaultRule
from auth_server.domain import codes
from auth_server.domain.codes import Kind
from auth_server.domain.errors import Refused
from auth_server.oauth.wire import DEFAULT_DESCRIPTIONS
from auth_server.web import context
from auth_server.web import errors

log = logging.getLogger(__name__)

# The HTTP status of an OAuth error wherever the status is not TikTok's fixed one (RFC 6749 5.2: 400, or 401
# when the client failed to authenticate); TikTok's API envelope uses the others.
OAUTH_ERROR_STATUS = {"invalid_client": 401, "invalid_token": 401, "access_token_invalid": 401,
                      "scope_not_authorized": 403, "rate_limit_exceeded": 429, "server_error": 500,
                      "internal_error": 500, "temporarily_unavailable": 503}
# The OAuth error a linking refusal reads as on the OAuth endpoints, by its kind.
OAUTH_ERROR_OF_KIND = {Kind.UNAUTHENTICATED: "invalid_client", Kind.DENIED: "access_denied",
                       Kind.EXPIRED: "invalid_grant", Kind.NOT_FOUND: "invalid_request",
                       Kind.INVALID: "invalid_request", Kind.RULE: "invalid_request"}


class Family(Enum):
    SCREEN = "screen"  # /app/, /seller/, and TikTok's consent screen in a browser
    TIKTOK_OAUTH = "tiktok_oauth"  # /v2/oauth/...
    TIKTOK_API = "tiktok_api"  # the rest of /v2/, such as /v2/user/info/
    PLAIN_OAUTH = "plain_oauth"  # /oauth/...
    JSON = "json"  # /api/... and everything else


def family() -> Family:
    if errors.wants_page():
        return Family.SCREEN
    if request.path.startswith("/v2/oauth/"):
        return Family.TIKTOK_OAUTH
    if request.path.startswith("/v2/"):
        return Family.TIKTOK_API
    if request.path.startswith("/oauth/"):
        return Family.PLAIN_OAUTH
    return Family.JSON


def apply_faults() -> Any:
    """Runs before every request but the controls': the first fault rule that fires answers instead."""
    if request.path.startswith(NEVER_FAULTED):
        return None
    here = context.world()
    rule = here.faults.match(request.method, request.path)
    if rule is None:
        return None
    g.fault_id = rule.id  # for the request journal
    log.info("fault %s hits %s %s in world %s", rule.id, request.method, request.path, here.id)
    if rule.wait_out_delay():
        return None  # lifted while the request waited: it goes on as if nothing had happened
    return answer(rule)


def answer(rule: FaultRule) -> Any:
    """The rule's failure in the request's wire format; None for a delay only (the request then goes on)."""
    if rule.status is not None:
        return _http_error(rule, rule.status)
    if rule.silent:
        return _no_answer(rule)
    if rule.oauth_error is not None:
        return _oauth_error(rule, rule.oauth_error)
    if rule.code is not None:
        return _refusal(rule, rule.code)
    return None


def _http_error(rule: FaultRule, status: int) -> Any:
    description = f"linksim simulates this failure (fault {rule.id}); DELETE /_sim/faults/{rule.id} to lift it."
    # By keyword: some classes take another argument first (MethodNotAllowed, its valid methods).
    error = default_exceptions.get(status, HTTPException)(description=description)
    error.code = status  # a status werkzeug has no class for (such as 599) keeps its number
    response = make_response(errors.http_error_response(error))
    if rule.retry_after is not None:
        response.headers["Retry-After"] = str(rule.retry_after)
    return response


def _no_answer(rule: FaultRule) -> Any:
    """What a client sees of a server that never answered: a gateway giving up, with 504."""
    refusal = Refused.because(codes.APP_NOT_RESPONDING, fault=rule.id)
    message = refusal.violations[0].message
    family_ = family()
    if family_ is Family.SCREEN:
        return errors.error_page(504, refusal.code, message)
    if family_ is Family.JSON:
        return jsonify(refusal.as_dict()), 504
    return errors.http_error_response(GatewayTimeout(message))


def _oauth_error(rule: FaultRule, error: str) -> Any:
    description = rule.error_description or DEFAULT_DESCRIPTIONS.get(
        error, f"linksim simulates the OAuth error {error} (fault {rule.id}).")
    status = OAUTH_ERROR_STATUS.get(error, 400)
    family_ = family()
    if family_ is Family.TIKTOK_OAUTH:
        return errors.tiktok_oauth_error(error, description, _tiktok_status())
    if family_ is Family.TIKTOK_API:
        return errors.tiktok_api_error(error, description, status)
    if family_ is Family.SCREEN:
        return errors.error_page(status, error, description)
    if family_ is Family.JSON and request.path.startswith("/api/"):
        return errors.refusal_json(error, description), status
    return _plain_oauth_error(error, description)


def _refusal(rule: FaultRule, code: str) -> Any:
    refusal = Refused.because(code, **rule.details)
    message = refusal.violations[0].message
    family_ = family()
    if family_ is Family.TIKTOK_OAUTH:
        return errors.tiktok_oauth_error(OAUTH_ERROR_OF_KIND[refusal.kind], message, _tiktok_status())
    if family_ is Family.TIKTOK_API:
        return errors.tiktok_api_error(code, message, errors.STATUS_OF_KIND[refusal.kind])
    if family_ is Family.PLAIN_OAUTH:
        return _plain_oauth_error(OAUTH_ERROR_OF_KIND[refusal.kind], message)
    raise refusal  # the linking API's and the screens' own handlers render it


def _tiktok_status() -> int:
    return context.config().oauth_error_status  # TikTok's: 200


def _plain_oauth_error(error: str, description: str) -> Any:
    status = 401 if error == "invalid_client" else 400
    headers = {"WWW-Authenticate": 'Basic realm="linksim"'} if status == 401 else {}
    return jsonify({"error": error, "error_description": description}), status, headers
