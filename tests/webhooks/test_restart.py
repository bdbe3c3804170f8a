"""Pending webhooks live in the store: a server killed between two attempts resumes them when it starts again,
and none is lost."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from auth_server.domain.clock import ManualClock
from auth_server.shop_partner.authorizations import ShopAuthorizations
from auth_server.store import Store
from tests.webhooks.conftest import Receiver
from tests.webhooks.conftest import authorize_seller_with
from tests.webhooks.conftest import demo_with_webhooks

LINKSIM = [sys.executable, "-m", "auth_server.cli"]


class Served:
    def __init__(self, db: str, *extra: str) -> None:
        self.process = subprocess.Popen([*LINKSIM, "--db", db, "serve", "--port", "0", *extra],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        banner, deadline = "", time.monotonic() + 60
        while "Press Ctrl+C" not in banner and time.monotonic() < deadline:
            line = self.process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            banner += line
        found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", banner)
        assert found, banner
        self.url = found.group(1)

    def webhooks(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = requests.get(f"{self.url}/_sim/webhooks", timeout=10).json()["webhooks"]
        return found

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no chance to finish anything
        self.process.communicate(timeout=20)


@pytest.fixture
def servers() -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for served in started:
        if served.process.poll() is None:
            served.kill()


def wait_until(check: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert check()


def test_a_server_killed_between_two_attempts_makes_the_remaining_ones_once_restarted(
        tmp_path: Path, receiver: Receiver, servers: list[Served]) -> None:
    receiver.status = 500
    data_file = tmp_path / "data.yaml"
    data_file.write_text(yaml.safe_dump(demo_with_webhooks(receiver.url)), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'linksim.db'}"
    first = Served(db, "--fixtures", str(data_file))
    servers.append(first)
    now = datetime.fromisoformat(requests.get(f"{first.url}/_sim/clock", timeout=10).json()["now"])
    store = Store(db)  # the seller removes the app: the server's database, at the server's time
    shop_partner = ShopAuthorizations(store.unit_of_work, ManualClock(now))
    grant = authorize_seller_with(shop_partner, "seller@nordic.example")
    shop_partner.deauthorize(grant.grant_id, grant.party_id)
    store.dispose()
    requests.post(f"{first.url}/_sim/clock", json={"freeze": True}, timeout=10).raise_for_status()
    wait_until(lambda: len(first.webhooks()[0]["attempts"]) == 1)
    first.kill()

    second = Served(db)
    servers.append(second)
    requests.post(f"{second.url}/_sim/clock", json={"advance": "16h"}, timeout=10).raise_for_status()
    wait_until(lambda: second.webhooks()[0]["state"] == "given_up")

    [webhook] = second.webhooks()
    assert [a["n"] for a in webhook["attempts"]] == [1, 2, 3, 4, 5]
    assert len(receiver.received) == 5
