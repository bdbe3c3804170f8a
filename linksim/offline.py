"""Offline mode: partner code that calls TikTok with ``requests`` or ``httpx`` runs against linksim in-process,
unchanged.

Inside ``with offline():`` every request that ``requests`` (and what is built on it: authlib's
``OAuth2Session``, most TikTok SDKs for Python) sends to one of TikTok's hosts is handed to linksim's Flask
app in the same process, through ``responses``: no server, no socket, no network. Where httpx is installed,
its clients (sync and async) are routed the same way through ``respx`` (:mod:`linksim.offline_httpx`). The
method, path, query, headers and body go in as they were sent; the status, the headers (``Location``,
``Set-Cookie``...) and the body come back as the app answered. A request to any other host fails as if the
network were down (``requests.ConnectionError``, ``httpx.ConnectError``), unless you add your own answers to
``.mock`` (``.httpx_mock`` for httpx).

Every host reaches the same app, so any path works on any of them: linksim's answer is the same at
``https://open.tiktokapis.com/v2/oauth/token/`` and ``https://www.tiktok.com/v2/oauth/token/``. A path
linksim does not serve answers linksim's own 404 JSON (``{"code": "not_found", ...}``), not TikTok's.

    with offline() as tiktok:                      # a fresh sandbox with the demo data
        partner.connect_shop("shop_acme_us")       # your code, calling https://open.tiktokapis.com/...
        tiktok.phone("maya").authorize(...)        # the holder's side, in the same world
        tiktok.clock.advance("25h")

Requests that name no sandbox reach the block's sandbox; the sandbox registry (``/_sim/sandboxes``) stays in
the main world, as on a server.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
import threading
import types
import warnings
from collections.abc import Iterator
from contextlib import ExitStack
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import urlsplit

import requests
import responses
from werkzeug.test import EnvironBuilder
from werkzeug.test import run_wsgi_app

from linksim.sandbox import DEMO
from linksim.sandbox import SANDBOX_HEADER
from linksim.sandbox import Data
from linksim.sandbox import Sandbox
from linksim.sandbox import SandboxClock
from linksim.sandbox import World
from linksim.server import app_control_token

if TYPE_CHECKING:

    import respx
    from flask import Flask
    from requests import PreparedRequest

    from linksim.shop_apps import ShopAuthorization
    from mobile_stub.app import TikTokApp
    from seller_client.client import SellerClient

__all__ = ["API_URL", "BASE_URL", "TIKTOK_HOSTS", "Offline", "WsgiBridge", "offline"]

# TikTok's hosts for account linking (shared/TIKTOK_WIRE.md): Login Kit, the Shop's authorization and API.
TIKTOK_HOSTS: tuple[str, ...] = (
    "www.tiktok.com",  # Login Kit: the authorize page
    "open.tiktokapis.com",  # Login Kit: token, revoke, user info, QR codes
    "auth.tiktok-shops.com",  # TikTok Shop: token get and refresh, the legacy seller authorize page
    "auth-sandbox.tiktok-shops.com",  # the legacy sandbox of the above
    "open-api.tiktokglobalshop.com",  # TikTok Shop Partner API
    "open-api-sandbox.tiktokglobalshop.com",
    "services.tiktokshop.com",  # seller authorization, rest of the world
    "services.us.tiktokshop.com",  # seller authorization, US (202309 guide)
    "services.tiktokshops.us",  # seller authorization, US (202407 overview)
    "partner.tiktokshop.com",  # partner (TAP) authorization
    "partner.us.tiktokshop.com",
    "shop.tiktok.com",  # creator authorization
)
BASE_URL = "https://www.tiktok.com"
API_URL = "https://open.tiktokapis.com"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
MAIN = "main"  # the server's own world, by the id the server gives it
SANDBOX_REGISTRY = "/_sim/sandboxes"
SETTLE_SECONDS = 10.0  # how long the block's end waits for requests that timed out but still run
LOOPBACK = "127.0.0.1"  # in-process calls come from this machine, so the /_sim controls answer them
HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "te", "upgrade"})


def hosts_pattern(hosts: tuple[str, ...]) -> re.Pattern[str]:
    """Any http(s) URL on one of ``hosts`` (any port), whatever its path and query."""
    names = "|".join(re.escape(host) for host in hosts)
    return re.compile(rf"https?://(?:{names})(?::\d+)?(?:[/?#].*)?$", re.IGNORECASE)


class WsgiBridge:
    """A ``responses`` callback: hands a prepared request to a WSGI app and its answer back.

    ``sandbox`` is the world that requests naming none (by the ``/sandboxes/<id>`` prefix or the header)
    reach; None or ``"main"`` is the main world. A request sent with ``timeout=`` that the app has not
    answered in time (a ``silent`` or ``delay`` fault) raises ``requests.ReadTimeout``, as over a socket.
    """

    def __init__(self, app: Any, sandbox: str | None = None) -> None:
        self.app = app
        self.sandbox = sandbox
        self._running: set[threading.Thread] = set()  # requests given up on (timed out) that the app still runs
        self._lock = threading.Lock()

    def __call__(self, request: PreparedRequest) -> tuple[int, list[tuple[str, str]], bytes] | Exception:
        timeout = _read_timeout(getattr(request, "req_kwargs", {}).get("timeout"))
        answer = self.run(request.method or "GET", request.url or "", list(request.headers.items()),
                          _body_bytes(request.body), timeout)
        if answer is None:
            return requests.ReadTimeout(f"linksim (offline) did not answer {request.method} {request.url} "
                                        f"within {timeout:g} s", request=request)
        return answer

    def run(self, method: str, url: str, headers: list[tuple[str, str | bytes]], body: bytes,
            timeout: float | None) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """The app's answer (status, headers, body) to a request, whatever the client that sent it; None when
        ``timeout`` seconds passed first (the app goes on with it in a thread of its own)."""
        environ = self.environ(method, url, headers, body)
        if timeout is None:
            return self.answer(environ)
        outcome: list[tuple[int, list[tuple[str, str]], bytes] | BaseException] = []

        def run() -> None:
            try:
                outcome.append(self.answer(environ))
            except BaseException as error:  # noqa: BLE001 - handed to the caller's thread below
                outcome.append(error)
            finally:
                with self._lock:
                    self._running.discard(threading.current_thread())

        worker = threading.Thread(target=run, name="linksim offline request", daemon=True)
        with self._lock:
            self._running.add(worker)
        worker.start()
        worker.join(timeout)
        if not outcome:
            return None
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    @property
    def busy(self) -> bool:
        """Whether the app still runs a request whose caller gave up waiting (a ``silent`` or slow fault)."""
        with self._lock:
            return bool(self._running)

    def wait(self, timeout: float) -> bool:
        """Wait for the requests still running to end; True when none is left."""
        with self._lock:
            running = list(self._running)
        for worker in running:
            worker.join(timeout)
        return not self.busy

    def environ(self, method: str, url: str, headers: list[tuple[str, str | bytes]], body: bytes) -> dict[str, Any]:
        parts = urlsplit(url)
        # The body is handed over whole: how it would have been framed on a socket means nothing here.
        sent = [(name, _text(value)) for name, value in headers if name.lower() not in HOP_BY_HOP]
        if self._needs_sandbox_header(parts.path, {name.lower() for name, _ in sent}):
            sent.append((SANDBOX_HEADER, str(self.sandbox)))
        builder = EnvironBuilder(
            path=parts.path or "/",
            base_url=f"{parts.scheme}://{parts.netloc}",
            query_string=parts.query,
            method=method,
            headers=sent,
            data=body,
            environ_base={"REMOTE_ADDR": LOOPBACK},
        )
        try:
            return builder.get_environ()
        finally:
            builder.close()

    def answer(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        body, status, headers = run_wsgi_app(self.app, environ, buffered=True)
        try:
            content = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return int(status.split(" ", 1)[0]), list(headers.items()), content

    def _needs_sandbox_header(self, path: str, header_names: set[str]) -> bool:
        if self.sandbox in (None, MAIN) or SANDBOX_HEADER.lower() in header_names:
            return False
        return not path.startswith("/sandboxes/") and not path.startswith(SANDBOX_REGISTRY)


@dataclass(eq=False)
class Offline:
    """What ``with offline() as tiktok:`` gives: the app, and the world that partner code reaches in it.

    ``world`` is reached at TikTok's own hosts exactly as partner code reaches it (no sandbox in the URL),
    so QR codes and redirects that ``tiktok.seller()`` or ``tiktok.phone("maya")`` get are the ones the
    partner's code gets. ``sandbox_id`` names that world (``"main"``: the app's main world). ``mock`` is the
    ``responses.RequestsMock`` in force: add answers for the partner's own hosts to it. ``httpx_mock`` is the
    ``respx.MockRouter`` that routes httpx the same way (None where httpx is not installed): add routes for
    your own hosts to it.
    """

    app: Flask
    world: World
    sandbox_id: str
    mock: responses.RequestsMock
    hosts: tuple[str, ...] = TIKTOK_HOSTS
    base_url: str = BASE_URL
    api_url: str = API_URL
    httpx_mock: respx.MockRouter | None = None

    @property
    def clock(self) -> SandboxClock:
        return self.world.clock

    def control(self, method: str, path: str, json: Any = None, **options: Any) -> Any:
        """Any ``/_sim`` call in the block's world (see :meth:`World.control`)."""
        return self.world.control(method, path, json, **options)

    def seller(self, *args: Any, **options: Any) -> SellerClient:
        return self.world.seller(*args, **options)

    def phone(self, username: str | None = None, *args: Any, **options: Any) -> TikTokApp:
        return self.world.phone(username, *args, **options)

    def inject_fault(self, **rule: Any) -> dict[str, Any]:
        return self.world.inject_fault(**rule)

    def authorize_shop(self, *args: Any, **options: Any) -> ShopAuthorization:
        """A TikTok Shop app authorized in one call (see :meth:`World.authorize_shop`)."""
        return self.world.authorize_shop(*args, **options)

    def deauthorize_shop(self, *args: Any, **options: Any) -> dict[str, Any]:
        """The party removes a TikTok Shop app (see :meth:`World.deauthorize_shop`)."""
        return self.world.deauthorize_shop(*args, **options)

    def clear_faults(self) -> int:
        return self.world.clear_faults()


