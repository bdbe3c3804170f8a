"""What POST /_sim/parties adds to a served database is there after a restart: the market profiles too, which its
shops name (issue 13, found by the crash test: a restarted server lost them, and its shops answered 500)."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.cli.test_serve_guards import Server
from tests.cli.test_serve_guards import client_token

SLOW_QR = {"markets": {"slow_qr": {"inherits": "global", "qr_lifetime": "1d"}},
           "sellers": [{"id": "seller_slow", "name": "Slow Ltd", "entity": "ENT-SLOW",
                        "authorized_apps": ["6demo0linksim"],  # the demo partner app acts for its shop
                        "shops": [{"id": "shop_slow", "name": "Slow Shop", "region": "US", "market": "slow_qr"}]}]}


def test_a_market_added_over_http_is_kept_across_a_restart(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'markets.db'}"
    server = Server(db, "--fixtures", "demo", "--port", "0")
    try:
        assert requests.post(f"{server.url}/_sim/parties", json={"data": SLOW_QR}, timeout=30).status_code == 201
    finally:
        server.process.kill()  # a crash: nothing is written at the end
        server.process.communicate(timeout=20)
    again = Server(db, "--port", "0")
    try:
        started = requests.post(f"{again.url}/api/shops/shop_slow/official-link", json={}, timeout=10,
                                headers={"Authorization": f"Bearer {client_token(again)}"})
        assert started.status_code == 201, started.text
        clock = requests.get(f"{again.url}/_sim/clock", timeout=10).json()["now"]
        assert started.json()["consent_expires_at"][:10] > clock[:10]  # the market's day, not the global 5 minutes
    finally:
        again.stop()
