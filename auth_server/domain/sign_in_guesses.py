"""How many wrong passwords a sign-in takes, on the world's clock: one rule for the app's accounts and for the
sellers' and partners' sign-ins to Seller Center and Partner Center.

As a service like TikTok's limits them: after SIGN_IN_ATTEMPTS wrong passwords in a row, signing in with a password
is locked for SIGN_IN_LOCK, the right password included. The right password, while not locked, starts the count over.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Protocol

SIGN_IN_ATTEMPTS = 5
SIGN_IN_LOCK = timedelta(minutes=15)


class PasswordSignIn(Protocol):
    """Whatever signs in with a password and keeps count of the wrong ones."""

    failed_sign_ins: int  # wrong passwords in a row
    sign_in_locked_until: datetime | None


def locked_until(who: PasswordSignIn, now: datetime) -> datetime | None:
    """When the lock on ``who``'s password sign-in ends, if it is locked ``now``."""
    until = who.sign_in_locked_until
    return until if until is not None and now < until else None


def count_wrong_password(who: PasswordSignIn, now: datetime) -> bool:
    """One more wrong password; True when it is the one that locks the sign-in (until ``now + SIGN_IN_LOCK``)."""
    who.failed_sign_ins += 1
    if who.failed_sign_ins < SIGN_IN_ATTEMPTS:
        return False
    who.failed_sign_ins, who.sign_in_locked_until = 0, now + SIGN_IN_LOCK
    return True


def count_right_password(who: PasswordSignIn) -> None:
    """The right password, not locked out: the count starts over."""
    who.failed_sign_ins, who.sign_in_locked_until = 0, None
