"""Recording requests into the request journal: every request a world serves is recorded in that world's journal
(and in the journal file, when the server keeps one).

``install(app)`` stamps each request as it starts and records it once its answer is ready (``after_request``
runs for the refusals the error handlers render too). The record's tags come from what the request and its
answer name: the URL's ids, the partner app behind a linking-API token, the holder signed in to the app, the
fields of the bodies, and whatever a handler adds with :func:`tag`. Recording never costs a request its answer:
a failure to record is logged, and the answer goes out.

Static files and the journal's own routes are not journaled.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from flask import Flask
from flask import Request
from flask import Response
from flask import g
from flask import request
from flask.ctx import _AppCtxGlobals
from werkzeug.exceptions import HTTPException

from auth_server.control.redaction import Redaction
from auth_server.control.redaction import hint
from auth_server.control.redaction import is_secret_name
from auth_server.control.redaction import secrets_in
from auth_server.control.request_journal import RequestRecord
from auth_server.control.request_journal import authorization_flow
from auth_server.control.request_journal import excerpt
from auth_server.control.request_journal import login_qr_flow
from auth_server.control.request_journal import refusal_code
from auth_server.web import context
from auth_server.web import guard
from auth_server.worlds import HostedWorld

log = logging.getLogger(__name__)

NOT_JOURNALED = ("/static/", "/_sim/journal", "/_sim/timeline")  # reading them is no part of a flow
CONTROLS = "/_sim"  # the control plane, whose bearer token is the server's chosen control token
RECORDED_HEADERS = ("Authorization", "Cookie", "Content-Type", "User-Agent", "X-Linksim-Sandbox")
# Where WSGI puts them (as werkzeug's EnvironHeaders finds them), read straight from the environ.
_ENVIRON_KEYS = tuple((name, "CONTENT_TYPE" if name == "Content-Type" else f"HTTP_{name.upper().replace('-', '_')}")
                      for name in RECORDED_HEADERS)
FLOW_FIELDS = ("link_id", "invitation_id")
TAG_FIELDS = {"shop_id": "shop", "open_id": "account", "username": "username", "client_key": "partner_app"}
WRAPPERS = ("link", "invitation", "account", "data")  # answers that wrap the one thing they are about


def install(app: Flask) -> None:
    """Journal every request of ``app``; register right after the hook that selects the request's world."""
    app.before_request(stamp)
    app.after_request(record)


def tag(*, flow: str | None = None, login_qr: str | None = None, shop: str | None = None,
        account: str | None = None, username: str | None = None, partner_app: str | None = None) -> None:
    """Tell the journal what this request is about, when the handler knows better than the URL and bodies.

    ``login_qr`` is a Login Kit QR code's token: its flow is named after the token's fingerprint. What a
    handler tags comes before what the journal finds by itself; the first flow tagged is the request's.
    """
    tags: dict[str, Any] = g.setdefault("journal_tags", {})
    for named in (flow, login_qr_flow(login_qr) if login_qr else None):
        if named:
            tags.setdefault("flows", []).append(named)
    for name, value in (("shop", shop), ("account", account), ("username", username),
                        ("partner_app", partner_app)):
        if value:
            tags.setdefault(name, value)


def stamp() -> None:
    """``before_request``: when the request arrived, on the wall clock and on its world's clock."""
    here = context.world()
    g.journal_start = (time.perf_counter(), datetime.now(UTC), here.simulator.clock.now())
    if not here.journal.knows_event_mark:
        # The events the world held before its first request: none of them is a request's doing.
        here.journal.start_from_events(_events_after(here, 0))


def record(response: Response) -> Response:
    """``after_request``: the request, its answer and its tags, into the world's journal (and file)."""
    if request.path.startswith(NOT_JOURNALED):
        return response
    if not context.in_a_world():
        return response  # refused before it reached a world (an unknown sandbox): no world's journal has it
    try:
        _record(response)
    except Exception:  # the journal must never cost a request its answer
        log.exception("could not journal %s %s", request.method, request.path)
    return response


def _record(response: Response) -> None:
    here = context.world()
    if here.simulator.store.closed:
        return  # the sandbox was deleted while this request was under way: its journal went with it
    # The request and g behind Flask's proxies, looked up once: through the proxies, a record's thirty-odd reads of
    # them were a tenth of what journaling a request cost.
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    kept: _AppCtxGlobals = g._get_current_object()
    started = kept.get("journal_start")
    environ = req.environ
    headers = {name: environ[key] for name, key in _ENVIRON_KEYS if key in environ}
    query = req.query_string.decode("utf-8", "replace")
    request_body, response_body = _request_body(req), _response_body(response)
    location = response.headers.get("Location")
    secret_args = _secret_view_args(req)
    redact = Redaction(known=secrets_in(headers, query, request_body, response_body, location, secret_args),
                       chosen=_chosen_secrets(req, headers))
    entry = RequestRecord(
        world=here.id,
        wall_time=started[1] if started else datetime.now(UTC),
        at=started[2] if started else None,
        method=req.method,
        path=redact(_path(req, secret_args)),
        query=redact(query),
        status=response.status_code,
        duration_ms=round((time.perf_counter() - started[0]) * 1000, 1) if started else None,
        headers=redact(headers),
        request_body=excerpt(redact(request_body)),
        response_body=excerpt(redact(response_body)),
        location=redact(location),
        fault_id=kept.get("fault_id"),
        error_code=refusal_code(response.status_code, response_body) or _query_value(location, "error"),
        **_tags(req, kept, request_body, response_body, location),
    )
    here.journal.append(entry, events_seen=_new_events(here), file=context.journal_file())


