"""The crash test in the suite (issue 13): `linksim serve` killed with SIGKILL three times in the middle of official
links, Login Kit refresh chains and clock moves, and restarted on the same database each time. `make crash` runs
the long version (LINKSIM_CRASH_ROUNDS rounds) and prints its figures; tests/crash/driver.py says what is checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import in_schema
from tests.conftest import postgres_url
from tests.crash.driver import CrashTest
from tests.crash.driver import Plan
from tests.crash.driver import passed
from tests.crash.driver import report


def a_postgres_schema() -> str:
    """A schema of the test server's database for the crash test alone (a worker's own under pytest-xdist)."""
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server: run the suite with `make test`, which starts one")
    return in_schema(url, f"crash_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}")


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_server_killed_mid_traffic_keeps_every_acknowledged_operation(database: str, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crash.db'}" if database == "sqlite" else a_postgres_schema()
    test = CrashTest(db, Plan.from_environment(), say=lambda line: print(f"  {line}"))
    test.run()
    figures = report(test, database)
    print(figures)
    acknowledged = test.figures.acknowledged
    assert test.figures.rounds == test.plan.rounds, figures
    assert acknowledged["link_started"] and acknowledged["refresh"] and acknowledged["clock_moved"], figures
    assert passed(test), figures  # nothing lost, nothing half-made, the clock never back, no 5xx, no other failure
