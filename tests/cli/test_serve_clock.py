"""The world's clock never runs backwards across a restart of `linksim serve`, a crash included (issue 13, defect 1):
a move through /_sim/clock is kept in the database, and a running clock is kept as its offset from the wall clock."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from pathlib import Path

import requests

from tests.cli.test_serve_guards import Server


def clock_of(server: Server) -> datetime:
    return datetime.fromisoformat(requests.get(f"{server.url}/_sim/clock", timeout=10).json()["now"])


def advanced(db: str, by: str) -> datetime:
    """A server on ``db`` whose clock was moved ``by``: the time it read just after."""
    server = Server(db, "--fixtures", "demo", "--port", "0")
    requests.post(f"{server.url}/_sim/clock", json={"advance": by}, timeout=10).raise_for_status()
    moved = clock_of(server)
    server.stop()
    return moved


def test_a_restarted_server_goes_on_from_where_its_clock_was_moved(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'clock.db'}"
    moved = advanced(db, "3d")
    again = Server(db, "--port", "0")
    try:
        assert moved <= clock_of(again) < moved + timedelta(minutes=1)
    finally:
        again.stop()


def test_a_killed_server_restarts_with_its_clock_where_it_was(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'clock.db'}"
    server = Server(db, "--fixtures", "demo", "--port", "0")
    requests.post(f"{server.url}/_sim/clock", json={"advance": "3d"}, timeout=10).raise_for_status()
    moved = clock_of(server)
    server.process.kill()
    server.process.communicate(timeout=20)
    again = Server(db, "--port", "0")
    try:
        assert moved <= clock_of(again) < moved + timedelta(minutes=1)
    finally:
        again.stop()


def partner_token(server: Server) -> dict[str, str]:
    token = requests.post(f"{server.url}/v2/oauth/token/", timeout=10, data={
        "client_key": "linksim_demo_key", "client_secret": "linksim_demo_secret",
        "grant_type": "client_credentials"}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_an_unlink_days_after_the_link_works_after_a_restart(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'clock.db'}"
    server = Server(db, "--fixtures", "demo", "--port", "0")
    started = requests.post(f"{server.url}/api/shops/shop_acme_us/official-link", json={}, timeout=10,
                            headers=partner_token(server)).json()
    for _ in ("scan", "authorize", "accept the terms"):
        requests.post(f"{server.url}/_sim/flows/{started['link_id']}", json={"action": "next", "as": "maya"},
                      timeout=10).raise_for_status()
    requests.post(f"{server.url}/_sim/clock", json={"advance": "3d"}, timeout=10).raise_for_status()
    server.stop()
    again = Server(db, "--port", "0")
    try:
        unlinked = requests.post(f"{again.url}/api/shops/shop_acme_us/unlink", json={"open_id": "oid_maya"},
                                 timeout=10, headers=partner_token(again))
        assert unlinked.status_code == 200, unlinked.text
    finally:
        again.stop()
