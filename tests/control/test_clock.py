"""The clock over /_sim/clock: what it takes, and the bounds of the simulated years."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.domain.clock import ManualClock
from auth_server.simulator import CLOCK_SETTING
from auth_server.simulator import Simulator
from auth_server.simulator import open_store
from tests.conftest import START


@pytest.fixture
def http() -> FlaskClient:
    return create_app().test_client()


def move(http: FlaskClient, **body: Any) -> Any:
    return http.post("/_sim/clock", json=body)


@pytest.mark.parametrize("body", [{"advance": "99999999d"}, {"set": "9999-12-31T23:59:59Z"},
                                  {"set": "1900-01-01T00:00:00Z"}, {"advance": "soon"}, {"freeze": "false"}])
def test_a_move_the_clock_cannot_make_is_refused(http: FlaskClient, body: dict[str, Any]) -> None:
    response = move(http, **body)
    assert response.status_code == 400
    assert response.get_json()["code"] == "invalid_input"


def test_the_clock_stops_at_the_end_of_the_simulated_years(http: FlaskClient) -> None:
    assert move(http, set="2999-12-31T23:59:59Z").status_code == 200
    refused = move(http, advance="1s")
    assert "cannot go past 2999" in refused.get_json()["message"]
    assert http.get("/_sim/clock").get_json()["now"] == "2999-12-31T23:59:59+00:00"


def test_a_sandbox_cannot_start_outside_the_simulated_years(http: FlaskClient) -> None:
    response = http.post("/_sim/sandboxes", json={"start": "9999-12-31T23:59:59Z"})
    assert response.status_code == 400
    assert response.get_json()["violations"][0]["details"]["field"] == "start"


def test_freeze_and_unfreeze_take_booleans(http: FlaskClient) -> None:
    assert move(http, freeze=False).get_json()["frozen"] is False
    assert move(http, freeze=True).get_json()["frozen"] is True


def test_the_clock_is_set_to_the_real_time_with_now(http: FlaskClient) -> None:
    move(http, set="2026-03-02T09:00:00Z")
    before = datetime.now(UTC).replace(microsecond=0)
    now = datetime.fromisoformat(move(http, set="now").get_json()["now"])
    assert before <= now <= datetime.now(UTC)


def test_a_clock_move_is_seen_only_once_the_database_keeps_it(tmp_path: Path) -> None:
    """Issue 13, found by the crash test: a move seen (by GET /_sim/clock, or in an event stamped with the new time)
    before it was kept went back on a kill -9 that came before the write was committed. Whatever the world reads
    while the move is being committed is the time before it."""
    sim = Simulator(open_store(f"sqlite:///{tmp_path / 'kept.db'}"), clock=ManualClock(START), keeps_clock=True)
    http = create_app(sim, ServerConfig(secret_key="test-secret")).test_client()
    read_while_committing: list[datetime] = []

    def on_commit(connection: Any) -> None:
        if connection.info.pop("clock_written", False):
            read_while_committing.append(sim.clock.now())

    def on_write(connection: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith(("INSERT", "UPDATE")) and "settings" in statement and CLOCK_SETTING in str(parameters):
            connection.info["clock_written"] = True

    event.listen(sim.store.engine, "commit", on_commit)
    event.listen(sim.store.engine, "before_cursor_execute", on_write)
    try:
        assert move(http, advance="1d").status_code == 200
    finally:
        event.remove(sim.store.engine, "commit", on_commit)
        event.remove(sim.store.engine, "before_cursor_execute", on_write)
    assert read_while_committing == [START]
    assert sim.clock.now() == START + timedelta(days=1)
    with sim.store.unit_of_work() as repo:
        assert repo.setting(CLOCK_SETTING) == {"frozen_at": (START + timedelta(days=1)).isoformat()}
