"""Authorizing a partner's app on TikTok Shop, and what the app then does with the authorization.

A seller (for its shops), a creator or a partner signs in and authorizes an app; the app trades the code for
tokens at ``/api/v2/token/get``, refreshes them, and signs every API call. Each method is one transaction on the
world's store and reads the time from the world's clock. Refusals are :class:`~.errors.ShopApiError` (TikTok
Shop's numeric codes) for the app, and :class:`PageRefusal` for the person on the authorization page.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from auth_server.domain.accounts import Account
from auth_server.domain.clock import Clock
from auth_server.domain.clock import format_duration
from auth_server.domain.shops import Shop
from auth_server.domain.sign_in_guesses import count_right_password
from auth_server.domain.sign_in_guesses import count_wrong_password
from auth_server.domain.sign_in_guesses import locked_until
from auth_server.domain.token_digests import token_digest
from auth_server.shop_partner import errors
from auth_server.shop_partner import signing
from auth_server.shop_partner import webhooks
from auth_server.shop_partner.errors import ShopApiError
from auth_server.shop_partner.models import ACCESS_TOKEN_LIFETIME
from auth_server.shop_partner.models import CODE_LIFETIME
from auth_server.shop_partner.models import CREATOR_REFRESH_LIFETIME
from auth_server.shop_partner.models import Grant
from auth_server.shop_partner.models import LoginKind
from auth_server.shop_partner.models import ShopApp
from auth_server.shop_partner.models import ShopCode
from auth_server.shop_partner.models import ShopLogin
from auth_server.shop_partner.models import ShopToken
from auth_server.shop_partner.models import UserType
from auth_server.shop_partner.models import app_open_id
from auth_server.shop_partner.models import data_prefix
from auth_server.shop_partner.tables import shop_apps
from auth_server.shop_partner.tables import shop_grants

EXPIRY_WARNING = timedelta(days=30)  # webhook type 7 starts 30 days before an authorization ends
AUTHORIZED_CODE = "authorized_code"  # the only grant_type /api/v2/token/get takes
REFRESH_TOKEN = "refresh_token"

UnitOfWork = Callable[[], AbstractContextManager[Any]]


class PageRefusal(Exception):
    """The authorization page cannot go on; the message tells the person why and what to do."""


class SignInLocked(PageRefusal):
    """Too many wrong passwords: the sign-in is locked for a while, on the world's clock. A :exc:`PageRefusal`."""


@dataclass(frozen=True)
class ApiOperation:
    """A signed API that linksim serves: who may call it and with which scope."""

    path: str
    user_type: UserType
    scope: str | None = None
    takes_shop_cipher: bool = False


AUTHORIZED_SHOPS = ApiOperation("/authorization/202309/shops", UserType.SELLER, scope="seller.authorization.info")


@dataclass(frozen=True)
class SignedCall:
    """A call as it arrived: ``paths`` are the path as sent and, behind a sandbox prefix, the path inside it."""

    paths: Sequence[str]
    query: Sequence[tuple[str, str]]
    body: bytes = b""
    content_type: str = ""
    access_token: str | None = None


@dataclass(frozen=True)
class Offer:
    """What the authorization page shows: the app, the scopes it asks for, and whom it will reach."""

    app: ShopApp
    user_type: UserType
    party_name: str
    shops: list[Shop] = field(default_factory=list)

    @property
    def scopes(self) -> list[str]:
        """The app's scope packages for this kind of party: ``creator.*`` for creators, ``partner.*`` for partners,
        the rest for sellers."""
        own = {UserType.CREATOR: "creator.", UserType.PARTNER: "partner."}.get(self.user_type)
        if own is not None:
            return [scope for scope in self.app.scopes if scope.startswith(own)]
        return [scope for scope in self.app.scopes if not scope.startswith(("creator.", "partner."))]


