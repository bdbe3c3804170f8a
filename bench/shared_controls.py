"""What a world's controls in its store cost a request (issue 14): the revision each request reads, and the journal
record each request queues for the background writer, on a SQLite file or PostgreSQL.

``python -m bench.shared_controls [URL] [REQUESTS]`` (by default a SQLite file in a scratch folder) prints, as JSON,
the latency of requests through the WSGI app (Flask's test client, one thread) and of the revision read alone, and
how many records the journal writer wrote a transaction and the writer's CPU per record. Not part of ``make bench``:
run it on this commit and on the one before to compare.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Any

from bench.stats import latency_summary

CLIENT_CREDENTIALS = {"client_key": "linksim_demo_key", "client_secret": "linksim_demo_secret",
                      "grant_type": "client_credentials"}


def timed(call: Callable[[], object], times: int) -> dict[str, Any]:
    for _ in range(min(200, times)):
        call()
    samples = []
    for _ in range(times):
        begun = time.perf_counter()
        call()
        samples.append((time.perf_counter() - begun) * 1000)
    return latency_summary(samples)


def shared_controls(url: str, requests: int) -> dict[str, Any]:
    from auth_server import fixtures
    from auth_server.app import create_app
    from auth_server.config import ServerConfig
    from auth_server.control.stored_journal import StoredJournal
    from auth_server.domain.clock import ManualClock
    from auth_server.simulator import Simulator
    from auth_server.simulator import open_store
    from auth_server.web.context import worlds

    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    sim = Simulator(open_store(url, fresh=True), clock=ManualClock(start), keeps_clock=True)
    fixtures.load(sim.service, fixtures.read(fixtures.DEMO), now=start)
    sim.save_clock()
    app = create_app(sim, ServerConfig(secret_key="bench-shared-controls"))
    client = app.test_client()
    with app.app_context():
        main = worlds().main
    journal = main.journal
    assert isinstance(journal, StoredJournal) and main.revision is not None
    written = {"records": 0, "batches": 0, "cpu_seconds": 0.0}
    write = journal._write  # noqa: SLF001 - counted, not changed

    def counted(batch: Any) -> Any:
        cpu = time.thread_time()
        kept = write(batch)
        written["records"] += len(kept)
        written["batches"] += 1
        written["cpu_seconds"] += time.thread_time() - cpu
        return kept

    journal._write = counted  # type: ignore[method-assign]  # noqa: SLF001
    figures: dict[str, Any] = {
        "url": url.split("@")[-1],
        "GET /_sim/clock": timed(lambda: client.get("/_sim/clock"), requests),
        "POST /v2/oauth/token/ client_credentials": timed(
            lambda: client.post("/v2/oauth/token/", data=CLIENT_CREDENTIALS), requests),
        "GET /api/app/me (401)": timed(lambda: client.get("/api/app/me"), requests),
        "revision read alone": timed(main.revision.read, requests),
    }
    journal.close()
    figures["journal writer"] = {
        "records_per_transaction": round(written["records"] / max(written["batches"], 1), 1),
        "cpu_us_per_record": round(written["cpu_seconds"] / max(written["records"], 1) * 1e6, 1)}
    sim.store.dispose()
    return figures


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="linksim-bench-") as scratch:
        url = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else f"sqlite:///{scratch}/controls.db"
        requests = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
        print(json.dumps(shared_controls(url, requests), indent=2))


if __name__ == "__main__":
    main()
