"""TikTok Shop apps for tests: read and change an app's settings while the world runs, and authorize an app in one
call, as the authorization page does when the seller, creator or partner taps Authorize.

- ``GET /_sim/shop-apps/<app_key>``; ``POST /_sim/shop-apps/<app_key>`` with any of the app's settings
  (``fixtures.SHOP_APP_SETTINGS``, checked by the data file's own schema pieces);
- ``POST /_sim/shop-authorizations`` with ``{"app_key", "seller" | "creator" | "partner", "state"?}``: the code
  and the redirect URL the page would have sent;
- ``POST /_sim/shop-authorizations/remove`` with ``{"app_key", "seller" | "creator" | "partner"}``: the party
  removes the app, as in Seller Center or the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Blueprint
from flask import jsonify

from auth_server import fixtures
from auth_server.domain import codes
from auth_server.domain.accounts import Account
from auth_server.domain.errors import Refused
from auth_server.shop_partner.authorizations import Offer
from auth_server.shop_partner.authorizations import PageRefusal
from auth_server.shop_partner.authorizations import ShopAuthorizations
from auth_server.shop_partner.authorizations import shop_entry
from auth_server.shop_partner.models import CODE_LIFETIME
from auth_server.shop_partner.models import LoginKind
from auth_server.shop_partner.models import ShopApp
from auth_server.shop_partner.models import ShopLogin
from auth_server.shop_partner.models import UserType
from auth_server.shop_partner.models import app_open_id
from auth_server.web import context
from auth_server.web.control.access import controls_only
from auth_server.web.control.bodies import account_named
from auth_server.web.control.bodies import json_object
from auth_server.web.shop_partner import authorized_redirect

bp = Blueprint("control_shop_apps", __name__, url_prefix="/_sim")
bp.before_request(controls_only)

PARTIES = ("seller", "creator", "partner")

# The data file's own pieces: a setting is valid here exactly when it would be valid in partner_apps[].shop.
SETTINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        **{name: fixtures.SHOP_APP["properties"][name] for name in fixtures.SHOP_APP_SETTINGS},
        "webhook_url": {"anyOf": [fixtures.SHOP_APP["properties"]["webhook_url"], {"type": "null"}]},  # null: none
    },
}


def shop_app_view(app: ShopApp) -> dict[str, Any]:
    """The app as a test sees it: everything but its secret."""
    return {
        "app_key": app.app_key, "service_id": app.service_id, "name": app.name, "client_key": app.client_key,
        "redirect_url": app.redirect_url, "scopes": app.scopes, "markets": app.markets,
        "user_types": [UserType(t).label for t in app.user_types], "webhook_url": app.webhook_url,
        "events": app.events, "authorization_duration": _duration_text(app.authorization_duration),
    }


@bp.get("/shop-apps/<app_key>")
def read_shop_app(app_key: str) -> Any:
    return jsonify(shop_app_view(_app(app_key)))


@bp.post("/shop-apps/<app_key>")
def change_shop_app(app_key: str) -> Any:
    """``{"webhook_url": "http://127.0.0.1:8123/hooks", "events": ["LINK_ACTIVE"], "markets": ["US"]}``...: each
    setting given replaces the app's; authorizations made before keep the duration they were given."""
    import jsonschema  # here: about 70 ms to import, which a server's start need not pay

    body = json_object()
    _app(app_key)
    errors = sorted(jsonschema.Draft202012Validator(SETTINGS_SCHEMA).iter_errors(body),
                    key=lambda e: list(e.absolute_path))
    if errors:
        where = ".".join(str(part) for part in errors[0].absolute_path) or ", ".join(sorted(body)) or "body"
        raise Refused.because(codes.INVALID_INPUT, field=where, problem=f"{errors[0].message} (settings: "
                                                                        f"{', '.join(fixtures.SHOP_APP_SETTINGS)})")
    changes = {name: value for name, value in fixtures.shop_app_settings(body).items() if name in body}
    if "redirect_url" in body:
        changes["redirect_url"] = body["redirect_url"]
    with context.world().simulator.store.unit_of_work() as repo:
        app = repo.get(ShopApp, app_key, lock=True)
        if app is None:  # gone since it was found above (a reset in between)
            raise Refused.because(codes.SHOP_APP_NOT_FOUND, app_key=app_key[:64])
        for name, value in changes.items():
            setattr(app, name, value)
        view = shop_app_view(app)
    return jsonify(view)


