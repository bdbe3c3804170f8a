"""Seller Center in a browser, for developers stepping through the flow: a shop's linked accounts,
"Link official account" with its QR code, and the terms with "Link This Account".

The shop screens are the simulator's stand-in for the seller's own login: they are open to whoever reaches
the server, which is why ``linksim serve`` listens on loopback unless told otherwise. Authorizing a TikTok Shop
app, and the list of authorized apps, ask the seller to sign in (an e-mail and a password from the data file).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from auth_server.domain import codes
from auth_server.domain.errors import Refused
from auth_server.domain.errors import Violation
from auth_server.domain.links import Channel
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.shop_partner.authorizations import PageRefusal
from auth_server.shop_partner.authorizations import SignInLocked
from auth_server.shop_partner.models import LoginKind
from auth_server.shop_partner.models import UserType
from auth_server.web import context
from auth_server.web import qr_images
from auth_server.web import shop_partner
from auth_server.web.browser_session import safe_next
from auth_server.web.browser_session import shop_login
from auth_server.web.browser_session import shop_sign_in_as
from auth_server.web.browser_session import shop_sign_out
from auth_server.web.errors import STATUS_OF_KIND
from auth_server.web.linking_api import link_view
from auth_server.web.linking_api import qr_image
from auth_server.web.page_text import utc_time

bp = Blueprint("seller_center", __name__, url_prefix="/seller")


@bp.get("/")
def shops() -> Any:
    return render_template("seller_center/shops.html", shops=context.service().shops())


@bp.get("/shops/<shop_id>")
def shop(shop_id: str) -> Any:
    service = context.service()
    return render_template("seller_center/shop.html", shop=service.get_shop(shop_id),
                           linked=service.linked_accounts(shop_id))


@bp.post("/shops/<shop_id>/official-link")
def start_official_link(shop_id: str) -> Any:
    link = context.service().start_official_link(shop_id)
    return redirect(url_for("seller_center.link", link_id=link.link_id))


@bp.get("/links/<link_id>")
def link(link_id: str) -> Any:
    return _link_page(link_id)


def _link_page(link_id: str, *, terms_refused: Violation | None = None, status: int = 200) -> Any:
    service = context.service()
    found = service.get_link(link_id)
    account = service.get_account(found.open_id) if found.open_id else None
    return render_template("seller_center/link.html", link=found, view=link_view(found),
                           shop=service.get_shop(found.shop_id), account=account,
                           waiting=found.state is LinkState.PENDING_CONSENT, ended=ended_because(found),
                           terms_refused=terms_refused), status


def ended_because(link: Link) -> list[Violation]:
    """Why an ended link ended, as the seller is told: a link that expired has no refusal of its own, so it gets the
    one a late scan gets (``qr_expired``, or ``consent_expired`` for a Seller-app request)."""
    if link.state is LinkState.EXPIRED and link.consent_expires_at is not None:
        code = codes.QR_EXPIRED if link.channel is Channel.QR else codes.CONSENT_EXPIRED
        return [Violation.of(code, expired_at=utc_time(link.consent_expires_at))]
    return link.refusals()


@bp.get("/links/<link_id>/qr.svg")
def qr_svg(link_id: str) -> Response:
    return qr_image(context.service().get_link(link_id), qr_images.svg, "image/svg+xml")


@bp.post("/links/<link_id>/terms")
def accept_terms(link_id: str) -> Any:
    """The box is ticked in the browser before the button can be clicked; a post without it (no script, or not a
    browser) shows the terms again with the refusal's message, and the link keeps waiting for them."""
    service = context.service()
    try:
        service.accept_terms(link_id, accepted=request.form.get("agree") == "yes")
    except Refused as refusal:
        if refusal.code == codes.TERMS_NOT_ACCEPTED:
            return _link_page(link_id, terms_refused=refusal.violations[0], status=STATUS_OF_KIND[refusal.kind])
        if service.get_link(link_id).state is not LinkState.REFUSED:
            raise
        # A rule refused the link at the last step: its page names each reason and offers a new QR code.
    return redirect(url_for("seller_center.link", link_id=link_id))


# --- signing in, and the apps a seller authorized (TikTok Shop's Partner API) --------------------------------------

@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    next_url = safe_next(request.values.get("next"), url_for("seller_center.apps"))
    kind = LoginKind.PARTNER if request.values.get("kind") == LoginKind.PARTNER.value else LoginKind.SELLER
    if request.method == "GET":
        return render_template("seller_center/sign_in.html", next=next_url, kind=kind.value, error=None)
    try:
        login = context.shop_partner().sign_in(request.form.get("login", ""), request.form.get("password", ""), kind)
    except PageRefusal as refusal:
        status = 403 if isinstance(refusal, SignInLocked) else 401  # as the app's sign_in_locked and wrong password
        return render_template("seller_center/sign_in.html", next=next_url, kind=kind.value,
                               error=str(refusal)), status
    shop_sign_in_as(login)
    return redirect(next_url)


@bp.post("/sign-out")
def sign_out() -> Any:
    shop_sign_out()
    return redirect(url_for("seller_center.sign_in"))


@bp.get("/apps")
def apps() -> Any:
    login = shop_login()
    if login is None:
        return redirect(url_for("seller_center.sign_in", next=url_for("seller_center.apps")))
    grants = context.shop_partner().grants_of(login.party_id, (UserType.SELLER, UserType.PARTNER))
    return render_template("seller_center/apps.html", login=login, grants=grants, removed=request.args.get("removed"))


@bp.post("/apps/<grant_id>/remove")
def remove_app(grant_id: str) -> Any:
    login = shop_login()
    if login is None:
        return redirect(url_for("seller_center.sign_in", next=url_for("seller_center.apps")))
    return shop_partner.removal(grant_id, login.party_id, "seller_center.apps")
