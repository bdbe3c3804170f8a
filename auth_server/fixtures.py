"""Loading parties from a data file (YAML or JSON); the format is documented in docs/fixtures.md.

Parties (sellers, shops, products, accounts) are written as they are. History (links
made and ended in the past) is replayed through the real linking flows on a clock
that walks through the past, so a data file cannot put the simulator into a state
that TikTok could not be in: a history entry that breaks a rule fails the load.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

import yaml

from auth_server.domain.accounts import Account
from auth_server.domain.accounts import AccountType
from auth_server.domain.accounts import AppFault
from auth_server.domain.accounts import OrgMember
from auth_server.domain.accounts import Standing
from auth_server.domain.accounts import Verification
from auth_server.domain.accounts import VerificationOutcome
from auth_server.domain.accounts import hash_secret
from auth_server.domain.clock import ManualClock
from auth_server.domain.clock import parse_duration
from auth_server.domain.clock import parse_time
from auth_server.domain.errors import Refused
from auth_server.domain.policies import Markets
from auth_server.domain.service import LinkingService
from auth_server.domain.shops import Product
from auth_server.domain.shops import ReviewMode
from auth_server.domain.shops import Seller
from auth_server.domain.shops import Shop
from auth_server.domain.shops import ShopStatus
from auth_server.domain.token_digests import client_secret_digest
from auth_server.markets import builtin_market_data
from auth_server.oauth.models import DEFAULT_SCOPE
from auth_server.oauth.models import GRANT_TYPES
from auth_server.oauth.models import DeveloperWebhook
from auth_server.oauth.models import PartnerApp
from auth_server.shop_partner.authorizations import PageRefusal
from auth_server.shop_partner.authorizations import ShopAuthorizations
from auth_server.shop_partner.linking_events import LINKING_EVENTS
from auth_server.shop_partner.models import DEFAULT_AUTHORIZATION_DURATION
from auth_server.shop_partner.models import LoginKind
from auth_server.shop_partner.models import ShopApp
from auth_server.shop_partner.models import ShopLogin
from auth_server.shop_partner.models import UserType

if TYPE_CHECKING:
    import jsonschema

DEMO = "demo"

_DURATION = {"type": "string", "pattern": r"^\s*\d+\s*[a-z]+(\s*\d+\s*[a-z]+)*\s*$"}
_WHEN = {"type": "string"}
_ID = {"type": "string", "pattern": r"^[A-Za-z0-9_.:-]{1,64}$"}

_EMAIL = {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+$", "maxLength": 200}
# No blank and no control character in a URL. Spelled out, because the OpenAPI document's copies of these patterns
# are read as ECMA 262 expressions, whose \s is not Python's.
_URL_CHARACTER = r"[^\s\x00-\x20\x7f-\x9f\ufeff"
_URL = {"type": "string", "maxLength": 511, "pattern": rf"^https?://{_URL_CHARACTER}?#]+(\?{_URL_CHARACTER}#]*)?$"}

# A partner app's registration on TikTok Shop's Partner Center (shared/TIKTOK_WIRE.md 3).
SHOP_APP: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["app_key", "app_secret", "service_id", "redirect_url"],
    "properties": {
        "app_key": _ID,
        "app_secret": {"type": "string", "minLength": 8, "maxLength": 200},
        "service_id": _ID,
        "name": {"type": "string", "minLength": 1},
        "redirect_url": _URL,
        "scopes": {"type": "array", "items": {"type": "string", "pattern": r"^[a-z_]+(\.[a-z_]+)+$"}},
        "markets": {"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"}},
        "user_types": {"type": "array", "minItems": 1,
                       "items": {"enum": [t.label for t in UserType]}},
        "webhook_url": _URL,
        "events": {"type": "array", "items": {"enum": list(LINKING_EVENTS)}},
        "authorization_duration": _DURATION,
    },
}

# What may change in a Shop app once registered (POST /_sim/shop-apps/<app_key>); the rest is its identity.
SHOP_APP_SETTINGS = ("redirect_url", "scopes", "markets", "user_types", "webhook_url", "events",
                     "authorization_duration")

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "linksim data file",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "start": {**_WHEN, "description": "the simulated time the clock is set to after loading"},
        "default_password": {"type": "string", "minLength": 1},
        "markets": {"type": "object", "additionalProperties": {"type": "object"}},
        "sellers": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "name", "entity"],
                "properties": {
                    "id": _ID,
                    "name": {"type": "string", "minLength": 1},
                    "entity": _ID,
                    "email": _EMAIL,  # signs in to Seller Center (TikTok Shop's authorization page) with it
                    "password": {"type": "string", "minLength": 1},
                    # TikTok Shop apps (partner_apps[].shop.app_key) the seller authorized before start: the
                    # partner apps they go with act for the seller's shops on the linking API
                    "authorized_apps": {"type": "array", "uniqueItems": True, "items": _ID},
                    "shops": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["id", "name", "region"],
                            "properties": {
                                "id": _ID,
                                "name": {"type": "string", "minLength": 1},
                                "region": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                                "market": {"type": "string"},
                                "status": {"enum": [s.value for s in ShopStatus]},
                                "probation": {**_DURATION, "description": "probation left at start"},
                                "review": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "properties": {
                                        "mode": {"enum": [m.value for m in ReviewMode]},
                                        "delay": _DURATION,
                                    },
                                },
                                "shopping_bag_delay": _DURATION,
                                "products": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "required": ["id", "title"],
                                        "properties": {
                                            "id": _ID,
                                            "title": {"type": "string"},
                                            "marketplace": {"type": "boolean"},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
        "accounts": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["username", "region"],
                "properties": {
                    "open_id": _ID,
                    "username": {"type": "string", "pattern": r"^@?[a-z0-9._]{2,24}$"},
                    "nickname": {"type": "string"},
                    "region": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                    "birth_date": {"type": "string", "format": "date"},
                    "age": {"type": "integer", "minimum": 0, "maximum": 130},
                    "email": {"type": "string"},
                    "phone": {"type": "string"},
                    "avatar_url": {"type": "string"},
                    "password": {"type": "string", "minLength": 1},
                    "type": {"enum": [t.value for t in AccountType]},
                    "verification": {"enum": [v.value for v in Verification]},
                    "verification_outcome": {"enum": [o.value for o in VerificationOutcome]},
                    "verification_delay": _DURATION,
                    "standing": {"enum": [s.value for s in Standing]},
                    "followers": {"type": "integer", "minimum": 0},
                    "affiliate": {"type": "boolean"},
                    "app_fault": {"enum": [f.value for f in AppFault]},
                    "entity": _ID,
                    "members": {"type": "array", "items": {"type": "string"}},
                    "former_members": {"type": "array", "items": {"type": "string"}},
                    "note": {"type": "string"},
                },
            },
        },
        "partner_apps": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["client_key", "client_secret", "redirect_uris"],
                "properties": {
                    "client_key": _ID,
                    "client_secret": {"type": "string", "minLength": 8},
                    "name": {"type": "string"},
                    "developer": {**_ID, "description": "whose app it is: a developer's apps share a union_id"},
                    # TikTok's rules: absolute, under 512 characters, at most 10, no query, no fragment;
                    # https, except a desktop app's loopback address (whose port may be the wildcard *)
                    "redirect_uris": {"type": "array", "minItems": 1, "maxItems": 10, "items": {
                        "type": "string", "maxLength": 511,
                        "pattern": rf"^(https://{_URL_CHARACTER}/?#]+(/{_URL_CHARACTER}?#]*)?"
                                   rf"|http://(127\.0\.0\.1|localhost|\[::1\]):(\d+|\*)(/{_URL_CHARACTER}?#]*)?)$"}},
                    "scopes": {"type": "array", "items": {"type": "string"}},
                    "grant_types": {"type": "array", "items": {"enum": list(GRANT_TYPES)}},
                    "webhook_url": {**_URL, "description": "TikTok for Developers' webhook: authorization.removed"},
                    "shop": SHOP_APP,
                },
            },
        },
        "partners": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "name", "email", "region"],
                "properties": {
                    "id": _ID,
                    "name": {"type": "string", "minLength": 1},
                    "email": _EMAIL,
                    "password": {"type": "string", "minLength": 1},
                    "region": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                },
            },
        },
        "history": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["action", "shop", "account"],
                "oneOf": [{"required": ["ago"]}, {"required": ["at"]}],
                "properties": {
                    "ago": _DURATION,
                    "at": _WHEN,
                    "action": {"enum": ["link_official", "link_marketing", "unlink"]},
                    "shop": _ID,
                    "account": {"type": "string"},
                },
            },
        },
    },
}


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # libyaml's: 7 times faster
    """YAML without implicit timestamps: times stay strings, so that the schema and parse_time judge them."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class FixtureError(ValueError):
    """The data file is not valid; the message names the place and the problem."""


