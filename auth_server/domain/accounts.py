"""TikTok accounts, organization accounts and how their holders sign in."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from enum import StrEnum


class AccountType(StrEnum):
    PERSONAL = "personal"
    BUSINESS = "business"
    ORGANIZATION = "organization"


class Verification(StrEnum):
    """Identity verification, a process the holder starts and the simulator decides."""

    UNVERIFIED = "unverified"
    PENDING = "pending"
    VERIFIED = "verified"
    FAILED = "failed"


class VerificationOutcome(StrEnum):
    """What the simulator decides when a pending verification comes due; set per account."""

    PASS = "pass"
    FAIL = "fail"
    STAY_PENDING = "stay_pending"


class AppFault(StrEnum):
    """A troubleshooting case of the documents (002, 003) that this account's TikTok app reproduces on demand."""

    NONE = "none"
    QR_UNREADABLE = "qr_unreadable"  # the QR code will not scan (a stale app cache)
    AUTHORIZATION_FAILED = "authorization_failed"  # Authorize fails until the app is restarted


class Standing(StrEnum):
    GOOD = "good"
    RESTRICTED = "restricted"


@dataclass(kw_only=True, eq=False)
class Account:
    open_id: str
    username: str
    nickname: str
    region: str
    birth_date: date | None = None  # None for an organization account: no person's age
    email: str | None = None
    phone: str | None = None
    avatar_url: str | None = None
    account_type: AccountType = AccountType.PERSONAL
    verification: Verification = Verification.UNVERIFIED
    verification_outcome: VerificationOutcome = VerificationOutcome.PASS
    verification_due_at: datetime | None = None
    verification_delay: timedelta = timedelta(0)
    standing: Standing = Standing.GOOD
    followers: int = 0
    affiliate_signed_up: bool = False
    app_fault: AppFault = AppFault.NONE
    password_hash: str | None = None
    entity_id: str | None = None  # organization accounts: the entity that owns them
    created_at: datetime | None = None
    failed_sign_ins: int = 0  # wrong passwords in a row
    sign_in_locked_until: datetime | None = None

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    @property
    def is_organization(self) -> bool:
        return self.account_type is AccountType.ORGANIZATION

    @property
    def masked_phone(self) -> str | None:
        """The phone number as a seller sees it (E4): all but the last four digits hidden."""
        if not self.phone:
            return None
        digits = [c for c in self.phone if c.isdigit()]
        keep = "".join(digits[-4:])
        prefix = self.phone[: len(self.phone) - len(self.phone.lstrip("+"))]
        return f"{prefix}{'*' * max(len(digits) - 4, 0)}{keep}"

    def set_password(self, password: str) -> None:
        self.password_hash = hash_secret(password)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and secret_matches(password, self.password_hash)


@dataclass(kw_only=True, eq=False)
class AppSession:
    """A holder signed in to the TikTok app (a phone's token or a browser's cookie names it): it ends at sign-out,
    or SESSION_LIFETIME after it began on the world's clock."""

    session_id: str
    open_id: str
    method: str  # password, passcode
    started_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        return self.ended_at is None and now < self.expires_at


@dataclass(kw_only=True, eq=False)
class OrgMember:
    """A person who may sign in to an organization account by one-time passcode."""

    open_id: str  # the organization account
    contact: str  # an email address or phone number
    added_at: datetime
    removed_at: datetime | None = None
    id: int | None = None

    @property
    def active(self) -> bool:
        return self.removed_at is None


@dataclass(kw_only=True, eq=False)
class Passcode:
    """A one-time passcode sent to a member of an organization account."""

    open_id: str
    contact: str
    code_hash: str
    expires_at: datetime
    used_at: datetime | None = None
    attempts: int = 0  # wrong codes tried against it
    id: int | None = None


# Guesses, as a service like TikTok's limits them (on the world's clock): wrong passwords lock a password sign-in for
# a while (sign_in_guesses.py, the rule Seller Center's sign-in shares); after 5 wrong codes a one-time passcode is
# spent, and the member asks for a new one.
SESSION_LIFETIME = timedelta(days=365)  # the app stays signed in a long time: a year of the world's clock
PASSCODE_ATTEMPTS = 5

_ITERATIONS = 10_000  # a simulator's passwords: enough to keep them out of plain sight, cheap to check


def hash_secret(secret: str) -> str:
    salt = secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt.encode(), _ITERATIONS).hex()
    return f"pbkdf2_sha256${_ITERATIONS}${salt}${digest}"


def secret_matches(secret: str, hashed: str) -> bool:
    try:
        _, iterations, salt, digest = hashed.split("$")
    except ValueError:
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt.encode(), int(iterations)).hex()
    return hmac.compare_digest(candidate, digest)
