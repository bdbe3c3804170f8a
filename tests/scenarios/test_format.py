"""The scenario file format: what the schema and the checks after it refuse, each problem with its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from auth_server.scenarios import model
from auth_server.scenarios.schema import SCHEMA
from auth_server.scenarios.steps import APP_ACTIONS
from auth_server.scenarios.steps import SELLER_ACTIONS
from seller_client.client import SellerClient
from tests.scenarios.conftest import TINY_WORLD
from tests.scenarios.conftest import tiny_scenario


def problems_of(text: str) -> list[str]:
    with pytest.raises(model.ScenarioError) as caught:
        model.parse_text(text, "some.yaml")
    assert str(caught.value).startswith("some.yaml is not a valid scenario (docs/scenarios.md):")
    return caught.value.problems


def with_steps(steps: str) -> str:
    return f"name: x\n{TINY_WORLD}steps:\n{steps}"


def test_a_valid_file_becomes_steps_by_actor_with_their_expectations() -> None:
    scenario = model.parse_text(tiny_scenario(expect="{refused: [a, b], state: {length: 2}}"), "link.yaml")
    assert [step.actor for step in scenario.steps] == ["seller", "app", "app", "seller"]
    assert scenario.steps[0].save == "qr" and scenario.key == "link"
    last = scenario.steps[-1].expect
    assert (last.refused, last.exact_codes, last.fields) == (("a", "b"), True, {"state": {"length": 2}})
    assert scenario.steps[1].expect == model.Expectation()  # no expect: the step must succeed


@pytest.mark.parametrize(("step", "problem"), [
    ("{seller: {action: unlink, shop: s}}", "steps[0].seller: 'account' is a required property"),
    ("{seller: {action: get_link, link: l, shop: s}}",
     "steps[0].seller: Additional properties are not allowed ('shop' was unexpected)"),
    ("{seller: {action: teleport}}", "steps[0].seller.action: 'teleport' is not one of ["),
    ("{app: {action: me}}", "steps[0].app: 'as' is a required property"),
    ("{app: {as: ana, action: authorize, permissions: all}}",
     "steps[0].app.permissions: 'all' is not of type 'array'"),
    ("{clock: {advance: tomorrow}}", "steps[0].clock.advance: 'tomorrow' does not match"),
    ("{clock: {advance: 1h, set: '2026-01-01T00:00:00Z'}}", "steps[0].clock: {"),
    ("{control: {post: /api/shops}}", "steps[0].control.post: '/api/shops' does not match '^/_sim/'"),
    ("{clock: {advance: 1h}, expect: fine}", "steps[0].expect: 'ok' was expected"),
    ("{clock: {advance: 1h}, expect: {refused: 3}}", "steps[0].expect.refused: 3 is not of type 'string'"),
    ("{clock: {advance: 1h}, expect: {now: {length: -1}}}", "steps[0].expect.now.length: -1 is less than"),
    ("{clock: {advance: 1h}, save: 2nd}", "steps[0].save: '2nd' does not match"),
])
def test_a_broken_step_is_named_with_its_place(step: str, problem: str) -> None:
    found = problems_of(with_steps(f"  - {step}\n"))
    assert any(p.startswith(problem) for p in found), found


def test_a_problem_in_the_data_is_named_with_its_place_in_the_data() -> None:
    text = tiny_scenario().replace("region: US, age: 30", "region: USA, age: 30")
    assert problems_of(text) == ["data.accounts[0].region: 'USA' does not match '^[A-Za-z]{2}$'"]


def test_a_scenario_starts_from_data_or_from_the_demo_but_not_both() -> None:
    assert problems_of(tiny_scenario().replace("data:", "fixtures: demo\ndata:", 1)) == [
        "(top level): give the parties as data: {...} or fixtures: demo (one of them)"]
    assert problems_of("name: x\nsteps: [{clock: {advance: 1h}}]\n") == [
        "(top level): give the parties as data: {...} or fixtures: demo (one of them)"]


def test_a_step_has_exactly_one_actor() -> None:
    found = problems_of(with_steps("  - {clock: {advance: 1h}, control: {get: /_sim/clock}}\n  - {}\n"))
    assert found == ["steps[0]: a step has one actor: seller, app, clock or control (found: clock, control)",
                     "steps[1]: a step has one actor: seller, app, clock or control (found: none)"]


def test_a_control_step_names_one_method() -> None:
    found = problems_of(with_steps("  - {control: {post: /_sim/clock, get: /_sim/clock}}\n"))
    assert found == ["steps[0].control: name one method: post, get or delete"]


def test_a_scan_names_a_link_or_a_url() -> None:
    found = problems_of(with_steps("  - {app: {as: ana, action: scan}}\n"))
    assert found == ["steps[0].app: scan names either link (the QR code the seller shows) or scan_url"]


def test_a_reference_must_name_what_an_earlier_step_saved() -> None:
    steps = ("  - {seller: {action: get_link, link: '${qr.link_id}'}}\n"
             "  - {seller: {action: start_official_link, shop: shop_one}, save: qr}\n"
             "  - {seller: {action: get_link, link: '${qr.link_id}'}, expect: {shop_id: '${other.x}'}}\n")
    assert problems_of(with_steps(steps)) == [
        "steps[0].seller.link: ${qr...} names nothing an earlier step saved (saved so far: nothing)",
        "steps[2].expect.shop_id: ${other...} names nothing an earlier step saved (saved so far: qr)",
    ]


def test_a_regular_expression_must_compile() -> None:
    found = problems_of(with_steps("  - {clock: {advance: 1h}, expect: {now: {matches: '(unclosed'}}}\n"))
    assert found[0].startswith("steps[0].expect.now.matches: not a regular expression:")


def test_a_file_that_is_not_yaml_is_refused_as_such(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(model.ScenarioError, match=r"broken.yaml is not a valid scenario .*\n  - not valid YAML"):
        model.load(path)


def test_a_yaml_syntax_error_names_the_file_line_and_column_of_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: a broken file\nfixtures: demo\nsteps:\n  - clock: {advance: 1h\n", encoding="utf-8")
    with pytest.raises(model.ScenarioError) as error:
        model.load(path)
    assert f"not valid YAML: {path}:5:1: expected ',' or '}}', but got '<stream end>'" in str(error.value)
    assert "(while parsing a flow mapping from line 4, column 12)" in str(error.value)
    assert "<unicode string>" not in str(error.value)


def test_times_stay_text_as_the_server_reads_them() -> None:
    scenario = model.parse_text(tiny_scenario(steps="steps: [{clock: {set: 2026-04-01T00:00:00Z}}]\n"))
    assert scenario.steps[0].params == {"set": "2026-04-01T00:00:00Z"}


def test_every_seller_action_is_a_method_of_the_seller_client() -> None:
    assert set(SELLER_ACTIONS) <= {name for name in dir(SellerClient) if not name.startswith("_")}


def test_the_schema_documents_every_action_and_parameter() -> None:
    step = SCHEMA["properties"]["steps"]["items"]["properties"]
    for actor, actions in (("seller", SELLER_ACTIONS), ("app", APP_ACTIONS)):
        documented = {branch["if"]["properties"]["action"]["const"]: branch["then"]
                      for branch in step[actor]["allOf"]}
        assert set(documented) == set(actions)
        for name, action in actions.items():
            assert set(documented[name]["properties"]) - {"action", "as"} == set(action.params)
            assert all(p.get("description") for key, p in documented[name]["properties"].items()
                       if key not in ("action", "as"))


def test_docs_scenarios_md_describes_every_action() -> None:
    text = (Path(__file__).parents[2] / "docs" / "scenarios.md").read_text(encoding="utf-8")
    for name in [*SELLER_ACTIONS, *APP_ACTIONS]:
        assert f"| `{name}` |" in text, f"docs/scenarios.md does not describe the action {name}"