@dataclass(frozen=True)
class Loaded:
    start: datetime
    sellers: int
    shops: int
    accounts: int
    history: int
    partner_apps: int = 0


def read(source: str | Path, *, validated: bool = True) -> dict[str, Any]:
    """Read a data file (YAML or JSON), or the built-in demo data when ``source`` is ``"demo"``. Not ``validated``:
    as parsed, which may be anything YAML holds (for a caller that knows it valid, or validates it later). The demo
    data, linksim's own, is checked by its tests rather than on every run: a server's first sandbox or start page
    then imports no jsonschema (some 50 ms and 3.5 MB a process)."""
    if str(source) == DEMO:
        return copy.deepcopy(_demo_data())  # parsed once: every sandbox of a test run may ask for it
    return _parse_file(Path(source), validated)


@functools.cache
def _demo_data() -> dict[str, Any]:
    text = resources.files("auth_server").joinpath("demo.yaml").read_text(encoding="utf-8")
    return _parse(text, "demo data", validated=False)


def _parse_file(path: Path, validated: bool) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"cannot read the data file {path}: {exc.strerror}") from None
    return _parse(text, str(path), validated)


def _parse(text: str, name: str, validated: bool) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_Loader)  # JSON is YAML too
    except yaml.YAMLError as exc:
        raise FixtureError(f"{name} is not valid YAML or JSON: {exc}") from None
    return validate(data or {}, name) if validated else cast(dict[str, Any], data or {})


