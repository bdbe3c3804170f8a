"""Reading the parties and links as the simulator holds them, and the products a shop lists after the data is loaded.

A test reads here what no party's API shows it: a shop's settings, products and sales channels, an account's
entity, type and members, any link whoever started it. Adding a product is the simulator's part because linksim
has no product API: in TikTok Shop a seller lists products in Seller Center or through the Product API, outside
account linking.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import jsonify

from auth_server.domain.events import plain
from auth_server.web import context
from auth_server.web.control.access import controls_only
from auth_server.web.control.bodies import account_named
from auth_server.web.control.bodies import json_object

bp = Blueprint("control_parties", __name__, url_prefix="/_sim")
bp.before_request(controls_only)


@bp.get("/shops/<shop_id>")
def shop(shop_id: str) -> Any:
    """The shop: name, region, market, status, probation, review settings, products, and the sales channels each
    active link opens."""
    return jsonify(context.service().shop_details(shop_id))


@bp.post("/shops/<shop_id>/products")
def add_product(shop_id: str) -> Any:
    """``{"id": "p_new", "title": "...", "marketplace": false}``, as a data file's products entry."""
    body = json_object()
    product = context.service().add_product(shop_id, body.get("id", ""), body.get("title", ""),
                                            in_marketplace=body.get("marketplace", False))
    return jsonify({"product_id": product.product_id, "shop_id": product.shop_id, "title": product.title,
                    "marketplace": product.in_marketplace}), 201


@bp.get("/accounts/<account>")
def account(account: str) -> Any:
    """The account (a username or an open_id): names, type, entity, verification, standing, and its members."""
    service = context.service()
    return jsonify(service.account_details(account_named(service, account, "account").open_id))


@bp.get("/links/<link_id>")
def link(link_id: str) -> Any:
    """Any link, whoever started it (a partner app, Seller Center, the data), with who started and ended it."""
    return jsonify(plain(context.service().get_link(link_id)))
