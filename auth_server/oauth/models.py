"""Partner apps, authorization codes, tokens and Login Kit QR codes, shaped for authlib.

They are plain dataclasses (the store maps them onto tables), with the methods authlib calls.
Times come from the simulated clock: the store sets ``now`` on every object it hands out, so that
``is_expired()`` answers on the clock a test controls.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin
from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749 import TokenMixin

from auth_server.domain.token_digests import client_secret_matches

DEFAULT_SCOPE = "user.info.basic"  # Login Kit adds it to every authorization
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")  # as urlsplit gives hostnames: no brackets
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")


@dataclass(kw_only=True, eq=False)
class PartnerApp(ClientMixin):
    """An integration partner's app: TikTok calls it a client, with a ``client_key``."""

    client_key: str
    client_secret_hash: str  # a keyed digest (:func:`~auth_server.domain.token_digests.client_secret_digest`)
    name: str
    redirect_uris: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=lambda: [DEFAULT_SCOPE])
    grant_types: list[str] = field(default_factory=lambda: list(GRANT_TYPES))
    created_at: datetime | None = None
    developer: str | None = None  # whose app it is: the developer's apps share a union_id; None: the app itself

    @property
    def developer_id(self) -> str:
        """The developer that owns the app: its ``developer``, else its own client key."""
        return self.developer or self.client_key

    def get_client_id(self) -> str:
        return self.client_key

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris and "*" not in self.redirect_uris[0] else None

    def get_allowed_scope(self, scope: str) -> str | None:
        """The scopes asked for, if the app may ask for all of them (None: ``invalid_scope``)."""
        wanted = scope.split() if scope else [DEFAULT_SCOPE]
        if not set(wanted) <= set(self.scopes):
            return None
        return " ".join(dict.fromkeys(wanted))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return any(redirect_uri_matches(registered, redirect_uri) for registered in self.redirect_uris)

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret_matches(client_secret, self.client_secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_post", "client_secret_basic")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


def redirect_uri_matches(registered: str, given: str) -> bool:
    """TikTok's rule: an exact match, or a desktop loopback URI registered with the wildcard port ``*`` and given
    with a real port (1 to 65535, written without leading zeros): the wildcard itself is no address to send a code
    to."""
    if ":*" not in registered:
        return registered == given
    if not _real_port(given):
        return False
    try:
        want, got = urlsplit(registered.replace(":*", ":1", 1)), urlsplit(given)
        port = got.port
    except ValueError:  # not a URL at all (an unclosed IPv6 bracket, a port that is no number)
        return False
    return (
        want.scheme == got.scheme
        and want.hostname in LOOPBACK_HOSTS
        and want.hostname == got.hostname
        and port is not None
        and (want.path, want.query, want.fragment) == (got.path, got.query, got.fragment)
        and got.username is None
    )


def _real_port(uri: str) -> bool:
    netloc = urlsplit(uri).netloc
    written = netloc.rsplit(":", 1)[1] if ":" in netloc.rsplit("]", 1)[-1] else ""
    return written.isdecimal() and written.isascii() and not written.startswith("0") and int(written) <= 65535


@dataclass(kw_only=True, eq=False)
class AuthorizationCode(AuthorizationCodeMixin):
    """A code as kept: its digest, never the code (:mod:`auth_server.domain.token_digests`)."""

    code_digest: str
    client_key: str
    open_id: str
    redirect_uri: str
    scope: str  # space-separated, as authlib works; the wire shows commas
    expires_at: datetime
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    used_at: datetime | None = None
    token_digest: str | None = None  # the access token it was exchanged for: revoked if the code is replayed
    now: datetime | None = None  # set by the store: the simulated time of the request

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def is_expired(self) -> bool:
        return self.now is not None and self.now >= self.expires_at


@dataclass(kw_only=True, eq=False)
class Token(TokenMixin):
    """A token pair as kept: the digests of its access and refresh tokens, never the tokens."""

    access_token_digest: str
    client_key: str
    scope: str
    issued_at: datetime
    expires_in: int
    open_id: str | None = None  # None for a client access token
    refresh_token_digest: str | None = None
    refresh_expires_in: int | None = None
    access_revoked_at: datetime | None = None
    refresh_revoked_at: datetime | None = None
    family: str | None = None  # the first access token's digest of its refresh chain: a reused refresh token
    # revokes them all
    now: datetime | None = None

    def check_client(self, client: PartnerApp) -> bool:
        return client.client_key == self.client_key

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    @property
    def expires_at(self) -> datetime:
        return self.issued_at + timedelta(seconds=self.expires_in)

    @property
    def refresh_expires_at(self) -> datetime | None:
        if self.refresh_expires_in is None:
            return None
        return self.issued_at + timedelta(seconds=self.refresh_expires_in)

    def is_expired(self) -> bool:
        return self.now is not None and self.now >= self.expires_at

    def is_revoked(self) -> bool:
        return self.access_revoked_at is not None

    def refresh_usable(self) -> bool:
        expires = self.refresh_expires_at
        return (
            self.refresh_token_digest is not None
            and self.refresh_revoked_at is None
            and (expires is None or self.now is None or self.now < expires)
        )


@dataclass(kw_only=True, eq=False)
class DeveloperWebhook:
    """Where a Login Kit app hears that a user removed it (TikTok for Developers' webhook, shared/TIKTOK_WIRE.md 1.8).

    The secret is kept as given: the webhook is signed with it (the app's client secret, as TikTok does).
    """

    client_key: str
    url: str
    client_secret: str


class QrStatus(StrEnum):
    """What the holder did with a Login Kit QR code. check_qrcode derives ``utilised`` and ``expired``."""

    NEW = "new"
    SCANNED = "scanned"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


@dataclass(kw_only=True, eq=False)
class LoginQr:
    """A Login Kit QR code: a desktop or TV app polls it by its token while the holder scans it in the app (kept:
    the token's digest)."""

    token_digest: str
    client_key: str
    scope: str  # space-separated, as authlib works; the wire shows commas
    redirect_uri: str  # where the confirmed answer sends the code
    created_at: datetime
    expires_at: datetime
    state: str | None = None
    status: QrStatus = QrStatus.NEW
    client_ticket: str = ""  # the polling app's own ticket, from the URL the holder scanned
    open_id: str | None = None  # who scanned it (and then answered)
    granted_scope: str | None = None  # what the holder authorized (space-separated)
    code_digest: str | None = None  # the code the first ``confirmed`` poll issued
    confirmed_at: datetime | None = None
    delivered_at: datetime | None = None  # when check_qrcode first answered ``confirmed``
    now: datetime | None = None

    def is_expired(self) -> bool:
        return self.now is not None and self.now >= self.expires_at


@dataclass(kw_only=True, eq=False)
class LinkToken:
    """The seller's token of an established link (E4): which user token the link's partner app was given (its
    digest), and the token itself sealed with the server's secret key, to answer it again
    (:mod:`auth_server.oauth.link_tokens`)."""

    link_id: str
    access_token_digest: str
    sealed: str | None = None
