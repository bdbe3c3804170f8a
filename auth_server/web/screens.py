"""The simulated TikTok app's screens in a browser: sign in (password or one-time passcode), the home (the inbox,
identity verification), scanning a QR code, the Seller-app requests, invitations, the apps the holder authorized."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from auth_server.domain import codes
from auth_server.domain.accounts import Account
from auth_server.domain.errors import Refused
from auth_server.domain.links import Channel
from auth_server.shop_partner.models import UserType
from auth_server.web import context
from auth_server.web import login_kit_access
from auth_server.web import shop_partner
from auth_server.web.browser_session import safe_next
from auth_server.web.browser_session import sign_in_as
from auth_server.web.browser_session import sign_out
from auth_server.web.browser_session import signed_in
from auth_server.web.errors import error_page

bp = Blueprint("screens", __name__, url_prefix="/app")


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("screens.home"))


@bp.get("/")
def home() -> Any:
    """What the holder can do now: answer what waits in the inbox, verify their identity, manage their apps."""
    account = signed_in()
    if account is None:
        return render_template("screens/home.html", account=None)
    return render_template("screens/home.html", account=account, **_inbox_of(account))


def _inbox_of(account: Account) -> dict[str, Any]:
    service = context.service()
    items = service.inbox(account.open_id)
    named = [item.shop_id for kind in ("requests", "invitations", "affiliate_invitations") for item in items[kind]]
    return {"shops": {shop.shop_id: shop for shop in service.shops(named)}, **items}


@bp.post("/verification")
def start_verification() -> Any:
    """Identity verification, which refusals ask the holder to pass: the account's outcome setting decides it."""
    account, to_sign_in = _signed_in_or_redirect()
    if to_sign_in:
        return to_sign_in
    context.service().start_verification(account.open_id)
    return redirect(url_for("screens.home"))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("screens/sign_in.html", next=next_url, error=None, username="")
    username = request.form.get("username", "")
    try:
        account = context.service().sign_in(username, request.form.get("password", ""))
    except Refused as refusal:
        error = refusal.violations[0]
        if error.code == codes.ACCOUNT_RENAMED:  # the form offers the name the account has now
            username = str(error.details["current"])
        return render_template("screens/sign_in.html", next=next_url, error=error, username=username), 401
    sign_in_as(account)
    return redirect(next_url)


@bp.route("/scan", methods=["GET", "POST"])
def scan() -> Any:
    """The QR landing: what the app shows after scanning a Seller Center QR code, with Authorize and Cancel."""
    account, to_sign_in = _signed_in_or_redirect()
    if to_sign_in:
        return to_sign_in
    token = request.values.get("token", "")
    service = context.service()
    link = service.get_link(context.consent_tokens().read(token)["link"])
    shop = service.get_shop(link.shop_id)
    if request.method == "GET":
        service.scan(link.link_id, account.open_id)
        policy = context.simulator().markets[shop.market]
        return render_template("screens/scan.html", account=account, shop=shop, link=link, token=token,
                               permissions=policy.official_permissions)
    authorize = request.form.get("decision") == "authorize"
    result = service.give_consent(link.link_id, account.open_id, authorize=authorize)
    return render_template("screens/scan_done.html", account=account, shop=shop, link=result)


@bp.post("/sign-in/passcode")
def request_passcode() -> Any:
    """An organization account's "get OTP": the simulator shows the code it would have sent."""
    next_url = _safe_next(request.form.get("next"))
    username, contact = request.form.get("username", ""), request.form.get("contact", "")
    try:
        code = context.service().request_passcode(username, contact)
    except Refused as refusal:
        return render_template("screens/sign_in.html", next=next_url, error=refusal.violations[0],
                               username=""), 401
    return render_template("screens/passcode.html", next=next_url, username=username, contact=contact, sent_code=code,
                           error=None)


@bp.post("/sign-in/passcode/verify")
def verify_passcode() -> Any:
    next_url = _safe_next(request.form.get("next"))
    username, contact = request.form.get("username", ""), request.form.get("contact", "")
    try:
        account = context.service().sign_in_with_passcode(username, contact, request.form.get("passcode", ""))
    except Refused as refusal:
        return render_template("screens/passcode.html", next=next_url, username=username, contact=contact,
                               sent_code=None, error=refusal.violations[0]), 401
    sign_in_as(account, "passcode")
    return redirect(next_url)


