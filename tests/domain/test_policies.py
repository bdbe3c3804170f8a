"""Market profiles are data: a shop's market picks its profile, and a new market is new data."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auth_server.domain.links import Role
from auth_server.domain.policies import Markets
from auth_server.markets import builtin_markets


def test_the_builtin_markets_carry_the_documented_differences() -> None:
    markets = builtin_markets()
    glob, toko = markets["global"], markets["tokopedia"]
    assert glob.unlink_wait(Role.OFFICIAL) == glob.unlink_wait(Role.MARKETING) == timedelta(hours=24)
    assert toko.unlink_wait(Role.OFFICIAL) == toko.unlink_wait(Role.MARKETING) == timedelta(hours=48)
    assert glob.official_unbinds_per_shop is None and toko.official_unbinds_per_shop == 3
    assert glob.marketing_links_per_account == toko.marketing_links_per_account == 10
    assert glob.marketing_link_window == toko.marketing_link_window == timedelta(days=180)
    assert glob.marketing_slots_per_shop == toko.marketing_slots_per_shop == 4
    assert glob.region_must_match == toko.region_must_match == frozenset({Role.OFFICIAL})
    assert glob.live_mirroring_allowed and not toko.live_mirroring_allowed


def test_a_market_inherits_another_and_overrides_what_differs() -> None:
    markets = Markets.from_mapping({
        "base": {"official_unlink_wait": "24h", "marketing_slots_per_shop": 4},
        "strict": {"inherits": "base", "marketing_slots_per_shop": 2},
    })
    assert markets["strict"].marketing_slots_per_shop == 2
    assert markets["strict"].official_unlink_wait == timedelta(hours=24)
    assert markets["strict"].market == "strict"


def test_an_unknown_setting_is_named_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown settings colour"):
        Markets.from_mapping({"m": {"colour": "red"}})


def test_a_bad_value_names_the_market_and_the_setting() -> None:
    with pytest.raises(ValueError, match="market 'm': setting official_unlink_wait"):
        Markets.from_mapping({"m": {"official_unlink_wait": "soon"}})


def test_inheriting_an_unknown_market_is_refused() -> None:
    with pytest.raises(ValueError, match="inherits 'nowhere'"):
        Markets.from_mapping({"m": {"inherits": "nowhere"}})


def test_inheritance_in_a_circle_is_refused() -> None:
    with pytest.raises(ValueError, match="circle"):
        Markets.from_mapping({"a": {"inherits": "b"}, "b": {"inherits": "a"}})


def test_an_unknown_market_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known markets: global, tokopedia"):
        builtin_markets()["mars"]
