"""One linksim server for the whole folder (werkzeug in a thread, as `linksim scenario run` starts it), and
small scenario files written for a test."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import pytest

from auth_server.scenarios.runner import Runner
from auth_server.scenarios.runner import local_server

# A world of one shop and one verified account: small, so that a test's scenario reads at a glance.
TINY_WORLD = """
data:
  start: 2026-03-02T09:00:00Z
  default_password: secret-pass
  sellers:
    - {id: seller_one, name: Seller One, entity: ENT-ONE, shops: [{id: shop_one, name: Shop One, region: US}]}
  accounts:
    - {username: ana, region: US, age: 30, verification: verified}
"""

# Linking @ana by QR code, as a scenario's steps; the last one expects what the caller says.
QR_LINK_STEPS = """
steps:
  - seller: {{action: start_official_link, shop: shop_one}}
    save: qr
  - app: {{as: ana, action: scan, link: "${{qr.link_id}}"}}
  - app: {{as: ana, action: authorize}}
  - seller: {{action: accept_terms, link: "${{qr.link_id}}"}}
    expect: {expect}
"""


def tiny_scenario(name: str = "a tiny world", *, expect: str = "{state: active}", steps: str | None = None) -> str:
    return f"name: {name}\n{TINY_WORLD}{steps if steps is not None else QR_LINK_STEPS.format(expect=expect)}"


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    with local_server() as url:
        yield url


@pytest.fixture
def runner(server_url: str) -> Runner:
    return Runner(server_url)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a scenario file into the test's folder and answer its path."""

    def write_file(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write_file
