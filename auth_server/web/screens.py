"""The simulated TikTok app's screens in a browser, in a phone's frame with the app's tab bar: sign in (password or
one-time passcode), the home (the inbox, identity verification), scanning a QR code (its scan link, or a picture of
it the server decodes), the Seller-app requests with their permission switches, invitations, the profile (the
Business badge, the Shop Page or Showcase, the sales channels, the Affiliate Center), the apps the holder
authorized."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.exceptions import RequestEntityTooLarge

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
from auth_server.web.errors import STATUS_OF_KIND
from auth_server.web.errors import error_page
from auth_server.web.errors import http_error_with_its_headers
from auth_server.web.qr_reading import MAX_PICTURE_BYTES
from auth_server.web.qr_reading import ScanRefused
from auth_server.web.qr_reading import no_picture
from auth_server.web.qr_reading import qr_text
from auth_server.web.qr_reading import too_large
from auth_server.web.scan_urls import scan_target

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
    """The QR landing: what the app shows after scanning a Seller Center QR code, with Authorize and Cancel; without
    a code, the Scan tab (upload a picture of the code, or open its scan link)."""
    account, to_sign_in = _signed_in_or_redirect()
    if to_sign_in:
        return to_sign_in
    token = request.values.get("token", "")
    if request.method == "GET" and not token:
        return render_template("screens/scanner.html", account=account, max_mb=MAX_PICTURE_BYTES // (1024 * 1024))
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


@bp.url_value_preprocessor
def _picture_size_limit(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # A picture may be larger than the server's limit for a request body; this runs before the CSRF check reads
    # the form (and with it the file), which every before_request function would be too late for.
    if endpoint == "screens.scan_picture":
        request.max_content_length = MAX_PICTURE_BYTES + 64 * 1024  # the form's other fields and multipart's framing


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> Any:
    if request.endpoint == "screens.scan_picture":
        return _scan_refused(too_large())
    return http_error_with_its_headers(error)


@bp.post("/scan/picture")
def scan_picture() -> Any:
    """Scan by picture: the holder uploads a screenshot or photo of the QR code (PNG or JPEG), the server decodes it
    and opens what it encodes, as the phone's camera would."""
    _, to_sign_in = _signed_in_or_redirect(url_for("screens.scan"))
    if to_sign_in:
        return to_sign_in
    picture = request.files.get("picture")
    if picture is None or not picture.filename:
        return _scan_refused(no_picture())
    try:
        text = qr_text(picture.stream.read(MAX_PICTURE_BYTES + 1))
    except ScanRefused as refused:
        return _scan_refused(refused)
    return _open_scanned(text)


@bp.post("/scan/link")
def scan_link() -> Any:
    """Scan by link: the holder pastes the scan link the QR code encodes (Seller Center shows it under the code)."""
    _, to_sign_in = _signed_in_or_redirect(url_for("screens.scan"))
    if to_sign_in:
        return to_sign_in
    text = request.form.get("scan_url", "").strip()
    if not text:
        return _scan_refused(ScanRefused(400, "scan_link_missing", "No scan link was given. Paste the link "
                                                                          "Seller Center shows under its QR code."))
    return _open_scanned(text)


def _open_scanned(text: str) -> Any:
    target = scan_target(text)
    if target is None:
        shown = text if len(text) <= 120 else text[:117] + "…"
        return _scan_refused(ScanRefused(
            400, "qr_code_not_linksim",
            f"This QR code is not a TikTok Shop or TikTok login code: it reads \"{shown}\". Scan the QR code that "
            "Seller Center shows (My account > Linked TikTok accounts > Link official account), or a partner app's "
            "TikTok login code."))
    if target.kind == "login_kit":
        return redirect(f"{url_for('login_kit_qr.scan')}?{urlencode(target.query)}")
    return redirect(url_for("screens.scan", token=target.query["token"]))


def _scan_refused(refused: ScanRefused) -> Any:
    return error_page(refused.status, refused.code, refused.message, heading="This code can't be scanned",
                      try_again=(url_for("screens.scan"), "Scan another code"))


@bp.post("/sign-in/passcode")
def request_passcode() -> Any:
    """An organization account's "get OTP": the simulator shows the code it would have sent."""
    next_url = _safe_next(request.form.get("next"))
    username, contact = request.form.get("username", ""), request.form.get("contact", "")
    try:
        code = context.service().request_passcode(username, contact)
    except Refused as refusal:
        return render_template("screens/sign_in.html", next=next_url, error=None, username="",
                               passcode_error=refusal.violations[0], org_username=username, contact=contact), 401
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


