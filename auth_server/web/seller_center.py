"""Seller Center in a browser, for developers stepping through the flow: My account > Linked TikTok accounts
(the Official tab: the bound account's card, unlink; the Marketing tab: search, the criteria, invitations),
"Link official account" (an organization account, a QR code, or a request in the Seller app), the terms with
"Link This Account", the review, the shop's name (E2), and the TikTok Shop apps a seller authorized.

The shop screens are the simulator's stand-in for the seller's own login: they are open to whoever reaches
the server, which is why ``linksim serve`` listens on loopback unless told otherwise. Authorizing a TikTok Shop
app, and the list of authorized apps, ask the seller to sign in (an e-mail and a password from the data file).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from flask import Response
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from auth_server.domain import codes
from auth_server.domain.accounts import Account
from auth_server.domain.errors import Refused
from auth_server.domain.errors import Violation
from auth_server.domain.links import Channel
from auth_server.domain.links import Link
from auth_server.domain.links import LinkState
from auth_server.domain.operation import Operation
from auth_server.domain.shops import Shop
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
from auth_server.web.page_text import duration_in_words
from auth_server.web.page_text import shop_time
from auth_server.web.page_text import utc_time

bp = Blueprint("seller_center", __name__, url_prefix="/seller")


SHOWN_SHOPS = 200  # a list to pick from, not a directory: a world of 10,000 shops finds the others by the search


@bp.get("/")
def shops() -> Any:
    """The shops to pick from: the first :data:`SHOWN_SHOPS` by id, or those whose name or id holds ``?q=``."""
    wanted = request.args.get("q", "").strip()[:200]

    def shown(op: Operation) -> tuple[list[Shop], int]:  # the shops shown, and how many are left out (or 1: some)
        if wanted:  # one more than shown: whether there are more
            matching = list(op.repo.shops_matching(wanted, limit=SHOWN_SHOPS + 1))
            return matching[:SHOWN_SHOPS], len(matching) - SHOWN_SHOPS
        return list(op.repo.shops(limit=SHOWN_SHOPS)), op.repo.count_of(Shop) - SHOWN_SHOPS

    found, beyond = context.service().read_together(shown)
    return render_template("seller_center/shops.html", shops=found, q=wanted, more_shops=max(0, beyond))


def _shop_page(template: str, shop_id: str, *, refusal: Refused | None = None, status: int = 200,
               **values: Any) -> Any:
    """A page of one shop, in Seller Center's frame (the header names the shop and its seller); a refusal is shown
    on the page that asked, with its message and what to do next."""
    service = context.service()
    shop = service.get_shop(shop_id)
    if refusal is not None:
        status = STATUS_OF_KIND[refusal.kind]
    return render_template(template, shop=shop, seller=service.seller_of(shop_id), login=shop_login(),
                           refusal=refusal, next_steps=next_steps(refusal),
                           **values), status


def next_steps(refusal: Refused | None) -> list[str]:
    """What the seller can do next, where the refusal's message says when rather than what: the cooldown left in
    words (its details carry the time it ends)."""
    if refusal is None:
        return []
    steps = []
    for violation in refusal.violations:
        allowed_at = violation.details.get("allowed_at")
        if violation.code in (codes.UNLINK_TOO_EARLY, codes.RELINK_WAIT_PENDING) and allowed_at:
            left = datetime.fromisoformat(allowed_at) - context.now()
            steps.append(f"Wait {duration_in_words(left)}: you can try again from {shop_time(allowed_at)}.")
    return steps


@bp.get("/shops/<shop_id>")
def shop(shop_id: str) -> Any:
    """My account > Linked TikTok accounts, the Official tab."""
    return _official_page(shop_id)


def _official_page(shop_id: str, *, refusal: Refused | None = None) -> Any:
    service = context.service()
    linked = service.linked_accounts(shop_id)
    official = linked["official"]
    members = []
    if official and official["state"] == "active" and service.get_account(official["open_id"]).is_organization:
        members = [m for m in service.org_members(official["open_id"]) if m.active]
    return _shop_page("seller_center/shop.html", shop_id, tab="official", linked=linked, members=members,
                      refusal=refusal)


@bp.post("/shops/<shop_id>/accounts/<open_id>/members/remove")
def remove_member(shop_id: str, open_id: str) -> Any:
    """An organization account's member can no longer sign in by passcode; the company keeps the account."""
    contact = request.form.get("contact", "")
    try:
        context.service().remove_org_member(open_id, contact)
    except Refused as refusal:
        return _official_page(shop_id, refusal=refusal)
    flash(f"{contact} can no longer sign in to the organization account.")
    return redirect(url_for("seller_center.shop", shop_id=shop_id))


