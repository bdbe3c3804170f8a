"""Worlds: the server's own simulated world, and the isolated sandboxes that tests create beside it.

A world is everything one test may change: the parties and links (its own store), the clock, and the
OAuth server and QR signer that read them. A sandbox is a world of its own, so tests that run in parallel
against one server never see each other's state, and making one is cheap. Where it lives follows the main
store: in memory beside an in-memory main store (one process); a SQLite file beside a main SQLite file, a
schema of a main PostgreSQL database (:mod:`auth_server.store.sandboxes`), named in a registry there, so
that every process serves every sandbox and a restart keeps them.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from auth_server import fixtures
from auth_server.config import ServerConfig
from auth_server.control import stored_journal
from auth_server.control.fault_plan import FaultPlan
from auth_server.control.request_journal import RequestJournal
from auth_server.control.stored_faults import StoredFaultPlan
from auth_server.control.stored_journal import StoredJournal
from auth_server.control.world_controls import Revision
from auth_server.domain import codes
from auth_server.domain.clock import ManualClock
from auth_server.domain.errors import Refused
from auth_server.domain.policies import Markets
from auth_server.markets import builtin_markets
from auth_server.oauth.consent_tokens import ConsentTokens
from auth_server.oauth.server import LoginKitServer
from auth_server.shop_partner.authorizations import ShopAuthorizations
from auth_server.shop_partner.delivery import WebhookOutbox
from auth_server.simulator import CLOCK_SETTING
from auth_server.simulator import MARKETS_SETTING
from auth_server.simulator import Simulator
from auth_server.store import Registered
from auth_server.store import SandboxLimit
from auth_server.store import SandboxStorage
from auth_server.store import SandboxTaken
from auth_server.store import Store
from auth_server.store import StoreClosed
from auth_server.store import StoreError

MAIN = "main"  # the server's own world: what a request without a sandbox reaches
DEFAULT_SANDBOX_LIMIT = 1000
TEMPLATES_KEPT = 16


# A sandbox id is one path segment: no dots (".." would leave the prefix), no slash, no colon.
SANDBOX_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def valid_sandbox_id(value: object) -> str:
    if not isinstance(value, str) or not SANDBOX_ID.fullmatch(value) or value == MAIN:
        raise Refused.because(codes.INVALID_INPUT, field="id",
                              problem="use 1 to 64 letters, digits, dashes or underscores, starting with a letter "
                                      f"or a digit (and not {MAIN!r}, the server's own world)")
    return value


def _shown(world_id: str) -> str:
    """An id as a refusal repeats it: whatever was sent, but not all of a very long one."""
    return world_id if len(world_id) <= 64 else world_id[:64] + "…"


@dataclass(eq=False)
class HostedWorld:
    """One world as the server hosts it (its own or a sandbox): the simulator, and what serves it over HTTP.

    A world whose store is shared (a file or a database server, which other processes may serve too) keeps its fault
    rules and journal in that store, and each request first catches up with its revision (:meth:`refresh`). A world in
    memory is this process's alone: its rules and journal stay in memory.
    """

    id: str
    simulator: Simulator
    login_kit: LoginKitServer
    consent_tokens: ConsentTokens
    shop_partner: ShopAuthorizations
    webhooks: WebhookOutbox  # its webhooks on their way out (sent by web.webhook_dispatch)
    faults: FaultPlan | StoredFaultPlan = field(default_factory=FaultPlan)  # its fault rules (/_sim/faults)
    journal: RequestJournal | StoredJournal = field(default_factory=RequestJournal)  # its requests (/_sim/journal)
    revision: Revision | None = None  # None: in memory, nothing to catch up with
    _seen: tuple[int, int] | None = field(default=None, init=False, repr=False)
    _markets_seen: Any = field(default=None, init=False, repr=False)
    _refreshing: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def around(cls, world_id: str, simulator: Simulator, config: ServerConfig) -> HostedWorld:
        # The world's id salts its QR tokens: a QR code from one sandbox is unreadable in another.
        namespace = world_id if world_id != MAIN else ""
        store = simulator.store
        entries = config.journal_entries if world_id == MAIN else config.sandbox_journal_entries
        shared = not store.in_memory
        return cls(world_id, simulator, LoginKitServer(store.unit_of_work, simulator.clock, config,
                                                       reading=store.reading),
                   ConsentTokens(config.secret_key, namespace=namespace),
                   ShopAuthorizations(store.unit_of_work, simulator.clock, reading=store.reading,
                                      signature_without_body=config.shop_signature_without_body),
                   WebhookOutbox(store.unit_of_work, simulator.clock, reading=store.reading,
                                 written=None if shared else store.write_mark),
                   faults=StoredFaultPlan(store) if shared else FaultPlan(),
                   journal=StoredJournal(store, entries) if shared else RequestJournal(entries),
                   revision=Revision(store) if shared else None)

    def refresh(self) -> None:
        """Catch up with what other processes changed: one read of the world's revision, and only when it changed,
        a reload of its clock, market profiles and fault rules."""
        if self.revision is None:
            return
        seen = self.revision.read()
        if seen == self._seen:
            return
        with self._refreshing:
            if seen != self._seen:  # not reloaded meanwhile by another request of this process
                self._reload()

    def _reload(self) -> None:
        sim, store = self.simulator, self.simulator.store
        assert isinstance(self.faults, StoredFaultPlan) and isinstance(self.journal, StoredJournal)
        with store.reading() as repo:
            seen = self.revision.read_in(repo) if self.revision is not None else None
            clock_state = repo.setting(CLOCK_SETTING) if sim.keeps_clock else None
            market_data = repo.setting(MARKETS_SETTING) if sim.keeps_clock else None
            self.faults.reload(repo)
        if clock_state and isinstance(sim.clock, ManualClock):
            sim.follow_clock(clock_state)
        if sim.keeps_clock and market_data != self._markets_seen:
            sim.markets = sim.service.markets = fixtures.markets_of({"markets": market_data or {}}, builtin_markets())
            self._markets_seen = market_data
        if seen is not None:
            self.journal.follow_epoch(seen[1])
        self._seen = seen

    @property
    def is_sandbox(self) -> bool:
        return self.id != MAIN

    def load(self, data: dict[str, Any], *, replace: bool) -> fixtures.Loaded:
        """Add the parties of a (validated) data file; with ``replace``, start over from it, clock included.

        Other requests to this world wait until it is done. In memory (every sandbox) it is all or nothing: a
        data file refused halfway (a history entry a rule refuses) leaves the world as it was.
        """
        sim, store = self.simulator, self.simulator.store
        markets = fixtures.markets_of(data, sim.markets if not replace else builtin_markets())
        with store.exclusive():
            before, snapshot = sim.markets, store.copy() if store.in_memory else None
            try:
                if replace:
                    carrying = None
                    if isinstance(self.journal, StoredJournal):
                        self.journal.barrier()  # what every process answered before the reset is in what is carried
                        carrying = stored_journal.carried
                    store.reset(carrying=carrying)
                sim.markets = sim.service.markets = markets
                # Before the parties that name them: a crash in between leaves a profile no shop names, never a
                # shop whose market a restarted server does not know.
                sim.keep_markets(data.get("markets"), replace=replace)
                loaded = fixtures.load(sim.service, data, now=sim.clock.now())
            except Exception:
                sim.markets = sim.service.markets = before
                if snapshot is not None:
                    store.restore(snapshot)
                raise
            finally:
                if snapshot is not None:
                    snapshot.dispose()
            if replace:
                self.faults.clear()  # starting over: the fault rules of the old world go with it
                self.journal.events_restarted()  # the new store numbers its events from 1 again
        if replace and isinstance(sim.clock, ManualClock):
            sim.clock.set(loaded.start)
            sim.clock.freeze()
            sim.save_clock()
        return loaded


@dataclass(frozen=True)
class _Template:
    store: Store
    markets: Markets
    start: datetime


class Templates:
    """Data files loaded once, kept as in-memory databases that new sandboxes start as copies of.

    Loading the demo data through the flows takes a few hundred milliseconds (history replayed, passwords
    hashed); copying the loaded database takes about one. The newest few data sets are kept.
    """

    def __init__(self, kept: int = TEMPLATES_KEPT) -> None:
        self.kept = kept
        self._loaded: OrderedDict[str, _Template] = OrderedDict()
        self._lock = threading.Lock()

    def simulator(self, data: dict[str, Any] | None, start: datetime) -> Simulator:
        """A simulator holding ``data``, its frozen clock at the data's start (or ``start``, if it names none).

        With no data, an empty world (its schema made once, then copied) whose clock reads ``start``.
        """
        key = template_key(data, start)
        with self._lock:  # a template is copied before another thread's newer one can push it out
            template = self._template(key, data or {}, start)
            store = template.store.copy()
        return Simulator(store, clock=ManualClock(start if data is None else template.start), markets=template.markets)

    def _template(self, key: str, data: dict[str, Any], start: datetime) -> _Template:
        template = self._loaded.get(key)
        if template is None:
            template = self._load(data, start)
            self._loaded[key] = template
            if len(self._loaded) > self.kept:
                _, oldest = self._loaded.popitem(last=False)
                oldest.store.dispose()
        self._loaded.move_to_end(key)
        return template

    @staticmethod
    def _load(data: dict[str, Any], start: datetime) -> _Template:
        simulator = Simulator.in_memory(start=start, markets=fixtures.markets_of(data, builtin_markets()))
        try:
            loaded = fixtures.load(simulator.service, data, now=start)
        except Exception:
            simulator.store.dispose()
            raise
        return _Template(simulator.store, simulator.markets, loaded.start)


def template_key(data: dict[str, Any] | None, start: datetime) -> str:
    """What names the template of ``data`` loaded at ``start``."""
    # History is written relative to the start: data that names none depends on the moment it is loaded at.
    return "empty" if data is None else json.dumps([data, start.isoformat() if "start" not in data else None],
                                                   sort_keys=True, default=str)


# Shared by every app in the process: a template is only ever copied, and tests build many apps.
SHARED_TEMPLATES = Templates()


@dataclass(frozen=True)
class _StoredTemplate:
    name: str
    markets: Markets
    start: datetime  # the clock of a sandbox made from it (the data's start), unless it holds no data


class StoredSandboxes:
    """The sandboxes of a main store on a file or a database server: in its :class:`SandboxStorage`, named in its
    registry. A process keeps the worlds it opened as a cache; every look-up asks the registry first (one indexed
    read), so a sandbox another process deleted is refused here too."""

    def __init__(self, storage: SandboxStorage, config: ServerConfig) -> None:
        self.storage = storage
        self.config = config
        self._open: dict[str, tuple[str, HostedWorld]] = {}  # id -> (its location, the world opened there)
        self._templates: dict[str, _StoredTemplate] = {}
        self._lock = threading.Lock()
        self._making = threading.Lock()  # one template made at a time in this process
        self._closed = False
        storage.sweep()

    def create(self, world_id: str, data: dict[str, Any] | None, start: datetime, *, created_at: datetime,
               limit: int) -> HostedWorld:
        self._let_go_of_deleted()
        template = self._template(data, start)
        clock = ManualClock(start if data is None else template.start)
        try:
            registered, store = self.storage.create(world_id, template.name, created_at=created_at, limit=limit,
                                                    settings={CLOCK_SETTING: clock.state()})
        except SandboxTaken:
            raise Refused.because(codes.SANDBOX_EXISTS, sandbox=world_id) from None
        except SandboxLimit:
            raise Refused.because(codes.SANDBOX_LIMIT_REACHED, limit=limit) from None
        world = HostedWorld.around(world_id, Simulator(store, clock=clock, markets=template.markets, keeps_clock=True),
                                   self.config)
        return self._keep(world_id, registered.location, world)

    def get(self, world_id: str) -> HostedWorld | None:
        registered = self.storage.find(world_id)
        with self._lock:
            opened = self._open.get(world_id)
            if opened is not None and (registered is None or opened[0] != registered.location):
                del self._open[world_id]  # deleted (and perhaps made again) by another process
        if opened is not None and registered is not None and opened[0] == registered.location:
            return opened[1]
        if opened is not None:
            _close(opened[1])
        if registered is None:
            return None
        self._let_go_of_deleted()  # opening one more: first close those gone
        return self._opened(registered)

    def delete(self, world_id: str) -> bool:
        registered = self.storage.delete(world_id)
        with self._lock:
            opened = self._open.pop(world_id, None)
        if opened is not None:
            _close(opened[1])
        return registered is not None

    def all(self) -> list[HostedWorld]:
        registered = self._let_go_of_deleted()
        found = (self._opened(one) for one in registered)
        return [world for world in found if world is not None]

    def _let_go_of_deleted(self) -> list[Registered]:
        """Close the worlds this process opened whose sandboxes other processes deleted since (each holds an engine,
        its connections and its compiled statements: kept, a worker would grow by every sandbox it ever served);
        the registry's sandboxes."""
        with self._lock:
            # Only what was open before the registry is read can be found deleted by it: a sandbox another thread
            # opens meanwhile may have been made after the read, which then does not name it.
            before = dict(self._open)
        registered = self.storage.registered()
        named = {(one.sandbox_id, one.location) for one in registered}
        with self._lock:
            gone = [world_id for world_id, entry in before.items()
                    if (world_id, entry[0]) not in named and self._open.get(world_id) is entry]
            closing = [self._open.pop(world_id)[1] for world_id in gone]
        for world in closing:
            _close(world)
        return registered

    def opened_where(self, holds: Callable[[Store], bool]) -> list[HostedWorld]:
        """The stored sandboxes whose store ``holds`` something, opened. One this process had not opened is read in a
        store of its own, closed at once if it holds nothing: looking through a thousand sandboxes leaves open only
        those it found."""
        found: list[HostedWorld] = []
        for registered in self._let_go_of_deleted():
            with self._lock:
                opened = self._open.get(registered.sandbox_id)
            world = opened[1] if opened is not None and opened[0] == registered.location else None
            try:
                if world is not None:
                    held = holds(world.simulator.store)
                else:
                    held, world = self._held_then_opened(registered, holds)
            except StoreError:
                continue  # deleted meanwhile, or this process is closing
            if held and world is not None:
                found.append(world)
        return found

    def _held_then_opened(self, registered: Registered,
                          holds: Callable[[Store], bool]) -> tuple[bool, HostedWorld | None]:
        """Whether the sandbox's store ``holds`` something, read in a store of its own; its world, opened on that
        store, if it does (else the store is closed again)."""
        store = self.storage.open(registered)
        world = None
        try:
            held = holds(store)
            world = self._opened(registered, store) if held else None
        finally:
            if world is None or world.simulator.store is not store:
                store.dispose()  # nothing found, or another thread opened the sandbox first
        return held, world

    def opened_ids(self) -> list[str]:
        """The sandboxes this process holds open, by id."""
        with self._lock:
            return sorted(self._open)

    def close(self) -> None:
        """Close the stores this process opened, and stop the storage's background work."""
        with self._lock:
            opened, self._open = list(self._open.values()), {}
            self._closed = True
        for _, world in opened:
            _close(world)
        self.storage.close()

    def _opened(self, registered: Registered, store: Store | None = None) -> HostedWorld | None:
        """The world of ``registered``, opened (on ``store``, if the caller opened it) and kept."""
        with self._lock:
            opened = self._open.get(registered.sandbox_id)
        if opened is not None and opened[0] == registered.location:
            return opened[1]
        try:
            store = store or self.storage.open(registered)
            store.add_missing_indexes()
            with store.reading() as repo:
                clock_state, market_data = repo.setting(CLOCK_SETTING), repo.setting(MARKETS_SETTING)
        except StoreError:
            return None  # its data is gone (deleted meanwhile): as if it were not there
        markets = fixtures.markets_of({"markets": market_data}, builtin_markets()) if market_data \
            else builtin_markets()
        clock = ManualClock.from_state(clock_state) if clock_state else ManualClock()
        world = HostedWorld.around(registered.sandbox_id,
                                   Simulator(store, clock=clock, markets=markets, keeps_clock=True), self.config)
        return self._keep(registered.sandbox_id, registered.location, world)

    def _keep(self, world_id: str, location: str, world: HostedWorld) -> HostedWorld:
        with self._lock:
            if self._closed:  # a thread that outlived close(): it keeps nothing
                world.simulator.store.dispose()
                raise StoreClosed("this process let go of its sandboxes")
            opened = self._open.setdefault(world_id, (location, world))
        if opened[1] is not world:  # another thread opened it first: use that one
            world.simulator.store.dispose()
        return opened[1]

    def _template(self, data: dict[str, Any] | None, start: datetime) -> _StoredTemplate:
        key = template_key(data, start)
        template = self._templates.get(key)
        if template is not None:
            return template
        with self._making:
            template = self._templates.get(key)
            if template is None:
                content = data or {}
                markets = fixtures.markets_of(content, builtin_markets())
                loaded_start = fixtures.start_of(content, start)

                def fill(store: Store) -> None:
                    simulator = Simulator(store, clock=ManualClock(loaded_start), markets=markets, keeps_clock=True)
                    fixtures.load(simulator.service, content, now=start)
                    simulator.keep_markets(content.get("markets"), replace=True)
                    simulator.save_clock()

                template = _StoredTemplate(self.storage.template(key, fill), markets, loaded_start)
                self._templates[key] = template
        return template


