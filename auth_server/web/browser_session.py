"""Who is signed in to the simulated TikTok app in this browser (a signed session cookie): the app's screens and
TikTok's consent screen ask. The app on a phone signs in with a session token instead (:mod:`.guard`)."""

from __future__ import annotations

from flask import session

from auth_server.domain.accounts import Account
from auth_server.domain.errors import Refused
from auth_server.web import context

SESSION_KEY = "open_id"


def _session_key() -> str:
    # One browser may be signed in to the main world and to sandboxes at once, as different people.
    here = context.world()
    return f"{SESSION_KEY}@{here.id}" if here.is_sandbox else SESSION_KEY


def signed_in() -> Account | None:
    open_id = session.get(_session_key())
    if not open_id:
        return None
    try:
        return context.service().get_account(open_id)
    except Refused:  # the account is gone (a reset): the session means nothing any more
        session.pop(_session_key(), None)
        return None


def sign_in_as(account: Account) -> None:
    session.pop(_session_key(), None)
    session[_session_key()] = account.open_id


def sign_out() -> None:
    session.pop(_session_key(), None)