class ShopAuthorizations:
    def __init__(self, unit_of_work: UnitOfWork, clock: Clock, *, reading: UnitOfWork | None = None,
                 signature_without_body: bool = False) -> None:
        self._unit_of_work = unit_of_work
        self._reading = reading or unit_of_work  # a transaction that only reads (the store's takes no write lock)
        self._clock = clock
        self.signature_without_body = signature_without_body  # also take a sign computed without the body

    def now(self) -> datetime:
        return self._clock.now()

    # --- apps and the people who authorize them ----------------------------------------------------------------

    def app(self, app_key: str) -> ShopApp | None:
        with self._unit_of_work() as repo:
            found: ShopApp | None = repo.get(ShopApp, app_key) if app_key else None
            return found

    def app_for_service(self, service_id: str) -> ShopApp | None:
        with self._unit_of_work() as repo:
            found: ShopApp | None = repo.first_where(ShopApp, service_id=service_id) if service_id else None
            return found

    def sign_in(self, login: str, password: str, kind: LoginKind) -> ShopLogin:
        """A seller (by e-mail or seller id) or a partner (by e-mail or partner id) signing in. Wrong passwords are
        counted, and too many lock the sign-in for a while, as the app's (:mod:`auth_server.domain.sign_in_guesses`):
        :exc:`SignInLocked`."""
        where = "Seller Center" if kind is LoginKind.SELLER else "Partner Center"
        now = self.now()
        with self._unit_of_work() as repo:  # the count commits, so the refusal is raised after the transaction
            found = _login_named(repo, login, kind, lock=True)
            until = locked_until(found, now) if found is not None else None
            right = found is not None and until is None and found.check_password(password)
            if found is not None and until is None and right:
                count_right_password(found)
            elif found is not None and until is None:
                count_wrong_password(found, now)
        if until is not None:
            assert found is not None
            raise SignInLocked(f"Too many wrong passwords for {found.email}: signing in to {where} is locked until "
                               f"{until.isoformat()} ({format_duration(until - now)} from now, on linksim's clock). "
                               "Wait, or sign in with the right password after that.")
        if found is None or not right:
            raise PageRefusal(f"Wrong e-mail or password for {where}. The data file's sellers (and partners) have "
                              "an e-mail and a password; the demo data's are in `linksim serve`'s banner and in "
                              "docs/tiktok-shop-partner.md.")
        return found

    def login_named(self, name: str, kind: LoginKind) -> ShopLogin | None:
        """A seller's or partner's sign-in by e-mail (any case) or by the party's id."""
        with self._unit_of_work() as repo:
            return _login_named(repo, name, kind)

    def login(self, email: str) -> ShopLogin | None:
        with self._unit_of_work() as repo:
            found: ShopLogin | None = repo.get(ShopLogin, email)
            return found

    # --- the authorization page --------------------------------------------------------------------------------

    def offer_to_login(self, app: ShopApp, login: ShopLogin) -> Offer:
        """What a seller or partner would authorize; refused when the app does not serve them."""
        user_type = UserType.SELLER if login.kind is LoginKind.SELLER else UserType.PARTNER
        _served(app, user_type)
        if user_type is UserType.PARTNER:
            if not app.serves_region(login.region):
                raise PageRefusal(f"{app.name} serves partners in {_markets(app)}; yours are in {login.region}.")
            return Offer(app, user_type, login.name)
        return self.offer_to_seller(app, login.party_id, login.name)

    def offer_to_seller(self, app: ShopApp, seller_id: str, name: str) -> Offer:
        """What the seller ``seller_id`` would authorize: its shops in the app's markets; refused when there is
        none, or the app does not serve sellers."""
        _served(app, UserType.SELLER)
        with self._unit_of_work() as repo:
            shops = list(repo.shops_of_seller(seller_id))
        reached = [shop for shop in shops if app.serves_region(shop.region)]
        if not reached:
            raise PageRefusal(f"{app.name} serves shops in {_markets(app)}, and none of your shops is there "
                              f"({', '.join(sorted({s.region for s in shops})) or 'you have no shop'}).")
        return Offer(app, UserType.SELLER, name, reached)

    def offer_to_creator(self, app: ShopApp, account: Account) -> Offer:
        _served(app, UserType.CREATOR)
        if not account.affiliate_signed_up:
            raise PageRefusal(f"@{account.username} is not a TikTok Shop creator yet: sign up at the Affiliate "
                              "Center in the app first, then authorize the app again.")
        if not app.serves_region(account.region):
            raise PageRefusal(f"{app.name} serves creators in {_markets(app)}; @{account.username} is in "
                              f"{account.region}.")
        return Offer(app, UserType.CREATOR, f"@{account.username}")

    def authorize(self, offer: Offer, party_id: str, region: str | None) -> str:
        """The person tapped Authorize: an authorization (a renewed one, if the party had one) and its code."""
        with self._unit_of_work() as repo:
            grant = self._granted(repo, offer, party_id, region)
            code = data_prefix(region) + secrets.token_urlsafe(24)
            repo.add(ShopCode(code_digest=token_digest(code), grant_id=grant.grant_id, app_key=offer.app.app_key,
                              expires_at=self.now() + CODE_LIFETIME))
        return code

    def grant(self, offer: Offer, party_id: str, region: str | None) -> Grant:
        """An authorization made without a code: one the party gave before the world began (a data file's
        ``sellers[].authorized_apps``), whose code the app traded long ago."""
        with self._unit_of_work() as repo:
            return self._granted(repo, offer, party_id, region)

    def _granted(self, repo: Any, offer: Offer, party_id: str, region: str | None) -> Grant:
        now, app = self.now(), offer.app
        grant: Grant | None = repo.first_where(Grant, app_key=app.app_key, user_type=int(offer.user_type),
                                               party_id=party_id, lock=True)
        if grant is None:
            grant = Grant(grant_id=f"sga_{secrets.token_hex(8)}", app_key=app.app_key,
                          user_type=int(offer.user_type), party_id=party_id,
                          open_id=app_open_id(app.app_key, party_id), name=None, region=None, granted_at=now)
            repo.add(grant)
        is_creator = offer.user_type is UserType.CREATOR
        grant.name = None if is_creator else offer.party_name
        grant.region = region  # a creator's too: it picks the data prefix, though the answer does not show it
        grant.shop_ids = [shop.shop_id for shop in offer.shops]
        grant.scopes = offer.scopes
        grant.granted_at = now
        grant.expires_at = None if is_creator else now + app.authorization_duration
        grant.revoked_at = grant.warned_at = None
        repo.flush()
        return grant

    # --- tokens --------------------------------------------------------------------------------------------------

    def exchange(self, app_key: str, app_secret: str, auth_code: str, grant_type: str) -> dict[str, Any]:
        """``/api/v2/token/get``: the code (once, within 30 minutes) for an access and a refresh token."""
        _expect(grant_type, AUTHORIZED_CODE)
        now = self.now()
        with self._unit_of_work() as repo:
            app = _authenticated(repo, app_key, app_secret)
            code: ShopCode | None = repo.get(ShopCode, token_digest(auth_code), lock=True) if auth_code else None
            if code is None or code.app_key != app.app_key or not code.usable(now):
                raise ShopApiError(errors.INVALID_AUTH_CODE)
            code.used_at = now
            grant: Grant = repo.get(Grant, code.grant_id)
            if not grant.active(now):
                raise ShopApiError(errors.INVALID_AUTH_CODE)
            return _issue(repo, grant, now)

    def refresh(self, app_key: str, app_secret: str, refresh_token: str, grant_type: str) -> dict[str, Any]:
        """``/api/v2/token/refresh``: a new pair; the refresh token given is spent (rotation)."""
        _expect(grant_type, REFRESH_TOKEN)
        now = self.now()
        with self._unit_of_work() as repo:
            app = _authenticated(repo, app_key, app_secret)
            token: ShopToken | None = (repo.first_where(ShopToken, refresh_token_digest=token_digest(refresh_token),
                                                        lock=True) if refresh_token else None)
            if (token is None or token.app_key != app.app_key or token.refreshed_at is not None
                    or token.revoked_at is not None or now >= token.refresh_expires_at):
                raise ShopApiError(errors.INVALID_REFRESH_TOKEN)
            grant: Grant = repo.get(Grant, token.grant_id)
            if not grant.active(now):
                raise ShopApiError(errors.INVALID_REFRESH_TOKEN)
            token.refreshed_at = now
            return _issue(repo, grant, now)

    # --- signed calls ----------------------------------------------------------------------------------------------

    def authenticate(self, call: SignedCall, operation: ApiOperation) -> Grant:
        """The authorization behind a signed call, after every check of shared/TIKTOK_WIRE.md 3.4 and 3.6."""
        params = dict(call.query)
        now = self.now()
        if not params.get("sign"):
            raise ShopApiError(errors.MISSING_SIGNATURE)
        if not params.get("app_key"):
            raise ShopApiError(errors.MISSING_APP_KEY)
        if not params.get("timestamp"):
            raise ShopApiError(errors.MISSING_TIMESTAMP)
        app = self.app(params["app_key"])
        if app is None:
            raise ShopApiError(errors.INVALID_APP_KEY, app_key=params["app_key"])
        timestamp = params["timestamp"]
        # ASCII digits only: str.isdigit() also takes "²" (which int() refuses) and other scripts' digits
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12
                and signing.timestamp_in_window(int(timestamp), now)):
            raise ShopApiError(errors.INVALID_TIMESTAMP, now=int(now.timestamp()), timestamp=timestamp[:20],
                               now_iso=now.isoformat(timespec="seconds"))
        if not self._signed_by(app, call, params["sign"]):
            raise ShopApiError(errors.INVALID_SIGNATURE)
        if "shop_cipher" in params and not operation.takes_shop_cipher:
            raise ShopApiError(errors.UNEXPECTED_SHOP_CIPHER)
        if not call.access_token:
            raise ShopApiError(errors.MISSING_ACCESS_TOKEN)
        with self._unit_of_work() as repo:
            token: ShopToken | None = repo.get(ShopToken, token_digest(call.access_token))
            grant: Grant | None = repo.get(Grant, token.grant_id) if token is not None else None
        if token is None or grant is None:
            raise ShopApiError(errors.INVALID_ACCESS_TOKEN)
        if token.app_key != app.app_key:
            raise ShopApiError(errors.TOKEN_OF_ANOTHER_APP, app_key=app.app_key)
        if grant.revoked_at is not None or token.revoked_at is not None:
            raise ShopApiError(errors.DEAUTHORIZED)
        if now >= token.access_expires_at or not grant.active(now):
            raise ShopApiError(errors.EXPIRED_CREDENTIALS)
        if grant.kind is not operation.user_type:
            raise ShopApiError(errors.WRONG_USER_TYPE, actual=grant.kind.label, expected=operation.user_type.label)
        if operation.scope and operation.scope not in grant.scopes:
            raise ShopApiError(errors.SCOPE_MISSING, scope=operation.scope)
        return grant

    def _signed_by(self, app: ShopApp, call: SignedCall, given: str) -> bool:
        variants = (True, False) if self.signature_without_body else (True,)
        return any(
            signing.signature_matches(given, signing.call_signature(
                path, call.query, call.body, app.app_secret, content_type=call.content_type, with_body=with_body))
            for path in dict.fromkeys(call.paths) for with_body in variants
        )

    def authorized_shops(self, grant: Grant) -> list[dict[str, str]]:
        """``/authorization/202309/shops``: the shops the authorization reaches, as TikTok lists them."""
        with self._unit_of_work() as repo:
            shops = [repo.shop(shop_id) for shop_id in grant.shop_ids]
        return [shop_entry(shop) for shop in shops if shop is not None]

    # --- deauthorization and what comes of authorizations in time ----------------------------------------------

    def grants_of(self, party_id: str, user_types: Iterable[UserType]) -> list[tuple[Grant, ShopApp]]:
        """The party's authorizations in force, with their apps (Seller Center's and the app's lists)."""
        now, wanted = self.now(), {int(t) for t in user_types}
        with self._unit_of_work() as repo:
            grants = repo.all_where(Grant, order_by="granted_at", party_id=party_id)
            return [(grant, repo.get(ShopApp, grant.app_key)) for grant in grants
                    if grant.user_type in wanted and grant.active(now)]

    def deauthorize(self, grant_id: str, party_id: str) -> Grant:
        """The seller removes the app in Seller Center (or the creator in the app): its tokens stop at once, and
        the app hears of it (webhook type 6 per shop, or 20)."""
        now = self.now()
        with self._unit_of_work() as repo:
            grant: Grant | None = repo.get(Grant, grant_id, lock=True)
            if grant is None or grant.party_id != party_id or not grant.active(now):
                raise PageRefusal("This app is not authorized any more (or never was): nothing to remove.")
            grant.revoked_at = now
            for token in repo.all_where(ShopToken, order_by="issued_at", grant_id=grant.grant_id, revoked_at=None):
                token.revoked_at = now
            app: ShopApp = repo.get(ShopApp, grant.app_key)
            if grant.kind is UserType.CREATOR:
                webhooks.creator_deauthorized(repo, app, grant, now)
            elif grant.kind is UserType.SELLER:
                webhooks.seller_deauthorized(repo, app, grant, now)
            return grant

    def warn_of_expiry(self) -> int:
        """Webhook type 7 for authorizations that end within 30 days: when they enter that window, then at every
        0:00 (UTC, the world's clock) until they end or are renewed. Missed days are caught up, each stamped
        with its own time. Returns how many warnings were made. The delivery loop asks four times a second: those
        due are looked for in a read, and the write lock is taken only when there are some."""
        now, made = self.now(), 0
        with self._reading() as repo:
            due = [grant.grant_id for grant in repo.session.scalars(_GRANTS_ENDING_BY, {"by": now + EXPIRY_WARNING})
                   if _warning_due(grant, now)]
        if not due:
            return 0
        with self._unit_of_work() as repo:
            for grant_id in due:
                # Held, then read again: another process (linksim serve --workers) may have warned meanwhile.
                grant: Grant | None = repo.get(Grant, grant_id, lock=True)
                if grant is None or not _warning_due(grant, now):
                    continue
                assert grant.expires_at is not None
                app: ShopApp = repo.get(ShopApp, grant.app_key)
                when = _next_warning(grant)
                while when <= now and when < grant.expires_at:
                    made += len(webhooks.authorization_expiring(repo, app, grant, when))
                    grant.warned_at = when
                    when = _next_midnight(when)
        return made


