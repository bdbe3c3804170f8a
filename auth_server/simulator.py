"""The simulator wired together: a store, a clock, the market profiles and the linking service.

The OAuth records' tables join the store's schema when :mod:`auth_server.oauth.tables` is imported: this module
imports it, and :func:`open_store` is how the server and the command line open a database with the whole schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auth_server.domain.clock import Clock
from auth_server.domain.clock import ManualClock
from auth_server.domain.clock import SystemClock
from auth_server.domain.policies import Markets
from auth_server.domain.service import LinkingService
from auth_server.markets import builtin_markets
from auth_server.oauth import tables as oauth_tables  # noqa: F401 - imported for its tables, see open_store
from auth_server.shop_partner import tables as shop_tables  # noqa: F401 - the same
from auth_server.store import Store


def open_store(url: str, *, fresh: bool = False) -> Store:
    """A store on ``url`` holding the whole schema, the domain's tables and the OAuth records'; ``fresh``: emptied
    first."""
    store = Store(url)
    if fresh:
        store.reset()
    else:
        store.create_schema()
    return store


CLOCK_SETTING = "cli_clock"  # the clock's state, in the database it runs on (the command line's and the server's)


class Simulator:
    """One simulated world: its store, its clock, its markets, and the service that runs the flows.

    ``keeps_clock``: the clock's state lives in the store (a database the command line or ``linksim serve`` works
    on), and :meth:`save_clock` writes it there after every move, so a restart, even after a crash, goes on from
    where the clock was: a running clock is kept as its offset from the wall clock, so it never runs backwards.
    """

    def __init__(self, store: Store, *, clock: Clock | None = None, markets: Markets | None = None,
                 keeps_clock: bool = False, **service_options: Any) -> None:
        self.store = store
        self.keeps_clock = keeps_clock
        self.clock = clock or SystemClock()
        self.markets = markets or builtin_markets()
        self.service = LinkingService(store.unit_of_work, self.clock, self.markets, reading=store.reading,
                                      **service_options)

    def save_clock(self) -> None:
        """Keep the clock's state in the store, if this simulator keeps it there."""
        if self.keeps_clock and isinstance(self.clock, ManualClock):
            with self.store.unit_of_work() as repo:
                repo.set_setting(CLOCK_SETTING, self.clock.state())

    @classmethod
    def in_memory(cls, *, start: datetime | None = None, **options: Any) -> Simulator:
        """A throwaway simulator on in-memory SQLite with a frozen, controllable clock."""
        return cls(open_store("sqlite://"), clock=ManualClock(start), **options)
