"""``linksim serve --workers N``: N worker processes under gunicorn, every one serving every world from the store.

The ``linksim serve`` process is gunicorn's master. It binds the port, readies the database, prints the banner and
holds the server lease (:mod:`auth_server.cli.server_lease`); it serves no request. Each worker makes its own app
after the fork (no ``preload_app``): its engine, its pool and its threads (the webhook loop) are its own, and none
is shared across a fork. The master's configuration, secret key included, is inherited by every worker, so a
session signed by one is read by another.

Workers are gthread workers (:data:`THREADS` threads each): a request held by a fault rule's delay, or a slow
webhook receiver on ``POST /_sim/webhooks/deliver``, ties up one thread rather than a whole worker.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from auth_server.control.redaction import redact

THREADS = 8  # per worker: requests that wait (fault delays, long receivers) leave the others to the rest
GRACEFUL_SECONDS = 5  # on SIGTERM, what a request under way may still take before its worker is killed


class WorkerProcesses(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    """gunicorn's custom application: the listening socket made by the caller, and the app made in each worker."""

    def __init__(self, listening: socket.socket, make_app: Callable[[], Any], *, workers: int, access_log: bool,
                 after_fork: Callable[[], None] = lambda: None) -> None:
        self._fd = listening.detach()  # gunicorn's now: it closes it when the master stops
        self._make_app = make_app
        self._after_fork = after_fork
        self._options: dict[str, Any] = {
            "bind": [f"fd://{self._fd}"],
            "workers": workers,
            "worker_class": "gthread",
            "threads": THREADS,
            "graceful_timeout": GRACEFUL_SECONDS,
            "preload_app": False,
            "control_socket_disable": True,
            "proc_name": "linksim",
            "loglevel": "warning",  # worker starts and stops are gunicorn's business; failures still show
            "accesslog": "-" if access_log else None,
            "access_log_format": '%(h)s - - %(t)s "%(r)s" %(s)s %(b)s',
            "logger_class": RedactedAccessLog,
            "post_fork": lambda _arbiter, _worker: self._after_fork(),
        }
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        return answered_by_this_worker(self._make_app())


WORKER_HEADER = "X-Linksim-Worker"


def answered_by_this_worker(app: Any) -> Any:
    """``app`` naming the worker process that answers (header :data:`WORKER_HEADER`, its process id): which worker
    took a request, for whoever checks the load is spread (a load balancer's operator, the tests)."""
    pid = str(os.getpid())

    def named(environ: dict[str, Any], start_response: Any) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, (WORKER_HEADER, pid)], exc_info)

        return app(environ, start)

    return named


class RedactedAccessLog(Logger):  # type: ignore[misc]
    """gunicorn's log, whose access lines mask the secrets of a URL as the journal does (QR tokens, codes)."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        target = redact(environ.get("RAW_URI") or environ.get("PATH_INFO", ""))
        atoms["r"] = f"{environ.get('REQUEST_METHOD', '-')} {target} {environ.get('SERVER_PROTOCOL', '-')}"
        path, _, query = target.partition("?")
        atoms["U"], atoms["q"] = path, query
        return atoms