@contextmanager
def offline(
    app: Flask | None = None,
    sandbox: str | Sandbox | None = None,
    *,
    fixtures: str | None = DEMO,
    data: Data | None = None,
    start: datetime | str | None = None,
    hosts: tuple[str, ...] = TIKTOK_HOSTS,
) -> Iterator[Offline]:
    """Route ``requests`` (and ``httpx``) calls to TikTok's hosts into linksim's ``app``, in-process, for the block.

    ``app``: a linksim app (``auth_server.app.create_app()``); by default one shared by the whole process.
    ``sandbox``: None makes a fresh sandbox for the block (the demo data, or ``fixtures``/``data``/``start``
    as :meth:`Sandbox.create` takes them) and deletes it afterwards; a sandbox id (or :class:`Sandbox`) of
    ``app`` uses that one; ``"main"`` is the app's main world. The block's controls send ``app``'s control
    token, if it was made with one.
    """
    if not hosts:
        raise ValueError("offline() needs at least one host to route to linksim")
    app = app if app is not None else shared_app()
    bridge = WsgiBridge(app)
    base_url = f"https://{hosts[0]}" if hosts else BASE_URL
    pattern = hosts_pattern(hosts)
    with ExitStack() as stack:
        mock = stack.enter_context(responses.RequestsMock(assert_all_requests_are_fired=False))
        for method in METHODS:
            # A list of header pairs (two Set-Cookie headers) is fine at run time; responses' types say a Mapping.
            mock.add_callback(method, pattern, callback=bridge, content_type=None)  # type: ignore[arg-type]
        httpx_mock = _route_httpx(stack, bridge, pattern)
        token = app_control_token(app)
        made = (Sandbox.create(base_url, fixtures=fixtures, data=data, start=start, control_token=token)
                if sandbox is None else None)
        bridge.sandbox = made.id if made else sandbox.id if isinstance(sandbox, Sandbox) else str(sandbox)
        world = World(base_url, control_token=token)
        try:
            yield Offline(app, world, bridge.sandbox, mock, hosts=hosts, httpx_mock=httpx_mock, base_url=base_url)
        finally:
            if made is not None and _settled(bridge, made):
                made.delete(missing_ok=True)
            world.close()