def _next_warning(grant: Grant) -> datetime:
    """When the authorization's next expiry warning is due: 30 days before it ends, then each 0:00 after the last."""
    assert grant.expires_at is not None
    return grant.expires_at - EXPIRY_WARNING if grant.warned_at is None else _next_midnight(grant.warned_at)


def _warning_due(grant: Grant, now: datetime) -> bool:
    if grant.expires_at is None or grant.revoked_at is not None or grant.kind is UserType.CREATOR:
        return False
    when = _next_warning(grant)
    return when <= now and when < grant.expires_at


def _login_named(repo: Any, name: str, kind: LoginKind, *, lock: bool = False) -> ShopLogin | None:
    found: ShopLogin | None = (repo.get(ShopLogin, name.strip().lower(), lock=lock)
                               or repo.first_where(ShopLogin, party_id=name.strip(), kind=kind, lock=lock))
    return found if found is not None and found.kind is kind else None


# The authorizations that end by ``by`` (those whose warnings may be due), in the order they were given.
_GRANTS_ENDING_BY = (
    sa.select(Grant).where(shop_grants.c.expires_at <= sa.bindparam("by"), shop_grants.c.revoked_at.is_(None))
    .order_by(shop_grants.c.granted_at))

_SELLERS_GRANTS_OF_CLIENT = (
    sa.select(Grant).join(ShopApp, shop_apps.c.app_key == shop_grants.c.app_key)
    .where(shop_grants.c.party_id == sa.bindparam("seller_id"), shop_grants.c.user_type == int(UserType.SELLER),
           shop_apps.c.client_key == sa.bindparam("client_key"))
    .execution_options(populate_existing=True))  # read again after the caller's locks, as the repository reads


