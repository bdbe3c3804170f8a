"""The scenarios shipped with linksim: each one behaves as it expects, and together they cover RULES.md.

Every rule of RULES.md needs a scenario that lists it, so a new rule cannot land without one, and every
refusal code of a rule needs a scenario of that rule that expects it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auth_server.domain import codes
from auth_server.scenarios import model
from auth_server.scenarios.report import scenario_report
from auth_server.scenarios.runner import Runner

LIBRARY = model.library()
SCENARIOS = {path.stem: model.load(path) for path in LIBRARY}
# The 29 rules, distilled from RULES.md. RULES.md lives beside the repository, not in it, so a fresh clone
# (CI) has none to read: the list is kept here, and a new rule is added to it by hand.
RULE_IDS = [
    "O1", "O2", "O3", "O4", "O5", "O6", "O7", "O8", "O9", "O10", "O11",
    "M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9", "M10",
    "U1", "U2", "U3",
    "E1", "E2", "E3", "E4", "E5",
]


def _expected_codes(scenario: model.Scenario) -> set[str]:
    """The codes a scenario expects: refusals, and codes a link or an invitation shows (``refusals.0.code``)."""
    refused = {code for step in scenario.steps for code in step.expect.refused or ()}
    shown = {value for step in scenario.steps for path, value in step.expect.fields.items()
             if path.split(".")[-1] == "code" and isinstance(value, str)}
    return refused | shown


@pytest.mark.parametrize("path", LIBRARY, ids=[p.stem for p in LIBRARY])
def test_shipped_scenario_behaves_as_it_expects(runner: Runner, path: Path) -> None:
    result = runner.run(model.load(path))
    assert result.passed, scenario_report(result)


def test_the_library_holds_a_scenario_for_every_group() -> None:
    groups = {key[0] for key in SCENARIOS}
    assert groups == set("OMUEBT")
    assert len(SCENARIOS) >= 40


def test_every_rule_a_refusal_code_enforces_is_in_the_rule_list() -> None:
    """A code naming a rule the list does not know is a typo, or a new rule the list (and a scenario) lacks."""
    named = {rule for code in codes.CATALOGUE.values() for rule in code.rules}
    assert named <= set(RULE_IDS), sorted(named - set(RULE_IDS))


def test_every_rule_a_scenario_lists_is_in_the_rule_list() -> None:
    for key, scenario in SCENARIOS.items():
        assert set(scenario.rules) <= set(RULE_IDS), f"{key} lists an unknown rule: {scenario.rules}"


@pytest.mark.parametrize("rule", RULE_IDS)
def test_every_rule_of_rules_md_has_a_shipped_scenario(rule: str) -> None:
    assert any(rule in scenario.rules for scenario in SCENARIOS.values()), f"no shipped scenario lists {rule}"


@pytest.mark.parametrize("code", sorted(c.name for c in codes.CATALOGUE.values() if c.rules))
def test_every_refusal_code_of_a_rule_is_expected_by_a_scenario_of_that_rule(code: str) -> None:
    """A scenario listing a rule must truly exercise it: somewhere it expects the rule's refusal."""
    rules = set(codes.get(code).rules)
    exercising = [key for key, s in SCENARIOS.items() if rules & set(s.rules) and code in _expected_codes(s)]
    assert exercising, f"no scenario of {', '.join(sorted(rules))} expects {code}"


def test_every_shipped_scenario_names_its_rules_and_its_story() -> None:
    for key, scenario in SCENARIOS.items():
        assert scenario.rules, f"{key} lists no rule"
        assert scenario.name.strip(), key
        assert re.fullmatch(r"[OMUEBT]\d\d_[a-z0-9_]+", key), f"{key}: name files like O02_official_slot_taken"


def test_scenarios_of_a_rule_are_numbered_after_it() -> None:
    for key, scenario in SCENARIOS.items():
        if key[0] in "OMUE":
            assert f"{key[0]}{int(key[1:3])}" in scenario.rules, f"{key} does not list its own rule"
