"""Small helpers shared by the rule specifications (tests/rules)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from auth_server.domain.policies import Markets
from auth_server.markets import builtin_market_data
from auth_server.simulator import Simulator

SECOND = timedelta(seconds=1)
ALL_TOGGLES = ["profile_information", "content", "audience_data"]


def event_kinds(service: Any, subject_type: str, subject_id: str) -> list[str]:
    """The kinds of the journal events recorded about one subject, in order."""
    return [e.kind for e in service.journal(subject_type=subject_type, subject_id=subject_id)]


def events_of(service: Any, kind: str, subject_type: str, subject_id: str) -> list[Any]:
    return [e for e in service.journal(subject_type=subject_type, subject_id=subject_id) if e.kind == kind]


def markets_with(**extra: dict[str, Any]) -> Markets:
    """The built-in market profiles, plus the extra profiles given (by name)."""
    return Markets.from_mapping({**builtin_market_data(), **extra})


@contextmanager
def world_with_markets(world: Any, markets: Markets) -> Iterator[Any]:
    """A throwaway world whose simulator uses ``markets``; its clock starts where ``world``'s stands."""
    sim = Simulator.in_memory(start=world.sim.clock.now(), markets=markets)
    try:
        yield type(world)(sim)
    finally:
        sim.store.dispose()