def seller_authorized_partner_app(repo: Any, client_key: str, seller_id: str, now: datetime) -> bool:
    """Whether the seller ``seller_id`` has an authorization in force (not removed, not ended) for a TikTok Shop
    app that goes with the Login Kit app ``client_key``: then that partner app acts for the seller's shops on the
    linking API. Read in the caller's transaction (``repo``), so an authorization removed a moment ago counts."""
    # The seller's authorizations of the apps of client_key, in one statement: it is asked on every linking call.
    grants = repo.session.scalars(_SELLERS_GRANTS_OF_CLIENT, {"seller_id": seller_id, "client_key": client_key})
    return any(grant.active(now) for grant in grants)


def shop_entry(shop: Shop) -> dict[str, str]:
    digest = hashlib.sha256(shop.shop_id.encode()).hexdigest()
    return {
        "id": shop.shop_id,
        "name": shop.name,
        "region": shop.region,
        "seller_type": "LOCAL",
        "cipher": shop_cipher(shop),
        "code": (shop.region + "LC" + digest[:8]).upper(),
    }


def shop_cipher(shop: Shop) -> str:
    digest = hashlib.sha256(b"cipher\x00" + shop.shop_id.encode()).digest()
    return data_prefix(shop.region) + base64.urlsafe_b64encode(digest[:24]).decode()


