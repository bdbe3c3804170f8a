"""Who is signed in, in this browser (a signed session cookie): to the simulated TikTok app (its screens and TikTok's
consent screen ask), and to Seller Center or Partner Center (TikTok Shop's authorization page asks). The app on a
phone signs in with a session token instead (:mod:`.guard`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import session

from auth_server.domain.accounts import Account
from auth_server.shop_partner.models import ShopLogin
from auth_server.web import context

SESSION_KEY = "app_session"  # the id of the holder's app session (AppSession), not the account itself
SHOP_SESSION_KEY = "shop_login"


def _session_key(name: str = SESSION_KEY) -> str:
    # One browser may be signed in to the main world and to sandboxes at once, as different people.
    here = context.world()
    return f"{name}@{here.id}" if here.is_sandbox else name


def safe_next(target: str | None, fallback: str) -> str:
    """Where to go after signing in: only a path on this server, never an open redirect to somewhere else."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def signed_in() -> Account | None:
    """The holder of the app session this browser's cookie names, if that session has not ended: a copy of the
    cookie kept from before a sign-out, or from a world that ended, signs nobody in."""
    sid = session.get(_session_key())
    # An account gone (a reset) leaves a session that means nothing any more.
    found = context.service().signed_in_account(sid) if isinstance(sid, str) else None
    if found is None:
        session.pop(_session_key(), None)
    return found


def sign_in_as(account: Account, method: str = "password") -> None:
    session.pop(_session_key(), None)
    session[_session_key()] = context.service().start_session(account.open_id, method).session_id


def sign_out() -> None:
    sid = session.pop(_session_key(), None)
    if isinstance(sid, str):
        context.service().end_session(sid)


def shop_login() -> ShopLogin | None:
    """The seller or partner signed in to Seller Center (or Partner Center) in this browser."""
    email = session.get(_session_key(SHOP_SESSION_KEY))
    found = context.shop_partner().login(email) if email else None
    if email and found is None:  # gone with a reset
        session.pop(_session_key(SHOP_SESSION_KEY), None)
    return found


def shop_sign_in_as(login: ShopLogin) -> None:
    session[_session_key(SHOP_SESSION_KEY)] = login.email


def shop_sign_out() -> None:
    session.pop(_session_key(SHOP_SESSION_KEY), None)