def _signed_in_or_redirect() -> Any:
    account = signed_in()
    if account is None:
        return None, redirect(url_for("screens.sign_in", next=request.full_path))
    return account, None


@bp.get("/inbox")
def inbox() -> Any:
    """The app's inbox: Seller-app consent requests and invitations waiting for this account."""
    account, to_sign_in = _signed_in_or_redirect()
    if to_sign_in:
        return to_sign_in
    return render_template("screens/inbox.html", account=account, **_inbox_of(account))


@bp.route("/requests/<link_id>", methods=["GET", "POST"])
def permission_request(link_id: str) -> Any:
    """The Seller-app flow (O10): the holder turns on each permission toggle and taps Continue."""
    account, to_sign_in = _signed_in_or_redirect()
    if to_sign_in:
        return to_sign_in
    service = context.service()
    link = service.get_link(link_id)
    if link.channel is not Channel.APP_TOGGLE:  # a QR link is answered by scanning its code, nowhere else
        raise Refused.because(codes.LINK_NOT_FOUND, link_id=link_id)
    shop = service.get_shop(link.shop_id)
    permissions = context.simulator().markets[shop.market].official_permissions
    if request.method == "GET":
        return render_template("screens/toggles.html", account=account, shop=shop, link=link, permissions=permissions,
                               error=None)
    authorize = request.form.get("decision") != "cancel"
    try:
        result = service.give_consent(link_id, account.open_id, authorize=authorize,
                                      permissions=request.form.getlist("permission"))
    except Refused as refusal:
        if refusal.code in ("consent_incomplete", "account_mismatch", "authorization_failed"):
            # The request stays open: the holder can turn on the rest and tap Continue again.
            return render_template("screens/toggles.html", account=account, shop=shop, link=link,
                                   permissions=permissions, error=refusal.violations[0]), 409
        raise
    return render_template("screens/scan_done.html", account=account, shop=shop, link=result)


@bp.post("/invitations/<invitation_id>")
def answer_invitation(invitation_id: str) -> Any:
    """Accept or decline a marketing invitation (M5) from the inbox."""
    account, to_sign_in = _signed_in_or_redirect()
    if to_sign_in:
        return to_sign_in
    service = context.service()
    answered = service.answer_invitation(invitation_id, account.open_id,
                                         accept=request.form.get("decision") == "accept")
    shop = service.get_shop(answered.shop_id)
    return render_template("screens/invitation_done.html", account=account, shop=shop, invitation=answered)


@bp.post("/sign-out")
def sign_out_route() -> Any:
    sign_out()
    return redirect(url_for("screens.sign_in"))


@bp.get("/shop-apps")
def shop_apps() -> Any:
    """The TikTok Shop apps the holder authorized as a creator, each with "Remove all access"."""
    account, to_sign_in = _signed_in_or_redirect()
    if to_sign_in:
        return to_sign_in
    grants = context.shop_partner().grants_of(account.open_id, (UserType.CREATOR,))
    return render_template("screens/shop_apps.html", account=account, grants=grants,
                           removed=request.args.get("removed"))


@bp.post("/shop-apps/<grant_id>/remove")
def remove_shop_app(grant_id: str) -> Any:
    account, to_sign_in = _signed_in_or_redirect()
    if to_sign_in:
        return to_sign_in
    return shop_partner.removal(grant_id, account.open_id, "screens.shop_apps")


@bp.get("/authorized-apps")
def authorized_apps() -> Any:
    """Manage app permissions: the Login Kit apps that hold an authorization of the holder."""
    account, to_sign_in = _signed_in_or_redirect()
    if to_sign_in:
        return to_sign_in
    apps = context.login_kit().oauth_store.authorized_apps(account.open_id)
    return render_template("screens/authorized_apps.html", account=account, apps=apps,
                           removed=request.args.get("removed"))


@bp.post("/authorized-apps/<client_key>/remove")
def remove_authorized_app(client_key: str) -> Any:
    account, to_sign_in = _signed_in_or_redirect()
    if to_sign_in:
        return to_sign_in
    if not login_kit_access.remove_app(client_key, account.open_id):
        return error_page(404, "app_not_authorized", "This app holds no authorization of your account any more.")
    return redirect(url_for("screens.authorized_apps", removed=client_key))