def _issue(repo: Any, grant: Grant, now: datetime) -> dict[str, Any]:
    """A new token pair for the grant: answered once, kept as digests."""
    prefix = data_prefix(grant.region)
    refresh_expires = grant.expires_at if grant.expires_at is not None else now + CREATOR_REFRESH_LIFETIME
    access_token, refresh_token = prefix + secrets.token_urlsafe(72), prefix + secrets.token_urlsafe(48)
    token = ShopToken(access_token_digest=token_digest(access_token), refresh_token_digest=token_digest(refresh_token),
                      grant_id=grant.grant_id, app_key=grant.app_key, issued_at=now,
                      access_expires_at=min(now + ACCESS_TOKEN_LIFETIME, refresh_expires),
                      refresh_expires_at=refresh_expires)
    repo.add(token)
    return {
        "access_token": access_token,
        "access_token_expire_in": int(token.access_expires_at.timestamp()),
        "refresh_token": refresh_token,
        "refresh_token_expire_in": int(token.refresh_expires_at.timestamp()),
        "open_id": grant.open_id,
        "seller_name": grant.name,
        "seller_base_region": None if grant.kind is UserType.CREATOR else grant.region,
        "user_type": grant.user_type,
        "granted_scopes": list(grant.scopes),
    }


def _authenticated(repo: Any, app_key: str, app_secret: str) -> ShopApp:
    app: ShopApp | None = repo.get(ShopApp, app_key) if app_key else None
    if app is None or not app.secret_is(app_secret):
        raise ShopApiError(errors.INVALID_APP_CREDENTIALS)
    return app


def _expect(grant_type: str, expected: str) -> None:
    if grant_type != expected:
        raise ShopApiError(errors.INVALID_GRANT_TYPE, expected=expected)


def _served(app: ShopApp, user_type: UserType) -> None:
    if not app.serves(user_type):
        served = ", ".join(UserType(t).label + "s" for t in app.user_types) or "nobody"
        raise PageRefusal(f"{app.name} does not serve {user_type.label}s (it serves {served}). Open the "
                          "authorization link meant for you, or ask the app's developer for it.")


def _markets(app: ShopApp) -> str:
    return ", ".join(app.markets) or "every market"


def _next_midnight(when: datetime) -> datetime:
    return when.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
