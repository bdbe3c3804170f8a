"""A real ``linksim serve --workers 2`` (a subprocess: gunicorn's master and two worker processes) on a SQLite file,
then on PostgreSQL, with the demo data."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import in_schema
from tests.conftest import postgres_url

LINKSIM = [sys.executable, "-m", "auth_server.cli"]
WORKER_HEADER = "X-Linksim-Worker"


class TwoWorkers:
    """``linksim serve --workers 2 --fixtures demo`` on ``db``, stopped by its process id."""

    def __init__(self, db: str, *extra: str) -> None:
        self.db = db
        self.process = subprocess.Popen([*LINKSIM, "--db", db, "serve", "--workers", "2", "--port", "0",
                                         "--fixtures", "demo", *extra], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.banner = ""
        deadline = time.monotonic() + 60
        while "Press Ctrl+C" not in self.banner and time.monotonic() < deadline:
            line = self.process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            self.banner += line
        found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", self.banner)
        assert found, self.banner
        self.url = found.group(1)
        while len(self.worker_pids()) < 2 and time.monotonic() < deadline:  # the banner comes before the fork
            time.sleep(0.02)
        self.answered_by()

    def worker_pids(self) -> set[int]:
        """The master's children: its worker processes."""
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                children.add(int(stat.parent.name))
        return children

    def answered_by(self, path: str = "/_sim/clock", *, headers: dict[str, str] | None = None,
                    cookies: Any = None) -> tuple[int, requests.Response]:
        """One GET on a connection of its own, and the worker that answered it."""
        with requests.Session() as fresh:
            answer = fresh.get(self.url + path, timeout=10, headers={**(headers or {}), "Connection": "close"},
                               cookies=cookies)
        return int(answer.headers[WORKER_HEADER]), answer

    def stop(self, sig: int = signal.SIGTERM) -> str:
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
        try:
            rest, _ = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            rest, _ = self.process.communicate(timeout=30)
        return rest


@pytest.fixture(params=["sqlite-file", pytest.param("postgres", marks=pytest.mark.postgres)], scope="module")
def two_workers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoWorkers]:
    """Two workers on one database, for the module's tests (a start costs about a second)."""
    if request.param == "sqlite-file":
        db = f"sqlite:///{tmp_path_factory.mktemp('workers') / 'linksim.db'}"
    else:
        url = postgres_url()
        if url is None:
            pytest.skip("no PostgreSQL server: run the suite with `make test`, which starts one")
        db = in_schema(url, f"workers_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}")
    server = TwoWorkers(db)
    try:
        yield server
    finally:
        server.stop()
