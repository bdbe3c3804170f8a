"""The TikTok app's JSON API (``/api/app/...``): what the app on the holder's phone calls.

The app signs in as the holder, with a password or an organization member's one-time passcode, and gets a
session token to send as ``Authorization: Bearer ...``. Then it opens what a QR code encodes (a Seller
Center link, ``.../app/scan?token=...``, or a Login Kit ``aweme://authorize?...`` URL) and answers the
consent, answers the Seller-app permission requests and the invitations of its inbox, and starts identity
verification. It shows the profile (Shop Page, sales channels, shopping bag), renames the account, signs up
at the Affiliate Center, adds products to the showcase and goes LIVE. It drives the same domain service and QR
flows as the app's screens; every refusal is JSON with its stable code, as in the linking API.

Session tokens and consent ids are signed (itsdangerous, one salt each). A session token names a session the world
keeps: ``DELETE /api/app/sessions/current`` (sign-out) ends it wherever a copy of the token is kept, it ends a year
after it began on the world's clock, and with its world; a server restarted with another secret key asks every app
to sign in again.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import jsonify
from flask import request
from itsdangerous import BadSignature

from auth_server.domain import codes
from auth_server.domain.accounts import Account
from auth_server.domain.affiliates import AffiliateInvitation
from auth_server.domain.affiliates import LiveSession
from auth_server.domain.affiliates import ShowcaseItem
from auth_server.domain.errors import Refused
from auth_server.domain.errors import Violation
from auth_server.domain.events import plain
from auth_server.domain.inputs import valid_id
from auth_server.domain.links import Channel
from auth_server.domain.links import Link
from auth_server.domain.shops import Shop
from auth_server.oauth.models import DEFAULT_SCOPE
from auth_server.oauth.models import LoginQr
from auth_server.oauth.qr_code import QrCodeRefused
from auth_server.oauth.qr_code import qr_scopes
from auth_server.web import context
from auth_server.web import guard
from auth_server.web import login_kit_access
from auth_server.web import request_recording
from auth_server.web.linking_api import affiliate_invitation_view
from auth_server.web.linking_api import field
from auth_server.web.linking_api import invitation_view
from auth_server.web.linking_api import json_body
from auth_server.web.linking_api import link_view
from auth_server.web.login_kit import SCOPE_DESCRIPTIONS
from auth_server.web.scan_urls import MAX_SCAN_URL
from auth_server.web.scan_urls import scan_target

bp = Blueprint("app_api", __name__, url_prefix="/api/app")

CONSENT_SALT = "linksim.app-consent"
SIGN_IN_ENDPOINTS = {"app_api.create_session", "app_api.send_passcode"}


# --- sessions and consent ids --------------------------------------------------------------------------------


def _consent_id(payload: dict[str, Any]) -> str:
    return str(context.signer(CONSENT_SALT).dumps(payload))


def _consent(consent_id: str) -> dict[str, Any] | None:
    try:
        payload = context.signer(CONSENT_SALT).loads(consent_id)
    except BadSignature:
        return None
    return payload if isinstance(payload, dict) else None


@bp.before_request
def require_session() -> None:
    if request.endpoint not in SIGN_IN_ENDPOINTS:
        guard.require_app_session()


def holder() -> Account:
    """The account the app is signed in to."""
    account = guard.app_holder()
    assert account is not None, "the blueprint takes the app's session before every request but the sign-ins"
    return account


@bp.post("/sessions")
def create_session() -> Any:
    """Sign in with ``{username, password}``, or an organization member's ``{username, contact, passcode}``."""
    body = json_body()
    service = context.service()
    # Every sign-in has a session of its own, so two phones never share one, and each ends on its own.
    if "passcode" in body or "contact" in body:
        account, session = service.passcode_session(field(body, "username"), field(body, "contact"),
                                                    field(body, "passcode"))
    else:
        account, session = service.password_session(field(body, "username"), field(body, "password"))
    token = guard.app_session_token({"open_id": account.open_id, "method": session.method,
                                     "sid": session.session_id})
    return jsonify({"token": token, "token_type": "Bearer", "account": account_view(account),
                    "expires_at": session.expires_at.isoformat()}), 201


@bp.delete("/sessions/current")
def end_session() -> Any:
    """Sign out: the session's token stops working at once, wherever a copy of it is kept."""
    sid = guard.app_session_id()
    assert sid is not None, "the blueprint took the session before this request"
    context.service().end_session(sid)
    return jsonify({"signed_out": True})


@bp.post("/passcodes")
def send_passcode() -> Any:
    """An organization member's "get OTP": the simulator answers with the code it would have sent."""
    body = json_body()
    username, contact = field(body, "username"), field(body, "contact")
    passcode = context.service().request_passcode(username, contact)
    return jsonify({"username": username, "contact": contact, "passcode": passcode}), 201


