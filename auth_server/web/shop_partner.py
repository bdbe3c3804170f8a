"""TikTok Shop's authorization for partners' apps, on TikTok's own paths (shared/TIKTOK_WIRE.md 3.1 to 3.6).

- the authorization pages: ``/open/authorize?service_id=`` (sellers, and partners on ``partner.*`` hosts),
  ``/oauth/authorize?app_key=`` (the legacy seller form), ``/alliance/creator/auth?app_key=&state=`` (creators);
- the token endpoints ``/api/v2/token/get`` and ``/api/v2/token/refresh`` (GET as documented; POST with a JSON
  or form body too);
- the signed API ``GET /authorization/202309/shops``.

Every answer of the token endpoints and the API is TikTok Shop's envelope ``{code, message, data, request_id}``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from auth_server.shop_partner.authorizations import AUTHORIZED_SHOPS
from auth_server.shop_partner.authorizations import Offer
from auth_server.shop_partner.authorizations import PageRefusal
from auth_server.shop_partner.authorizations import SignedCall
from auth_server.shop_partner.models import LoginKind
from auth_server.shop_partner.models import ShopApp
from auth_server.shop_partner.models import UserType
from auth_server.web import context
from auth_server.web.browser_session import shop_login
from auth_server.web.browser_session import signed_in
from auth_server.web.errors import error_page
from auth_server.web.errors import shop_request_id

bp = Blueprint("shop_partner", __name__)

PARTNER_HOSTS = ("partner.tiktokshop.com", "partner.us.tiktokshop.com")
LOCALE = "en"
ACCESS_TOKEN_HEADER = "x-tts-access-token"


# --- the authorization pages -------------------------------------------------------------------------------------

@bp.route("/open/authorize", methods=["GET", "POST"])
def service_authorize() -> Any:
    """Sellers, and partners (TAP): the app is named by its ``service_id``."""
    app = context.shop_partner().app_for_service(request.args.get("service_id", ""))
    if app is None:
        return _no_app("service_id", request.args.get("service_id", ""))
    wants_partner = request.host.split(":")[0].lower() in PARTNER_HOSTS or (
        app.serves(UserType.PARTNER) and not app.serves(UserType.SELLER))
    return _shop_authorization(app, LoginKind.PARTNER if wants_partner else LoginKind.SELLER)


@bp.route("/oauth/authorize", methods=["GET", "POST"])
def legacy_authorize() -> Any:
    """The legacy seller form, by ``app_key``."""
    app = context.shop_partner().app(request.args.get("app_key", ""))
    if app is None:
        return _no_app("app_key", request.args.get("app_key", ""))
    return _shop_authorization(app, LoginKind.SELLER)


@bp.route("/alliance/creator/auth", methods=["GET", "POST"])
def creator_authorize() -> Any:
    """Creators, by ``app_key``; ``state`` is mandatory here."""
    app = context.shop_partner().app(request.args.get("app_key", ""))
    if app is None:
        return _no_app("app_key", request.args.get("app_key", ""))
    if not request.args.get("state"):
        return error_page(400, "state_required", "The creator authorization link needs a state parameter: TikTok "
                                                 "does not add it to a copied link. Add &state=<your value> to it.")
    account = signed_in()
    if account is None:
        return redirect(url_for("screens.sign_in", next=_here()))
    try:
        offer = context.shop_partner().offer_to_creator(app, account)
    except PageRefusal as refusal:
        return error_page(403, "authorization_refused", str(refusal))
    return _decide(offer, account.open_id, account.region, who=f"@{account.username}")


def _shop_authorization(app: ShopApp, kind: LoginKind) -> Any:
    login = shop_login()
    if login is None or login.kind is not kind:
        return redirect(url_for("seller_center.sign_in", next=_here(), kind=kind.value))
    try:
        offer = context.shop_partner().offer_to_login(app, login)
    except PageRefusal as refusal:
        return error_page(403, "authorization_refused", str(refusal))
    return _decide(offer, login.party_id, login.region, who=login.name)


def _decide(offer: Offer, party_id: str, region: str | None, *, who: str) -> Any:
    if request.method == "GET":
        return render_template("shop_partner/authorize.html", offer=offer, who=who, action=_here())
    state = request.args.get("state")
    if request.form.get("decision") != "authorize":
        error = context.config().shop_rejection_error
        return _back_to_app(offer.app, [("code", "null"), ("error", error), ("state", state)]
                            if error == "auth_denied" else [("error", error), ("code", "null"), ("state", state)])
    code = context.shop_partner().authorize(offer, party_id, region)
    return redirect(authorized_redirect(offer, code, state, region))


def authorized_redirect(offer: Offer, code: str, state: str | None, region: str | None) -> str:
    """Where the page sends the person once they authorized: the app's redirect URL with the code (shared with
    the control that authorizes in one call, ``POST /_sim/shop-authorizations``)."""
    params: list[tuple[str, str | None]] = [("code", code), ("state", state)]
    if offer.user_type is not UserType.CREATOR:
        params += [("app_key", offer.app.app_key), ("locale", LOCALE)]
    if offer.user_type is UserType.SELLER:
        params.append(("shop_region", region or offer.shops[0].region))
    return _app_url(offer.app, params)


def _back_to_app(app: ShopApp, params: list[tuple[str, str | None]]) -> Any:
    return redirect(_app_url(app, params))


def _app_url(app: ShopApp, params: list[tuple[str, str | None]]) -> str:
    """The app's redirect URL with ``params``; ``state`` only when one was given (App Store installs send none)."""
    query = urlencode([(key, value) for key, value in params if value])
    return app.redirect_url + ("&" if "?" in app.redirect_url else "?") + query


