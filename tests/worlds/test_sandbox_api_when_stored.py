"""The sandbox API's specification (tests/control/test_sandboxes.py), run again on servers whose sandboxes live in
their store: a SQLite file, and PostgreSQL. Nothing a client sees changes with where the sandboxes are kept."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.control.test_sandboxes import *  # noqa: F403 - the same tests, on the app below
from tests.worlds.conftest import Servers


@pytest.fixture
def app(servers: Servers) -> Flask:
    return servers.start()
