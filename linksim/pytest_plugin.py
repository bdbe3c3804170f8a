"""linksim's pytest plugin, registered through the ``pytest11`` entry point: install linksim (the distribution
``tiktok-linksim``) and the ``linksim_*`` fixtures are there, in any project, with no conftest.

- ``linksim_server``: a linksim server for the whole run (one per xdist worker), or ``--linksim-url``'s (with
  ``--linksim-control-token``, or ``$LINKSIM_CONTROL_TOKEN``, when that server was started with a control token);
- ``linksim_sandbox``: a fresh sandbox per test, with the demo data unless ``@pytest.mark.linksim`` says other;
- ``linksim_seller``, ``linksim_phone``, ``linksim_clock``: the seller's tool, a phone and the clock in it;
- ``linksim_webhooks``: a webhook receiver (:class:`linksim.webhooks.WebhookReceiver`) per test, whose ``url`` an
  app's webhook URL can be set to; and ``linksim_sandbox.authorize_shop(...)`` authorizes a TikTok Shop app.

Nothing heavy is imported until a test asks for a fixture, so a run that uses none pays nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import Any

import pytest

if TYPE_CHECKING:
    from linksim.sandbox import Sandbox
    from linksim.sandbox import SandboxClock
    from linksim.server import Server
    from linksim.webhooks import WebhookReceiver
    from mobile_stub.app import TikTokApp
    from seller_client.client import SellerClient

MARKER = "linksim"
MARKER_OPTIONS = ("fixtures", "data", "start")
CONTROL_TOKEN_ENV = "LINKSIM_CONTROL_TOKEN"  # the same variable `linksim serve --control-token` reads


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("linksim", "linksim (a mock TikTok identity provider)")
    group.addoption("--linksim-url", metavar="URL", default=None,
                    help="use the linksim server running at URL (e.g. http://127.0.0.1:8765, started with "
                         "`linksim serve`) instead of starting one in the test process")
    group.addoption("--linksim-control-token", metavar="TOKEN", default=os.environ.get(CONTROL_TOKEN_ENV) or None,
                    help="the control token of the --linksim-url server, if it was started with "
                         f"`linksim serve --control-token` (default: ${CONTROL_TOKEN_ENV})")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(fixtures='demo', data=None, start=None): what the linksim_sandbox fixture starts with: the "
        "demo data (the default), nothing (fixtures=None), or data={...} written as a data file; start=ISO time "
        "sets the clock when the data names no start of its own",
    )


@pytest.fixture(scope="session")
def linksim_server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """The linksim server of this test run: started on a free loopback port in a thread (one per xdist
    worker), or the one ``--linksim-url`` names (its controls sent with ``--linksim-control-token``). ``.url``
    is where it answers; ``.sandbox()`` makes a sandbox."""
    from linksim.server import LiveServer
    from linksim.server import RemoteServer

    url = request.config.getoption("linksim_url")
    token = request.config.getoption("linksim_control_token")
    # The server started here has no control token: a token meant for --linksim-url's server stays unsent.
    server = RemoteServer(url, control_token=token) if url else LiveServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def linksim_sandbox(linksim_server: Server, request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A fresh sandbox for this test, deleted afterwards: its own store, clock and faults, holding the demo
    data (partner app linksim_demo_key / linksim_demo_secret, every password linksim-demo) with its clock
    frozen at 2026-03-02T09:00:00Z. ``@pytest.mark.linksim(fixtures=None | data={...}, start=...)`` changes
    what it starts with. ``.seller()``, ``.phone("maya")``, ``.clock``, ``.inject_fault(...)``, ``.control(...)``."""
    sandbox = linksim_server.sandbox(**_marker_options(request.node.get_closest_marker(MARKER)))
    try:
        yield sandbox
    finally:
        sandbox.delete(missing_ok=True)


@pytest.fixture
def linksim_seller(linksim_sandbox: Sandbox) -> SellerClient:
    """The seller's tool (:class:`seller_client.SellerClient`) in this test's sandbox, as the demo partner app;
    its polls and retries count their seconds without waiting them."""
    return linksim_sandbox.seller()


@pytest.fixture
def linksim_phone(linksim_sandbox: Sandbox) -> TikTokApp:
    """A phone with the TikTok app (:class:`mobile_stub.TikTokApp`) in this test's sandbox, not signed in yet:
    ``linksim_phone.sign_in("maya", "linksim-demo")``. ``linksim_sandbox.phone("nora")`` gives another one."""
    return linksim_sandbox.phone()


@pytest.fixture
def linksim_clock(linksim_sandbox: Sandbox) -> SandboxClock:
    """The simulated clock of this test's sandbox: ``now()``, ``advance("25h")``, ``set(...)``, ``freeze()``,
    ``unfreeze()``. It starts frozen; whatever comes due when it moves has settled when the call returns."""
    return linksim_sandbox.clock


@pytest.fixture
def linksim_webhooks() -> Iterator[WebhookReceiver]:
    """A webhook receiver for this test, on 127.0.0.1 and a free port, stopped afterwards: set an app's webhook URL
    to ``linksim_webhooks.url`` (``linksim_sandbox.change_shop_app(webhook_url=linksim_webhooks.url)``), then
    ``linksim_webhooks.wait_for(type=6)``. It checks the signatures with the demo app's keys unless the test
    makes its own ``WebhookReceiver(app_key=..., app_secret=...)``."""
    from linksim.webhooks import WebhookReceiver

    with WebhookReceiver() as receiver:
        yield receiver


def _marker_options(marker: pytest.Mark | None) -> dict[str, Any]:
    """The marker's keywords for :meth:`Server.sandbox`; a mistake in them fails the test with one clear line."""
    if marker is None:
        return {}
    problem = None
    unknown = sorted(set(marker.kwargs) - set(MARKER_OPTIONS))
    if marker.args:
        problem = f"takes keywords only: {', '.join(MARKER_OPTIONS)}"
    elif unknown:
        problem = f"has no option {unknown[0]!r}; it has {', '.join(MARKER_OPTIONS)}"
    elif marker.kwargs.get("data") is not None and marker.kwargs.get("fixtures") is not None:
        problem = "takes fixtures= or data=, not both"
    if problem:
        pytest.fail(f"@pytest.mark.{MARKER} {problem}", pytrace=False)
    return dict(marker.kwargs)
