"""A webhook receiver for tests: a real HTTP server on 127.0.0.1 that keeps every delivery, checks its signature,
and lets a test wait for one.

    with WebhookReceiver() as receiver:                    # the demo app's keys verify the signatures
        sandbox.change_shop_app(webhook_url=receiver.url)
        ...                                                # the seller removes the app in Seller Center
        delivery = receiver.wait_for(type=6, timeout=5)
        assert delivery.verified and delivery.json["shop_id"] == "shop_acme_us"

Two signatures are checked, with the kit's own verifier (no server code): TikTok Shop's ``Authorization`` header,
hex HMAC-SHA256(app_secret, app_key + raw body), and Login Kit's developer webhook ``TikTok-Signature:
t=<unix>,s=<hex HMAC-SHA256(client_secret, "<t>." + raw body)>``. ``receiver.status = 503`` (or
:meth:`WebhookReceiver.fail_next`) makes it answer otherwise, to test the retries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response

from linksim.errors import LinksimError
from linksim.server import SHUTDOWN_POLL_SECONDS
from linksim.server import QuietHandler

__all__ = ["Delivery", "WebhookReceiver", "login_kit_signature_valid", "shop_signature_valid"]

DEMO_APP_KEY = "6demo0linksim"
DEMO_APP_SECRET = "linksim_demo_shop_secret"
DEMO_CLIENT_SECRET = "linksim_demo_secret"
SHOP_SIGNATURE = "Authorization"
LOGIN_KIT_SIGNATURE = "TikTok-Signature"


def shop_signature_valid(app_key: str, app_secret: str, body: bytes, signature: str) -> bool:
    """TikTok Shop's webhook signature: ``signature`` is hex HMAC-SHA256(app_secret, app_key + raw body)."""
    expected = hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode())


def login_kit_signature_valid(client_secret: str, body: bytes, header: str) -> bool:
    """Login Kit's developer webhook signature: ``header`` is ``t=<unix>,s=<hex>``, ``s`` the HMAC-SHA256 of
    ``"<t>." + raw body`` keyed with the client secret."""
    parts = dict(part.strip().split("=", 1) for part in header.split(",") if "=" in part)
    timestamp, signature = parts.get("t", ""), parts.get("s", "")
    if not timestamp.isdigit() or not signature:
        return False
    expected = hmac.new(client_secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.lower().encode())


@dataclass(frozen=True)
class Delivery:
    """One POST the receiver got: its raw ``body``, its ``headers``, the body as JSON (None if it is not),
    whether its signature ``verified``, and the status the receiver answered."""

    path: str
    body: bytes
    headers: dict[str, str]
    json: Any
    verified: bool
    status: int
    received_at: float = field(default_factory=time.time)

    @property
    def type(self) -> Any:
        """The TikTok Shop webhook's ``type`` (6, 7, 20, or a linking event's name such as ``"LINK_ACTIVE"``)."""
        return self.json.get("type") if isinstance(self.json, dict) else None

    @property
    def event(self) -> Any:
        """The Login Kit webhook's ``event`` (``"authorization.removed"``)."""
        return self.json.get("event") if isinstance(self.json, dict) else None


class WebhookReceiver:
    """An HTTP server on ``host`` and a free port, in a thread, until :meth:`stop` (or the ``with`` block's end).

    ``url`` is what to register as the app's webhook URL. Signatures are checked with ``app_key``/``app_secret``
    (TikTok Shop's) and ``client_secret`` (Login Kit's); the defaults are the demo app's.
    """

    def __init__(self, *, app_key: str = DEMO_APP_KEY, app_secret: str = DEMO_APP_SECRET,
                 client_secret: str = DEMO_CLIENT_SECRET, host: str = "127.0.0.1", port: int = 0,
                 path: str = "/webhooks") -> None:
        self.app_key, self.app_secret, self.client_secret = app_key, app_secret, client_secret
        self.status = 200  # what every delivery is answered, after those fail_next() set
        self._failures: list[int] = []
        self._deliveries: list[Delivery] = []
        self._arrived = threading.Condition()
        self._server = make_server(host, port, self._wsgi, threaded=True, request_handler=QuietHandler)
        self.url = f"http://{host}:{self._server.server_port}{path}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,),
                                        name=f"linksim webhooks {self.url}", daemon=True)
        self._thread.start()

    # --- what a test does ------------------------------------------------------------------------------------

    @property
    def deliveries(self) -> list[Delivery]:
        """Everything received so far, oldest first."""
        with self._arrived:
            return list(self._deliveries)

    def fail_next(self, times: int = 1, status: int = 500) -> None:
        """Answer the next ``times`` deliveries with ``status`` (then :attr:`status` again)."""
        with self._arrived:
            self._failures.extend([status] * times)

    def wait_for(self, type: Any = None, *, event: str | None = None, timeout: float = 5.0,
                 where: Callable[[Delivery], bool] | None = None, after: int = 0) -> Delivery:
        """The first delivery (from index ``after`` on) of this ``type`` (TikTok Shop's) or ``event`` (Login Kit's)
        that ``where`` accepts, waiting up to ``timeout`` seconds of real time for it; :exc:`LinksimError` if
        none came."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for delivery in self._deliveries[after:]:
                    if ((type is None or delivery.type == type) and (event is None or delivery.event == event)
                            and (where is None or where(delivery))):
                        return delivery
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [d.type if d.type is not None else d.event for d in self._deliveries]
                    wanted = ", ".join(f"{name}={value!r}" for name, value in (("type", type), ("event", event))
                                       if value is not None) or "any delivery"
                    raise LinksimError(f"no webhook ({wanted}) reached {self.url} within {timeout:g} s; "
                                       f"received: {got or 'nothing'}")
                self._arrived.wait(left)

    def clear(self) -> None:
        """Forget what was received."""
        with self._arrived:
            self._deliveries.clear()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> WebhookReceiver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"WebhookReceiver({self.url!r}, {len(self.deliveries)} received)"

    # --- the server ------------------------------------------------------------------------------------------

    def verified(self, body: bytes, headers: dict[str, str]) -> bool:
        lowered = {name.lower(): value for name, value in headers.items()}
        if LOGIN_KIT_SIGNATURE.lower() in lowered:
            return login_kit_signature_valid(self.client_secret, body, lowered[LOGIN_KIT_SIGNATURE.lower()])
        if SHOP_SIGNATURE.lower() in lowered:
            return shop_signature_valid(self.app_key, self.app_secret, body, lowered[SHOP_SIGNATURE.lower()])
        return False

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data()
        headers = dict(request.headers.items())
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        with self._arrived:
            status = self._failures.pop(0) if self._failures else self.status
            self._deliveries.append(Delivery(request.path, body, headers, parsed, self.verified(body, headers),
                                             status))
            self._arrived.notify_all()
        return Response(status=status)(environ, start_response)
