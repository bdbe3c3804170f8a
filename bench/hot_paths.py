"""The hot paths in-process: token requests and user info through the WSGI app (Flask's test client, one thread,
no socket) on a SQLite file, one after another. Without the server and the driver around them these are the
steadiest figures of a loaded machine, and the ones each fix's before and after were read from.

``python -m bench.hot_paths [REQUESTS]`` prints them as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Any

from bench import seed
from bench.stats import latency_summary


def hot_paths(requests: int) -> dict[str, Any]:
    from auth_server.app import create_app
    from auth_server.config import ServerConfig
    from auth_server.domain.clock import ManualClock
    from auth_server.simulator import Simulator
    from auth_server.simulator import open_store
    from auth_server.web.context import WORLDS

    with tempfile.TemporaryDirectory(prefix="linksim-bench-") as scratch:
        url = f"sqlite:///{scratch}/hot.db"
        seeded = seed.demo_with_credentials(url, codes=requests + 20)
        sim = Simulator(open_store(url), clock=ManualClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
        app = create_app(sim, ServerConfig(oauth_error_status=400))
        client = app.test_client()
        secret = {"client_key": seed.CLIENT_KEY, "client_secret": seed.CLIENT_SECRET}
        codes = iter(seeded.codes)
        calls: dict[str, Callable[[], Any]] = {
            "client_credentials": lambda: client.post("/v2/oauth/token/", data={
                **secret, "grant_type": "client_credentials"}),
            "code_exchange": lambda: client.post("/v2/oauth/token/", data={
                **secret, "grant_type": "authorization_code", "code": next(codes), "redirect_uri": seed.REDIRECT_URI}),
            "user_info": lambda: client.get("/v2/user/info/?fields=open_id,display_name",
                                            headers={"Authorization": f"Bearer {seeded.access_token}"}),
        }
        figures: dict[str, Any] = {}
        for name, call in calls.items():
            for _ in range(10):
                assert call().status_code == 200
            samples = []
            for _ in range(requests):
                start = time.perf_counter()
                answer = call()
                samples.append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 200, answer.get_data(as_text=True)
            figures[name] = {"requests_per_second": round(1000 * len(samples) / sum(samples), 1),
                             **latency_summary(samples)}
        app.extensions[WORLDS].close()  # its journal writer stops before the file is removed
        sim.store.dispose()
    return figures


def hot_paths_in_process(requests: int) -> dict[str, Any]:
    """:func:`hot_paths` in a fresh process, as every commit's figures are taken."""
    out = subprocess.run([sys.executable, "-m", "bench.hot_paths", str(requests)], check=True, capture_output=True,
                         text=True).stdout
    figures: dict[str, Any] = json.loads(out)
    return figures


if __name__ == "__main__":
    print(json.dumps(hot_paths(int(sys.argv[1]) if len(sys.argv) > 1 else 500)))
