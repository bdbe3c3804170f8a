"""The client core: what every client shares, and the arrows between the client packages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import requests
import responses
from responses import registries

import client_core
import linksim
import mobile_stub
import seller_client
from client_core import ControlPlane
from mobile_stub import TikTokApp

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://linksim.test"


def imported_packages(package: str) -> set[str]:
    """The top-level packages a package's modules import, at the top or inside a function."""
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(("package", "forbidden"), [
    ("client_core", {"auth_server", "seller_client", "mobile_stub", "linksim"}),
    ("seller_client", {"auth_server", "mobile_stub", "linksim"}),
    ("mobile_stub", {"auth_server", "seller_client", "linksim"}),
])
def test_the_client_layer_imports_only_downwards(package: str, forbidden: set[str]) -> None:
    assert imported_packages(package) & forbidden == set()


def test_every_clients_errors_are_the_cores() -> None:
    assert issubclass(seller_client.SellerRefused, client_core.Refused)
    assert issubclass(mobile_stub.AppRefused, client_core.Refused)
    assert issubclass(linksim.ControlRefused, client_core.Refused)
    assert issubclass(linksim.ControlRefused, linksim.LinksimError)
    assert issubclass(seller_client.ServerUnreachable, client_core.Unreachable)
    assert issubclass(mobile_stub.ServerUnavailable, client_core.Unreachable)
    assert issubclass(seller_client.ServerError, client_core.BadAnswer)
    assert issubclass(mobile_stub.MalformedAnswer, client_core.BadAnswer)
    assert seller_client.Violation is client_core.Violation
    assert issubclass(mobile_stub.Violation, client_core.Violation)  # its equality compares details too


@responses.activate(registry=registries.OrderedRegistry)
def test_the_app_retries_a_5xx_after_its_backoff_alone() -> None:
    waits: list[float] = []
    responses.get(f"{BASE}/api/app/me", status=503, headers={"Retry-After": "7"}, json={"code": "x", "message": "x"})
    responses.get(f"{BASE}/api/app/me", json={"open_id": "oid_maya", "username": "maya", "nickname": "Maya",
                                              "account_type": "personal", "verification": "verified",
                                              "verification_due_at": None, "standing": "good"})
    assert TikTokApp(BASE, token="tok", sleep=waits.append).me().username == "maya"
    assert waits == [0.5]


@responses.activate
def test_a_control_is_sent_once_and_a_5xx_is_the_servers_refusal() -> None:
    responses.post(f"{BASE}/_sim/clock", status=503, json={"code": "internal_error", "message": "busy"})
    with ControlPlane(BASE) as controls, pytest.raises(client_core.ControlRefused) as refused:
        controls.clock.advance("1h")
    assert (refused.value.code, refused.value.status, len(responses.calls)) == ("internal_error", 503, 1)


@responses.activate
def test_an_unreachable_server_is_a_control_error() -> None:
    responses.get(f"{BASE}/_sim/sandboxes", body=requests.ConnectionError("[Errno 111] Connection refused"))
    with ControlPlane(BASE) as controls, pytest.raises(client_core.ControlError, match="cannot reach linksim at "
                                                                                     f"{BASE}: connection refused"):
        controls.sandboxes()
