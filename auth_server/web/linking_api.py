"""The linking API for a seller's tool (JSON): official links by QR code or Seller-app toggles, the terms,
what the seller sees, unlinking and renaming the shop. Every call carries a partner app's client access
token; every refusal is JSON with its stable code.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request
from flask import url_for

from auth_server.domain import codes
from auth_server.domain import links
from auth_server.domain.errors import Refused
from auth_server.domain.events import plain
from auth_server.domain.links import Channel
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.oauth.link_tokens import SELLER_SCOPE
from auth_server.web import context
from auth_server.web import guard
from auth_server.web import qr_images

bp = Blueprint("linking_api", __name__, url_prefix="/api")

CONSENT_STATUS = {  # as Login Kit's check_qrcode names the stages of a QR code
    LinkState.CONSENTED: "confirmed",
    LinkState.PENDING_REVIEW: "utilised",
    LinkState.ACTIVE: "utilised",
    LinkState.UNLINKED: "utilised",
    LinkState.EXPIRED: "expired",
    LinkState.REFUSED: "refused",
}


@bp.before_request
def partner_apps_only() -> None:
    guard.require_partner_token()


def json_body() -> dict[str, Any]:
    if not request.data:
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused.because(codes.INVALID_INPUT, field="body", problem="send a JSON object")
    return body


def field(body: dict[str, Any], name: str) -> Any:
    """A field of the JSON body, as sent: the domain checks its type and refuses with invalid_input."""
    return body.get(name)


def partner_key() -> str:
    key = guard.partner_key()
    assert key is not None, "the blueprint takes the partner app's token before every request"
    return key


def partner_actor() -> str:
    """Who the journal and the links record as acting: the partner app; it sees only the links it started."""
    return links.partner_actor(partner_key())


def partner_link(link_id: str) -> Link:
    return context.service().get_link(link_id, actor=partner_actor())


def link_view(link: Link) -> dict[str, Any]:
    status = CONSENT_STATUS.get(link.state) or ("scanned" if link.scanned_at else "new")
    view: dict[str, Any] = {
        "link_id": link.link_id,
        "shop_id": link.shop_id,
        "role": link.role.value,
        "channel": link.channel.value,
        "state": link.state.value,
        "consent_status": status,
        "open_id": link.open_id,
        "consent_expires_at": plain(link.consent_expires_at),
        "granted_permissions": link.granted_permissions,
        "review_due_at": plain(link.review_due_at),
        "activated_at": plain(link.activated_at),
        "ended_at": plain(link.ended_at),
        "refusals": [violation.as_dict() for violation in link.refusals()],
    }
    if link.channel is Channel.QR and link.state is LinkState.PENDING_CONSENT:
        view["qr"] = qr_view(link)
    return view


def qr_view(link: Link) -> dict[str, Any]:
    token = context.consent_tokens().sign(link_id=link.link_id, role=link.role.value,
                                          scopes=SELLER_SCOPE.split(), client_key=guard.partner_key())
    return {
        "scan_url": url_for("screens.scan", token=token, _external=True),
        "png_url": url_for("linking_api.qr_png", link_id=link.link_id, _external=True),
        "svg_url": url_for("linking_api.qr_svg", link_id=link.link_id, _external=True),
        "expires_at": plain(link.consent_expires_at),
    }


@bp.post("/shops/<shop_id>/official-link")
def start_official_link(shop_id: str) -> Any:
    body = json_body()
    service = context.service()
    via = body.get("via", "qr")
    if via == "qr":
        link = service.start_official_link(shop_id, link_id=field(body, "link_id"), actor=partner_actor())
    elif via == "app":
        link = service.request_app_consent(shop_id, field(body, "username"), agreed=body.get("agreed") is True,
                                           link_id=field(body, "link_id"), actor=partner_actor())
    else:
        raise Refused.because(codes.INVALID_INPUT, field="via", problem="use qr or app")
    return jsonify(link_view(link)), 201


@bp.get("/links/<link_id>")
def get_link(link_id: str) -> Any:
    link = partner_link(link_id)
    response = jsonify(link_view(link))
    if link.state is LinkState.PENDING_CONSENT:
        # How often to poll while the holder has not answered (honoured by seller_client's wait).
        interval = context.config().qr_poll_interval
        response.headers["Retry-After"] = str(max(1, int(interval.total_seconds())))
    return response


def qr_image(link: Link, render: Any, mimetype: str) -> Response:
    """The QR code of a link that waits for consent, drawn by ``render``."""
    if link.channel is not Channel.QR or link.state is not LinkState.PENDING_CONSENT:
        raise Refused.because(codes.LINK_NOT_AWAITING, state=link.state.value, action="show a QR code")
    return Response(render(qr_view(link)["scan_url"]), mimetype=mimetype, headers={"Cache-Control": "no-store"})


@bp.get("/links/<link_id>/qr.png")
def qr_png(link_id: str) -> Response:
    return qr_image(partner_link(link_id), qr_images.png, "image/png")


@bp.get("/links/<link_id>/qr.svg")
def qr_svg(link_id: str) -> Response:
    return qr_image(partner_link(link_id), qr_images.svg, "image/svg+xml")


@bp.post("/links/<link_id>/terms")
def accept_terms(link_id: str) -> Any:
    body = json_body()
    link = context.service().accept_terms(link_id, accepted=body.get("accepted") is True, actor=partner_actor())
    view = link_view(link)
    if link.open_id is not None and link.state is LinkState.ACTIVE:
        # The consent becomes a link, and the partner app a token scoped to what the seller may see (E4).
        view["token"] = context.link_tokens().token_of(link.link_id, partner_key(), link.open_id)
    return jsonify(view)


@bp.get("/links/<link_id>/token")
def link_token(link_id: str) -> Any:
    """The seller's token of an established link (E4), for the partner app that started it; the same every time."""
    link = partner_link(link_id)
    if link.state is not LinkState.ACTIVE or link.open_id is None:
        raise Refused.because(codes.LINK_NOT_ACTIVE, state=link.state.value, link_id=link.link_id)
    return jsonify(context.link_tokens().token_of(link.link_id, partner_key(), link.open_id))


