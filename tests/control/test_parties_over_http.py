"""The parties and links read through the control plane, a shop's products added and its probation set or ended
there, through the testing kit's World methods over HTTP (issue 11)."""

from __future__ import annotations

import pytest

from linksim import ControlRefused
from linksim import Sandbox
from seller_client import SellerRefused


def test_a_shop_reads_with_its_name_status_products_and_sales_channels(linksim_sandbox: Sandbox) -> None:
    shop = linksim_sandbox.shop("shop_nordic_gb")
    assert (shop["name"], shop["status"]) == ("Nordic Home", "active")
    assert [p["product_id"] for p in shop["products"]] == ["prod_mug"]
    assert [(c["username"], c["role"], c["channels"]) for c in shop["sales_channels"]] == [
        ("nordic_home", "official", ["video", "live", "shop_page"])]


def test_an_organization_account_reads_with_its_entity_type_and_members(linksim_sandbox: Sandbox) -> None:
    account = linksim_sandbox.account("acme.org")
    assert (account["account_type"], account["entity_id"], account["nickname"]) == (
        "organization", "ENT-ACME-US", "Acme Outdoor")
    assert {m["contact"]: m["active"] for m in account["members"]} == {
        "admin@acme.example": True, "ops@acme.example": True, "former@acme.example": False}


def test_an_account_reads_without_its_password(linksim_sandbox: Sandbox) -> None:
    assert "password_hash" not in linksim_sandbox.account("maya")


def test_a_link_another_party_started_reads_through_the_control_plane(linksim_sandbox: Sandbox) -> None:
    link_id = linksim_sandbox.shop("shop_acme_us")["sales_channels"][0]["link_id"]  # loaded from the data
    with pytest.raises(SellerRefused):
        linksim_sandbox.seller().get_link(link_id)  # no partner app started it, so none sees it
    link = linksim_sandbox.link(link_id)
    assert (link["state"], link["role"], link["created_by"]) == ("active", "marketing", "app")  # accepted in the app


def test_a_link_the_partner_app_started_reads_with_who_started_it(linksim_sandbox: Sandbox) -> None:
    started = linksim_sandbox.seller().start_official_link("shop_acme_us")
    assert linksim_sandbox.link(started.link_id)["created_by"] == "partner:linksim_demo_key"


def test_an_unknown_link_is_not_found(linksim_sandbox: Sandbox) -> None:
    with pytest.raises(ControlRefused) as refused:
        linksim_sandbox.link("lnk_nowhere")
    assert (refused.value.code, refused.value.status) == ("link_not_found", 404)


def test_a_product_added_after_loading_appears_on_the_official_accounts_shop_page(linksim_sandbox: Sandbox) -> None:
    linksim_sandbox.add_product("shop_nordic_gb", "prod_vase", "Glass vase")
    storefront = linksim_sandbox.phone("nordic_home").profile().storefront("shop_nordic_gb")
    assert storefront is not None and storefront.catalogue == ("prod_mug", "prod_vase")


def test_a_product_id_already_taken_is_refused(linksim_sandbox: Sandbox) -> None:
    with pytest.raises(ControlRefused) as refused:
        linksim_sandbox.add_product("shop_nordic_gb", "prod_lamp", "Another lamp")
    assert (refused.value.code, refused.value.status) == ("id_taken", 409)


def test_a_shop_put_in_probation_cannot_invite_marketing_accounts(linksim_sandbox: Sandbox) -> None:
    shop = linksim_sandbox.start_probation("shop_acme_us", "30d")
    assert shop["probation_until"] == "2026-04-01T09:00:00+00:00"
    with pytest.raises(SellerRefused) as refused:
        linksim_sandbox.seller().invite_marketing_account("shop_acme_us", "oid_nora")
    assert refused.value.code == "shop_in_probation"


def test_a_shop_whose_probation_is_ended_invites_marketing_accounts(linksim_sandbox: Sandbox) -> None:
    linksim_sandbox.end_probation("shop_acme_gb")  # the demo's shop in probation for 30 more days
    assert linksim_sandbox.shop("shop_acme_gb")["in_probation"] is False
    assert linksim_sandbox.seller().invite_marketing_account("shop_acme_gb", "oid_gabe").state == "pending"


def test_a_probation_that_is_no_duration_is_refused(linksim_sandbox: Sandbox) -> None:
    with pytest.raises(ControlRefused) as refused:
        linksim_sandbox.start_probation("shop_acme_us", "a month")
    assert (refused.value.code, refused.value.status) == ("invalid_input", 400)
