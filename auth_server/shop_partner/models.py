"""The records of TikTok Shop's authorization: apps, the people who sign in to authorize them, and what they grant.

Plain dataclasses; :mod:`.tables` maps them. Times are on the world's clock, passed in by the caller.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from enum import IntEnum
from enum import StrEnum

from auth_server.domain.accounts import secret_matches

CODE_LIFETIME = timedelta(minutes=30)  # "expires in 30 minutes and can only be used once"
ACCESS_TOKEN_LIFETIME = timedelta(days=7)  # "default expiration time set to seven days"
CREATOR_REFRESH_LIFETIME = timedelta(days=365)  # observed; a creator's authorization itself never expires
DEFAULT_AUTHORIZATION_DURATION = timedelta(days=365)
US_DATA_REGIONS = frozenset({"US"})  # served by TikTok's US data company: its codes and tokens start TTP_


class UserType(IntEnum):
    """Who authorized an app: the ``user_type`` of the token answer."""

    SELLER = 0
    CREATOR = 1
    PARTNER = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class LoginKind(StrEnum):
    SELLER = "seller"
    PARTNER = "partner"


@dataclass(kw_only=True, eq=False)
class ShopApp:
    """A partner's app on TikTok Shop's Partner Center: what the authorization page and the token endpoints know.

    ``client_key`` is the Login Kit app it belongs to (one partner, two products), or None.
    """

    app_key: str
    app_secret: str  # kept as given: the server signs webhooks and checks signatures with it
    service_id: str
    name: str
    redirect_url: str
    client_key: str | None = None
    scopes: list[str] = field(default_factory=list)
    markets: list[str] = field(default_factory=list)  # regions the app serves; empty: all
    user_types: list[int] = field(default_factory=lambda: [int(UserType.SELLER)])
    webhook_url: str | None = None
    events: list[str] = field(default_factory=list)  # linksim's own linking events the app opted in to
    authorization_duration: timedelta = DEFAULT_AUTHORIZATION_DURATION  # a seller's or partner's authorization
    created_at: datetime | None = None

    def serves(self, user_type: UserType) -> bool:
        return int(user_type) in self.user_types

    def serves_region(self, region: str) -> bool:
        return not self.markets or region.upper() in self.markets

    def secret_is(self, secret: str) -> bool:
        return bool(secret) and _same(secret, self.app_secret)


@dataclass(kw_only=True, eq=False)
class ShopLogin:
    """Someone who signs in to Seller Center (a seller) or Partner Center (a partner) to authorize apps."""

    email: str
    kind: LoginKind
    party_id: str  # the seller's id, or the partner's
    name: str
    region: str  # the seller's base region: its first shop's
    password_hash: str
    failed_sign_ins: int = 0  # wrong passwords in a row (domain/sign_in_guesses.py, the app's rule)
    sign_in_locked_until: datetime | None = None

    def check_password(self, password: str) -> bool:
        return secret_matches(password, self.password_hash)


@dataclass(kw_only=True, eq=False)
class Grant:
    """One authorization: a seller (for its shops), a creator or a partner let an app act for them.

    A new authorization by the same party for the same app renews this one: one grant per app and party.
    """

    grant_id: str
    app_key: str
    user_type: int
    party_id: str  # the seller's id, the creator's open id (as linksim knows the account), or the partner's id
    open_id: str  # the party's id as this app sees it
    name: str | None  # the seller's name (``seller_name``); None for creators
    region: str | None  # ``seller_base_region`` (a creator's region is kept, not shown)
    shop_ids: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    granted_at: datetime
    expires_at: datetime | None = None  # None: never (a creator's)
    revoked_at: datetime | None = None
    warned_at: datetime | None = None  # the last expiry warning (webhook type 7) sent for it

    @property
    def kind(self) -> UserType:
        return UserType(self.user_type)

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(kw_only=True, eq=False)
class ShopCode:
    """An authorization code as kept: its digest, never the code (:mod:`auth_server.domain.token_digests`)."""

    code_digest: str
    grant_id: str
    app_key: str
    expires_at: datetime
    used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at


@dataclass(kw_only=True, eq=False)
class ShopToken:
    """A token pair as kept: the digests of its access and refresh tokens, never the tokens."""

    access_token_digest: str
    refresh_token_digest: str
    grant_id: str
    app_key: str
    issued_at: datetime
    access_expires_at: datetime
    refresh_expires_at: datetime
    refreshed_at: datetime | None = None  # rotated: this pair was traded for a new one
    revoked_at: datetime | None = None  # its authorization was removed: it stays dead if the party authorizes again


def app_open_id(app_key: str, party_id: str) -> str:
    """A party's open id as one app sees it: stable across authorizations, different for every app."""
    digest = hashlib.sha256(f"{app_key}\x00{party_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:39]).decode().rstrip("=")


def data_prefix(region: str | None) -> str:
    """``TTP_`` for what US data hosts, ``ROW_`` for the rest of the world."""
    return "TTP_" if (region or "").upper() in US_DATA_REGIONS else "ROW_"


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass(kw_only=True, eq=False)
class WebhookDelivery:
    """One webhook to deliver: its exact body and headers, signed when it was made, and the attempts so far.

    ``due_at`` is when the next attempt is due on the world's clock; None once delivered or given up.
    """

    delivery_id: str
    event: str  # SELLER_DEAUTHORIZATION, authorization.removed, link.active...
    url: str
    body: str
    headers: dict[str, str]
    app_key: str | None = None  # the Shop app it goes to, or None for a Login Kit app's
    client_key: str | None = None  # the Login Kit app it goes to
    created_at: datetime
    due_at: datetime | None
    attempts: list[dict[str, object]] = field(default_factory=list)
    delivered_at: datetime | None = None
    given_up_at: datetime | None = None
    # Wall time until which a process holds its next attempt (it is sending it): another process skips it till then.
    claimed_until: datetime | None = None