def _route_httpx(stack: ExitStack, bridge: WsgiBridge, pattern: re.Pattern[str]) -> respx.MockRouter | None:
    """httpx's requests to TikTok's hosts go to ``bridge`` too, where httpx is installed (respx routes them)."""
    if importlib.util.find_spec("httpx") is None:
        return None
    if importlib.util.find_spec("respx") is None:
        warnings.warn("linksim.offline(): httpx is installed but respx is not, so httpx's requests are NOT routed to "
                      "linksim (they would reach the network): pip install 'tiktok-linksim[httpx]'", stacklevel=4)
        return None
    from linksim.offline_httpx import httpx_router

    return stack.enter_context(httpx_router(bridge, pattern))


def _settled(bridge: WsgiBridge, sandbox: Sandbox) -> bool:
    """Let the requests a fault still holds go, and wait for them: a sandbox is not deleted under a request."""
    if bridge.busy:
        sandbox.clear_faults()
        if not bridge.wait(SETTLE_SECONDS):
            sandbox.close()  # leave the sandbox to the server rather than pull its store from under a request
            return False
    return True


@functools.cache
def shared_app() -> Flask:
    """One linksim app for every ``offline()`` block of the process (each block gets a sandbox of its own)."""
    from auth_server.app import create_app

    return create_app()


def _body_bytes(body: object) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    read = getattr(body, "read", None)
    if read is not None:  # a file being uploaded
        data = read()
        return data if isinstance(data, bytes) else str(data).encode("utf-8")
    return b"".join(chunk if isinstance(chunk, bytes) else str(chunk).encode("utf-8")
                    for chunk in body)  # type: ignore[attr-defined]


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _read_timeout(timeout: object) -> float | None:
    if isinstance(timeout, tuple):
        timeout = timeout[1] if len(timeout) > 1 else timeout[0]
    return float(timeout) if isinstance(timeout, int | float) else None


class _CallableModule(types.ModuleType):
    """``linksim.offline`` is both this module and the function: once the module is imported, Python binds the
    package's ``offline`` attribute to the module, so ``from linksim import offline`` may give either. Calling
    the module calls the function, so ``with offline():`` works whichever it is."""

    def __call__(self, *args: Any, **options: Any) -> Any:
        return offline(*args, **options)


sys.modules[__name__].__class__ = _CallableModule
