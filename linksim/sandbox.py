"""A linksim world seen from a test: its controls (``/_sim``), its clock, and the seller's tool and phones in it.

:class:`World` reaches one world at a base URL: the server's main world, or a sandbox (its ``base_url`` ends
in ``/sandboxes/<id>``). :class:`Sandbox` is a world the test made and deletes. Everything goes over HTTP
with one ``requests.Session`` per object, so it works the same against the plugin's own server, a server
started with ``linksim serve``, or :func:`linksim.offline.offline` (where no socket is opened at all).
A server started with ``--control-token`` needs ``control_token=``: every control sends it, the seller's tool
and the phones never do (they carry tokens of their own).

    sandbox = Sandbox.create("http://127.0.0.1:8765")      # the demo data, its clock frozen at its start
    seller, phone = sandbox.seller(), sandbox.phone("maya")
    sandbox.clock.advance("25h")
    sandbox.delete()
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from datetime import timedelta
from os import PathLike
from pathlib import Path
from typing import Any
from urllib.parse import quote
from urllib.parse import urlsplit

import requests

from client_core.control import ControlPlane
from client_core.control import ControlTransport
from client_core.control import WorldClock
from client_core.control import control_headers
from client_core.control import data_body
from client_core.control import iso
from client_core.control import parse_time
from client_core.errors import ClientError
from client_core.transport import DEFAULT_TIMEOUT
from client_core.transport import Failure
from linksim.errors import ControlRefused
from linksim.errors import LinksimError
from linksim.shop_apps import ShopAuthorization
from mobile_stub.app import TikTokApp
from seller_client.client import DEMO_CLIENT_KEY
from seller_client.client import DEMO_CLIENT_SECRET
from seller_client.client import SellerClient

__all__ = ["DEMO", "DEMO_PASSWORD", "DEMO_SHOP_APP_KEY", "InstantTime", "Sandbox", "SandboxClock", "World",
           "control_headers", "send"]

DEMO = "demo"  # the built-in data set (auth_server/demo.yaml)
DEMO_PASSWORD = "linksim-demo"  # every demo account's password
DEMO_SHOP_APP_KEY = "6demo0linksim"  # the demo partner app's TikTok Shop side
DEMO_SELLER = "seller_acme"
SANDBOX_HEADER = "X-Linksim-Sandbox"
# A data file's parties (docs/fixtures.md): as a dict, or the path of a YAML or JSON file holding them.
Data = Mapping[str, Any] | str | PathLike[str]


class InstantTime:
    """The clients' monotonic clock and ``sleep``: a sleep moves the clock and returns at once.

    Polls and retry backoffs still count their seconds (a wait for consent still times out after its
    ``timeout``), but a test never waits for them. Only the clients' own waits: the simulated clock of the
    world moves only through :class:`SandboxClock`.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)


class SandboxClock(WorldClock):
    """A world's simulated clock (``/_sim/clock``): read it, move it forward, set it, freeze or release it.

    Every call answers the world's time after it. Whatever came due by then (reviews, expiries,
    verifications) has settled by the time the call returns.
    """


class _KitTransport(ControlTransport):
    """The controls' transport, failing with the kit's errors in the kit's words (as before the client core):
    a refusal's ``path`` is the URL without its query, its ``message`` empty if the server sent none, and a
    malformed violation does not hide the server's code."""

    unreachable_error = LinksimError
    control_error = LinksimError
    control_refused = ControlRefused
    lenient_violations = True

    def failed(self, failure: Failure) -> ClientError:
        if failure.kind == "server_failed":
            return super().failed(failure)
        error = LinksimError(f"cannot reach linksim for {failure.method} {failure.base_url}{failure.path}: "
                             f"{failure.error}")
        error.__cause__ = failure.error
        return error

    def json_of(self, response: requests.Response) -> object:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            request = response.request
            raise LinksimError(f"linksim answered {request.method} {self.refused_url(request)} with something that "
                               f"is not JSON: {response.text[:200]!r}") from None

    def refused_url(self, request: requests.PreparedRequest) -> str:
        return urlsplit(request.url or "?")._replace(query="").geturl()

    def refusal_message(self, body: dict[str, Any]) -> str:
        return str(body.get("message", ""))


class _Controls(ControlPlane):
    """The controls of a world or a server, failing with the kit's errors."""

    transport_type = _KitTransport
    clock: SandboxClock

    def make_clock(self) -> SandboxClock:
        return SandboxClock(self)