def validate(data: Any, name: str = "data") -> dict[str, Any]:
    import jsonschema  # here: about 100 ms to import, and a server started without data never validates any

    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"- {_where(e)}: {e.message}" for e in errors[:10]]
        raise FixtureError(f"{name} does not follow the data file format (docs/fixtures.md):\n" + "\n".join(lines))
    return cast(dict[str, Any], data)  # the schema's root is an object


def markets_of(data: dict[str, Any], builtin: Markets) -> Markets:
    if not data.get("markets"):
        return builtin
    # A file's market may inherit a built-in one: give the builder both.
    try:
        return builtin.merged(Markets.from_mapping({**builtin_market_data(), **data["markets"]}))
    except ValueError as exc:
        raise FixtureError(f"markets: {exc}") from None


def load(service: LinkingService, data: dict[str, Any], *, now: datetime) -> Loaded:
    """Write the parties of ``data`` into the service's store and replay its history up to ``start``.

    ``now`` is the time used when the file names no ``start``.
    """
    start = start_of(data, now)
    markets = service.markets
    builder = _Builder(start, data.get("default_password"))
    with service.unit_of_work() as repo:
        for seller_data in data.get("sellers", []):
            builder.seller(repo, seller_data, markets)
        usernames: dict[str, str] = {}
        for index, account_data in enumerate(data.get("accounts", [])):
            username = account_data["username"].lstrip("@")
            if username in usernames or repo.account_by_username(username) is not None:
                raise FixtureError(f"accounts[{index}]: the username @{username} is used twice (or already loaded)")
            usernames[username] = builder.account(repo, account_data).open_id
    with service.unit_of_work() as repo:
        for app_data in data.get("partner_apps", []):
            builder.partner_app(repo, app_data)
        for seller_data in data.get("sellers", []):
            builder.seller_login(repo, seller_data)
        for partner_data in data.get("partners", []):
            builder.partner_login(repo, partner_data)
    authorizations = ShopAuthorizations(service.unit_of_work, ManualClock(start))
    for seller_data in data.get("sellers", []):
        for app_key in seller_data.get("authorized_apps", []):
            _authorize(authorizations, seller_data, app_key)
    history = sorted(
        (_history_time(entry, start), index, entry) for index, entry in enumerate(data.get("history", []))
    )
    if history:
        replay_clock = ManualClock(history[0][0])
        replayer = LinkingService(service.unit_of_work, replay_clock, markets)
        for when, index, entry in history:
            if when > start:
                raise FixtureError(f"history[{index}]: happens after start ({when.isoformat()})")
            replay_clock.set(when)
            _replay(replayer, entry, index, usernames)
    return Loaded(start, builder.sellers, builder.shops, builder.accounts, len(history), builder.partner_apps)


