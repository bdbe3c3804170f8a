"""A linksim server for a test run: :class:`LiveServer` serves a fresh app on a free loopback port in a thread;
:class:`RemoteServer` names one that runs already (``linksim serve``, on this machine).

Both make sandboxes, which is all a test needs of a server:

    with LiveServer() as server, server.sandbox() as sandbox:
        sandbox.seller().start_official_link("shop_acme_us")

A server started with ``linksim serve --control-token TOKEN`` is ``RemoteServer(url, control_token=TOKEN)``.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING

import requests
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

from linksim.sandbox import DEMO
from linksim.sandbox import Data
from linksim.sandbox import Sandbox

if TYPE_CHECKING:

    from flask import Flask

__all__ = ["LiveServer", "RemoteServer", "Server"]

SHUTDOWN_POLL_SECONDS = 0.05  # how often serve_forever looks for stop(): stopping never waits longer


class Server:
    """A linksim server that a test run uses: the URL it answers at, and the sandboxes it makes there.

    Sandbox controls share one kept-alive ``requests.Session`` (a new connection per test would cost a
    handshake and a server thread each time). ``control_token``: the server's ``--control-token``, sent with
    every control of every sandbox made here (the seller's tool and the phones carry their own tokens instead).
    """

    def __init__(self, url: str, *, control_token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.control_token = control_token
        self.session = requests.Session()

    def sandbox(self, *, fixtures: str | None = DEMO, data: Data | None = None,
                start: datetime | str | None = None, sandbox_id: str | None = None) -> Sandbox:
        """A new sandbox on this server (see :meth:`Sandbox.create`)."""
        return Sandbox.create(self.url, fixtures=fixtures, data=data, start=start, sandbox_id=sandbox_id,
                              session=self.session, control_token=self.control_token)

    def stop(self) -> None:
        """Close the connections (a server that runs elsewhere keeps running)."""
        self.session.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


class RemoteServer(Server):
    """A linksim server that runs already (``linksim serve``, or ``--linksim-url``); it is not ours to stop."""


def app_control_token(app: Flask) -> str | None:
    """The control token a linksim app was made with (``ServerConfig.control_token``), if any."""
    from auth_server.app import config_of  # loaded already if the app is linksim's

    config = config_of(app)
    return config.control_token if config is not None else None


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without its line per request: a test run's output is the tests', not an access log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class LiveServer(Server):
    """linksim (``auth_server.app.create_app``, a fresh in-memory main world) on ``127.0.0.1`` and a free port.

    The server runs in a daemon thread, one thread per connection, until :meth:`stop` (or the ``with`` block's
    end). ``app`` is the Flask app, for tests that look inside; when its config has a control token, the
    sandboxes made here send it.
    """

    def __init__(self, app: Flask | None = None, *, host: str = "127.0.0.1", port: int = 0) -> None:
        if app is None:
            from auth_server.app import create_app  # here, so that importing the plugin stays cheap

            app = create_app()
        self.app = app
        self._server = make_server(host, port, app, threaded=True, request_handler=QuietHandler)
        super().__init__(f"http://{host}:{self._server.server_port}", control_token=app_control_token(app))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,),
                                        name=f"linksim {self.url}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        super().stop()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
