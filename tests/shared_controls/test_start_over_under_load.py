"""A world that starts over while another process serves it: requests in flight meanwhile are answered from the world
before or after (an unknown client at worst, while the data is loaded again), never with a 500. The tables are
dropped and made again in one transaction, with the journal that the start-over carries."""

from __future__ import annotations

import threading

from tests.shared_controls.test_two_processes import CLIENT_CREDENTIALS
from tests.shared_controls.test_two_processes import Processes
from tests.shared_controls.test_two_processes import processes  # noqa: F401

STARTS_OVER = 4


def test_requests_while_the_world_starts_over_get_no_server_error(processes: Processes) -> None:  # noqa: F811
    first, second = processes.start(), processes.start()
    assert first.post("/_sim/reset", json={"fixtures": "demo"}).status_code == 200
    statuses: list[int] = []
    done = threading.Event()

    def ask() -> None:
        while not done.is_set():
            statuses.append(second.post("/v2/oauth/token/", data=CLIENT_CREDENTIALS).status_code)
            statuses.append(second.get("/_sim/journal").status_code)

    asking = threading.Thread(target=ask)
    asking.start()
    try:
        resets = [first.post("/_sim/reset", json={"fixtures": "demo"}).status_code for _ in range(STARTS_OVER)]
    finally:
        done.set()
        asking.join()

    assert resets == [200] * STARTS_OVER
    assert statuses and 500 not in statuses
    assert second.post("/v2/oauth/token/", data=CLIENT_CREDENTIALS).status_code == 200