class World(_Controls):
    """The controls of one linksim world at ``base_url`` (:class:`client_core.ControlPlane`), and the clients
    that act in it."""

    def __init__(self, base_url: str, *, session: requests.Session | None = None,
                 timeout: float = DEFAULT_TIMEOUT, control_token: str | None = None) -> None:
        super().__init__(base_url, session=session, timeout=timeout, control_token=control_token)
        self._client_sessions: list[requests.Session] = []

    def reset(self, fixtures: str | None = DEMO, *, data: Data | None = None) -> dict[str, Any]:
        """Start this world over from the demo data (``fixtures=None``: empty) or ``data``; the clock moves to
        the data's start and stops there. Answers what was loaded."""
        return super().reset(fixtures, data=_data(data))

    def add_parties(self, data: Data) -> dict[str, Any]:
        """Add sellers, shops, accounts and partner apps, written as in a data file (docs/fixtures.md): a dict,
        or the path of a YAML or JSON file."""
        return super().add_parties(_data(data) or {})

    # --- the parties -----------------------------------------------------------------------------------------

    def seller(self, client_key: str = DEMO_CLIENT_KEY, client_secret: str = DEMO_CLIENT_SECRET,
               **options: Any) -> SellerClient:
        """The seller's tool as partner app ``client_key``; its polls and retries never wait (:class:`InstantTime`)."""
        time = InstantTime()
        options.setdefault("clock", time.clock)
        options.setdefault("sleep", time.sleep)
        options.setdefault("timeout", self.timeout)
        return SellerClient(self.base_url, client_key, client_secret, session=self._client_session(), **options)

    def phone(self, username: str | None = None, password: str = DEMO_PASSWORD, **options: Any) -> TikTokApp:
        """A phone with the TikTok app (:class:`mobile_stub.TikTokApp`), signed in as ``username`` if given."""
        options.setdefault("sleep", InstantTime().sleep)
        options.setdefault("timeout", self.timeout)
        app = TikTokApp(self.base_url, session=self._client_session(), **options)
        if username is not None:
            app.sign_in(username, password)
        return app

    # --- the parties as the simulator holds them ------------------------------------------------------------

    def shop(self, shop_id: str) -> dict[str, Any]:
        """``GET /_sim/shops/{id}``: the shop's name, region, market, status and probation, its review settings,
        its ``products`` and the ``sales_channels`` each active link opens."""
        return dict(self.control("GET", f"shops/{quote(shop_id, safe='')}"))

    def account(self, account: str) -> dict[str, Any]:
        """``GET /_sim/accounts/{username or open_id}``: the account's names, type, entity, verification, standing
        and, for an organization account, its ``members`` (removed ones with ``removed_at``)."""
        return dict(self.control("GET", f"accounts/{quote(account, safe='')}"))

    def link(self, link_id: str) -> dict[str, Any]:
        """``GET /_sim/links/{id}``: any link, whoever started it (``created_by``), as the simulator holds it."""
        return dict(self.control("GET", f"links/{quote(link_id, safe='')}"))

    def add_product(self, shop_id: str, product_id: str, title: str, *, marketplace: bool = False) -> dict[str, Any]:
        """A product the shop lists after the data was loaded; an official account's Shop Page shows it at once."""
        body = {"id": product_id, "title": title, "marketplace": marketplace}
        return dict(self.control("POST", f"shops/{quote(shop_id, safe='')}/products", body))

    def start_probation(self, shop_id: str, lasting: str | timedelta) -> dict[str, Any]:
        """Put the shop in probation for ``lasting`` (``"30d"``) from the world's now: no marketing links (M2)."""
        seconds = lasting if isinstance(lasting, str) else f"{int(lasting.total_seconds())}s"
        return self.shop_settings(shop_id, probation=seconds)

    def end_probation(self, shop_id: str) -> dict[str, Any]:
        """End the shop's probation now."""
        return self.shop_settings(shop_id, probation=None)

    # --- TikTok Shop apps ------------------------------------------------------------------------------------

    def authorize_shop(self, app_key: str = DEMO_SHOP_APP_KEY, seller: str | None = None, *,
                       creator: str | None = None, partner: str | None = None,
                       state: str | None = None) -> ShopAuthorization:
        """Authorize a TikTok Shop app in one call, as its authorization page does when the party taps Authorize:
        a ``seller`` (id or e-mail; ``seller_acme`` when no party is named), a ``creator`` (username or open_id)
        or a ``partner`` (id or e-mail). Answers the code and the redirect URL the page would have sent; a
        refusal of the page (the app does not serve the party, no shop in its markets, not a creator) raises
        :exc:`ControlRefused` ``shop_authorization_refused``."""
        body: dict[str, Any] = {"app_key": app_key, **self._one_party(seller, creator, partner, "authorize_shop")}
        if state is not None:
            body["state"] = state
        return ShopAuthorization.from_answer(self.control("POST", "shop-authorizations", body))

    def deauthorize_shop(self, app_key: str = DEMO_SHOP_APP_KEY, seller: str | None = None, *,
                         creator: str | None = None, partner: str | None = None) -> dict[str, Any]:
        """The party removes the app, as in Seller Center (a seller, a partner) or in the app (a creator): its tokens
        stop working at once, and its webhook URL gets type 6 for each shop (or 20). ``seller_acme`` when no party
        is named. Answers ``{app_key, user_type, open_id, shop_ids, removed_at}``."""
        body = {"app_key": app_key, **self._one_party(seller, creator, partner, "deauthorize_shop")}
        return dict(self.control("POST", "shop-authorizations/remove", body))

    def shop_app(self, app_key: str = DEMO_SHOP_APP_KEY) -> dict[str, Any]:
        """A TikTok Shop app's settings (everything but its secret)."""
        return dict(self.control("GET", f"shop-apps/{app_key}"))

    def change_shop_app(self, app_key: str = DEMO_SHOP_APP_KEY, **settings: Any) -> dict[str, Any]:
        """Change a TikTok Shop app's settings while the world runs: ``webhook_url`` (None: none), ``events``,
        ``redirect_url``, ``scopes``, ``markets``, ``user_types``, ``authorization_duration`` (``"90d"``), as
        the data file writes them. Answers the app as it is now."""
        return dict(self.control("POST", f"shop-apps/{app_key}", settings))

    @staticmethod
    def _one_party(seller: str | None, creator: str | None, partner: str | None, method: str) -> dict[str, str]:
        parties = {name: value for name, value in (("seller", seller), ("creator", creator), ("partner", partner))
                   if value is not None}
        if len(parties) > 1:
            raise LinksimError(f"{method}() takes one party: seller=, creator= or partner=; not {len(parties)}")
        return parties or {"seller": DEMO_SELLER}

    def _client_session(self) -> requests.Session:
        session = requests.Session()
        self._client_sessions.append(session)
        return session

    def close(self) -> None:
        """Close the HTTP connections of this object and of the clients it made."""
        for session in self._client_sessions:
            session.close()
        self._client_sessions.clear()
        super().close()


