"""Which server uses a database: a lease that ``linksim serve`` keeps in the database while it runs.

``linksim init --fresh`` and ``linksim serve --fixtures`` wipe a database; under a running server that would
lose its links and tokens. They ask :func:`serving` first, and refuse while a lease is live. A lease is renewed
every few seconds (real time: this is about processes, not the simulated clock), so one left behind by a server
that was killed goes stale on its own, at once when its process is known to be gone on this machine.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import asdict
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from auth_server.cli.context import Context
from auth_server.simulator import open_store
from auth_server.store import Store
from auth_server.store import StoreError

LEASE_KEY = "server_lease"
RENEW_EVERY = timedelta(seconds=5)
STALE_AFTER = timedelta(seconds=20)


@dataclass(frozen=True)
class Lease:
    url: str  # where the server answers
    pid: int
    host: str
    renewed_at: str  # ISO 8601, wall time

    def live(self, now: datetime) -> bool:
        if now - datetime.fromisoformat(self.renewed_at) > STALE_AFTER:
            return False
        return self.host != socket.gethostname() or _process_exists(self.pid)

    def describe(self) -> str:
        return f"linksim serve at {self.url} (process {self.pid} on {self.host})"


def serving(store: Store) -> Lease | None:
    """The live lease on ``store``'s database, if a server uses it."""
    with store.unit_of_work() as repo:
        found: Any = repo.setting(LEASE_KEY)
    if not isinstance(found, dict):
        return None
    try:
        lease = Lease(**found)
        return lease if lease.live(_now()) else None
    except (TypeError, ValueError):
        return None


class LeaseHolder:
    """The running server's lease: taken at start, renewed in a daemon thread, given back at the end."""

    def __init__(self, store: Store, url: str) -> None:
        self._store = store
        self._url = url
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="linksim-lease", daemon=True)

    def __enter__(self) -> LeaseHolder:
        self._write()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with self._store.unit_of_work() as repo:
            held = repo.setting(LEASE_KEY)
            if isinstance(held, dict) and held.get("pid") == os.getpid() and held.get("host") == socket.gethostname():
                repo.set_setting(LEASE_KEY, {})  # given back (a None would read as never set)

    def _renew(self) -> None:
        while not self._stop.wait(RENEW_EVERY.total_seconds()):
            try:
                self._write()
            except Exception:  # noqa: BLE001 - a missed renewal only makes the lease look older
                continue

    def _write(self) -> None:
        lease = Lease(url=self._url, pid=os.getpid(), host=socket.gethostname(), renewed_at=_now().isoformat())
        with self._store.unit_of_work() as repo:
            repo.set_setting(LEASE_KEY, asdict(lease))


def _now() -> datetime:
    return datetime.now(UTC)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def refuse_if_served(db: str, what: str) -> None:
    """Refuse to wipe a database a running server uses (exit 2), naming the server."""
    if not Context(db, as_json=False, creates=False).database_exists():
        return
    store = open_store(db)
    try:
        lease = serving(store)
    finally:
        store.dispose()
    if lease is not None:
        raise StoreError(f"{lease.describe()} uses the database {db}: stop it first (Ctrl+C in its terminal), "
                         f"or {what} another database with --db. Nothing was changed.")
