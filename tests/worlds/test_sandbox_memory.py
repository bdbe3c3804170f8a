"""What a server keeps of the sandboxes it made, used and deleted: nothing that grows with their number."""

from __future__ import annotations

import gc

from flask.testing import FlaskClient
from sqlalchemy.engine import Dialect

from tests.worlds.conftest import Servers
from tests.worlds.test_stored_sandboxes import new_sandbox
from tests.worlds.test_stored_sandboxes import partner_token


def use_a_sandbox(http: FlaskClient) -> None:
    sandbox = new_sandbox(http)
    assert "access_token" in partner_token(http, sandbox)  # reads and writes in it, through the ORM
    assert http.delete(f"/_sim/sandboxes/{sandbox}").status_code == 204


def dialects_alive() -> int:
    gc.collect()
    return sum(1 for found in gc.get_objects() if isinstance(found, Dialect))


def test_deleted_sandboxes_leave_no_database_dialect_behind(servers: Servers) -> None:
    """SQLAlchemy keeps the statements it compiled for the mappers keyed by dialect, and with each dialect its
    per-type memos (some 1,900 objects): an engine with a dialect of its own per sandbox left one behind per sandbox,
    long after the sandbox was deleted."""
    http = servers.start().test_client()
    use_a_sandbox(http)  # what a first sandbox makes once (its template)
    before = dialects_alive()

    for _ in range(5):
        use_a_sandbox(http)

    assert dialects_alive() == before
