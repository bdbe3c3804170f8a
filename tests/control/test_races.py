"""The controls under concurrent use of one server: resets, deletes and requests racing in a sandbox."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator

import pytest
import requests
from werkzeug.serving import make_server

from auth_server.app import create_app

DEMO_KEY, DEMO_SECRET, PASSWORD = "linksim_demo_key", "linksim_demo_secret", "linksim-demo"
SECONDS = 2.0


@pytest.fixture
def url() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def hammer(callers: list[Callable[[requests.Session], requests.Response]]) -> Counter[int]:
    """Each caller in its own thread, again and again for a while; how often each status came back."""
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def run(call: Callable[[requests.Session], requests.Response]) -> None:
        with requests.Session() as http:
            while time.monotonic() < deadline:
                status = call(http).status_code
                with lock:
                    statuses[status] += 1

    threads = [threading.Thread(target=run, args=(call,)) for call in callers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


def test_resets_racing_requests_in_one_sandbox_never_fail_them(url: str) -> None:
    base = requests.post(f"{url}/_sim/sandboxes", json={"fixtures": "demo"}, timeout=10).json()["base_url"]
    statuses = hammer([
        lambda http: http.post(f"{base}/_sim/reset", json={"fixtures": "demo"}, timeout=10),
        lambda http: http.post(f"{base}/_sim/reset", json={"fixtures": "demo"}, timeout=10),
        lambda http: http.post(f"{base}/v2/oauth/token/", timeout=10, data={
            "client_key": DEMO_KEY, "client_secret": DEMO_SECRET, "grant_type": "client_credentials"}),
        lambda http: http.post(f"{base}/api/app/sessions", json={"username": "maya", "password": PASSWORD},
                               timeout=10),
        lambda http: http.get(f"{base}/_sim/journal", params={"limit": "5"}, timeout=10),
    ])
    assert set(statuses) <= {200, 201}, statuses


def test_deletes_racing_requests_answer_sandbox_not_found_or_work(url: str) -> None:
    def create_and_delete(http: requests.Session) -> requests.Response:
        sandbox = http.post(f"{url}/_sim/sandboxes", json={"fixtures": "demo"}, timeout=10).json()
        return http.delete(f"{url}/_sim/sandboxes/{sandbox['id']}", timeout=10)

    def use_the_newest(http: requests.Session) -> requests.Response:
        every = http.get(f"{url}/_sim/sandboxes", timeout=10).json()["sandboxes"]
        base = every[-1]["base_url"] if every else f"{url}/sandboxes/none-yet"
        return http.post(f"{base}/_sim/reset", json={"fixtures": "demo"}, timeout=10)

    statuses = hammer([create_and_delete, create_and_delete, use_the_newest, use_the_newest])
    assert set(statuses) <= {200, 204, 404}, statuses
