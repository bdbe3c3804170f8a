"""Running scenarios: each in a sandbox of its own on a linksim server, step by step, never sleeping.

The server is one already running (``--url``), or one this module starts in a thread
(:func:`local_server`). For each scenario the runner creates a sandbox holding the scenario's parties
(``POST /_sim/sandboxes``), plays its steps through the seller's tool and the holders' apps against the
sandbox's base URL, compares each answer with what the step expects, and deletes the sandbox. Time
moves only when a ``clock`` step moves the sandbox's clock. The first mismatch ends the scenario: the
steps after it are reported as not run, since they would start from a state the scenario did not mean.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Any

from auth_server import fixtures
from auth_server.config import ServerConfig
from auth_server.scenarios.expectations import judge
from auth_server.scenarios.expectations import substitute
from auth_server.scenarios.model import Expectation
from auth_server.scenarios.model import Scenario
from auth_server.scenarios.model import Step
from auth_server.scenarios.steps import TIMEOUT
from auth_server.scenarios.steps import AccountBook
from auth_server.scenarios.steps import Outcome
from auth_server.scenarios.steps import Session
from auth_server.scenarios.steps import StepFailed
from client_core.control import SANDBOXES
from client_core.control import ControlPlane
from client_core.errors import ControlError
from client_core.errors import ControlRefused


class ServerProblem(Exception):
    """The linksim server cannot run scenarios: unreachable, or its controls are closed to us."""


@dataclass
class StepResult:
    step: Step
    params: dict[str, Any]  # as carried out, after ${...} substitution
    expect: Expectation  # what it had to answer, after ${...} substitution
    outcome: Outcome | None = None  # None: not run, after an earlier mismatch
    reasons: list[str] = field(default_factory=list)  # why it does not match; empty when it does

    @property
    def ran(self) -> bool:
        return self.outcome is not None

    @property
    def matched(self) -> bool:
        return self.ran and not self.reasons


@dataclass
class ScenarioResult:
    scenario: Scenario
    steps: list[StepResult] = field(default_factory=list)
    error: str | None = None  # the scenario could not start (its sandbox was refused)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.error is None and all(step.matched for step in self.steps)

    @property
    def errored(self) -> bool:
        """Failed for a reason other than an answer that differs: no sandbox, or a step not carried out."""
        return self.error is not None or any(s.outcome is not None and s.outcome.kind == "error" for s in self.steps)

    @property
    def mismatch(self) -> StepResult | None:
        return next((step for step in self.steps if step.ran and step.reasons), None)

    @property
    def failure(self) -> str:
        """Why the scenario failed, in a line ("" when it passed)."""
        if self.error is not None:
            return self.error
        step = self.mismatch
        if step is None:
            return ""
        return f"step {step.step.number} ({step.step.actor} {_action_of(step.step)}): {step.reasons[0]}"


def _action_of(step: Step) -> str:
    if step.actor in ("seller", "app"):
        return str(step.params.get("action"))
    return next(iter(k for k in step.params if k != "json"), "")


class Runner:
    """Runs scenarios on the linksim server at ``url``, each in a sandbox of its own."""

    def __init__(self, url: str, *, control_token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.control_token = control_token
        self.controls = ControlPlane(self.url, timeout=TIMEOUT, control_token=control_token)

    def check(self) -> None:
        """Raise :exc:`ServerProblem` unless the server answers and lets us make sandboxes."""
        try:
            self.controls.sandboxes()
        except ControlRefused as refused:
            raise ServerProblem(f"linksim at {self.url} refused its controls (GET {SANDBOXES} answered "
                                f"{refused.status}: {str(refused.body)[:200].strip()}); give --control-token "
                                "if the server has one") from None
        except ControlError as error:
            raise ServerProblem(str(error)) from None

    def run_all(self, scenarios: Iterable[Scenario],
                on_result: Callable[[ScenarioResult], None] | None = None) -> list[ScenarioResult]:
        results = []
        for scenario in scenarios:
            result = self.run(scenario)
            if on_result is not None:
                on_result(result)
            results.append(result)
        return results

    def run(self, scenario: Scenario) -> ScenarioResult:
        started = time.perf_counter()
        result = ScenarioResult(scenario)
        try:
            sandbox = self._create_sandbox(scenario)
        except ServerProblem as problem:
            result.error = str(problem)
        else:
            try:
                self._play(scenario, sandbox, result)
            finally:
                self._delete_sandbox(sandbox["id"])
        result.seconds = time.perf_counter() - started
        return result

    def _play(self, scenario: Scenario, sandbox: dict[str, Any], result: ScenarioResult) -> None:
        session = Session(sandbox["base_url"], client_key=scenario.client_key, client_secret=scenario.client_secret,
                          accounts=AccountBook(scenario.data or _demo_data(scenario)),
                          control_token=self.control_token)
        saved: dict[str, dict[str, Any]] = {}
        stopped = False
        try:
            for step in scenario.steps:
                if stopped:
                    result.steps.append(StepResult(step, step.params, step.expect))
                    continue
                step_result = _carry_out(session, step, saved)
                result.steps.append(step_result)
                stopped = bool(step_result.reasons)
        finally:
            session.close()

    def _create_sandbox(self, scenario: Scenario) -> dict[str, Any]:
        try:
            return self.controls.create_sandbox(scenario.sandbox_request())
        except ControlRefused as refused:
            raise ServerProblem(f"the server refused the scenario's sandbox ({refused.status}): "
                                f"{_message_of(refused.body)}") from None
        except ControlError as error:
            raise ServerProblem(str(error)) from None

    def _delete_sandbox(self, sandbox_id: str) -> None:
        try:
            self.controls.delete_sandbox(sandbox_id)
        except ControlError:
            pass  # the server went away: its sandboxes went with it


def _carry_out(session: Session, step: Step, saved: dict[str, dict[str, Any]]) -> StepResult:
    try:
        params = substitute(step.params, saved)
        expect = replace(step.expect, fields=substitute(step.expect.fields, saved))
    except StepFailed as error:
        outcome = Outcome.error(str(error))
        return StepResult(step, step.params, step.expect, outcome, judge(step.expect, outcome))
    outcome = session.perform(step.actor, params)
    if step.save is not None and outcome.kind != "error":
        saved[step.save] = outcome.value
    return StepResult(step, params, expect, outcome, judge(expect, outcome))


def _message_of(body: object) -> str:
    if isinstance(body, dict):
        details = [v.get("details", {}).get("problem") for v in body.get("violations", []) if isinstance(v, dict)]
        return "; ".join(str(d) for d in details if d) or str(body.get("message", body))
    return str(body)[:300]


def _demo_data(scenario: Scenario) -> dict[str, Any] | None:
    """The built-in data a scenario starts from: its usernames and passwords name the parties."""
    return _builtin_data(scenario.fixtures) if scenario.fixtures is not None else None


@functools.cache
def _builtin_data(name: str) -> dict[str, Any]:
    return fixtures.read(name)


@contextmanager
def local_server(config: ServerConfig | None = None) -> Iterator[str]:
    """A linksim server of the runner's own on a free loopback port, in a thread; yields its URL."""
    from auth_server.app import create_app
    from linksim.server import LiveServer  # the partner kit's: quiet (the report tells what happened), stoppable

    with LiveServer(create_app(config=config)) as server:
        yield server.url