@bp.get("/shops/<shop_id>/linked-accounts")
def linked_accounts(shop_id: str) -> Any:
    return jsonify(context.service().linked_accounts(shop_id, actor=partner_actor()))


@bp.post("/shops/<shop_id>/unlink")
def unlink(shop_id: str) -> Any:
    body = json_body()
    return jsonify(link_view(context.service().unlink(shop_id, field(body, "open_id"), actor=partner_actor())))


@bp.post("/shops/<shop_id>/name")
def rename_shop(shop_id: str) -> Any:
    shop = context.service().rename_shop(shop_id, field(json_body(), "name"), actor=partner_actor())
    return jsonify({"shop_id": shop.shop_id, "name": shop.name})


@bp.post("/links/<link_id>/review")
def decide_review(link_id: str) -> Any:
    """Decide a review by hand (a shop in manual review mode, or a scenario forcing an outcome)."""
    approve = json_body().get("approve")
    if not isinstance(approve, bool):
        raise Refused.because(codes.INVALID_INPUT, field="approve", problem="send true or false")
    return jsonify(link_view(context.service().decide_review(link_id, approve=approve, actor=partner_actor())))


@bp.post("/shops/<shop_id>/organization-accounts")
def create_organization_account(shop_id: str) -> Any:
    """Create an organization account for the seller's entity; it is linked as the official account (O8)."""
    body = json_body()
    members = body.get("members", [])
    if not isinstance(members, list):
        raise Refused.because(codes.INVALID_INPUT, field="members", problem="send a list of emails or phones")
    link = context.service().create_organization_account(
        shop_id, username=field(body, "username"), nickname=field(body, "nickname"), email=field(body, "email"),
        phone=field(body, "phone"), members=members, actor=partner_actor())
    return jsonify(link_view(link)), 201


# --- marketing accounts (M1-M9) ------------------------------------------------------------------------------


