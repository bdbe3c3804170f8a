"""Who is calling: the bearer token a request carries, read here and nowhere else, and the credential each API
takes. Each refusal keeps the shape of its API:

- :func:`require_partner_token`: the linking API (``/api``) takes a partner app's client access token;
  ``partner_token_invalid``;
- :func:`require_user_token`: TikTok's ``/v2/user/info/`` takes a holder's user access token; TikTok's
  ``access_token_invalid`` or ``scope_not_authorized`` (401) envelope;
- :func:`require_app_session`: the TikTok app's API (``/api/app``) takes the session token it signed in with;
  ``app_session_invalid``;
- :func:`require_control_token`: the controls (``/_sim``) take the token the server was started with;
  ``control_token_invalid``.

authlib's ``ResourceProtector`` answers in RFC 6750's shape (``invalid_token`` with ``WWW-Authenticate``), which
none of these APIs speaks, and two of the four credentials are not OAuth tokens.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import g
from flask import request
from itsdangerous import BadSignature

from auth_server.domain import codes
from auth_server.domain.accounts import Account
from auth_server.domain.errors import Refused
from auth_server.oauth.models import Token
from auth_server.web import context
from auth_server.web.errors import TikTokApiRefusal

SESSION_SALT = "linksim.app-session"
SCHEME = "bearer "


def bearer_token() -> str | None:
    """The token of the request's ``Authorization: Bearer ...`` header; None without one."""
    header = request.headers.get("Authorization", "")
    return header[len(SCHEME):].strip() if header[:len(SCHEME)].lower() == SCHEME else None


def _usable_token(*, for_user: bool) -> Token | None:
    """The request's access token, if it is known, unexpired, unrevoked, and a user's (``for_user``) or else a
    partner app's own."""
    sent = bearer_token()
    token = context.login_kit().oauth_store.token(sent) if sent else None
    if token is None or token.is_expired() or token.is_revoked() or (token.open_id is not None) is not for_user:
        return None
    return token


def require_partner_token() -> Token:
    """A partner app's client access token (a holder's user token is not a partner's)."""
    token = _usable_token(for_user=False)
    if token is None:
        raise Refused.because(codes.PARTNER_TOKEN_INVALID)
    g.partner_token = token
    return token


def partner_key() -> str | None:
    """The client key of the partner app calling the linking API, once its token was taken."""
    token: Token | None = g.get("partner_token")
    return token.client_key if token is not None else None


def require_user_token(scope: str | None = None) -> Token:
    """A holder's user access token, granted ``scope`` when one is named."""
    token = _usable_token(for_user=True)
    if token is None:
        raise TikTokApiRefusal("access_token_invalid", "The access token is invalid or not found in the request.", 401)
    if scope is not None and scope not in token.scope.split():
        raise TikTokApiRefusal("scope_not_authorized", f"The user did not authorize the scope required: {scope}.", 401)
    return token


def app_session_token(payload: dict[str, Any]) -> str:
    """A session token for the TikTok app: signed, and naming a session the world keeps (``sid``), so that a
    sign-out, the session's end, or the world's (a deleted sandbox, a reset) ends the token too."""
    return str(context.signer(SESSION_SALT).dumps(payload))


def app_session_id() -> str | None:
    """The session the app's bearer token names, if the token is one of this server's."""
    sent = bearer_token()
    try:
        session = context.signer(SESSION_SALT).loads(sent) if sent else None
    except BadSignature:
        session = None
    sid = session.get("sid") if isinstance(session, dict) else None
    return sid if isinstance(sid, str) else None


def require_app_session() -> Account:
    """The account the app signed in to, by its session token; a session that ended (sign-out, its lifetime, its
    world's end) or whose account is gone is over."""
    sid = app_session_id()
    account = context.service().signed_in_account(sid) if sid else None
    if account is None:
        raise Refused.because(codes.APP_SESSION_INVALID)
    g.app_account = account
    return account


def app_holder() -> Account | None:
    """The account the app is signed in to, once its session was taken."""
    account: Account | None = g.get("app_account")
    return account


def require_control_token(expected: str) -> None:
    """The server's control token, compared in constant time."""
    given = bearer_token() or ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Refused.because(codes.CONTROL_TOKEN_INVALID)