def _close(world: HostedWorld) -> None:
    if isinstance(world.faults, StoredFaultPlan):
        world.faults.release()  # requests a fault holds go on now, and find the sandbox gone
    else:
        world.faults.clear()
    world.simulator.store.close()  # after the transaction under way, if any
    if isinstance(world.journal, StoredJournal):
        world.journal.close()  # its writer ends now (what it held has no world left to go to)


class Worlds:
    """The main world and the sandboxes, by id. Thread-safe: requests create and delete sandboxes at once."""

    def __init__(self, main: HostedWorld, config: ServerConfig, *, limit: int = DEFAULT_SANDBOX_LIMIT) -> None:
        self.main = main
        self.config = config
        self.limit = limit
        self._sandboxes: dict[str, HostedWorld] = {}
        self._lock = threading.Lock()
        self.templates = SHARED_TEMPLATES
        storage = SandboxStorage.chosen_for(main.simulator.store)
        self.stored = StoredSandboxes(storage, config) if storage is not None else None

    def get(self, world_id: str | None) -> HostedWorld:
        """The sandbox named ``world_id``; the main world when none is named. The main world is not a sandbox:
        ``/sandboxes/main/`` is refused like any unknown id."""
        if world_id is None:
            return self.main
        if self.stored is not None:
            found = self.stored.get(world_id) if SANDBOX_ID.fullmatch(world_id) else None
        else:
            with self._lock:
                found = self._sandboxes.get(world_id)
        if found is None:
            raise Refused.because(codes.SANDBOX_NOT_FOUND, sandbox=_shown(world_id))
        return found

    def create(self, world_id: str | None = None, *, data: dict[str, Any] | None = None,
               start: datetime | None = None) -> HostedWorld:
        """A new sandbox, its clock frozen at ``start`` (by default the main world's time), holding ``data``."""
        world_id = valid_sandbox_id(world_id) if world_id is not None else f"sbx_{secrets.token_hex(8)}"
        if start is not None and data is not None and "start" in data:
            raise Refused.because(codes.INVALID_INPUT, field="start",
                                  problem="the data names its own start: drop one of the two")
        start = start or self.main.simulator.clock.now()
        if self.stored is not None:
            return self.stored.create(world_id, data, start, created_at=self.main.simulator.clock.now(),
                                      limit=self.limit)
        simulator = self.templates.simulator(data, start)
        world = HostedWorld.around(world_id, simulator, self.config)
        with self._lock:
            refusal = self._room_for(world_id)
            if refusal is None:
                self._sandboxes[world_id] = world
        if refusal is not None:
            simulator.store.dispose()  # the copy made for it goes too
            raise refusal
        return world

    def _room_for(self, world_id: str) -> Refused | None:
        """Why a sandbox named ``world_id`` cannot be added now (the caller holds the lock), or None."""
        if world_id in self._sandboxes:
            return Refused.because(codes.SANDBOX_EXISTS, sandbox=world_id)
        if len(self._sandboxes) >= self.limit:
            return Refused.because(codes.SANDBOX_LIMIT_REACHED, limit=self.limit)
        return None

    def delete(self, world_id: str) -> None:
        if self.stored is not None:
            if not self.stored.delete(world_id):
                raise Refused.because(codes.SANDBOX_NOT_FOUND, sandbox=_shown(world_id))
            return
        with self._lock:
            world = self._sandboxes.pop(world_id, None)
        if world is None:
            raise Refused.because(codes.SANDBOX_NOT_FOUND, sandbox=_shown(world_id))
        world.faults.clear()  # requests a fault holds go on now, and find the sandbox gone
        world.simulator.store.dispose()  # after the transaction under way, if any

    def sandboxes(self) -> list[HostedWorld]:
        if self.stored is not None:
            return self.stored.all()
        with self._lock:
            return list(self._sandboxes.values())

    def close(self) -> None:
        """Let go of the sandboxes' stores this process opened (stored sandboxes stay where they are), and write what
        the main world's journal still holds, as a process's exit does."""
        if self.stored is not None:
            self.stored.close()
        if isinstance(self.main.journal, StoredJournal):
            self.main.journal.close()
