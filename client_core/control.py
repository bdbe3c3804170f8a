"""The controls of a linksim server (``/_sim``): its sandboxes, and in each world (the main one, or a sandbox at
``<server>/sandboxes/<id>``) the clock, faults, journal, forced transitions, parties and settings.

One client for every tool that drives a server: the partner kit (``linksim.World``, ``linksim.Sandbox``),
the scenario runner and ``linksim demo``. A server started with ``--control-token`` needs ``control_token=``:
every control sends it (the seller's tool and the phones never do; they carry tokens of their own).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import ClassVar
from typing import Self
from urllib.parse import quote

import requests

from client_core.errors import ClientError
from client_core.errors import ControlError
from client_core.errors import ControlRefused
from client_core.transport import DEFAULT_TIMEOUT
from client_core.transport import Failure
from client_core.transport import Transport

__all__ = ["SANDBOXES", "ControlPlane", "ControlTransport", "WorldClock", "control_headers", "data_body", "iso",
           "parse_time"]

SANDBOXES = "/_sim/sandboxes"


def control_headers(control_token: str | None) -> dict[str, str]:
    """What a control carries for a server started with ``--control-token`` (nothing for one without)."""
    return {"Authorization": f"Bearer {control_token}"} if control_token else {}


class ControlTransport(Transport):
    """Controls are sent once (moving a clock twice is not the same as once) and fail as :exc:`ControlError`;
    any answer of 400 or more, a 5xx too, is the server's :exc:`ControlRefused`. A client may raise its own
    subclasses (``control_error``, ``control_refused``) and word them its own way (the partner kit does)."""

    unreachable_error = ControlError
    control_error: ClassVar[type[ControlError]] = ControlError
    control_refused: ClassVar[type[ControlRefused]] = ControlRefused

    def failed(self, failure: Failure) -> ClientError:
        if failure.kind == "server_failed" and failure.response is not None:
            return self.refusal_of(failure.response)
        return super().failed(failure)

    def bad_answer(self, message: str, *, status: int | None = None) -> ClientError:
        return self.control_error(message)  # its status is in the message: a refusal's is ControlRefused.status

    def json_of(self, response: requests.Response) -> object:
        return super().json_of(response) if response.content else None  # a DELETE answers nothing

    def refused_url(self, request: requests.PreparedRequest) -> str:
        """What a refusal names as its ``path``: the URL asked."""
        return request.url or "?"

    def refusal_of(self, response: requests.Response) -> ControlRefused:
        """The refusal as every client reads it; an answer that is none (an OAuth error, a proxy's page) is
        still a refusal here, with the OAuth error's code or ``http_<status>``."""
        request = response.request
        method, url, status = request.method or "?", self.refused_url(request), response.status_code
        try:
            body: object = response.json()
        except ValueError:
            body = response.text[:500]
        try:
            refused = super().refusal_of(response)
        except ControlError:
            if isinstance(body, dict) and isinstance(body.get("error"), str):  # an OAuth-shaped answer
                return self.control_refused(method, url, status, body["error"],
                                            str(body.get("error_description", "")), body)
            return self.control_refused(method, url, status, f"http_{status}", str(body)[:200], body)
        return self.control_refused(method, url, status, refused.code, refused.message, body, refused.violations)


class ControlPlane:
    """The controls of one linksim world at ``base_url``; at a server's own URL, its sandboxes too.
    A subclass may send through its own :class:`ControlTransport` (its errors) and make its own clock."""

    transport_type: ClassVar[type[ControlTransport]] = ControlTransport

    def __init__(self, base_url: str, *, session: requests.Session | None = None,
                 timeout: float = DEFAULT_TIMEOUT, control_token: str | None = None) -> None:
        self.control_token = control_token
        self._owns_session = session is None
        self.http = self.transport_type(base_url, timeout=timeout, retries=0, session=session)
        self.clock = self.make_clock()

    # base_url, timeout and session are the transport's, and may be set, as on any control client before
    @property
    def base_url(self) -> str:
        return self.http.base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self.http.base_url = value

    @property
    def timeout(self) -> float:
        return self.http.timeout

    @timeout.setter
    def timeout(self, value: float) -> None:
        self.http.timeout = value

    @property
    def session(self) -> requests.Session:
        return self.http.session

    @session.setter
    def session(self, value: requests.Session) -> None:
        self.http.session = value

    def make_clock(self) -> WorldClock:
        return WorldClock(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    def control(self, method: str, path: str, json: Any = None, *, params: Mapping[str, Any] | None = None) -> Any:
        """Any ``/_sim`` call inside this world: ``control("POST", "clock", {"advance": "1h"})``.

        ``path`` may name the control alone (``clock``, ``/faults/f1``) or start with ``/_sim``. Answers the
        decoded JSON (None for an empty answer); a refusal raises :exc:`ControlRefused` with the server's code.
        """
        path = "/" + path.lstrip("/")
        if not path.startswith("/_sim/") and path != "/_sim":
            path = "/_sim" + path
        response = self.http.send(method, path, json=json, params=params, headers=control_headers(self.control_token))
        return self.http.decode(response)

    # --- the server's sandboxes ------------------------------------------------------------------------------

    def sandboxes(self) -> dict[str, Any]:
        """``GET /_sim/sandboxes``: the server's sandboxes and their ``count``."""
        return dict(self.control("GET", SANDBOXES))

    def create_sandbox(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /_sim/sandboxes``: a new sandbox (``fixtures`` or ``data``, ``start``, ``id``); answers its view,
        with its ``id`` and ``base_url``."""
        return dict(self.control("POST", SANDBOXES, dict(body)))

    def delete_sandbox(self, sandbox_id: str, *, missing_ok: bool = False) -> None:
        """Delete a sandbox; ``missing_ok``: gone already is fine."""
        try:
            self.control("DELETE", f"{SANDBOXES}/{quote(sandbox_id, safe='')}")
        except ControlRefused as refused:
            if not (missing_ok and refused.code == "sandbox_not_found"):
                raise

    # --- this world ------------------------------------------------------------------------------------------

    def reset(self, fixtures: str | None = "demo", *, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Start this world over from the demo data (``fixtures=None``: empty) or ``data``; the clock moves to
        the data's start and stops there. Answers what was loaded."""
        return dict(self.control("POST", "reset", data_body(fixtures, data)))

    def add_parties(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Add sellers, shops, accounts and partner apps, written as in a data file (docs/fixtures.md)."""
        return dict(self.control("POST", "parties", data_body(None, data)))

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

    def close(self) -> None:
        """Close the HTTP connections, unless the session was given to it."""
        if self._owns_session:
            self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class WorldClock:
    """A world's simulated clock (``/_sim/clock``): read it, move it forward, set it, freeze or release it.

    Every call answers the world's time after it. Whatever came due by then (reviews, expiries,
    verifications) has settled by the time the call returns.
    """

    def __init__(self, world: ControlPlane) -> None:
        self._world = world

    def _state(self) -> dict[str, Any]:
        return dict(self._world.control("GET", "clock"))

    def _move(self, body: dict[str, Any]) -> datetime:
        return parse_time(str(self._world.control("POST", "clock", body)["now"]))

    def now(self) -> datetime:
        return parse_time(str(self._state()["now"]))

    @property
    def frozen(self) -> bool:
        return bool(self._state()["frozen"])

    def advance(self, by: str | timedelta) -> datetime:
        """Move forward by ``"25h"``, ``"1d2h30m"``, ``"5m1s"`` or a :class:`~datetime.timedelta`."""
        return self._move({"advance": _duration(by)})

    def set(self, when: str | datetime) -> datetime:
        """Jump to a time (ISO 8601, or a datetime; without a zone it is UTC); backwards is allowed."""
        return self._move({"set": iso(when)})

    def freeze(self) -> datetime:
        return self._move({"freeze": True})

    def unfreeze(self) -> datetime:
        """Let the clock run with the wall clock again, from where it stands."""
        return self._move({"freeze": False})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._world.base_url!r})"


def data_body(fixtures: str | None, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The body of a reset, a sandbox or new parties: a data file's contents, else a built-in data set's name."""
    if data is not None:
        return {"data": dict(data)}
    return {"fixtures": fixtures} if fixtures is not None else {}


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso(value)
    return str(value)


def _duration(by: str | timedelta) -> str:
    if isinstance(by, str):
        return by
    seconds = by.total_seconds()
    return f"{int(seconds)}s" if seconds == int(seconds) else f"{seconds}s"


def iso(when: str | datetime) -> str:
    if isinstance(when, str):
        return when
    return (when if when.tzinfo is not None else when.replace(tzinfo=UTC)).isoformat()


def parse_time(text: str) -> datetime:
    when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
