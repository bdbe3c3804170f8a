"""TikTok's wire format, translated at the boundary so that authlib sees plain OAuth 2.0.

TikTok says ``client_key`` where OAuth says ``client_id``, separates scopes with commas where OAuth uses
spaces, answers ``scopes`` (plural) on the redirect, and adds a ``log_id`` to every error. Requests are
translated on the way in (:class:`TikTokRequest`), responses on the way out (:func:`tiktok_body`).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Payload
from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Request
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.errors import UnauthorizedClientError
from authlib.oauth2.rfc6749.errors import UnsupportedGrantTypeError
from flask.wrappers import Request
from werkzeug.datastructures import MultiDict

_SCOPE_SEPARATORS = re.compile(r"[,\s]+")


def oauth_values(values: MultiDict[str, str]) -> MultiDict[str, str]:
    """Request parameters as OAuth names them: ``client_key`` is also ``client_id``; scopes by spaces."""
    out: MultiDict[str, str] = MultiDict(values)
    if "client_key" in out:
        out["client_id"] = out["client_key"]  # TikTok's name wins; a client_id beside it is ignored
    if "scope" in out:
        out["scope"] = " ".join(s for s in _SCOPE_SEPARATORS.split(out["scope"]) if s)
    return out


class _Payload(FlaskOAuth2Payload):
    def __init__(self, request: Request, values: MultiDict[str, str]) -> None:
        super().__init__(request)
        self._values = values

    @property
    def data(self) -> MultiDict[str, str]:
        return self._values


class TikTokRequest(FlaskOAuth2Request):
    """A Flask request seen through OAuth's names (see :func:`oauth_values`)."""

    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self._args = oauth_values(request.args)
        self._form = oauth_values(request.form)
        self.payload = _Payload(request, oauth_values(request.values))

    @property
    def args(self) -> MultiDict[str, str]:
        return self._args

    @property
    def form(self) -> MultiDict[str, str]:
        return self._form


DEFAULT_DESCRIPTIONS = {  # for the errors authlib raises without a text of their own
    "invalid_request": "The request parameters are malformed.",
    "invalid_client": "Client authentication failed: check client_key and client_secret.",
    "invalid_grant": "The code or refresh token is invalid, expired or already used.",
    "unsupported_grant_type": "The grant_type is not supported: use authorization_code, refresh_token or "
                              "client_credentials.",
    "invalid_scope": "The scope is not allowed for this app.",
    "unauthorized_client": "This app may not use this grant.",
    "access_denied": "The user denied the authorization.",
}


CLIENT_SECRET_MISSED = "Client secret is missed in request."  # TikTok's, with invalid_request [DOC]
CLIENT_KEY_MISSED = "Client key is missed in request."
CLIENT_INCORRECT = "Client key or secret is incorrect."
CODE_VERIFIER_INVALID = "Code verifier or code challenge is invalid."  # TikTok's [OBS]

# authlib's texts, as TikTok words the same refusal (TIKTOK_WIRE 1.3). The client-authentication texts are
# resolved by what the request lacks (see in_tiktoks_words).
_LIBRARY_CLIENT_TEXTS = ("The client cannot authenticate with methods", "The client does not exist on this server",
                         "Missing 'client_id' parameter")
_LIBRARY_TEXTS = {
    "Missing 'code' in request.": "Authorization code is missed in request.",
    "Invalid 'code' in request.": "Authorization code is invalid.",
    "Missing 'refresh_token' in request.": "Refresh token is missed in request.",
    "Code challenge failed.": CODE_VERIFIER_INVALID,
    "Missing 'code_verifier'": CODE_VERIFIER_INVALID,
    "Invalid 'code_verifier'": CODE_VERIFIER_INVALID,
}


def in_tiktoks_words(error: OAuth2Error, values: MultiDict[str, str], basic_auth: bool) -> OAuth2Error:
    """``error`` as TikTok words it: the same category, TikTok's text; except a missing client key or secret,
    which TikTok answers ``invalid_request`` ("Client secret is missed in request.", its documented example).

    ``values`` are the request's parameters and ``basic_auth`` whether it carried HTTP Basic credentials. An
    error that redirects (the authorization page's) is left as it is.
    """
    if getattr(error, "redirect_uri", None):
        return error
    description = error.description or ""
    if description.startswith(_LIBRARY_CLIENT_TEXTS):
        if not basic_auth and not values.get("client_key", values.get("client_id")):
            return _reworded(error, CLIENT_KEY_MISSED, "invalid_request")
        if not basic_auth and not values.get("client_secret"):
            return _reworded(error, CLIENT_SECRET_MISSED, "invalid_request")
        return _reworded(error, CLIENT_INCORRECT)
    if description in _LIBRARY_TEXTS:
        return _reworded(error, _LIBRARY_TEXTS[description])
    if isinstance(error, (UnsupportedGrantTypeError, UnauthorizedClientError)):  # authlib's texts name its params
        return _reworded(error, DEFAULT_DESCRIPTIONS[error.error])
    return error


def _reworded(error: OAuth2Error, description: str, category: str | None = None) -> OAuth2Error:
    out = OAuth2Error(description=description, status_code=error.status_code)
    out.error = category or error.error
    return out


def comma_scopes(scope: str) -> str:
    return ",".join(scope.split())


def log_id(now: datetime) -> str:
    """A log id as TikTok writes them: the time, then hex; 34 characters."""
    return now.strftime("%Y%m%d%H%M%S") + secrets.token_hex(10).upper()


def tiktok_body(body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """An OAuth response body as TikTok sends it: comma-separated scopes, a ``log_id`` on errors."""
    out = dict(body)
    if isinstance(out.get("scope"), str):
        out["scope"] = comma_scopes(out["scope"])
    if "error" in out:
        if not out.get("error_description"):
            out["error_description"] = DEFAULT_DESCRIPTIONS.get(out["error"], "The request was refused.")
        out["log_id"] = log_id(now)
        out.pop("error_uri", None)
    return out
