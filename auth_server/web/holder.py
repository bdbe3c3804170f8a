"""Who is signed in to the simulated TikTok app in this browser (a signed session cookie)."""

from __future__ import annotations

from flask import session

from auth_server.domain.accounts import Account
from auth_server.domain.errors import Refused
from auth_server.simulator import Simulator
from auth_server.web.sandboxing import world

SESSION_KEY = "open_id"


def simulator() -> Simulator:
    return world().simulator


def _session_key() -> str:
    # One browser may be signed in to the main world and to sandboxes at once, as different people.
    return f"{SESSION_KEY}@{world().id}" if world().is_sandbox else SESSION_KEY


def signed_in() -> Account | None:
    open_id = session.get(_session_key())
    if not open_id:
        return None
    try:
        return simulator().service.get_account(open_id)
    except Refused:  # the account is gone (a reset): the session means nothing any more
        session.pop(_session_key(), None)
        return None


def sign_in_as(account: Account) -> None:
    session.pop(_session_key(), None)
    session[_session_key()] = account.open_id


def sign_out() -> None:
    session.pop(_session_key(), None)
