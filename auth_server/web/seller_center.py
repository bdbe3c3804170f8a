"""Seller Center in a browser, for developers stepping through the flow: a shop's linked accounts,
"Link official account" with its QR code, and the terms with "Link This Account".

These screens are the simulator's stand-in for the seller's own login: they are open to whoever reaches
the server, which is why ``linksim serve`` listens on loopback unless told otherwise.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import Response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from auth_server.domain.links import LinkState
from auth_server.web import context
from auth_server.web import qr_images
from auth_server.web.linking_api import link_view
from auth_server.web.linking_api import qr_image

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
    service = context.service()
    found = service.get_link(link_id)
    account = service.get_account(found.open_id) if found.open_id else None
    return render_template("seller_center/link.html", link=found, view=link_view(found),
                           shop=service.get_shop(found.shop_id), account=account,
                           waiting=found.state is LinkState.PENDING_CONSENT)


@bp.get("/links/<link_id>/qr.svg")
def qr_svg(link_id: str) -> Response:
    return qr_image(context.service().get_link(link_id), qr_images.svg, "image/svg+xml")


@bp.post("/links/<link_id>/terms")
def accept_terms(link_id: str) -> Any:
    context.service().accept_terms(link_id, accepted=request.form.get("agree") == "yes")
    return redirect(url_for("seller_center.link", link_id=link_id))