@bp.post("/shop-authorizations")
def authorize_shop_app() -> Any:
    """The party taps Authorize on the app's authorization page: the code and the redirect URL it would send."""
    body = json_object()
    state = body.get("state")
    if state is not None and not (isinstance(state, str) and state):
        raise Refused.because(codes.INVALID_INPUT, field="state", problem="give a non-empty string, or leave it out")
    app = _app(body.get("app_key"))
    party = _party(body)
    service = context.shop_partner()
    try:
        offer = party.offer(service, app)
    except PageRefusal as refusal:
        raise Refused.because(codes.SHOP_AUTHORIZATION_REFUSED, problem=str(refusal)) from None
    code = service.authorize(offer, party.party_id, party.region)
    return jsonify(_authorization_view(offer, code, state, party.party_id, party.region)), 201


@bp.post("/shop-authorizations/remove")
def remove_shop_authorization() -> Any:
    """The party removes the app, as in Seller Center (sellers, partners) or the app (creators): the tokens stop at
    once and the app's webhooks (6 per shop, or 20) are sent."""
    body = json_object()
    app = _app(body.get("app_key"))
    party = _party(body)
    service = context.shop_partner()
    held = [grant for grant, held_app in service.grants_of(party.party_id, (party.user_type,))
            if held_app.app_key == app.app_key]
    if not held:
        raise Refused.because(codes.SHOP_AUTHORIZATION_NOT_FOUND, party=party.kind, app_key=app.app_key)
    grant = service.deauthorize(held[0].grant_id, party.party_id)
    return jsonify({"app_key": app.app_key, "user_type": party.kind, "open_id": grant.open_id,
                    "shop_ids": grant.shop_ids, "removed_at": grant.revoked_at.isoformat() if grant.revoked_at
                    else None})


@dataclass(frozen=True)
class _Party:
    kind: str  # seller, creator, partner
    party_id: str
    region: str | None
    login: ShopLogin | None = None
    account: Account | None = None

    @property
    def user_type(self) -> UserType:
        return UserType[self.kind.upper()]

    def offer(self, service: ShopAuthorizations, app: ShopApp) -> Offer:
        if self.account is not None:
            return service.offer_to_creator(app, self.account)
        assert self.login is not None, "a seller or partner is named by its sign-in"
        return service.offer_to_login(app, self.login)


def _party(body: dict[str, Any]) -> _Party:
    """The one party the body names: a creator by username or open_id, a seller or partner by id or e-mail."""
    named = [party for party in PARTIES if party in body]
    if len(named) != 1:
        raise Refused.because(codes.INVALID_INPUT, field="body",
                              problem='name the app and one party: {"app_key": "...", "seller": "seller_acme"}, '
                                      '"creator": "cora" or "partner": "partner_reach"')
    kind = named[0]
    if kind == "creator":
        account = account_named(context.service(), body[kind], kind)
        return _Party(kind, account.open_id, account.region, account=account)
    login = _login(body[kind], LoginKind(kind), kind)
    return _Party(kind, login.party_id, login.region, login=login)


def _authorization_view(offer: Offer, code: str, state: str | None, party_id: str,
                        region: str | None) -> dict[str, Any]:
    now = context.shop_partner().now()
    return {
        "code": code,
        "redirect_url": authorized_redirect(offer, code, state, region),
        "state": state,
        "app_key": offer.app.app_key,
        "user_type": offer.user_type.label,
        "open_id": app_open_id(offer.app.app_key, party_id),
        "shop_region": (region or offer.shops[0].region) if offer.user_type is UserType.SELLER else None,
        "shops": [shop_entry(shop) for shop in offer.shops],
        "code_expires_at": (now + CODE_LIFETIME).isoformat(),
    }


def _app(app_key: Any) -> ShopApp:
    if not isinstance(app_key, str) or not app_key:
        raise Refused.because(codes.INVALID_INPUT, field="app_key", problem="give the app's app_key")
    app = context.shop_partner().app(app_key)
    if app is None:
        raise Refused.because(codes.SHOP_APP_NOT_FOUND, app_key=app_key[:64])
    return app


def _login(name: Any, kind: LoginKind, field: str) -> ShopLogin:
    """A seller or partner by id or e-mail, as they would sign in (no password: the control speaks for them)."""
    if not isinstance(name, str) or not name.strip():
        raise Refused.because(codes.INVALID_INPUT, field=field, problem=f"give the {field}'s id or e-mail")
    found = context.shop_partner().login_named(name, kind)
    if found is None:
        raise Refused.because(codes.INVALID_INPUT, field=field,
                              problem=f"no {field} signs in as {name[:64]!r} in this world (a data file's "
                                      f"{field}s[].id or e-mail; a seller needs an e-mail to sign in)")
    return found


def _duration_text(duration: timedelta) -> str:
    seconds = int(duration.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
