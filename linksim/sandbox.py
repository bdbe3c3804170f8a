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
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from os import PathLike
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from linksim.errors import ControlRefused
from linksim.errors import LinksimError
from mobile_stub.app import TikTokApp
from seller_client.client import DEMO_CLIENT_KEY
from seller_client.client import DEMO_CLIENT_SECRET
from seller_client.client import SellerClient

__all__ = ["DEMO", "DEMO_PASSWORD", "InstantTime", "Sandbox", "SandboxClock", "World"]

DEMO = "demo"  # the built-in data set (auth_server/demo.yaml)
DEMO_PASSWORD = "linksim-demo"  # every demo account's password
SANDBOX_HEADER = "X-Linksim-Sandbox"
DEFAULT_TIMEOUT = 10.0
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


class World:
    """The controls of one linksim world at ``base_url``, and the clients that act in it."""

    def __init__(self, base_url: str, *, session: requests.Session | None = None,
                 timeout: float = DEFAULT_TIMEOUT, control_token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.control_token = control_token
        self._owns_session = session is None
        self.session = session or requests.Session()
        self.clock = SandboxClock(self)
        self._client_sessions: list[requests.Session] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    # --- the controls ----------------------------------------------------------------------------------------

    def control(self, method: str, path: str, json: Any = None, *, params: Mapping[str, Any] | None = None) -> Any:
        """Any ``/_sim`` call inside this world: ``control("POST", "clock", {"advance": "1h"})``.

        ``path`` may name the control alone (``clock``, ``/faults/f1``) or start with ``/_sim``. Answers the
        decoded JSON (None for an empty answer); a refusal raises :exc:`ControlRefused` with the server's code.
        """
        path = "/" + path.lstrip("/")
        if not path.startswith("/_sim/") and path != "/_sim":
            path = "/_sim" + path
        return send(self.session, method, self.base_url + path, json=json, params=params, timeout=self.timeout,
                    headers=control_headers(self.control_token))

    def reset(self, fixtures: str | None = DEMO, *, data: Data | None = None) -> dict[str, Any]:
        """Start this world over from the demo data (``fixtures=None``: empty) or ``data``; the clock moves to
        the data's start and stops there. Answers what was loaded."""
        return dict(self.control("POST", "reset", _data_body(fixtures, data)))

    def add_parties(self, data: Data) -> dict[str, Any]:
        """Add sellers, shops, accounts and partner apps, written as in a data file (docs/fixtures.md): a dict,
        or the path of a YAML or JSON file."""
        return dict(self.control("POST", "parties", _data_body(None, data)))

    def force(self, flow_id: str, action: str = "next", **body: Any) -> dict[str, Any]:
        """Force a link's or an invitation's next transition (docs/control-plane.md): ``force(link_id)`` takes
        the step it waits for; ``force(link_id, "expire")`` ends its QR code now; ``force(link_id, "scan",
        as_="maya")`` plays the holder (``as_`` for the JSON field ``as``). Answers the link or invitation."""
        if "as_" in body:
            body["as"] = body.pop("as_")
        return dict(self.control("POST", f"flows/{quote(flow_id, safe='')}", {"action": action, **body}))

    def shop_settings(self, shop_id: str, **fields: Any) -> dict[str, Any]:
        """Change a shop's simulator settings: ``review`` (auto, manual, reject, default), ``review_delay``,
        ``status`` (active, pending_approval, suspended). Answers the shop."""
        return dict(self.control("POST", f"shops/{quote(shop_id, safe='')}/settings", fields))

    def account_settings(self, account: str, **fields: Any) -> dict[str, Any]:
        """Change an account's (a username or an open_id): ``app_fault`` (qr_unreadable, authorization_failed,
        none), ``standing``, ``verification_outcome`` and ``verification_delay``. Answers the account."""
        return dict(self.control("POST", f"accounts/{quote(account, safe='')}/settings", fields))

    def inject_fault(self, **rule: Any) -> dict[str, Any]:
        """Add a fault rule (docs/faults.md): ``inject_fault(path="/v2/oauth/token*", status=503, times=1)``.

        Fields: ``path`` (a glob, or a list of globs), ``method``, then what happens: ``status`` (with
        ``retry_after``), ``oauth_error`` (with ``error_description``), ``code`` (a linking refusal, with
        ``details``), ``silent`` and/or ``delay``; how often: ``times``, ``probability`` with ``seed``; or a
        ``preset`` (``app_silent``, ``server_down``). Answers the rule, with its ``id``.
        """
        return dict(self.control("POST", "faults", rule))

    def faults(self) -> list[dict[str, Any]]:
        """The fault rules, with how many requests each matched and hit."""
        return list(self.control("GET", "faults")["faults"])

    def clear_faults(self) -> int:
        """Lift every fault rule (requests they hold go on at once); answers how many there were."""
        return int(self.control("DELETE", "faults")["removed"])

    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        """What happened in this world, oldest first: its requests and domain events (``GET /_sim/journal``).

        Filters are the journal's (docs/journal.md): ``flow`` (a link or invitation id), ``account``, ``shop``,
        ``partner_app``, ``path``, ``kind`` (``request``, ``event``, ``all``), ``since``, ``limit``. For the
        page's ``more`` flag, call ``control("GET", "journal", params=...)``.
        """
        params = {name: _query_value(value) for name, value in filters.items() if value is not None}
        return list(self.control("GET", "journal", params=params)["entries"])

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

    def _client_session(self) -> requests.Session:
        session = requests.Session()
        self._client_sessions.append(session)
        return session

    def close(self) -> None:
        """Close the HTTP connections of this object and of the clients it made."""
        for session in self._client_sessions:
            session.close()
        self._client_sessions.clear()
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> World:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Sandbox(World):
    """A sandbox of a linksim server: a world of its own (store, clock, faults) that the test made.

    Use it as a context manager, or call :meth:`delete`, so the server forgets it.
    """

    def __init__(self, server_url: str, view: Mapping[str, Any], *, session: requests.Session | None = None,
                 timeout: float = DEFAULT_TIMEOUT, control_token: str | None = None) -> None:
        super().__init__(str(view["base_url"]), session=session, timeout=timeout, control_token=control_token)
        self.server_url = server_url.rstrip("/")
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
        body = _data_body(fixtures if data is None else None, data)
        if start is not None:
            body["start"] = _iso(start)
        if sandbox_id is not None:
            body["id"] = sandbox_id
        http = session or requests.Session()
        try:
            view = send(http, "POST", f"{server_url.rstrip('/')}/_sim/sandboxes", json=body, timeout=timeout,
                        headers=control_headers(control_token))
        except BaseException:
            if session is None:
                http.close()
            raise
        sandbox = cls(server_url, view, session=http, timeout=timeout, control_token=control_token)
        sandbox._owns_session = session is None
        if start is not None and _parse_time(str(view["clock"])) != _parse_time(_iso(start)):
            sandbox.delete()
            raise LinksimError(f"the sandbox data names its own start ({view['clock']}), so start={_iso(start)} "
                               "would be ignored: drop start, or use data without one")
        return sandbox

    def delete(self, *, missing_ok: bool = False) -> None:
        """Delete the sandbox on the server and close the connections; ``missing_ok``: gone already is fine."""
        try:
            send(self.session, "DELETE", f"{self.server_url}/_sim/sandboxes/{self.id}", timeout=self.timeout,
                 headers=control_headers(self.control_token))
        except ControlRefused as refused:
            if not (missing_ok and refused.code == "sandbox_not_found"):
                raise
        finally:
            self.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.delete(missing_ok=True)

    def __repr__(self) -> str:
        return f"Sandbox({self.id!r} at {self.server_url})"


class SandboxClock:
    """A world's simulated clock (``/_sim/clock``): read it, move it forward, set it, freeze or release it.

    Every call answers the world's time after it. Whatever came due by then (reviews, expiries,
    verifications) has settled by the time the call returns.
    """

    def __init__(self, world: World) -> None:
        self._world = world

    def _state(self) -> dict[str, Any]:
        return dict(self._world.control("GET", "clock"))

    def _move(self, body: dict[str, Any]) -> datetime:
        return _parse_time(str(self._world.control("POST", "clock", body)["now"]))

    def now(self) -> datetime:
        return _parse_time(str(self._state()["now"]))

    @property
    def frozen(self) -> bool:
        return bool(self._state()["frozen"])

    def advance(self, by: str | timedelta) -> datetime:
        """Move forward by ``"25h"``, ``"1d2h30m"``, ``"5m1s"`` or a :class:`~datetime.timedelta`."""
        return self._move({"advance": _duration(by)})

    def set(self, when: str | datetime) -> datetime:
        """Jump to a time (ISO 8601, or a datetime; without a zone it is UTC); backwards is allowed."""
        return self._move({"set": _iso(when)})

    def freeze(self) -> datetime:
        return self._move({"freeze": True})

    def unfreeze(self) -> datetime:
        """Let the clock run with the wall clock again, from where it stands."""
        return self._move({"freeze": False})

    def __repr__(self) -> str:
        return f"SandboxClock({self._world.base_url!r})"


# --- HTTP ----------------------------------------------------------------------------------------------------


def control_headers(control_token: str | None) -> dict[str, str]:
    """What a control carries for a server started with ``--control-token`` (nothing for one without)."""
    return {"Authorization": f"Bearer {control_token}"} if control_token else {}


def send(session: requests.Session, method: str, url: str, *, json: Any = None,
         params: Mapping[str, Any] | None = None, timeout: float = DEFAULT_TIMEOUT,
         headers: Mapping[str, str] | None = None) -> Any:
    """The decoded JSON answer to a control (None when empty); a refusal raises :exc:`ControlRefused`."""
    method = method.upper()
    try:
        response = session.request(method, url, json=json, params=params, timeout=timeout, headers=headers)
    except requests.RequestException as error:
        raise LinksimError(f"cannot reach linksim for {method} {url}: {error}") from error
    if response.status_code >= 400:
        raise _refusal(method, url, response)
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise LinksimError(f"linksim answered {method} {url} with something that is not JSON: "
                           f"{response.text[:200]!r}") from None


def _refusal(method: str, url: str, response: requests.Response) -> ControlRefused:
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text[:500]
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        return ControlRefused(method, url, response.status_code, body["code"], str(body.get("message", "")), body)
    if isinstance(body, dict) and isinstance(body.get("error"), str):  # an OAuth-shaped answer
        return ControlRefused(method, url, response.status_code, body["error"],
                              str(body.get("error_description", "")), body)
    return ControlRefused(method, url, response.status_code, f"http_{response.status_code}", str(body)[:200], body)


def _data_body(fixtures: str | None, data: Data | None) -> dict[str, Any]:
    if isinstance(data, str | PathLike):
        return {"data": read_data_file(data)}
    if data is not None:
        return {"data": dict(data)}
    return {"fixtures": fixtures} if fixtures is not None else {}


def read_data_file(path: str | PathLike[str]) -> dict[str, Any]:
    """A data file (YAML or JSON, docs/fixtures.md), read and checked here, so a mistake names its line."""
    from auth_server import fixtures  # the server's reader: the same format, the same checks

    try:
        return fixtures.read(Path(path))
    except fixtures.FixtureError as error:
        raise LinksimError(str(error)) from None


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _iso(value)
    return str(value)


def _duration(by: str | timedelta) -> str:
    if isinstance(by, str):
        return by
    seconds = by.total_seconds()
    return f"{int(seconds)}s" if seconds == int(seconds) else f"{seconds}s"


def _iso(when: str | datetime) -> str:
    if isinstance(when, str):
        return when
    return (when if when.tzinfo is not None else when.replace(tzinfo=UTC)).isoformat()


def _parse_time(text: str) -> datetime:
    when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
