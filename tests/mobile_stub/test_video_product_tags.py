"""Tagging a shop's product in a video from the app (E3: the link opens the shop's video sales channel)."""

from __future__ import annotations

import pytest

from linksim import Sandbox
from mobile_stub import AppRefused


def test_an_account_linked_to_the_shop_tags_its_product_in_a_video(linksim_sandbox: Sandbox) -> None:
    tag = linksim_sandbox.phone("mika").tag_product_in_video("prod_lamp")  # one of Acme's marketing accounts
    assert (tag.open_id, tag.product_id, tag.shop_id) == ("oid_mika", "prod_lamp", "shop_acme_us")


def test_an_account_not_linked_to_the_shop_is_refused_the_tag(linksim_sandbox: Sandbox) -> None:
    with pytest.raises(AppRefused) as refused:
        linksim_sandbox.phone("maya").tag_product_in_video("prod_lamp")
    assert (refused.value.code, refused.value.status) == ("video_channel_locked", 409)
    assert "@maya cannot tag prod_lamp" in refused.value.message


def test_an_account_linked_to_another_shop_is_refused_this_shops_product(linksim_sandbox: Sandbox) -> None:
    with pytest.raises(AppRefused) as refused:
        linksim_sandbox.phone("nordic_home").tag_product_in_video("prod_lamp")  # Nordic Home's official, not Acme's
    assert refused.value.code == "video_channel_locked"


def test_an_unknown_product_is_not_found(linksim_sandbox: Sandbox) -> None:
    with pytest.raises(AppRefused) as refused:
        linksim_sandbox.phone("mika").tag_product_in_video("prod_nothing")
    assert (refused.value.code, refused.value.status) == ("product_not_found", 404)
