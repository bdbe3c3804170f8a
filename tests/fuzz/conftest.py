"""The fuzz's world is made again before an operation when the last one left it unusable, and its figures (operations,
requests, answers by status class, worlds made, failures) are printed at the end, summed over pytest-xdist's
workers."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

FIGURES = "linksim_fuzz_figures"
_totals: Counter[str] = Counter()


def _server() -> Any:
    from tests.fuzz import test_openapi_fuzz

    return test_openapi_fuzz.SERVER


@pytest.fixture(autouse=True)
def usable_world(request: pytest.FixtureRequest) -> Iterator[None]:
    _server().ensure_usable()
    yield


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "tests/fuzz/" not in report.nodeid.replace("\\", "/") or report.when != "call":
        return
    _totals["operations"] += 1
    _totals["failed operations"] += report.failed


def pytest_sessionfinish(session: pytest.Session) -> None:
    fuzz = sys.modules.get("tests.fuzz.test_openapi_fuzz")  # not imported: no fuzz test ran in this process
    figures = Counter(fuzz.SERVER.traffic.figures() if fuzz is not None else {})
    if hasattr(session.config, "workeroutput"):  # a pytest-xdist worker: the controller adds them up
        session.config.workeroutput[FIGURES] = dict(figures)
    else:
        _totals.update(figures)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    _totals.update(getattr(node, "workeroutput", {}).get(FIGURES, {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _totals["operations"]:
        return
    requests = _totals["requests"]
    terminalreporter.write_line(
        f"fuzz: {_totals['operations']} operations, {requests} requests "
        f"({_totals['2xx']} 2xx, {_totals['3xx']} 3xx, {_totals['4xx']} 4xx of which {_totals['404']} 404, "
        f"{_totals['5xx']} 5xx), {_totals['worlds']} worlds made, {_totals['restores']} put back, "
        f"{_totals['failed operations']} operations failed")
