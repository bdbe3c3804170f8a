"""Fixtures for the seller client: a fake linksim (``responses``) for unit tests, and the real server of
``tests/login_kit`` on a loopback port for end-to-end ones."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest
import responses

from seller_client import SellerClient
from seller_client.cli import SellerContext
from tests.login_kit.conftest import CLIENT_KEY
from tests.login_kit.conftest import CLIENT_SECRET
from tests.login_kit.conftest import app  # noqa: F401  (re-exported: live_server needs them)
from tests.login_kit.conftest import holder  # noqa: F401
from tests.login_kit.conftest import live_server  # noqa: F401
from tests.login_kit.conftest import partner_app  # noqa: F401

BASE = "http://linksim.test"
TOKEN_URL = f"{BASE}/v2/oauth/token/"


class FakeTime:
    """A clock that only moves when something sleeps (or the test advances it), and the sleeps it saw."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def fake() -> Iterator[responses.RequestsMock]:
    """A fake linksim: every request must be one the test registered, and every registration is used."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def token_answer(n: int = 1, expires_in: int = 7200) -> dict[str, Any]:
    return {"access_token": f"clt.token{n}", "expires_in": expires_in, "token_type": "Bearer"}


def add_token(fake: responses.RequestsMock, n: int = 1, expires_in: int = 7200) -> None:
    fake.post(TOKEN_URL, json=token_answer(n, expires_in))


def link_json(link_id: str = "lnk_1", **fields: Any) -> dict[str, Any]:
    """A link as ``GET /api/links/{id}`` answers it, waiting for consent unless ``fields`` say otherwise."""
    view: dict[str, Any] = {
        "link_id": link_id, "shop_id": "shop_1", "role": "official", "channel": "qr", "state": "pending_consent",
        "consent_status": "new", "open_id": None, "consent_expires_at": "2026-03-02T09:05:00+00:00",
        "granted_permissions": [], "review_due_at": None, "activated_at": None, "ended_at": None, "refusals": [],
    }
    view.update(fields)
    if view["state"] == "pending_consent" and view["channel"] == "qr" and "qr" not in fields:
        view["qr"] = {"scan_url": f"{BASE}/app/scan?token={link_id}", "png_url": f"{BASE}/api/links/{link_id}/qr.png",
                      "svg_url": f"{BASE}/api/links/{link_id}/qr.svg", "expires_at": view["consent_expires_at"]}
    return view


def refusal_json(code: str, message: str = "Refused.", *more: str) -> dict[str, Any]:
    codes = [code, *more]
    return {"code": code, "message": message,
            "violations": [{"code": c, "message": message if c == code else f"{c}.", "rules": ["O1"], "details": {}}
                           for c in codes]}


@pytest.fixture
def seller(fake_time: FakeTime) -> SellerClient:
    """A client of the fake linksim whose sleeps and clock are the fake time's."""
    return SellerClient(BASE, "key", "secret", timeout=5.0, retries=3, backoff=0.5, clock=fake_time.clock,
                        sleep=fake_time.sleep)


@pytest.fixture
def fast_cli(monkeypatch: pytest.MonkeyPatch, fake_time: FakeTime) -> FakeTime:
    """The command line's clients sleep on the fake time, so retries cost nothing."""
    monkeypatch.setattr(SellerContext, "client_factory", functools.partial(SellerClient, sleep=fake_time.sleep))
    return fake_time


LIVE_KEY = CLIENT_KEY
LIVE_SECRET = CLIENT_SECRET