class _Builder:
    def __init__(self, start: datetime, default_password: str | None) -> None:
        self.start = start
        self.default_password = default_password
        self.sellers = self.shops = self.accounts = self.partner_apps = 0
        self.shop_ids: set[str] = set()
        self.product_ids: set[str] = set()

    def seller(self, repo: Any, data: dict[str, Any], markets: Markets) -> None:
        if repo.seller(data["id"]) is not None:
            raise FixtureError(f"sellers: the seller id {data['id']} is used twice (or already loaded)")
        repo.add(Seller(seller_id=data["id"], name=data["name"], entity_id=data["entity"]))
        repo.flush()
        self.sellers += 1
        for shop_data in data.get("shops", []):
            market = shop_data.get("market", "global")
            if market not in markets:
                raise FixtureError(
                    f"shop {shop_data['id']}: unknown market {market!r}; known: {', '.join(markets.names())}"
                )
            if shop_data["id"] in self.shop_ids or repo.shop(shop_data["id"]) is not None:
                raise FixtureError(f"shops: the shop id {shop_data['id']} is used twice (or already loaded)")
            self.shop_ids.add(shop_data["id"])
            review = shop_data.get("review", {})
            repo.add(Shop(
                shop_id=shop_data["id"],
                seller_id=data["id"],
                name=shop_data["name"],
                region=shop_data["region"].upper(),
                market=market,
                status=ShopStatus(shop_data.get("status", ShopStatus.ACTIVE.value)),
                probation_until=self.start + parse_duration(shop_data["probation"])
                if "probation" in shop_data else None,
                review_mode=ReviewMode(review["mode"]) if "mode" in review else None,
                review_delay=parse_duration(review["delay"]) if "delay" in review else None,
                shopping_bag_delay=parse_duration(shop_data["shopping_bag_delay"])
                if "shopping_bag_delay" in shop_data else None,
                created_at=self.start,
            ))
            repo.flush()
            self.shops += 1
            for product in shop_data.get("products", []):
                if product["id"] in self.product_ids or repo.product(product["id"]) is not None:
                    raise FixtureError(f"shop {shop_data['id']}: the product id {product['id']} is used twice "
                                       "(or already loaded)")
                self.product_ids.add(product["id"])
                repo.add(Product(product_id=product["id"], shop_id=shop_data["id"], title=product["title"],
                                 in_marketplace=product.get("marketplace", False)))

    def account(self, repo: Any, data: dict[str, Any]) -> Account:
        username = data["username"].lstrip("@")
        account_type = AccountType(data.get("type", AccountType.PERSONAL.value))
        if account_type is AccountType.ORGANIZATION and "entity" not in data:
            raise FixtureError(f"account @{username}: an organization account needs its entity")
        account = Account(
            open_id=data.get("open_id", f"oid_{username.replace('.', '_')}"),
            username=username,
            nickname=data.get("nickname", username),
            region=data["region"].upper(),
            birth_date=self._birth_date(data, username),
            email=data.get("email"),
            phone=data.get("phone"),
            avatar_url=data.get("avatar_url"),
            account_type=account_type,
            verification=Verification(data.get("verification", Verification.UNVERIFIED.value)),
            verification_outcome=VerificationOutcome(data.get("verification_outcome", "pass")),
            verification_delay=parse_duration(data.get("verification_delay", "0s")),
            standing=Standing(data.get("standing", Standing.GOOD.value)),
            followers=data.get("followers", 0),
            affiliate_signed_up=data.get("affiliate", False),
            app_fault=AppFault(data.get("app_fault", AppFault.NONE.value)),
            entity_id=data.get("entity"),
            created_at=self.start,
        )
        if account.verification is Verification.PENDING:
            account.verification_due_at = self.start + account.verification_delay
        password = data.get("password", self.default_password)
        if password:
            account.set_password(password)
        if repo.account(account.open_id) is not None:
            raise FixtureError(f"account @{username}: the open id {account.open_id} is used twice (or already loaded)")
        repo.add(account)
        repo.flush()
        for contact in data.get("members", []):
            repo.add(OrgMember(open_id=account.open_id, contact=contact, added_at=self.start))
        for contact in data.get("former_members", []):
            repo.add(OrgMember(open_id=account.open_id, contact=contact, added_at=self.start - timedelta(days=30),
                               removed_at=self.start - timedelta(days=1)))
        self.accounts += 1
        return account

    def partner_app(self, repo: Any, data: dict[str, Any]) -> PartnerApp:
        self.partner_apps += 1
        return add_partner_app(repo, data, self.start)

    def seller_login(self, repo: Any, data: dict[str, Any]) -> None:
        """A seller with an e-mail and a password (its own, or the file's default) may sign in to Seller Center."""
        password = data.get("password", self.default_password)
        if "email" not in data or not password:
            return
        regions = [shop["region"].upper() for shop in data.get("shops", [])]
        self._login(repo, ShopLogin(email=data["email"].lower(), kind=LoginKind.SELLER, party_id=data["id"],
                                    name=data["name"], region=regions[0] if regions else "US",
                                    password_hash=hash_secret(password)))

    def partner_login(self, repo: Any, data: dict[str, Any]) -> None:
        password = data.get("password", self.default_password)
        if not password:
            raise FixtureError(f"partner {data['id']}: give it a password (or the file a default_password)")
        self._login(repo, ShopLogin(email=data["email"].lower(), kind=LoginKind.PARTNER, party_id=data["id"],
                                    name=data["name"], region=data["region"].upper(),
                                    password_hash=hash_secret(password)))

    @staticmethod
    def _login(repo: Any, login: ShopLogin) -> None:
        if repo.get(ShopLogin, login.email) is not None:
            raise FixtureError(f"the e-mail {login.email} signs in twice (sellers and partners share them)")
        repo.add(login)
        repo.flush()

    def _birth_date(self, data: dict[str, Any], username: str) -> date | None:
        if "birth_date" in data:
            return date.fromisoformat(data["birth_date"])
        if "age" in data:
            # The holder is ``age`` at start, and the next day is a birthday: tomorrow adds a year.
            tomorrow = self.start.date() + timedelta(days=1)
            try:
                return tomorrow.replace(year=tomorrow.year - data["age"] - 1)
            except ValueError:  # tomorrow is 29 February: that birthday falls on 1 March in other years
                return tomorrow.replace(year=tomorrow.year - data["age"] - 1, month=3, day=1)
        if data.get("type") == AccountType.ORGANIZATION.value:
            return None
        raise FixtureError(f"account @{username}: give birth_date or age (the holder's age is a linking rule)")


