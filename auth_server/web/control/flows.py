"""Forcing a flow's next transition: a test plays any party's part, or what no party can do (expire now).

``POST /_sim/flows/<id>`` with ``{"action": ...}``, where ``<id>`` is a link or an invitation. ``"next"`` takes
the step the flow waits for: the holder scans, then authorizes (name the holder with ``"as"`` when the link
does not), the seller accepts the terms, the reviewer approves; an invitation is accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import jsonify

from auth_server.domain import codes
from auth_server.domain.errors import Refused
from auth_server.domain.links import Channel
from auth_server.domain.links import Invitation
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.service import LinkingService
from auth_server.web import context
from auth_server.web.control.access import controls_only
from auth_server.web.control.bodies import account_named
from auth_server.web.control.bodies import json_object
from auth_server.web.linking_api import invitation_view
from auth_server.web.linking_api import link_view

bp = Blueprint("control_flows", __name__, url_prefix="/_sim/flows")
bp.before_request(controls_only)

LinkAction = Callable[[LinkingService, Link, dict[str, Any]], Link]
InvitationAction = Callable[[LinkingService, Invitation, dict[str, Any]], Invitation]


def _holder(service: LinkingService, link: Link, body: dict[str, Any]) -> str:
    """Who answers the consent: ``"as"`` (a username or an open_id), else the account the link names or the
    holder who scanned its QR code."""
    named = body.get("as")
    if named is None:
        known = link.open_id or link.expected_open_id or _scanned_by(service, link)
        if known is None:
            raise Refused.because(codes.INVALID_INPUT, field="as",
                                  problem="nobody has scanned this QR code yet: name the holder, "
                                          'e.g. {"action": "next", "as": "maya"}')
        return known
    return account_named(service, named, "as").open_id


def _scanned_by(service: LinkingService, link: Link) -> str | None:
    scans = [e for e in service.journal(subject_type="link", subject_id=link.link_id) if e.kind == "link.scanned"]
    return str(scans[-1].data["open_id"]) if scans else None


def _permissions(body: dict[str, Any]) -> list[str] | None:
    granted = body.get("permissions")
    if granted is not None and not (isinstance(granted, list) and all(isinstance(p, str) for p in granted)):
        raise Refused.because(codes.INVALID_INPUT, field="permissions", problem="give a list of permission names")
    return granted


LINK_ACTIONS: dict[str, LinkAction] = {
    "scan": lambda s, link, body: s.scan(link.link_id, _holder(s, link, body)),
    "authorize": lambda s, link, body: s.give_consent(link.link_id, _holder(s, link, body), authorize=True,
                                                      permissions=_permissions(body)),
    "deny": lambda s, link, body: s.give_consent(link.link_id, _holder(s, link, body), authorize=False),
    "accept_terms": lambda s, link, _: s.accept_terms(link.link_id, actor="simulator"),
    "approve": lambda s, link, _: s.decide_review(link.link_id, approve=True, actor="simulator"),
    "reject": lambda s, link, _: s.decide_review(link.link_id, approve=False, actor="simulator"),
    "hold_review": lambda s, link, _: s.hold_review(link.link_id),
    "expire": lambda s, link, _: s.expire_consent_now(link.link_id),
}

INVITATION_ACTIONS: dict[str, InvitationAction] = {
    "accept": lambda s, inv, _: s.answer_invitation(inv.invitation_id, inv.open_id, accept=True),
    "decline": lambda s, inv, _: s.answer_invitation(inv.invitation_id, inv.open_id, accept=False),
    "expire": lambda s, inv, _: s.expire_invitation_now(inv.invitation_id),
}


def next_link_action(link: Link) -> str:
    """The step the link waits for."""
    if link.state is LinkState.PENDING_CONSENT:
        return "scan" if link.channel is Channel.QR and link.scanned_at is None else "authorize"
    if link.state is LinkState.CONSENTED:
        return "accept_terms"
    if link.state is LinkState.PENDING_REVIEW:
        return "approve"
    raise Refused.because(codes.LINK_NOT_AWAITING, state=link.state.value, action="take another step")


@bp.post("/<flow_id>")
def force(flow_id: str) -> Any:
    body = json_object()
    action = body.get("action")
    _permissions(body)  # a malformed field is refused whatever the action, even one that does not read it
    named = body.get("as")
    if named is not None and (not isinstance(named, str) or not named.strip()):
        raise Refused.because(codes.INVALID_INPUT, field="as", problem="give a username or an open_id")
    service = context.service()
    link = _find(lambda: service.get_link(flow_id))
    if link is not None:
        name = next_link_action(link) if action == "next" else action
        forced = _choose(LINK_ACTIONS, name)(service, link, body)
        return jsonify({"type": "link", "action": name, **link_view(forced)})
    invitation = _find(lambda: service.get_invitation(flow_id))
    if invitation is None:
        raise Refused.because(codes.FLOW_NOT_FOUND, flow=flow_id)
    name = "accept" if action == "next" else action
    answered = _choose(INVITATION_ACTIONS, name)(service, invitation, body)
    return jsonify({"type": "invitation", "action": name, **invitation_view(answered)})


def _find(lookup: Callable[[], Any]) -> Any:
    try:
        return lookup()
    except Refused as refusal:
        if refusal.code in (codes.LINK_NOT_FOUND, codes.INVITATION_NOT_FOUND):
            return None
        raise


def _choose(actions: dict[str, Any], name: Any) -> Any:
    if not isinstance(name, str) or name not in actions:
        raise Refused.because(codes.INVALID_INPUT, field="action",
                              problem=f"choose one of: next, {', '.join(actions)}")
    return actions[name]