@bp.get("/me")
def me() -> Any:
    return jsonify(account_view(holder()))


def account_view(account: Account) -> dict[str, Any]:
    """The holder's own account, as the app's profile shows it (unmasked: it is the holder's)."""
    return {
        "open_id": account.open_id,
        "username": account.username,
        "nickname": account.nickname,
        "region": account.region,
        "account_type": account.account_type.value,
        "verification": account.verification.value,
        "verification_due_at": plain(account.verification_due_at),
        "standing": account.standing.value,
        "email": account.email,
        "phone": account.phone,
        "avatar_url": account.avatar_url,
        "affiliate_signed_up": account.affiliate_signed_up,
    }


def _signed_in_as(account: Account) -> dict[str, Any]:
    return {"open_id": account.open_id, "username": account.username, "nickname": account.nickname}


def shop_view(shop: Shop) -> dict[str, Any]:
    return {"shop_id": shop.shop_id, "name": shop.name, "region": shop.region}


# --- scanning and the consent screen -------------------------------------------------------------------------


@bp.post("/scans")
def scan() -> Any:
    """Open what a scanned QR code encodes; answers what the consent screen shows, and the id to answer it with."""
    scan_url = field(json_body(), "scan_url")
    if not isinstance(scan_url, str) or not scan_url.strip() or len(scan_url) > MAX_SCAN_URL:
        raise Refused.because(codes.INVALID_INPUT, field="scan_url", problem="give the URL that the QR code encodes")
    target = scan_target(scan_url)
    if target is None:
        raise Refused.because(codes.QR_UNREADABLE)
    if target.kind == "login_kit":
        return jsonify(_scan_login_kit(target.query))
    return jsonify(_scan_official_link(target.query["token"]))


def _official_link_id(token: str) -> str:
    """The link a Seller Center QR code names; a damaged code is refused (qr_unreadable), an old one by its link."""
    return str(context.consent_tokens().read(token)["link"])


def _scan_official_link(token: str) -> dict[str, Any]:
    account = holder()
    service = context.service()
    link_id = _official_link_id(token)
    request_recording.tag(flow=link_id)  # a refused scan belongs to the link's flow too
    link, shop = service.scan_for_consent(link_id, account.open_id)
    return {
        "consent_id": _consent_id({"kind": "official_link", "open_id": account.open_id, "token": token}),
        "kind": "official_link",
        "account": _signed_in_as(account),
        "shop": shop_view(shop),
        "link_id": link.link_id,
        "role": link.role.value,
        "permissions": list(context.simulator().markets[shop.market].official_permissions),
        "expires_at": plain(link.consent_expires_at),
    }


def _scan_login_kit(query: dict[str, str]) -> dict[str, Any]:
    account = holder()
    qr_token, ticket = query.get("qr_token", ""), query.get("client_ticket")
    qr = context.login_kit_qr().scan(qr_token, account.open_id, ticket)
    consent = {"kind": "login_kit", "open_id": account.open_id, "qr_token": qr_token, "client_ticket": ticket}
    return {
        "consent_id": _consent_id(consent),
        "kind": "login_kit",
        "account": _signed_in_as(account),
        "app": _partner_app_view(qr),
        "scopes": [{"scope": s, "description": SCOPE_DESCRIPTIONS.get(s, s), "required": s == DEFAULT_SCOPE}
                   for s in qr_scopes(qr)],
        "expires_at": plain(qr.expires_at),
    }


def _partner_app_view(qr: LoginQr) -> dict[str, Any]:
    app = context.login_kit().oauth_store.partner_app(qr.client_key)
    return {"client_key": qr.client_key, "name": app.name if app else qr.client_key}


@bp.post("/consents/<consent_id>")
def answer_consent(consent_id: str) -> Any:
    """Authorize or Cancel on the consent screen of a scanned QR code."""
    body = json_body()
    authorize = _decision(body, {"authorize": True, "cancel": False})
    # Both lists are checked whatever the consent, so that a malformed one is never ignored unseen.
    scopes, permissions = _names(body, "scopes"), _names(body, "permissions")
    consent = _consent(consent_id)
    if consent is None or consent.get("open_id") != holder().open_id:
        raise Refused.because(codes.CONSENT_NOT_FOUND)
    if consent.get("kind") == "login_kit":
        return jsonify(_answer_login_kit(consent, authorize, scopes))
    return jsonify(_answer_official_link(consent, authorize, permissions))


def _answer_official_link(consent: dict[str, Any], authorize: bool, permissions: list[str] | None) -> dict[str, Any]:
    # None leaves every permission the screen asks for on, as the app's Authorize does.
    link_id = _official_link_id(str(consent["token"]))
    request_recording.tag(flow=link_id)
    link = context.service().give_consent(link_id, holder().open_id, authorize=authorize, permissions=permissions)
    return {"kind": "official_link", "decision": "authorize" if authorize else "cancel", "link": link_view(link)}


