"""How SQLite reads what a piece of linksim asks: the steps of the query plans of the statements it sends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from auth_server.store import Store
from auth_server.store.repository import SqlRepository


def plan_of(store: Store, ask: Callable[[SqlRepository], Any]) -> list[str]:
    """Each step of the query plans of the SELECT statements ``ask`` sends, in a reading transaction of ``store``."""
    sent: list[tuple[str, Any]] = []

    def keep(_connection: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", keep)
    try:
        with store.reading() as repo:
            ask(repo)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", keep)
    steps = []
    with store.engine.connect() as connection:
        for statement, parameters in sent:
            if statement.lstrip().upper().startswith("SELECT"):
                steps += [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    assert steps, "nothing was asked"
    return steps


def tables_read_whole(steps: list[str]) -> list[str]:
    return [step for step in steps if step.startswith("SCAN") and step != "SCAN CONSTANT ROW"]