@bp.get("/shops/<shop_id>/marketing")
def marketing(shop_id: str) -> Any:
    """The Marketing tab: the linked marketing accounts, the search ("Next" checks each account found against
    the criteria) and the invitations sent."""
    return _marketing_page(shop_id, request.args.get("q", "").strip())


def _marketing_page(shop_id: str, query: str, *, refusal: Refused | None = None) -> Any:
    service = context.service()
    found: list[tuple[Account, list[Violation]]] = []
    if query and refusal is None:
        try:
            found = [(account, service.check_marketing_criteria(shop_id, account.open_id))
                     for account in service.search_accounts(query)]
        except Refused as not_found:
            refusal = not_found
    invitations = sorted(service.invitations(shop_id=shop_id), key=lambda i: i.created_at, reverse=True)
    invited = {i.open_id: service.get_account(i.open_id) for i in invitations}
    return _shop_page("seller_center/marketing.html", shop_id, tab="marketing", query=query, found=found,
                      invitations=invitations, invited=invited, refusal=refusal,
                      linked=service.linked_accounts(shop_id))


@bp.post("/shops/<shop_id>/invitations")
def invite(shop_id: str) -> Any:
    open_id = request.form.get("open_id", "")
    query = request.form.get("q", "")
    try:
        invitation = context.service().invite_marketing_account(shop_id, open_id)
    except Refused as refusal:
        return _marketing_page(shop_id, query, refusal=refusal)
    username = context.service().get_account(invitation.open_id).username
    flash(f"Invitation sent to @{username}. It waits in their TikTok app's inbox.")
    return redirect(url_for("seller_center.marketing", shop_id=shop_id))


@bp.route("/shops/<shop_id>/accounts/<open_id>/unlink", methods=["GET", "POST"])
def unlink(shop_id: str, open_id: str) -> Any:
    """Unlink, after a confirmation; too early, the page says how long is left."""
    service = context.service()
    account = service.get_account(open_id)
    role = next((link.role.value for link in service.links(shop_id=shop_id, open_id=open_id)
                 if link.state is LinkState.ACTIVE), "")
    if request.method == "POST":
        try:
            service.unlink(shop_id, open_id)
        except Refused as refusal:
            return _shop_page("seller_center/unlink.html", shop_id, account=account, role=role, refusal=refusal)
        flash(f"@{account.username} is unlinked from this shop.")
        tab = "seller_center.marketing" if role == "marketing" else "seller_center.shop"
        return redirect(url_for(tab, shop_id=shop_id))
    return _shop_page("seller_center/unlink.html", shop_id, account=account, role=role)


@bp.get("/shops/<shop_id>/link-official")
def link_official(shop_id: str) -> Any:
    """"Link official account": create an organization account, or link an existing account by QR code or in the
    Seller app."""
    return _shop_page("seller_center/link_official.html", shop_id, tab="official")


@bp.post("/shops/<shop_id>/official-link")
def start_official_link(shop_id: str) -> Any:
    link = context.service().start_official_link(shop_id)
    return redirect(url_for("seller_center.link", link_id=link.link_id))