def _answer_login_kit(consent: dict[str, Any], authorize: bool, scopes: list[str] | None) -> dict[str, Any]:
    flow, open_id = context.login_kit_qr(), holder().open_id
    token, ticket = str(consent["qr_token"]), consent.get("client_ticket")
    request_recording.tag(login_qr=token)
    if not authorize:
        qr = flow.cancel(token, open_id, ticket)
        return {"kind": "login_kit", "decision": "cancel", "status": qr.status.value, "app": _partner_app_view(qr),
                "scopes": []}
    if scopes is None:  # every scope the screen shows stays on
        asked = flow.server.oauth_store.login_qr(token)
        scopes = qr_scopes(asked) if asked else []
    qr = flow.confirm(token, open_id, ticket, scopes)
    return {"kind": "login_kit", "decision": "authorize", "status": qr.status.value, "app": _partner_app_view(qr),
            "scopes": (qr.granted_scope or "").split()}


def _decision(body: dict[str, Any], choices: dict[str, bool]) -> bool:
    decision = body.get("decision")
    if not isinstance(decision, str) or decision not in choices:
        raise Refused.because(codes.INVALID_INPUT, field="decision", problem=f"use {' or '.join(choices)}")
    return choices[decision]


def _names(body: dict[str, Any], name: str) -> list[str] | None:
    """A list of permission or scope names, or None when the field is left out."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Refused.because(codes.INVALID_INPUT, field=name, problem="send a list of names")
    return value


# --- the inbox: Seller-app requests and invitations ----------------------------------------------------------


@bp.get("/inbox")
def inbox() -> Any:
    """Seller-app permission requests, marketing invitations and affiliate invitations waiting for this account."""
    service = context.service()
    items = service.inbox(holder().open_id)
    named = [item.shop_id for kind in ("requests", "invitations", "affiliate_invitations") for item in items[kind]]
    shops = {shop.shop_id: shop for shop in service.shops(named)}
    return jsonify({
        "requests": [_request_view(link, shops[link.shop_id]) for link in items["requests"]],
        "invitations": [_invitation_view(i, shops[i.shop_id]) for i in items["invitations"]],
        "affiliate_invitations": [_affiliate_view(i, shops[i.shop_id]) for i in items["affiliate_invitations"]],
    })


def _request_view(link: Link, shop: Shop) -> dict[str, Any]:
    permissions = context.simulator().markets[shop.market].official_permissions
    return {**link_view(link), "shop": shop_view(shop), "permissions": list(permissions)}


def _invitation_view(invitation: Any, shop: Shop) -> dict[str, Any]:
    return {**invitation_view(invitation), "kind": "marketing", "shop": shop_view(shop)}


def _affiliate_view(invitation: AffiliateInvitation, shop: Shop) -> dict[str, Any]:
    return {**affiliate_invitation_view(invitation), "shop": shop_view(shop)}


@bp.post("/requests/<link_id>")
def answer_request(link_id: str) -> Any:
    """The Seller-app flow (O10): the toggles turned on, then Continue (or Cancel)."""
    body = json_body()
    proceed = _decision(body, {"continue": True, "cancel": False})
    # Toggles start off on the screen: a permission left out is a toggle left off.
    permissions = _names(body, "permissions") or []
    service = context.service()
    if service.get_link(link_id).channel is not Channel.APP_TOGGLE:
        # A QR link is answered only by scanning its code: knowing its id must not be enough.
        raise Refused.because(codes.LINK_NOT_FOUND, link_id=link_id)
    link = service.give_consent(link_id, holder().open_id, authorize=proceed, permissions=permissions)
    return jsonify({"decision": "continue" if proceed else "cancel", "link": link_view(link)})


@bp.post("/invitations/<invitation_id>")
def answer_invitation(invitation_id: str) -> Any:
    """Accept or decline a marketing invitation (M5) or an affiliate invitation (M8)."""
    accept = _decision(json_body(), {"accept": True, "decline": False})
    service, open_id = context.service(), holder().open_id
    try:
        invitation = service.answer_invitation(invitation_id, open_id, accept=accept)
    except Refused as refusal:
        if refusal.code != codes.INVITATION_NOT_FOUND:
            raise
        affiliate = service.answer_affiliate_invitation(invitation_id, open_id, accept=accept)
        return jsonify(_affiliate_view(affiliate, service.get_shop(affiliate.shop_id)))
    return jsonify(_invitation_view(invitation, service.get_shop(invitation.shop_id)))


# --- identity verification -----------------------------------------------------------------------------------


@bp.post("/verification")
def start_verification() -> Any:
    """Start identity verification; answers the account, with its verification state and when it ends."""
    return jsonify(account_view(context.service().start_verification(holder().open_id)))


@bp.errorhandler(QrCodeRefused)
def qr_code_refused(error: QrCodeRefused) -> Any:
    """A Login Kit QR code the app will not take, as JSON in the shape of every other refusal."""
    return jsonify(Refused(Violation(error.code, error.message)).as_dict()), error.status


# --- the profile, the Affiliate Center, the showcase and LIVE ------------------------------------------------


@bp.get("/profile")
def profile() -> Any:
    """The profile as the app shows it (E1-E3): the Shop Page with its catalogue or the showcase, the sales
    channels, whether the shopping bag shows yet (up to the shop's delay after the link), the showcase's products."""
    return jsonify(context.service().profile(holder().open_id))


@bp.patch("/me")
def rename_account() -> Any:
    """Rename the account: ``{username, nickname}``, either or both; an official account's name follows its
    shop's, so it is locked (E2)."""
    body = json_body()
    names = {name: body[name] for name in ("username", "nickname") if body.get(name) is not None}
    if not names:
        raise Refused.because(codes.INVALID_INPUT, field="body", problem="give a username, a nickname or both")
    return jsonify(account_view(context.service().rename_account(holder().open_id, **names)))


@bp.get("/authorized-apps")
def authorized_apps() -> Any:
    """Manage app permissions: the Login Kit apps that hold an authorization of this account."""
    apps = context.login_kit().oauth_store.authorized_apps(holder().open_id)
    return jsonify({"apps": [{"client_key": app.client_key, "name": app.name} for app in apps]})


@bp.post("/authorized-apps/<client_key>/remove")
def remove_authorized_app(client_key: str) -> Any:
    """The holder removes an app: its tokens stop working at once, and its developer webhook hears
    ``authorization.removed`` with reason 1 (shared/TIKTOK_WIRE.md 1.8)."""
    account = holder()
    if not login_kit_access.remove_app(client_key, account.open_id):
        raise Refused.because(codes.APP_NOT_AUTHORIZED, app=valid_id(client_key, "client_key"))
    return jsonify({"client_key": client_key, "removed": True})


@bp.post("/affiliate")
def sign_up_affiliate() -> Any:
    """Sign up at the Affiliate Center: the account may then show Product Marketplace products (M8)."""
    return jsonify(account_view(context.service().sign_up_affiliate(holder().open_id)))


@bp.get("/showcase")
def showcase() -> Any:
    return jsonify({"items": [_showcase_item_view(item) for item in context.service().showcase(holder().open_id)]})


@bp.post("/showcase")
def add_to_showcase() -> Any:
    """Add a product by hand (M8): a linked shop's, an accepted affiliate invitation's, or a Product Marketplace
    product once signed up at the Affiliate Center; an official account shows no other shop's products (E5)."""
    product_id = valid_id(field(json_body(), "product_id"), "product_id")
    item = context.service().add_to_showcase(holder().open_id, product_id)
    return jsonify(_showcase_item_view(item)), 201


def _showcase_item_view(item: ShowcaseItem) -> dict[str, Any]:
    return {"product_id": item.product_id, "source": item.source.value, "added_at": plain(item.added_at)}


@bp.post("/live")
def start_live() -> Any:
    """Go LIVE, or mirror another account's LIVE (``{mirror_of: open_id}``), which some markets refuse (M10)."""
    mirror_of = json_body().get("mirror_of")
    if mirror_of is not None:
        mirror_of = valid_id(mirror_of, "mirror_of")
        if mirror_of == holder().open_id:
            raise Refused.because(codes.INVALID_INPUT, field="mirror_of", problem="name another account's open id")
    session = context.service().start_live(holder().open_id, mirror_of=mirror_of)
    return jsonify(_live_view(session)), 201


@bp.delete("/live")
def end_live() -> Any:
    """End the account's LIVE (nothing to end is no error)."""
    context.service().end_live(holder().open_id)
    return jsonify({"open_id": holder().open_id, "live": False})


def _live_view(session: LiveSession) -> dict[str, Any]:
    return {"open_id": session.open_id, "live": session.ended_at is None, "started_at": plain(session.started_at),
            "mirror_of": session.mirror_of}


@bp.post("/videos")
def tag_product_in_video() -> Any:
    """Post a video with a shop's product tagged in it: the video sales channel opens with a link to the shop (E3:
    ``video_channel_locked`` for an account not linked to it)."""
    tag = context.service().tag_product_in_video(holder().open_id, field(json_body(), "product_id"))
    return jsonify({"video_id": tag.video_id, "open_id": tag.open_id, "product_id": tag.product_id,
                    "shop_id": tag.shop_id, "tagged_at": plain(tag.tagged_at)}), 201