@bp.get("/accounts/search")
def search_accounts() -> Any:
    """The seller's search by username or nickname; nicknames are not unique, so every match is listed."""
    found = context.service().search_accounts(request.args.get("q", ""))
    return jsonify({"accounts": [{"open_id": a.open_id, "username": a.username, "nickname": a.nickname,
                                  "avatar_url": a.avatar_url} for a in found]})


@bp.get("/shops/<shop_id>/marketing-criteria")
def marketing_criteria(shop_id: str) -> Any:
    """The seller's "Next": whether the account meets every criterion, and if not, which it fails."""
    violations = context.service().check_marketing_criteria(shop_id, request.args.get("open_id", ""),
                                                            actor=partner_actor())
    return jsonify({"eligible": not violations, "violations": [v.as_dict() for v in violations]})


@bp.post("/shops/<shop_id>/marketing-invitations")
def invite_marketing_account(shop_id: str) -> Any:
    body = json_body()
    invitation = context.service().invite_marketing_account(shop_id, field(body, "open_id"),
                                                            invitation_id=field(body, "invitation_id"),
                                                            actor=partner_actor())
    return jsonify(invitation_view(invitation)), 201


@bp.get("/invitations/<invitation_id>")
def get_invitation(invitation_id: str) -> Any:
    return jsonify(invitation_view(context.service().get_invitation(invitation_id, actor=partner_actor())))


INVITATION_CODES = {"declined": codes.INVITATION_DECLINED, "expired": codes.INVITATION_EXPIRED}


def invitation_view(invitation: Any) -> dict[str, Any]:
    code = INVITATION_CODES.get(invitation.state.value)
    return {
        "invitation_id": invitation.invitation_id,
        "shop_id": invitation.shop_id,
        "open_id": invitation.open_id,
        "state": invitation.state.value,
        "created_at": plain(invitation.created_at),
        "expires_at": plain(invitation.expires_at),
        "answered_at": plain(invitation.answered_at),
        "link_id": invitation.link_id,
        "refusal": {"code": code, "message": codes.get(code).render(expired_at=plain(invitation.expires_at))}
        if code else None,
    }


# --- affiliate creators and organization members ---------------------------------------------------------------


@bp.post("/shops/<shop_id>/affiliate-invitations")
def invite_affiliate(shop_id: str) -> Any:
    """Invite a creator to promote the shop's products for a commission: no slot, no quota, no link (M8)."""
    body = json_body()
    invitation = context.service().invite_affiliate(shop_id, field(body, "open_id"), field(body, "commission_rate"),
                                                    invitation_id=field(body, "invitation_id"),
                                                    actor=partner_actor())
    return jsonify(affiliate_invitation_view(invitation)), 201


@bp.get("/affiliate-invitations/<invitation_id>")
def get_affiliate_invitation(invitation_id: str) -> Any:
    """Follow an affiliate invitation: pending, accepted, declined or expired."""
    invitation = context.service().get_affiliate_invitation(invitation_id, actor=partner_actor())
    return jsonify(affiliate_invitation_view(invitation))


def affiliate_invitation_view(invitation: Any) -> dict[str, Any]:
    return {
        "invitation_id": invitation.invitation_id,
        "kind": "affiliate",
        "shop_id": invitation.shop_id,
        "open_id": invitation.open_id,
        "state": invitation.state.value,
        "commission_rate": plain(invitation.commission_rate),
        "created_at": plain(invitation.created_at),
        "expires_at": plain(invitation.expires_at),
        "answered_at": plain(invitation.answered_at),
    }


@bp.post("/organization-accounts/<open_id>/members/remove")
def remove_org_member(open_id: str) -> Any:
    """Remove a member of an organization account: it can no longer sign in by passcode; the company keeps the
    account (O8's "secured ownership")."""
    member = context.service().remove_org_member(open_id, field(json_body(), "contact"), actor=partner_actor())
    return jsonify({"open_id": member.open_id, "contact": member.contact, "removed_at": plain(member.removed_at)})
