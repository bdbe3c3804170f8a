"""Stored sandboxes: creating and deleting one beside a main store on a SQLite file, and on PostgreSQL (issue 14's
goal: under 20 ms on both, with and without the demo data).

PostgreSQL is measured when ``LINKSIM_BENCH_POSTGRES_URL`` (or the test suite's ``LINKSIM_TEST_POSTGRES_URL``) names
a database; the run works in a schema of its own there and drops it after. A sandbox there is claimed from copies of
its template made ahead by a background thread, so the sandboxes are made at the pace that thread keeps up with
(``pause_s`` apart): a burst beyond the copies ready makes its schemas while it waits (the figure ``burst``).

    python -m bench.sandboxes [RUNS]
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from auth_server import fixtures
from auth_server.app import create_app
from auth_server.domain.clock import ManualClock
from auth_server.simulator import Simulator
from auth_server.simulator import open_store
from auth_server.store.sandboxes import SPARE_SCHEMAS
from auth_server.web import context
from auth_server.worlds import Worlds
from bench.stats import latency_summary

PG_PAUSE_S = 0.5  # between two sandboxes on PostgreSQL: time for the background thread to copy the template again


def stored_sandboxes(scratch: Path, runs: int) -> dict[str, Any]:
    figures: dict[str, Any] = {"sqlite_file": _measure(f"sqlite:///{scratch / 'sandboxes.db'}", runs, pause=0.0)}
    url = os.environ.get("LINKSIM_BENCH_POSTGRES_URL") or os.environ.get("LINKSIM_TEST_POSTGRES_URL")
    if not url:
        figures["postgres_error"] = "no PostgreSQL: set LINKSIM_BENCH_POSTGRES_URL to measure it"
        return figures
    own = f"bench_{secrets.token_hex(4)}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {own}")
    try:
        in_own = sa.make_url(url).update_query_dict({"options": f"-csearch_path={own}"})
        figures["postgres"] = _measure(in_own.render_as_string(hide_password=False), runs, pause=PG_PAUSE_S)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {own} CASCADE")
        engine.dispose()
    return figures


def _measure(url: str, runs: int, *, pause: float) -> dict[str, Any]:
    app = create_app(Simulator(open_store(url), clock=ManualClock(), keeps_clock=True))
    worlds: Worlds = app.extensions[context.WORLDS]
    figures: dict[str, Any] = {"pause_s": pause}
    try:
        for name, data in (("demo", fixtures.read(fixtures.DEMO)), ("empty", None)):
            worlds.delete(worlds.create(data=data).id)  # the template is made once
            time.sleep(pause * SPARE_SCHEMAS)
            created, deleted = [], []
            for _ in range(runs):
                started = time.perf_counter()
                sandbox = worlds.create(data=data)
                created.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                worlds.delete(sandbox.id)
                deleted.append((time.perf_counter() - started) * 1000)
                time.sleep(pause)
            figures[f"create_{name}"] = latency_summary(created)
            figures[f"delete_{name}"] = latency_summary(deleted)
        if pause:
            burst = []
            made = []
            for _ in range(SPARE_SCHEMAS * 2):
                started = time.perf_counter()
                made.append(worlds.create(data=None).id)
                burst.append((time.perf_counter() - started) * 1000)
            for sandbox_id in made:
                worlds.delete(sandbox_id)
            figures["burst"] = latency_summary(burst)
    finally:
        if worlds.stored is not None:
            worlds.stored.storage.delete_all()
        worlds.close()
        app.extensions[context.MAIN_SIMULATOR].store.dispose()
    return figures


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="linksim-bench-") as scratch:
        print(json.dumps(stored_sandboxes(Path(scratch), int(sys.argv[1]) if sys.argv[1:] else 30), indent=2))