@bp.post("/shops/<shop_id>/app-link")
def request_app_consent(shop_id: str) -> Any:
    """The Seller-app path: the seller names the account and agrees; the request waits in that account's app."""
    try:
        link = context.service().request_app_consent(shop_id, request.form.get("username", ""),
                                                     agreed=request.form.get("agree") == "yes")
    except Refused as refusal:
        return _shop_page("seller_center/link_official.html", shop_id, tab="official", refusal=refusal,
                          path="app")
    return redirect(url_for("seller_center.link", link_id=link.link_id))


@bp.post("/shops/<shop_id>/organization-account")
def create_organization_account(shop_id: str) -> Any:
    """Create an organization account for the seller's entity; it is linked at once and goes to review."""
    nickname = request.form.get("nickname", "").strip() or None
    members = [line.strip() for line in request.form.get("members", "").splitlines() if line.strip()]
    try:
        link = context.service().create_organization_account(shop_id, username=request.form.get("username", ""),
                                                             nickname=nickname, members=members)
    except Refused as refusal:
        return _shop_page("seller_center/link_official.html", shop_id, tab="official", refusal=refusal,
                          path="organization")
    return redirect(url_for("seller_center.link", link_id=link.link_id))


@bp.post("/shops/<shop_id>/organization-link")
def link_organization_account(shop_id: str) -> Any:
    """Link an organization account the seller's entity already has: no QR code, straight to review."""
    service = context.service()
    try:
        account = service.get_account_by_username(request.form.get("username", ""))
        link = service.link_organization_account(shop_id, account.open_id)
    except Refused as refusal:
        return _shop_page("seller_center/link_official.html", shop_id, tab="official", refusal=refusal,
                          path="existing-organization")
    return redirect(url_for("seller_center.link", link_id=link.link_id))


@bp.route("/shops/<shop_id>/profile", methods=["GET", "POST"])
def shop_profile(shop_id: str) -> Any:
    """The shop's name; renaming it renames the official account too (E2)."""
    if request.method == "POST":
        try:
            context.service().rename_shop(shop_id, request.form.get("name", ""))
        except Refused as refusal:
            return _shop_page("seller_center/profile.html", shop_id, refusal=refusal,
                              linked=context.service().linked_accounts(shop_id))
        flash("The shop is renamed.")
        return redirect(url_for("seller_center.shop_profile", shop_id=shop_id))
    return _shop_page("seller_center/profile.html", shop_id, linked=context.service().linked_accounts(shop_id))


@bp.get("/links/<link_id>")
def link(link_id: str) -> Any:
    return _link_page(link_id)


def _link_page(link_id: str, *, terms_refused: Violation | None = None, status: int = 200) -> Any:
    service = context.service()
    found = service.get_link(link_id)
    account = service.get_account(found.open_id) if found.open_id else None
    named = service.get_account(found.expected_open_id) if found.expected_open_id else None
    return _shop_page("seller_center/link.html", found.shop_id, status=status, link=found, view=link_view(found),
                      account=account, named=named, tab="official",
                      waiting=found.state is LinkState.PENDING_CONSENT, ended=ended_because(found),
                      terms_refused=terms_refused)


def ended_because(link: Link) -> list[Violation]:
    """Why an ended link ended, as the seller is told: a link that expired has no refusal of its own, so it gets the
    one a late scan gets (``qr_expired``, or ``consent_expired`` for a Seller-app request)."""
    if link.state is LinkState.EXPIRED and link.consent_expires_at is not None:
        code = codes.QR_EXPIRED if link.channel is Channel.QR else codes.CONSENT_EXPIRED
        return [Violation.of(code, expired_at=utc_time(link.consent_expires_at))]
    return link.refusals()


@bp.get("/links/<link_id>/state")
def link_state(link_id: str) -> Response:
    """What the link page's script follows: the state, and the consent status (new, scanned, ...)."""
    view = link_view(context.service().get_link(link_id))
    return jsonify({"state": view["state"], "consent_status": view["consent_status"]})


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
