"""Worlds: the server's own simulated world, and the isolated sandboxes that tests create beside it.

A world is everything one test may change: the parties and links (its own store), the clock, and the
OAuth server and QR signer that read them. A sandbox is a world of its own on in-memory SQLite, so
tests that run in parallel against one server never see each other's state, and making one is cheap.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auth_server import fixtures
from auth_server.config import ServerConfig
from auth_server.domain import codes
from auth_server.domain.clock import ManualClock
from auth_server.domain.errors import Refused
from auth_server.domain.inputs import valid_id
from auth_server.oauth.server import LoginKitServer
from auth_server.simulator import Simulator
from auth_server.simulator import builtin_markets
from auth_server.web.qr_codes import ConsentTokens

MAIN = "main"  # the server's own world: what a request without a sandbox reaches
DEFAULT_SANDBOX_LIMIT = 1000


@dataclass(eq=False)
class World:
    id: str
    simulator: Simulator
    login_kit: LoginKitServer
    consent_tokens: ConsentTokens

    @classmethod
    def around(cls, world_id: str, simulator: Simulator, config: ServerConfig) -> World:
        # The world's id salts its QR tokens: a QR code from one sandbox is unreadable in another.
        namespace = world_id if world_id != MAIN else ""
        return cls(world_id, simulator, LoginKitServer(simulator, config),
                   ConsentTokens(config.secret_key, simulator.clock, namespace=namespace))

    @property
    def is_sandbox(self) -> bool:
        return self.id != MAIN

    def load(self, data: dict[str, Any], *, replace: bool) -> fixtures.Loaded:
        """Add the parties of a (validated) data file; with ``replace``, start over from it, clock included."""
        sim = self.simulator
        markets = fixtures.markets_of(data, sim.markets if not replace else builtin_markets())
        if replace:
            sim.store.reset()
        sim.markets = sim.service.markets = markets
        loaded = fixtures.load(sim.service, data, now=sim.clock.now())
        if replace and isinstance(sim.clock, ManualClock):
            sim.clock.set(loaded.start)
            sim.clock.freeze()
        return loaded


class Worlds:
    """The main world and the sandboxes, by id. Thread-safe: requests create and delete sandboxes at once."""

    def __init__(self, main: World, config: ServerConfig, *, limit: int = DEFAULT_SANDBOX_LIMIT) -> None:
        self.main = main
        self.config = config
        self.limit = limit
        self._sandboxes: dict[str, World] = {}
        self._lock = threading.Lock()

    def get(self, world_id: str | None) -> World:
        if world_id in (None, "", MAIN):
            return self.main
        with self._lock:
            found = self._sandboxes.get(str(world_id))
        if found is None:
            raise Refused.because(codes.SANDBOX_NOT_FOUND, sandbox=world_id)
        return found

    def create(self, world_id: str | None = None, *, data: dict[str, Any] | None = None,
               start: datetime | None = None) -> World:
        """A new sandbox, its clock frozen at ``start`` (by default the main world's time), holding ``data``."""
        world_id = valid_id(world_id, "id") if world_id is not None else f"sbx_{secrets.token_hex(8)}"
        if world_id == MAIN:
            raise Refused.because(codes.SANDBOX_EXISTS, sandbox=world_id)
        simulator = Simulator.in_memory(start=start or self.main.simulator.clock.now())
        world = World.around(world_id, simulator, self.config)
        if data is not None:
            world.load(data, replace=True)  # the clock moves to the data's start, if it names one
        with self._lock:
            if world_id in self._sandboxes:
                raise Refused.because(codes.SANDBOX_EXISTS, sandbox=world_id)
            if len(self._sandboxes) >= self.limit:
                raise Refused.because(codes.SANDBOX_LIMIT_REACHED, limit=self.limit)
            self._sandboxes[world_id] = world
        return world

    def delete(self, world_id: str) -> None:
        with self._lock:
            world = self._sandboxes.pop(world_id, None)
        if world is None:
            raise Refused.because(codes.SANDBOX_NOT_FOUND, sandbox=world_id)
        world.simulator.store.dispose()

    def sandboxes(self) -> list[World]:
        with self._lock:
            return list(self._sandboxes.values())
