"""A stopped `linksim serve` keeps what it answered: its journal is written before it exits, on Ctrl+C or SIGTERM."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import requests

from tests.cli.test_serve_guards import Server


@pytest.mark.parametrize("workers", ["1", "2"], ids=["one process", "two workers"])
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_journal_keeps_every_request_answered_before_the_server_was_stopped(tmp_path: Path, stop: int,
                                                                                workers: str) -> None:
    db = f"sqlite:///{tmp_path / 'served.db'}"
    server = Server(db, "--fixtures", "demo", "--port", "0", "--workers", workers)
    queries = [f"request={n}" for n in range(20)]
    try:
        for query in queries:
            assert requests.get(f"{server.url}/_sim/clock?{query}", timeout=10).status_code == 200
        server.process.send_signal(stop)  # at once: the journal's writer gathers records before it writes
        server.process.communicate(timeout=20)
    finally:
        if server.process.poll() is None:  # the test failed before its stop: no server outlives it
            server.stop()
    assert server.process.returncode == 0
    again = Server(db, "--port", "0")
    try:
        journal = requests.get(f"{again.url}/_sim/journal?kind=request&limit=500", timeout=10).json()
    finally:
        again.stop()
    seen = {entry["query"] for entry in journal["entries"]}
    assert set(queries) <= seen, sorted(set(queries) - seen)