def _signed_in_or_redirect(come_back_to: str | None = None) -> Any:
    """The holder, or the way to the sign-in page, which leads back to ``come_back_to`` (by default this page)."""
    account = signed_in()
    if account is None:
        return None, redirect(url_for("screens.sign_in", next=come_back_to or request.full_path))
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
        # Off until the holder turns each on (000: "turn on all toggles ... then click Continue").
        return render_template("screens/toggles.html", account=account, shop=shop, link=link, permissions=permissions,
                               granted=[], error=None)
    authorize = request.form.get("decision") != "cancel"
    granted = request.form.getlist("permission")
    try:
        result = service.give_consent(link_id, account.open_id, authorize=authorize, permissions=granted)
    except Refused as refusal:
        if refusal.code in ("consent_incomplete", "account_mismatch", "authorization_failed"):
            # The request stays open: the holder can turn on the rest and tap Continue again.
            return render_template("screens/toggles.html", account=account, shop=shop, link=link,
                                   permissions=permissions, granted=granted, error=refusal.violations[0]), 409
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


@bp.post("/affiliate-invitations/<invitation_id>")
def answer_affiliate_invitation(invitation_id: str) -> Any:
    """Accept or decline a seller's affiliate invitation from the inbox: the shop's products at its commission."""
    account, to_sign_in = _signed_in_or_redirect(url_for("screens.inbox"))
    if to_sign_in:
        return to_sign_in
    service = context.service()
    answered = service.answer_affiliate_invitation(invitation_id, account.open_id,
                                                   accept=request.form.get("decision") == "accept")
    shop = service.get_shop(answered.shop_id)
    return render_template("screens/invitation_done.html", account=account, shop=shop, invitation=answered,
                           affiliate=True)


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


@bp.get("/profile")
def profile() -> Any:
    """The holder's profile as the domain keeps it: the Business badge after the upgrade a link brings (E1), the Shop
    Page of an official account or the Showcase of a marketing one with their sales channels and shopping bag (E3),
    the showcase's products, the Affiliate Center sign-up (M8, E5), LIVE (M10)."""
    account, to_sign_in = _signed_in_or_redirect()
    if to_sign_in:
        return to_sign_in
    return _profile_page(account)


def _profile_page(account: Account, refusal: Refused | None = None) -> Any:
    service = context.service()
    shown = service.profile(account.open_id)
    shops = {shop.shop_id: shop for shop in service.shops([s["shop_id"] for s in shown["storefronts"]])}
    history = service.journal(subject_type="account", subject_id=account.open_id)
    upgrades = [event for event in history if event.kind == "account.upgraded_to_business"]
    # The account's LIVE is what its last LIVE event says: a LIVE started records one, and so does its end.
    lives = [event for event in history if event.kind in ("live.started", "live.ended")]
    live = lives[-1] if lives and lives[-1].kind == "live.started" else None
    mirrored = service.get_account(live.data["mirror_of"]) if live and live.data.get("mirror_of") else None
    page = render_template("screens/profile.html", account=account, profile=shown, shops=shops,
                           showcase=service.showcase(account.open_id), live=live, mirrored=mirrored,
                           upgraded_at=upgrades[-1].at if upgrades else None,
                           refusal=refusal.violations[0] if refusal else None)
    return (page, STATUS_OF_KIND[refusal.kind]) if refusal else page


def _on_the_profile(act: Any) -> Any:
    """Do ``act(account)`` for the signed-in holder, then show the profile; a refusal shows on it, with its message."""
    account, to_sign_in = _signed_in_or_redirect(url_for("screens.profile"))
    if to_sign_in:
        return to_sign_in
    try:
        act(account)
    except Refused as refusal:
        return _profile_page(context.service().get_account(account.open_id), refusal)
    return redirect(url_for("screens.profile"))


@bp.post("/affiliate")
def sign_up_affiliate() -> Any:
    """Sign up at the Affiliate Center, which a showcase needs before it shows Product Marketplace products (M8)."""
    return _on_the_profile(lambda account: context.service().sign_up_affiliate(account.open_id))


@bp.post("/showcase")
def add_to_showcase() -> Any:
    """Add a product to the showcase by hand (M8): a linked shop's, an accepted affiliate invitation's, or a Product
    Marketplace product once signed up at the Affiliate Center; an official account shows no other (E5)."""
    product_id = request.form.get("product_id", "").strip()
    return _on_the_profile(lambda account: context.service().add_to_showcase(account.open_id, product_id))


@bp.post("/live")
def go_live() -> Any:
    """Go LIVE, or mirror another account's LIVE by its username, which the tokopedia market refuses (M10)."""
    mirror = request.form.get("mirror_of", "").strip().removeprefix("@")

    def start(account: Account) -> None:
        service = context.service()
        mirror_of = service.get_account_by_username(mirror).open_id if mirror else None
        if mirror_of == account.open_id:
            raise Refused.because(codes.INVALID_INPUT, field="mirror_of", problem="name another account")
        service.start_live(account.open_id, mirror_of=mirror_of)

    return _on_the_profile(start)


@bp.post("/live/end")
def end_live() -> Any:
    return _on_the_profile(lambda account: context.service().end_live(account.open_id))
