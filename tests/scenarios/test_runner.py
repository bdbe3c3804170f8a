"""The runner: a sandbox per scenario, ${name.field} substitution, the clock and control actors, phones."""

from __future__ import annotations

import requests

from auth_server.scenarios import model
from auth_server.scenarios.report import scenario_report
from auth_server.scenarios.runner import Runner
from tests.scenarios.conftest import TINY_WORLD
from tests.scenarios.conftest import tiny_scenario


def run(runner: Runner, text: str):  # noqa: ANN201 - a ScenarioResult
    return runner.run(model.parse_text(text))


def test_each_scenario_gets_a_sandbox_of_its_own_which_is_deleted_afterwards(runner: Runner,
                                                                                server_url: str) -> None:
    before = requests.get(f"{server_url}/_sim/sandboxes", timeout=10).json()["count"]
    first, second = run(runner, tiny_scenario()), run(runner, tiny_scenario())
    # The same account links to the same shop twice: nothing of the first run is left in the second's world.
    assert first.passed and second.passed, scenario_report(second)
    assert requests.get(f"{server_url}/_sim/sandboxes", timeout=10).json()["count"] == before


def test_a_saved_answer_is_substituted_in_later_steps_and_expectations(runner: Runner) -> None:
    steps = """
steps:
  - seller: {action: start_official_link, shop: shop_one, link_id: lnk_named}
    save: qr
  - seller: {action: get_link, link: "${qr.link_id}"}
    expect: {link_id: lnk_named, shop_id: "${qr.shop_id}", qr.scan_url: "${qr.qr.scan_url}"}
    save: again
  - seller: {action: get_link, link: "${again.link_id}_${again.consent_status}"}
    expect: {refused: link_not_found}
"""
    result = run(runner, tiny_scenario(steps=steps))
    assert result.passed, scenario_report(result)
    assert result.steps[1].params == {"action": "get_link", "link": "lnk_named"}
    assert result.steps[2].params["link"] == "lnk_named_new"  # inside a longer string: written in as text


def test_a_whole_string_reference_keeps_the_value_s_type(runner: Runner) -> None:
    steps = """
steps:
  - seller: {action: start_official_link, shop: shop_one}
    save: qr
  - app: {as: ana, action: scan, link: "${qr.link_id}"}
    save: screen
  - app: {as: ana, action: authorize, permissions: "${screen.permissions}"}
    expect: {link.granted_permissions: [profile_information, content, audience_data]}
"""
    result = run(runner, tiny_scenario(steps=steps))
    assert result.passed, scenario_report(result)
    assert result.steps[2].params["permissions"] == ["profile_information", "content", "audience_data"]


def test_a_reference_to_a_missing_field_is_a_step_error_naming_what_was_saved(runner: Runner) -> None:
    steps = """
steps:
  - seller: {action: start_official_link, shop: shop_one}
    save: qr
  - seller: {action: get_link, link: "${qr.lnk}"}
"""
    result = run(runner, tiny_scenario(steps=steps))
    assert not result.passed and result.errored
    assert "${qr.lnk}: what was saved as 'qr' has no 'lnk' (it has: " in result.failure
    assert "link_id" in result.failure


def test_the_clock_moves_only_by_clock_steps(runner: Runner) -> None:
    steps = """
steps:
  - control: {get: /_sim/clock}
    expect: {now: "2026-03-02T09:00:00+00:00", frozen: true}
  - seller: {action: start_official_link, shop: shop_one}
  - control: {get: /_sim/clock}
    expect: {now: "2026-03-02T09:00:00+00:00"}
  - clock: {advance: 1d2h}
    expect: {now: "2026-03-03T11:00:00+00:00"}
  - clock: {set: "2026-04-01T00:00:00Z"}
    expect: {now: "2026-04-01T00:00:00+00:00"}
"""
    result = run(runner, tiny_scenario(steps=steps))
    assert result.passed, scenario_report(result)


def test_a_control_call_the_server_refuses_is_a_refusal_with_its_code(runner: Runner) -> None:
    steps = """
steps:
  - control: {post: /_sim/clock, json: {advance: never}}
    expect: {refused: invalid_input, status: 400}
  - control: {get: /_sim/no-such-control}
    expect: {refused: not_found, status: 404}
"""
    result = run(runner, tiny_scenario(steps=steps))
    assert result.passed, scenario_report(result)


def test_control_calls_reach_the_scenario_s_own_sandbox(runner: Runner) -> None:
    steps = """
steps:
  - control: {post: /_sim/parties, json: {data: {accounts: [{username: zed, region: US, age: 40,
                                                             verification: verified, password: zed-pass}]}}}
    expect: {accounts: 1}
  - seller: {action: search_accounts, query: zed}
    expect: {count: 1, accounts.0.open_id: oid_zed}
  - app: {as: zed, action: sign_in, password: zed-pass}
    expect: {username: zed}
"""
    result = run(runner, tiny_scenario(steps=steps))
    assert result.passed, scenario_report(result)


def test_each_holder_has_a_phone_of_their_own(runner: Runner) -> None:
    text = f"""name: two phones
{TINY_WORLD}    - {{username: bo, region: US, age: 30, verification: verified}}
steps:
  - seller: {{action: start_official_link, shop: shop_one}}
    save: qr
  - app: {{as: ana, action: scan, link: "${{qr.link_id}}"}}
  - app: {{as: bo, action: me}}
    expect: {{username: bo}}
  - app: {{as: bo, action: authorize}}
"""
    # bo has scanned nothing: ana's consent screen is on ana's phone only.
    result = run(runner, text)
    assert result.errored
    assert "@bo has scanned no QR code yet" in result.failure


def test_the_data_without_a_partner_app_gets_the_demo_one() -> None:
    scenario = model.parse_text(tiny_scenario())
    apps = scenario.sandbox_request()["data"]["partner_apps"]
    assert [app["client_key"] for app in apps] == [scenario.client_key] == ["linksim_demo_key"]


def test_the_demo_app_it_gets_is_authorized_by_the_datas_sellers_with_its_shop_app() -> None:
    data = model.parse_text(tiny_scenario()).sandbox_request()["data"]
    shop_app = data["partner_apps"][0]["shop"]
    assert shop_app["app_key"] == "6demo0linksim" and "markets" not in shop_app  # the data's shops may be anywhere
    assert [seller["authorized_apps"] for seller in data["sellers"]] == [["6demo0linksim"]]


def test_a_seller_of_the_data_who_authorized_no_app_refuses_the_seller_tool(runner: Runner) -> None:
    text = tiny_scenario(steps="""
steps:
  - seller: {action: start_official_link, shop: shop_one}
    expect: {refused: partner_app_not_authorized, status: 403}
""").replace("entity: ENT-ONE,", "entity: ENT-ONE, authorized_apps: [],")
    result = run(runner, text)
    assert result.passed, result.failure


def test_the_demo_data_signs_holders_in_with_its_password(runner: Runner) -> None:
    text = """name: demo phones
fixtures: demo
steps:
  - app: {as: maya, action: me}
    expect: {open_id: oid_maya}
  - seller: {action: unlink, shop: shop_acme_us, account: maya}
    expect: {refused: account_not_linked}
  - seller: {action: unlink, shop: shop_acme_us, account: nobody_at_all}
    expect: {refused: account_not_found}
"""
    result = run(runner, text)
    assert result.passed, scenario_report(result)
