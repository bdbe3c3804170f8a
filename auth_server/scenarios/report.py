"""What a run says: a step-by-step text report, a one-line summary, and JUnit XML for CI.

A step that does not match shows what was expected, what came, and each reason, so the report reads as a
failed assertion does. JUnit XML holds one test case per scenario (a failure for a mismatch, an error
for a scenario that could not be carried out), with its step report as the case's output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from junitparser import Error
from junitparser import Failure
from junitparser import JUnitXml
from junitparser import TestCase
from junitparser import TestSuite

from auth_server.scenarios.expectations import summary
from auth_server.scenarios.runner import ScenarioResult
from auth_server.scenarios.runner import StepResult

SUITE = "linksim scenarios"
WIDTH = 72  # where the outcome column starts


def scenario_report(result: ScenarioResult, *, quiet: bool = False) -> str:
    """The scenario's heading, then (unless quiet, where only a failing step shows) every step."""
    scenario = result.scenario
    verdict = "PASS" if result.passed else ("ERROR" if result.errored else "FAIL")
    rules = f" [{' '.join(scenario.rules)}]" if scenario.rules else ""
    lines = [f"{verdict:<5} {scenario.key}: {scenario.name}{rules} ({len(scenario.steps)} steps, "
             f"{result.seconds:.2f} s)"]
    if result.error is not None:
        lines.append(f"      {result.error}")
    for step in result.steps:
        if quiet and (step.matched or not step.ran):
            continue
        lines.extend(_step_lines(step))
    return "\n".join(lines)


def _step_lines(result: StepResult) -> list[str]:
    step = result.step
    lines = [f"             # {step.note}"] if step.note else []
    head = f"{step.number:>3}. {describe(step.actor, result.params)}"
    if not result.ran:
        return [*lines, f"  skip  {head}  (not run: an earlier step did not match)"]
    assert result.outcome is not None
    got = summary(result.outcome)
    mark = "ok  " if result.matched else "FAIL"
    lines.append(f"  {mark}  {head.ljust(WIDTH)} -> {got}")
    if result.reasons:
        lines.append(f"             expected: {result.expect.describe()}")
        lines.append(f"             got:      {got}")
        lines.extend(f"             why:      {reason}" for reason in result.reasons)
    return lines


def describe(actor: str, params: dict[str, Any]) -> str:
    """A step as a line: ``seller unlink shop=shop_nordic_gb account=otto``, ``app @maya scan link=...``."""
    if actor == "clock":
        return "clock " + " ".join(f"{k} {v}" for k, v in params.items())
    if actor == "control":
        method = next(k for k in params if k != "json")
        body = f" {json.dumps(params['json'])}" if "json" in params else ""
        return _cut(f"control {method.upper()} {params[method]}{body}")
    who = f" @{str(params['as']).lstrip('@')}" if "as" in params else ""
    rest = " ".join(f"{k}={_short(v)}" for k, v in params.items() if k not in ("action", "as"))
    return _cut(f"{actor}{who} {params.get('action')}" + (f" {rest}" if rest else ""))


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _cut(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def totals(results: list[ScenarioResult], seconds: float) -> str:
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    word = "scenario" if len(results) == 1 else "scenarios"
    return f"{len(results)} {word}: {passed} passed, {failed} failed ({seconds:.1f} s)"


def write_junit(results: list[ScenarioResult], path: str | Path) -> None:
    """Write JUnit XML: one test case per scenario, named by its file, in a suite per group."""
    suites: dict[str, TestSuite] = {}
    for result in results:
        group = result.scenario.group
        suite = suites.setdefault(group, TestSuite(f"{SUITE}: {group}"))
        case = TestCase(result.scenario.key, classname=f"linksim.scenarios.{group.replace(' ', '_')}",
                        time=round(result.seconds, 3))
        if not result.passed:
            kind = Error if result.errored else Failure
            outcome = kind(result.failure, "error" if result.errored else "mismatch")
            outcome.text = scenario_report(result)
            case.result = [outcome]
        case.system_out = scenario_report(result)
        suite.add_testcase(case)
    document = JUnitXml(SUITE)
    for suite in suites.values():
        suite.update_statistics()
        document.add_testsuite(suite)
    document.update_statistics()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    document.write(str(path), pretty=True)