def add_partner_app(repo: Any, data: dict[str, Any], now: datetime) -> PartnerApp:
    """Register a partner app described as in a data file's ``partner_apps`` (already validated)."""
    if repo.get(PartnerApp, data["client_key"]) is not None:
        raise FixtureError(f"partner_apps: the client_key {data['client_key']} is used twice (or already loaded)")
    app = PartnerApp(
        client_key=data["client_key"],
        client_secret_hash=client_secret_digest(data["client_secret"]),
        name=data.get("name", data["client_key"]),
        redirect_uris=list(data["redirect_uris"]),
        scopes=list(data.get("scopes", [DEFAULT_SCOPE])),
        grant_types=list(data.get("grant_types", GRANT_TYPES)),
        created_at=now,
        developer=data.get("developer"),
    )
    repo.add(app)
    repo.flush()
    if "webhook_url" in data:
        repo.add(DeveloperWebhook(client_key=app.client_key, url=data["webhook_url"],
                                  client_secret=data["client_secret"]))
    if "shop" in data:
        add_shop_app(repo, data["shop"], client_key=app.client_key, name=app.name, now=now)
    return app


def add_shop_app(repo: Any, data: dict[str, Any], *, client_key: str | None, name: str, now: datetime) -> ShopApp:
    """Register an app's TikTok Shop side, described as in a data file's ``partner_apps[].shop``."""
    if repo.get(ShopApp, data["app_key"]) is not None:
        raise FixtureError(f"partner_apps: the shop app_key {data['app_key']} is used twice (or already loaded)")
    if repo.first_where(ShopApp, service_id=data["service_id"]) is not None:
        raise FixtureError(f"partner_apps: the shop service_id {data['service_id']} is used twice (or already loaded)")
    shop_app = ShopApp(
        app_key=data["app_key"],
        app_secret=data["app_secret"],
        service_id=data["service_id"],
        name=data.get("name", name),
        redirect_url=data["redirect_url"],
        client_key=client_key,
        created_at=now,
        **shop_app_settings(data),
    )
    repo.add(shop_app)
    repo.flush()
    return shop_app


