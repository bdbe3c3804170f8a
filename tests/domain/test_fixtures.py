"""Data files: the demo data loads, bad files are refused with the place and the problem, history obeys the rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auth_server import fixtures
from auth_server.domain.accounts import Verification
from auth_server.domain.links import Role
from auth_server.markets import builtin_markets
from auth_server.simulator import Simulator
from tests.conftest import START

MINIMAL = {
    "start": "2026-03-02T09:00:00Z",
    "sellers": [{"id": "s1", "name": "S", "entity": "E1",
                 "shops": [{"id": "shop1", "name": "Shop One", "region": "US"}]}],
    "accounts": [{"username": "ann", "region": "US", "age": 30, "verification": "verified"}],
}


def load(data: dict) -> Simulator:
    sim = Simulator.in_memory(start=START, markets=fixtures.markets_of(data, builtin_markets()))
    fixtures.load(sim.service, fixtures.validate(data), now=START)
    return sim


def test_the_demo_data_loads_with_every_kind_of_party() -> None:
    sim = Simulator.in_memory(start=START)
    loaded = fixtures.load(sim.service, fixtures.read(fixtures.DEMO), now=START)
    assert (loaded.shops, loaded.accounts) == (8, 27)
    shops = {s.shop_id: s for s in sim.service.shops()}
    assert {s.market for s in shops.values()} == {"global", "tokopedia"}
    assert {s.status.value for s in shops.values()} >= {"active", "pending_approval"}
    assert shops["shop_acme_gb"].in_probation(loaded.start)
    accounts = sim.service.accounts()
    assert {a.verification for a in accounts} == set(Verification)
    assert any(a.is_organization for a in accounts)


def test_the_demo_data_follows_the_data_file_format() -> None:
    """It is linksim's own, so reading it checks nothing: this test does."""
    demo = fixtures.read(fixtures.DEMO)
    assert fixtures.validate(demo, "demo data") == demo


def test_reading_the_demo_data_leaves_jsonschema_unimported() -> None:
    """A server's first sandbox and its start page read the demo data; jsonschema costs a process some 50 ms and
    3.5 MB."""
    script = ("import sys; from auth_server import fixtures; fixtures.read(fixtures.DEMO); "
              "print('jsonschema' in sys.modules)")
    imported = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    assert imported.strip() == "False"


def test_the_demo_history_is_replayed_through_the_rules() -> None:
    sim = Simulator.in_memory(start=START)
    fixtures.load(sim.service, fixtures.read(fixtures.DEMO), now=START)
    quinn_links = [link for link in sim.service.links(open_id="oid_quinn") if link.role is Role.MARKETING]
    assert len(quinn_links) == 10 and all(link.state.value == "unlinked" for link in quinn_links)
    batik = [link for link in sim.service.links(shop_id="shop_batik_id") if link.state.value == "unlinked"]
    assert len(batik) == 3


def test_a_minimal_file_loads() -> None:
    sim = load(MINIMAL)
    assert sim.service.get_account_by_username("ann").open_id == "oid_ann"


def test_a_file_that_breaks_the_format_names_the_place() -> None:
    bad = {**MINIMAL, "accounts": [{"username": "ann", "region": "USA", "age": 30}]}
    with pytest.raises(fixtures.FixtureError, match=r"accounts\[0\]\.region"):
        fixtures.validate(bad)


def test_an_unknown_key_is_refused() -> None:
    with pytest.raises(fixtures.FixtureError, match="colour"):
        fixtures.validate({**MINIMAL, "colour": "red"})


def test_a_shop_in_an_unknown_market_is_refused_with_the_known_ones() -> None:
    data = {**MINIMAL, "sellers": [{"id": "s1", "name": "S", "entity": "E",
                                    "shops": [{"id": "x", "name": "X", "region": "US", "market": "mars"}]}]}
    with pytest.raises(fixtures.FixtureError, match="unknown market 'mars'; known: global, tokopedia"):
        load(data)


def test_a_file_can_add_a_market_that_inherits_a_builtin_one() -> None:
    data = {**MINIMAL, "markets": {"strict": {"inherits": "global", "marketing_slots_per_shop": 1}},
            "sellers": [{"id": "s1", "name": "S", "entity": "E",
                         "shops": [{"id": "x", "name": "X", "region": "US", "market": "strict"}]}]}
    sim = load(data)
    assert sim.markets["strict"].marketing_slots_per_shop == 1
    assert sim.markets["strict"].official_unlink_wait == sim.markets["global"].official_unlink_wait


def test_a_history_entry_that_breaks_a_rule_fails_the_load_with_its_codes() -> None:
    data = {**MINIMAL, "accounts": [{"username": "kid", "region": "US", "age": 15, "verification": "verified"}],
            "history": [{"ago": "2d", "action": "link_official", "shop": "shop1", "account": "kid"}]}
    with pytest.raises(fixtures.FixtureError, match=r"history\[0\].*refused: underage"):
        load(data)


def test_a_username_used_twice_is_refused() -> None:
    data = {**MINIMAL, "accounts": MINIMAL["accounts"] * 2}
    with pytest.raises(fixtures.FixtureError, match="used twice"):
        load(data)


def test_an_account_needs_an_age_or_a_birth_date() -> None:
    with pytest.raises(fixtures.FixtureError, match="birth_date or age"):
        load({**MINIMAL, "accounts": [{"username": "ann", "region": "US"}]})


def test_age_means_the_holder_has_that_age_at_start_and_a_birthday_the_next_day() -> None:
    sim = load({**MINIMAL, "accounts": [{"username": "ann", "region": "US", "age": 17}]})
    ann = sim.service.get_account_by_username("ann")
    assert ann.age_on(START.date()) == 17
    assert ann.age_on(START.date().replace(day=START.day + 1)) == 18


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(fixtures.FixtureError, match="cannot read"):
        fixtures.read(tmp_path / "missing.yaml")


def test_invalid_yaml_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("sellers: [\n", encoding="utf-8")
    with pytest.raises(fixtures.FixtureError, match="not valid YAML or JSON"):
        fixtures.read(path)


def test_json_files_load_too(tmp_path: Path) -> None:
    import json

    path = tmp_path / "parties.json"
    path.write_text(json.dumps(MINIMAL), encoding="utf-8")
    assert fixtures.read(path)["accounts"][0]["username"] == "ann"


def test_two_accounts_with_one_username_are_refused_even_with_different_open_ids() -> None:
    twins = [{"username": "ann", "region": "US", "age": 30}, {"username": "ann", "region": "US", "age": 31,
                                                              "open_id": "other"}]
    with pytest.raises(fixtures.FixtureError, match=r"accounts\[1\].*@ann is used twice"):
        load({**MINIMAL, "accounts": twins})


def test_a_product_id_used_in_two_shops_is_refused() -> None:
    shops = [{"id": f"shop{i}", "name": "S", "region": "US", "products": [{"id": "p1", "title": "T"}]}
             for i in (1, 2)]
    with pytest.raises(fixtures.FixtureError, match="product id p1 is used twice"):
        load({**MINIMAL, "sellers": [{"id": "s1", "name": "S", "entity": "E", "shops": shops}]})


def test_an_age_works_when_the_next_day_is_29_february() -> None:
    sim = load({**MINIMAL, "start": "2028-02-28T09:00:00Z"})
    ann = sim.service.get_account_by_username("ann")
    assert ann.birth_date.isoformat() == "1997-03-01"
