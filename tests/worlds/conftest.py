"""Servers whose sandboxes live in the store: on a SQLite file, and on PostgreSQL (a schema of its own per test).

``servers.start()`` builds an app as ``linksim serve`` would on the test's database; two apps on one database stand
in for two processes of one server, a new one for the server restarted.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy
from flask import Flask

from auth_server.app import create_app
from auth_server.config import ServerConfig
from auth_server.domain.clock import ManualClock
from auth_server.simulator import Simulator
from auth_server.simulator import open_store
from auth_server.web import context
from auth_server.worlds import Worlds
from tests.conftest import START
from tests.conftest import in_schema
from tests.conftest import postgres_url


class Servers:
    def __init__(self, url: str, kind: str) -> None:
        self.url = url
        self.kind = kind
        self.apps: list[Flask] = []

    def start(self, config: ServerConfig | None = None) -> Flask:
        app = create_app(Simulator(open_store(self.url), clock=ManualClock(START), keeps_clock=True), config)
        self.apps.append(app)
        return app

    def stop(self, app: Flask) -> None:
        """The app's process ends: its stores and threads go, what it stored stays."""
        worlds_of(app).close()
        app.extensions[context.MAIN_SIMULATOR].store.dispose()

    def stop_all(self) -> None:
        for app in self.apps:
            worlds_of(app).close()
        if self.apps:  # what the test made goes, so that the next one starts clean
            storage = worlds_of(self.apps[0]).stored
            assert storage is not None
            storage.storage.delete_all()
        for app in self.apps:
            self.stop(app)


def worlds_of(app: Flask) -> Worlds:
    found: Worlds = app.extensions[context.WORLDS]
    return found


@pytest.fixture(params=["sqlite-file", pytest.param("postgres", marks=pytest.mark.postgres)])
def servers(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Servers]:
    if request.param == "sqlite-file":
        found = Servers(f"sqlite:///{tmp_path / 'linksim.db'}", "file")
        yield found
        found.stop_all()
        return
    yield from _on_postgres()


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def schema_servers() -> Iterator[Servers]:
    """Servers on PostgreSQL only: for what only a schema dropped under a process shows."""
    yield from _on_postgres()


def _on_postgres() -> Iterator[Servers]:
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server: run the suite with `make test`, which starts one")
    own = f"worlds_{secrets.token_hex(4)}"
    found = Servers(in_schema(url, own), "schema")
    yield found
    found.stop_all()
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {own} CASCADE")
    engine.dispose()
