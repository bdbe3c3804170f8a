"""The simulator wired together: a store, a clock, the market profiles and the linking service.

The OAuth records' tables join the store's schema when :mod:`auth_server.oauth.tables` is imported: this module
imports it, and :func:`open_store` is how the server and the command line open a database with the whole schema.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from auth_server.control import tables as control_tables  # noqa: F401 - imported for its tables, see open_store
from auth_server.control import world_controls
from auth_server.domain.clock import Clock
from auth_server.domain.clock import ManualClock
from auth_server.domain.clock import SystemClock
from auth_server.domain.policies import Markets
from auth_server.domain.service import LinkingService
from auth_server.markets import builtin_markets
from auth_server.oauth import tables as oauth_tables  # noqa: F401 - the same
from auth_server.shop_partner import tables as shop_tables  # noqa: F401 - the same
from auth_server.shop_partner.authorizations import seller_authorized_partner_app
from auth_server.store import SandboxStorage
from auth_server.store import Store


def open_store(url: str, *, fresh: bool = False) -> Store:
    """A store on ``url`` holding the whole schema, the domain's tables and the OAuth records'; ``fresh``: emptied
    first, its sandboxes deleted."""
    store = Store(url)
    if fresh:
        storage = SandboxStorage.chosen_for(store)
        if storage is not None:
            storage.delete_all()
            storage.close()
        store.reset()
    else:
        store.create_schema()
    return store


CLOCK_SETTING = "cli_clock"  # the clock's state, in the database it runs on (the command line's and the server's)
MARKETS_SETTING = "markets"  # the market profiles data files added (their "markets"), in the same database


class Simulator:
    """One simulated world: its store, its clock, its markets, and the service that runs the flows.

    ``keeps_clock``: the clock's state lives in the store (a database the command line or ``linksim serve`` works
    on), and :meth:`save_clock` writes it there after every move, so a restart, even after a crash, goes on from
    where the clock was: a running clock is kept as its offset from the wall clock, so it never runs backwards.
    The market profiles that data files add live there too (:meth:`keep_markets`).
    """

    def __init__(self, store: Store, *, clock: Clock | None = None, markets: Markets | None = None,
                 keeps_clock: bool = False, **service_options: Any) -> None:
        self.store = store
        self.keeps_clock = keeps_clock
        self.clock = clock or SystemClock()
        self.markets = markets or builtin_markets()
        self.service = LinkingService(store.unit_of_work, self.clock, self.markets, reading=store.reading,
                                      seller_authorized_app=seller_authorized_partner_app, **service_options)
        self._clock_moves = threading.Lock()

    def move_clock(self, change: Callable[[ManualClock], object]) -> None:
        """Move the clock as ``change`` moves a copy of it, and show the new time only once the store keeps it (if
        this simulator keeps it there): a kill before the write loses a move nobody saw, never one that was answered
        or stamped on an event. One move at a time, so the last kept is the last made. ``change`` may raise
        (ValueError): then nothing moved."""
        clock = self.clock
        if not isinstance(clock, ManualClock):
            raise TypeError("the system clock cannot be moved")
        with self._clock_moves:
            if not self.keeps_clock:
                draft = ManualClock.from_state(clock.state())
                change(draft)
                clock.restore(draft.state())
                return
            with self.store.unit_of_work() as repo:
                shared = not self.store.in_memory
                if shared:
                    world_controls.bump(repo)  # first: moves from several processes take turns on its row
                # From the clock as kept: another process may have moved it since this one last looked.
                kept = repo.setting(CLOCK_SETTING) if shared else None
                draft = ManualClock.from_state(kept or clock.state())
                change(draft)
                state = draft.state()
                repo.set_setting(CLOCK_SETTING, state)
            clock.restore(state)

    def follow_clock(self, state: dict[str, object]) -> None:
        """Take the clock's state as the store keeps it (another process moved it)."""
        clock = self.clock
        if isinstance(clock, ManualClock):
            with self._clock_moves:
                clock.restore(state)

    def save_clock(self) -> None:
        """Keep the clock's state in the store, if this simulator keeps it there."""
        if self.keeps_clock and isinstance(self.clock, ManualClock):
            with self.store.unit_of_work() as repo:
                repo.set_setting(CLOCK_SETTING, self.clock.state())
                self._changed(repo)

    def keep_markets(self, market_data: dict[str, Any] | None, *, replace: bool) -> None:
        """Keep the market profiles a data file adds (its ``markets``) in the store, if this simulator keeps its state
        there, so that a restart knows the markets its shops name; ``replace``: the world starts over from them."""
        if not self.keeps_clock or not (market_data or replace):
            return
        with self.store.unit_of_work() as repo:
            kept = {} if replace else (repo.setting(MARKETS_SETTING) or {})
            repo.set_setting(MARKETS_SETTING, {**kept, **(market_data or {})})
            self._changed(repo)

    def _changed(self, repo: Any) -> None:
        """A change to what every process serving this store caches: they reload it (the world's revision)."""
        if not self.store.in_memory:
            world_controls.bump(repo)

    @classmethod
    def in_memory(cls, *, start: datetime | None = None, **options: Any) -> Simulator:
        """A throwaway simulator on in-memory SQLite with a frozen, controllable clock."""
        return cls(open_store("sqlite://"), clock=ManualClock(start), **options)
