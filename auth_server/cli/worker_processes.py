"""``linksim serve --workers N``: N worker processes under gunicorn, every one serving every world from the store.

The ``linksim serve`` process is gunicorn's master. It binds the port, readies the database, prints the banner and
holds the server lease (:mod:`auth_server.cli.server_lease`); it serves no request. Each worker makes its own app
after the fork (no ``preload_app``): its engine, its pool and its threads (the webhook loop) are its own, and none
is shared across a fork. The master's configuration, secret key included, is inherited by every worker, so a
session signed by one is read by another.

Workers are gthread workers of ``--threads`` threads (:data:`auth_server.cli.serving.THREADS` by default): a request
held by a fault rule's delay, or a slow webhook receiver on ``POST /_sim/webhooks/deliver``, ties up one thread
rather than a whole worker. More threads hold more such requests at once, and cost the others CPU: their requests
contend for the interpreter lock, which a transaction holding the database's write lock must take again after each
statement (on 2 cores, 4 threads gave token requests 6-30% more throughput than 8, and a p99 of 34-42 ms against
48-55: docs/benchmarks.md).

On Linux each worker listens on a socket of its own on the port (``SO_REUSEPORT``: gunicorn's ``reuse_port``), and
the kernel spreads the connections among them. On one shared socket, a client that opens its keep-alive connections
at once (a test suite's pool, a load driver) may find them all taken by the one worker that woke first, which then
serves everything while the others idle (a third of the throughput measured on two workers, twice the CPU a
request). The master keeps the port bound, not listening, so that no other program takes it; a second ``linksim
serve`` on the port is still refused, as its socket does not share it. The banner waits until every worker listens.

A worker's memory: what the master imported before the fork (linksim, Flask, SQLAlchemy: most of a worker's start) is
frozen out of the collector first (:func:`gc.freeze`), so that a worker's collections do not write to those objects
and copy their pages; each worker's C allocator keeps :data:`MALLOC_ARENAS` arenas, not one per thread
(:func:`fewer_malloc_arenas`), and gives what it holds free back to the system after a request, at most every
:data:`TRIM_EVERY_SECONDS` (:class:`FreeMemoryReturned`).
"""

from __future__ import annotations

import ctypes
import gc
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from auth_server.control.redaction import redact

ANNOUNCE_WITHIN_SECONDS = 60  # the banner is printed by then even if a worker is still not listening
GRACEFUL_SECONDS = 5  # on SIGTERM, what a request under way may still take before its worker is killed
MALLOC_ARENAS = 2  # glibc's malloc arenas per worker (its default: up to 8 per core, one per thread that contends)
_M_ARENA_MAX = -8  # mallopt's parameter (malloc.h)
TRIM_EVERY_SECONDS = 1.0


class WorkerProcesses(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    """gunicorn's custom application: the listening socket made by the caller, and the app made in each worker."""

    def __init__(self, listening: socket.socket, make_app: Callable[[], Any], *, workers: int, access_log: bool,
                 threads: int, after_fork: Callable[[], None] = lambda: None,
                 when_listening: Callable[[], None] = lambda: None) -> None:
        self._make_app = make_app
        self._after_fork = after_fork
        self._when_listening = when_listening
        self._workers = workers
        self._port_holder: socket.socket | None = None
        bind: dict[str, Any]
        if sys.platform == "linux":
            self._port_holder = _shared_port(listening)
            host, port = self._port_holder.getsockname()[:2]
            address = f"[{host}]:{port}" if self._port_holder.family == socket.AF_INET6 else f"{host}:{port}"
            bind = {"bind": [address], "reuse_port": True}
        else:  # one socket for every worker, made by the caller; gunicorn's now, closed when the master stops
            bind = {"bind": [f"fd://{listening.detach()}"]}
        self._options: dict[str, Any] = {
            **bind,
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "graceful_timeout": GRACEFUL_SECONDS,
            "preload_app": False,
            "control_socket_disable": True,
            "proc_name": "linksim",
            "loglevel": "warning",  # worker starts and stops are gunicorn's business; failures still show
            "accesslog": "-" if access_log else None,
            "access_log_format": '%(h)s - - %(t)s "%(r)s" %(s)s %(b)s',
            "logger_class": RedactedAccessLog,
            "pre_fork": lambda _arbiter, _worker: gc.freeze(),
            "post_fork": lambda _arbiter, _worker: self._in_new_worker(),
            "post_request": FreeMemoryReturned(),
        }
        super().__init__()

    def _in_new_worker(self) -> None:
        fewer_malloc_arenas()  # before the worker starts its threads
        self._after_fork()

    def run(self) -> None:
        if self._port_holder is None:  # the shared socket queues what comes before the workers take it
            self._when_listening()
        else:
            port = self._port_holder.getsockname()[1]
            threading.Thread(target=self._announce_when_listening, args=(port,), daemon=True).start()
        super().run()

    def _announce_when_listening(self, port: int) -> None:
        deadline = time.monotonic() + ANNOUNCE_WITHIN_SECONDS
        while len(listening_sockets(port)) < self._workers and time.monotonic() < deadline:
            time.sleep(0.01)
        self._when_listening()

    def release_port(self) -> None:
        """Let the port go, once every worker has stopped."""
        if self._port_holder is not None:
            self._port_holder.close()

    def load_config(self) -> None:
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        return answered_by_this_worker(self._make_app())


def fewer_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Let glibc's malloc keep at most ``arenas`` arenas in this process; False where there is no such setting.

    By default each thread that finds the arenas busy gets one of its own, up to 8 per core, and memory freed in one
    is not reused for another thread's: a worker's threads (and the threads of its sandboxes' journals), each
    allocating in its own arena what SQLite and Python's larger objects take, left some 10 MB free but held after the
    bench's QR flows (``mallinfo2``). The interpreter's lock already makes most allocations take turns, so fewer
    arenas cost no throughput that showed (docs/benchmarks.md).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        return bool(ctypes.CDLL(None).mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # a C library without mallopt (musl has it, as a no-op)
        return False


class FreeMemoryReturned:
    """gunicorn's ``post_request`` hook: glibc's ``malloc_trim`` after a request (its answer sent), at most every
    :data:`TRIM_EVERY_SECONDS`. A closed sandbox frees its connections' page caches, a request its buffers; glibc
    keeps what is freed inside its heaps for later, resident. A trim takes 1 to 4 ms on a worker's heap after the QR
    flows, and gave back 2 to 4 MB of it."""

    def __init__(self) -> None:
        self._trim = _malloc_trim()
        self._next = 0.0
        self._lock = threading.Lock()

    def __call__(self, _worker: Any, _request: Any, _environ: Any, _response: Any) -> None:
        if self._trim is None or time.monotonic() < self._next or not self._lock.acquire(blocking=False):
            return
        try:
            self._trim(0)
            self._next = time.monotonic() + TRIM_EVERY_SECONDS
        finally:
            self._lock.release()


def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    trim: Callable[[int], int] | None = getattr(ctypes.CDLL(None), "malloc_trim", None)  # not in musl
    return trim


def _shared_port(listening: socket.socket) -> socket.socket:
    """The port of ``listening`` (which proved it free), held by a socket that lets the workers' sockets share it:
    bound, not listening, so it takes no connection."""
    family, address = listening.family, listening.getsockname()
    listening.close()
    holder = socket.socket(family, socket.SOCK_STREAM)
    try:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind(address)
    except OSError:
        holder.close()
        raise
    return holder


def listening_sockets(port: int) -> set[str]:
    """The sockets listening on ``port`` on this machine, by inode (Linux's /proc/net, IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                found.add(fields[9])
    return found


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
