"""Who is signed in to the simulated TikTok app in this browser (a signed session cookie)."""

from __future__ import annotations

from flask import current_app
from flask import session

from auth_server.domain.accounts import Account
from auth_server.domain.errors import Refused
from auth_server.simulator import Simulator

SESSION_KEY = "open_id"


def simulator() -> Simulator:
    return current_app.extensions["linksim"]


def signed_in() -> Account | None:
    open_id = session.get(SESSION_KEY)
    if not open_id:
        return None
    try:
        return simulator().service.get_account(open_id)
    except Refused:  # the account is gone (a reset): the session means nothing any more
        session.pop(SESSION_KEY, None)
        return None


def sign_in_as(account: Account) -> None:
    session.clear()
    session[SESSION_KEY] = account.open_id


def sign_out() -> None:
    session.clear()