def _new_events(here: HostedWorld) -> list[int]:
    """The events written since the journal's mark; read from the store only if it committed an event since the
    last read (most requests, token requests and reads, make none)."""
    writes = here.simulator.store.event_writes
    if writes == here.journal.store_writes_seen:
        return []
    here.journal.store_writes_seen = writes  # taken before the read: a write during it is looked for next time
    return _events_after(here, here.journal.event_mark)


def _events_after(here: HostedWorld, mark: int) -> list[int]:
    # Straight from the store: the service's reads settle what came due first, and journaling changes nothing (so
    # it takes no write lock).
    with here.simulator.store.reading() as repo:
        return list(repo.event_seqs(after_seq=mark))


def _chosen_secrets(req: Request, headers: dict[str, str]) -> set[str]:
    """Secrets someone chose, masked whole wherever they appear: the server's control token, and whatever
    credential a control was sent with (a guess at the token is as telling as the token)."""
    chosen: set[str] = set()
    token = context.config().control_token
    if token:
        chosen.add(token)
    if (req.path == CONTROLS or req.path.startswith(f"{CONTROLS}/")) and "Authorization" in headers:
        chosen |= secrets_in({"Authorization": headers["Authorization"]})
    return chosen


def _secret_view_args(req: Request) -> dict[str, Any]:
    return {name: value for name, value in (req.view_args or {}).items() if is_secret_name(name)}


def _path(req: Request, secret_args: dict[str, Any]) -> str:
    """The path inside the world, a secret in it (an app consent's id) shown by its hint."""
    path = req.path
    for value in secret_args.values():
        if isinstance(value, str) and value:
            path = path.replace(value, hint(value))
    return path


def _request_body(req: Request) -> Any:
    if not req.content_length and req.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return None
    try:
        if req.is_json:
            parsed = req.get_json(silent=True)
            return parsed if parsed is not None else req.get_data(as_text=True) or None
        if req.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return {name: values[0] if len(values) == 1 else values for name, values in req.form.lists()}
        data = req.get_data()
    except HTTPException:  # a body too large to read: the answer already said so
        return "<not read>"
    if not data:
        return None
    if req.mimetype.startswith("text/"):
        return data.decode("utf-8", "replace")
    return f"<{req.mimetype or 'no content type'}, {len(data)} bytes>"


def _response_body(response: Response) -> Any:
    if response.direct_passthrough or response.is_streamed:
        return f"<{response.mimetype}, streamed>"
    data = response.get_data()
    if not data:
        return None
    if response.is_json:
        parsed = response.get_json(silent=True)
        return parsed if parsed is not None else data.decode("utf-8", "replace")
    if response.mimetype == "text/plain":
        return data.decode("utf-8", "replace")
    return f"<{response.mimetype}, {len(data)} bytes>"  # pages and images: their size, not their contents


def _tags(req: Request, kept: _AppCtxGlobals, request_body: Any, response_body: Any,
          location: str | None) -> dict[str, Any]:
    """What the request is about; for each tag the first source that names it wins, the handler's first."""
    flows: list[str] = []
    found: dict[str, str] = {}

    def offer(name: str, value: Any) -> None:
        if isinstance(value, str) and value and name not in found:
            found[name] = value

    def offer_flow(value: Any) -> None:
        if isinstance(value, str) and value and value not in flows:
            flows.append(value)

    def offer_fields(body: Any) -> None:
        if isinstance(body, dict):
            for name in FLOW_FIELDS:
                offer_flow(body.get(name))
            for name, tag_name in TAG_FIELDS.items():
                offer(tag_name, body.get(name))

    explicit: dict[str, Any] = kept.get("journal_tags") or {}
    for flow in explicit.get("flows", []):
        offer_flow(flow)
    for name in ("shop", "account", "username", "partner_app"):
        offer(name, explicit.get(name))
    view_args = req.view_args or {}
    offer_fields(view_args)
    offer("partner_app", guard.partner_key())  # the linking API's caller
    holder = guard.app_holder()  # the account the app is signed in to
    if holder is not None:
        offer("account", holder.open_id)
        offer("username", holder.username)
    for flow in _login_kit_flows(req, request_body, response_body, location):
        offer_flow(flow)
    for body in (request_body, req.args.to_dict(), response_body):
        offer_fields(body)
        if isinstance(body, dict):
            for wrapper in WRAPPERS:
                offer_fields(body.get(wrapper))
    return {"flows": tuple(flows), **found}


def _login_kit_flows(req: Request, request_body: Any, response_body: Any, location: str | None) -> list[str]:
    """The Login Kit flows a request names: its QR code's, then its authorization code's, the secrets hidden."""
    flows: list[str] = []
    sent = request_body if isinstance(request_body, dict) else {}
    answered = response_body if isinstance(response_body, dict) else {}
    tokens = [req.args.get("qr_token"), _query_value(_text(sent.get("scan_url")), "qr_token"),
              _query_value(_text(answered.get("scan_qrcode_url")), "qr_token")]
    if req.endpoint == "login_kit_qr.check_qrcode":
        tokens.append(_text(sent.get("token")))
    if req.endpoint == "login_kit_qr.get_qrcode":
        tokens.append(_text(answered.get("token")))
    flows += [login_qr_flow(token) for token in tokens if token]
    codes = [_text(sent.get("code")) if sent.get("grant_type") == "authorization_code" else None,
             _query_value(_text(answered.get("redirect_uri")), "code"), _query_value(location, "code")]
    flows += [authorization_flow(code) for code in codes if code]
    return flows


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _query_value(url: str | None, name: str) -> str | None:
    if not url or "?" not in url:
        return None
    try:
        values = parse_qs(urlsplit(url).query).get(name)
    except ValueError:
        return None
    return values[0] if values else None