class Sandbox(World):
    """A sandbox of a linksim server: a world of its own (store, clock, faults) that the test made.

    Use it as a context manager, or call :meth:`delete`, so the server forgets it.
    """

    def __init__(self, server_url: str, view: Mapping[str, Any], *, session: requests.Session | None = None,
                 timeout: float = DEFAULT_TIMEOUT, control_token: str | None = None) -> None:
        super().__init__(str(view["base_url"]), session=session, timeout=timeout, control_token=control_token)
        self.server = _Controls(server_url, session=self.session, timeout=timeout, control_token=control_token)
        self.server_url = self.server.base_url
        self.id = str(view["id"])
        self.header: dict[str, str] = dict(view.get("header") or {SANDBOX_HEADER: self.id})

    @classmethod
    def create(
        cls,
        server_url: str,
        *,
        fixtures: str | None = DEMO,
        data: Data | None = None,
        start: datetime | str | None = None,
        sandbox_id: str | None = None,
        session: requests.Session | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        control_token: str | None = None,
    ) -> Sandbox:
        """A new sandbox holding the demo data (``fixtures=None``: nothing) or ``data`` (a data file as a dict).

        ``start`` sets the clock where the data names no start of its own (the demo data starts at
        2026-03-02T09:00:00Z); naming one the data overrides is an error rather than a silent surprise.
        ``control_token``: the server's (``linksim serve --control-token``), if it has one.
        """
        body = data_body(fixtures if data is None else None, _data(data))
        if start is not None:
            body["start"] = iso(start)
        if sandbox_id is not None:
            body["id"] = sandbox_id
        server = _Controls(server_url, session=session, timeout=timeout, control_token=control_token)
        try:
            view = server.create_sandbox(body)
        except BaseException:
            server.close()
            raise
        sandbox = cls(server_url, view, session=server.session, timeout=timeout, control_token=control_token)
        sandbox._owns_session = session is None
        if start is not None and parse_time(str(view["clock"])) != parse_time(iso(start)):
            sandbox.delete()
            raise LinksimError(f"the sandbox data names its own start ({view['clock']}), so start={iso(start)} "
                               "would be ignored: drop start, or use data without one")
        return sandbox

    def delete(self, *, missing_ok: bool = False) -> None:
        """Delete the sandbox on the server and close the connections; ``missing_ok``: gone already is fine."""
        try:
            self.server.delete_sandbox(self.id, missing_ok=missing_ok)
        finally:
            self.close()

    def __exit__(self, *exc_info: object) -> None:
        self.delete(missing_ok=True)

    def __repr__(self) -> str:
        return f"Sandbox({self.id!r} at {self.server_url})"


def send(session: requests.Session, method: str, url: str, *, json: Any = None,
         params: Mapping[str, Any] | None = None, timeout: float = DEFAULT_TIMEOUT,
         headers: Mapping[str, str] | None = None) -> Any:
    """The decoded JSON answer to a control at ``url`` (None when empty); a refusal raises :exc:`ControlRefused`."""
    parts = urlsplit(url)
    transport = _KitTransport(f"{parts.scheme}://{parts.netloc}", timeout=timeout, retries=0, session=session)
    path = parts._replace(scheme="", netloc="").geturl()
    return transport.decode(transport.send(method, path, json=json, params=params, headers=headers))


def _data(data: Data | None) -> Mapping[str, Any] | None:
    """A data file's parties as a dict: ``data`` itself, or what the file at that path holds."""
    return read_data_file(data) if isinstance(data, str | PathLike) else data


def read_data_file(path: str | PathLike[str]) -> dict[str, Any]:
    """A data file (YAML or JSON, docs/fixtures.md), read and checked here, so a mistake names its line."""
    from auth_server import fixtures  # the server's reader: the same format, the same checks

    try:
        return fixtures.read(Path(path))
    except fixtures.FixtureError as error:
        raise LinksimError(str(error)) from None
