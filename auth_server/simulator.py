"""The simulator wired together: a store, a clock, the market profiles and the linking service.

Importing it maps the OAuth records too (:mod:`auth_server.oauth.tables`), so that every schema it makes is whole.
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from typing import Any

import yaml

from auth_server.domain.clock import Clock
from auth_server.domain.clock import ManualClock
from auth_server.domain.clock import SystemClock
from auth_server.domain.policies import Markets
from auth_server.domain.service import LinkingService
from auth_server.oauth import tables as oauth_tables  # noqa: F401 - the OAuth tables join the schema
from auth_server.store import Store


def builtin_market_data() -> dict[str, Any]:
    text = resources.files("auth_server").joinpath("markets.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def builtin_markets() -> Markets:
    """The market profiles that ship with linksim (``auth_server/markets.yaml``)."""
    return Markets.from_mapping(builtin_market_data())


class Simulator:
    """One simulated world: its store, its clock, its markets, and the service that runs the flows."""

    def __init__(self, store: Store, *, clock: Clock | None = None, markets: Markets | None = None,
                 **service_options: Any) -> None:
        self.store = store
        self.clock = clock or SystemClock()
        self.markets = markets or builtin_markets()
        self.service = LinkingService(store.unit_of_work, self.clock, self.markets, **service_options)

    @classmethod
    def in_memory(cls, *, start: datetime | None = None, **options: Any) -> Simulator:
        """A throwaway simulator on in-memory SQLite with a frozen, controllable clock."""
        store = Store("sqlite://")
        store.create_schema()
        return cls(store, clock=ManualClock(start), **options)
