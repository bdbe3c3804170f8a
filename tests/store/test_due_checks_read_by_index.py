"""What came due on the clock is asked before every operation and every read of a world, so it must cost the same at
100,000 links as at 10: each of its queries searches an index, and none reads a table whole."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from auth_server.simulator import open_store
from auth_server.store import Store
from auth_server.store.repository import SqlRepository

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)

DUE_CHECKS: dict[str, Callable[[SqlRepository], Any]] = {
    "anything_due": lambda repo: repo.anything_due(NOW),
    "accounts_due_for_verification": lambda repo: repo.accounts_due_for_verification(NOW),
    "links_due": lambda repo: repo.links_due(NOW),
    "invitations_due": lambda repo: repo.invitations_due(NOW),
    "affiliate_invitations_due": lambda repo: repo.affiliate_invitations_due(NOW),
}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    found = open_store(f"sqlite:///{tmp_path / 'linksim.db'}")
    yield found
    found.dispose()


def plan_of(store: Store, check: Callable[[SqlRepository], Any]) -> list[str]:
    """How SQLite reads the statements ``check`` sends: each step of their query plans."""
    sent: list[tuple[str, Any]] = []

    def keep(_connection: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", keep)
    try:
        with store.reading() as repo:
            check(repo)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", keep)
    steps = []
    with store.engine.connect() as connection:
        for statement, parameters in sent:
            if statement.lstrip().upper().startswith("SELECT"):
                steps += [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    assert steps, "the check sent no query"
    return steps


@pytest.mark.parametrize("name", DUE_CHECKS)
def test_a_due_check_reads_no_table_whole(store: Store, name: str) -> None:
    steps = plan_of(store, DUE_CHECKS[name])

    assert [step for step in steps if step.startswith("SCAN") and step != "SCAN CONSTANT ROW"] == [], steps