def shop_app_settings(data: dict[str, Any]) -> dict[str, Any]:
    """A Shop app's settings (``SHOP_APP_SETTINGS``) as the app keeps them, with the data file's defaults for
    those that ``data`` (a validated ``partner_apps[].shop``, or some of its settings) leaves out."""
    return {
        "scopes": list(data.get("scopes", [])),
        "markets": [market.upper() for market in data.get("markets", [])],
        "user_types": [int(UserType[label.upper()]) for label in data.get("user_types", ["seller"])],
        "webhook_url": data.get("webhook_url"),
        "events": list(data.get("events", [])),
        "authorization_duration": parse_duration(data["authorization_duration"])
        if "authorization_duration" in data else DEFAULT_AUTHORIZATION_DURATION,
    }


def validate_partner_app(data: Any) -> dict[str, Any]:
    return cast(dict[str, Any], validate({"partner_apps": [data]}, "the partner app")["partner_apps"][0])


def _authorize(authorizations: ShopAuthorizations, seller: dict[str, Any], app_key: str) -> None:
    """The seller authorized the Shop app ``app_key`` at start, as on its authorization page: an authorization in
    force for the shops it reached, which lets the partner app it goes with act for the seller's shops."""
    app = authorizations.app(app_key)
    if app is None:
        raise FixtureError(f"seller {seller['id']}: authorized_apps names {app_key}, which no "
                           "partner_apps[].shop.app_key of this file is")
    try:
        offer = authorizations.offer_to_seller(app, seller["id"], seller["name"])
    except PageRefusal as refusal:
        raise FixtureError(f"seller {seller['id']}: cannot authorize {app_key}: {refusal}") from None
    authorizations.grant(offer, seller["id"], seller["shops"][0]["region"].upper())  # its base region, as signed in


def _replay(service: LinkingService, entry: dict[str, Any], index: int, usernames: dict[str, str]) -> None:
    # Accounts are named by the username the file gives them, which a name sync (E2) may have changed since.
    name = entry["account"].lstrip("@")
    if name not in usernames:
        raise FixtureError(f"history[{index}]: no account @{name} in this file")
    try:
        account = service.get_account(usernames[name])
        shop_id = entry["shop"]
        if entry["action"] == "link_official":
            if account.is_organization:
                service.link_organization_account(shop_id, account.open_id, actor="history")
                return
            link = service.start_official_link(shop_id, actor="history")
            service.give_consent(link.link_id, account.open_id)
            service.accept_terms(link.link_id, actor="history")
        elif entry["action"] == "link_marketing":
            invitation = service.invite_marketing_account(shop_id, account.open_id, actor="history")
            service.answer_invitation(invitation.invitation_id, account.open_id, accept=True)
        else:
            service.unlink(shop_id, account.open_id, actor="history")
    except Refused as refusal:
        raise FixtureError(
            f"history[{index}] ({entry['action']} @{entry['account']} at {entry['shop']}) is refused: "
            + "; ".join(refusal.codes)
        ) from None


def _history_time(entry: dict[str, Any], start: datetime) -> datetime:
    if "at" in entry:
        return _time(entry["at"], "history.at")
    return start - parse_duration(entry["ago"])


def start_of(data: dict[str, Any], now: datetime) -> datetime:
    """The time the clock reads once ``data`` is loaded: its ``start``, or ``now`` if it names none."""
    return _time(data["start"], "start") if "start" in data else now


def _time(value: Any, where: str) -> datetime:
    try:
        return parse_time(str(value)) if not isinstance(value, datetime) else parse_time(value.isoformat())
    except ValueError as exc:
        raise FixtureError(f"{where}: {exc}") from None


def _where(error: jsonschema.ValidationError) -> str:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return path.lstrip(".") or "(top level)"