def _here() -> str:
    """This page's URL, sandbox prefix and query included: where signing in comes back to."""
    return request.script_root + request.full_path.rstrip("?")


def _no_app(parameter: str, value: str) -> Any:
    shown = value[:64] or "(none)"
    return error_page(404, "app_not_found", f"No TikTok Shop app has the {parameter} {shown}. Copy the authorization "
                                            "link from the app's page again (the data file's partner_apps[].shop).")


def removal(grant_id: str, party_id: str, listing: str) -> Any:
    """A party removing an app from its list (Seller Center's, the app's): back to the list, which names the app."""
    service = context.shop_partner()
    try:
        grant = service.deauthorize(grant_id, party_id)
    except PageRefusal as refusal:
        return error_page(404, "authorization_not_found", str(refusal))
    app = service.app(grant.app_key)
    return redirect(url_for(listing, removed=app.name if app else grant.app_key))


# --- the token endpoints -----------------------------------------------------------------------------------------

@bp.route("/api/v2/token/get", methods=["GET", "POST"])
def token_get() -> Response:
    values = _token_parameters()
    return _envelope(context.shop_partner().exchange(
        values.get("app_key", ""), values.get("app_secret", ""), values.get("auth_code", ""),
        values.get("grant_type", "")))


@bp.route("/api/v2/token/refresh", methods=["GET", "POST"])
def token_refresh() -> Response:
    values = _token_parameters()
    return _envelope(context.shop_partner().refresh(
        values.get("app_key", ""), values.get("app_secret", ""), values.get("refresh_token", ""),
        values.get("grant_type", "")))


def _token_parameters() -> dict[str, str]:
    """The query (as documented), overlaid with a JSON or form body (as some clients send)."""
    values = dict(request.args.items())
    body = request.get_json(silent=True) if request.is_json else request.form
    if isinstance(body, dict):  # a form, or a JSON object; a JSON array or scalar names no parameter
        values.update({key: str(value) for key, value in body.items() if isinstance(value, str | int)})
    return values


# --- signed API calls --------------------------------------------------------------------------------------------

@bp.get(AUTHORIZED_SHOPS.path)
def authorized_shops() -> Response:
    service = context.shop_partner()
    grant = service.authenticate(_signed_call(), AUTHORIZED_SHOPS)
    return _envelope({"shops": service.authorized_shops(grant)}, message="Success")


def _signed_call() -> SignedCall:
    # A client signs the path it sent: behind a sandbox prefix that is the whole path, as TikTok's is the rest.
    return SignedCall(
        paths=(request.script_root + request.path, request.path),
        query=list(request.args.items(multi=True)),
        body=request.get_data(cache=True),
        content_type=request.content_type or "",
        access_token=request.headers.get(ACCESS_TOKEN_HEADER) or request.args.get("access_token"),
    )


# --- the envelope --------------------------------------------------------------------------------------------------

def _envelope(data: Any, *, message: str = "success") -> Response:
    return jsonify({"code": 0, "message": message, "data": data, "request_id": shop_request_id()})
