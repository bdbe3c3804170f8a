"""A live linksim server for the clients that speak real HTTP, and a sandbox of the demo data on its clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from datetime import datetime

import pytest

from linksim.sandbox import Sandbox
from linksim.server import LiveServer


@pytest.fixture(scope="module")
def live_server() -> Iterator[LiveServer]:
    server = LiveServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox(live_server: LiveServer) -> Iterator[Sandbox]:
    """The demo data, its clock set to real time and running: the real clients sign with ``time.time()``, and
    linksim takes a timestamp only within [now - 5 min, now + 30 s] of its world's clock."""
    with live_server.sandbox() as made:
        made.clock.set(datetime.now(UTC))
        made.clock.unfreeze()
        yield made
