"""Time, injected.

Every cooldown, window and lifetime in linksim is computed on a :class:`Clock`,
so that a test or a user can move time instead of waiting for it.
"""

from __future__ import annotations

import threading
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Protocol

import pytimeparse

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
LONGEST = timedelta(days=36500)  # the longest duration anyone names: a hundred years


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""


class SystemClock:
    """The wall clock: what the simulator uses unless told otherwise."""

    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)


class ManualClock:
    """A clock that tests and users control: freeze it, set it, advance it.

    A frozen clock stands still until it is set or advanced. A running clock
    follows the wall clock, shifted by everything that was set or advanced, so
    that a user can jump 25 hours ahead and still see time pass afterwards.
    """

    def __init__(self, start: datetime | None = None, *, frozen: bool = True) -> None:
        self._lock = threading.Lock()
        self._wall = SystemClock()
        start = _aware(start) if start is not None else self._wall.now()
        self._frozen_at: datetime | None = start if frozen else None
        self._offset = start - self._wall.now() if not frozen else timedelta(0)

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def now(self) -> datetime:
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return self._wall.now() + self._offset

    def freeze(self) -> datetime:
        with self._lock:
            if self._frozen_at is None:
                self._frozen_at = self._wall.now() + self._offset
            return self._frozen_at

    def unfreeze(self) -> datetime:
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - self._wall.now()
                self._frozen_at = None
            return self._wall.now() + self._offset

    def set(self, when: datetime) -> datetime:
        when = within_range(_aware(when))
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = when
            else:
                self._offset = when - self._wall.now()
            return when

    def advance(self, by: timedelta | str) -> datetime:
        delta = parse_duration(by) if isinstance(by, str) else by
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward; use set() to go back")
        with self._lock:
            now = self._frozen_at if self._frozen_at is not None else self._wall.now() + self._offset
            if now >= LATEST - delta:
                raise ValueError(f"the clock cannot go past {LATEST.year - 1}: it reads {now.isoformat()}")
            if self._frozen_at is not None:
                self._frozen_at += delta
                return self._frozen_at
            self._offset += delta
            return self._wall.now() + self._offset


    def state(self) -> dict[str, object]:
        """What it takes to rebuild this clock later (the command line keeps it in the database)."""
        with self._lock:
            if self._frozen_at is not None:
                return {"frozen_at": self._frozen_at.isoformat()}
            return {"offset_seconds": self._offset.total_seconds()}

    def restore(self, state: dict[str, object]) -> None:
        """Take the state :meth:`state` gave, this clock's or a copy's (one moved, then kept, before it is shown)."""
        other = ManualClock.from_state(state)
        with self._lock:
            self._frozen_at, self._offset = other._frozen_at, other._offset

    @classmethod
    def from_state(cls, state: dict[str, object]) -> ManualClock:
        if "frozen_at" in state:
            return cls(parse_time(str(state["frozen_at"])))
        clock = cls(frozen=False)
        clock._offset = timedelta(seconds=float(str(state.get("offset_seconds", 0))))
        return clock


def parse_duration(text: str) -> timedelta:
    """Parse durations such as ``25h``, ``181d``, ``1d2h30m``, ``86399s`` or ``24 hours``."""
    seconds = pytimeparse.parse(text.strip()) if text.strip() else None
    if seconds is None or seconds < 0:
        raise ValueError(
            f"{text!r} is not a duration: write a number and a unit, such as 25h, 181d or 1d2h30m "
            "(units: w, d, h, m, s)"
        )
    if seconds > LONGEST.total_seconds():
        raise ValueError(f"{text!r} is longer than a simulation needs: give at most {LONGEST.days}d")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The inverse of :func:`parse_duration`, for messages: ``timedelta(hours=25)`` → ``1d1h``."""
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "0s"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out)


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 time; a time without a zone is taken as UTC."""
    try:
        when = _aware(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
    except (ValueError, OverflowError):
        raise ValueError(f"{text!r} is not a time: write it as ISO 8601, such as 2026-01-01T09:00:00Z") from None
    return within_range(when)


def within_range(when: datetime) -> datetime:
    # Far enough for any cooldown or window, and far from datetime's limits (year 9999), where sums overflow.
    if not EARLIEST <= when < LATEST:
        raise ValueError(f"{when.isoformat()} is outside the simulated years {EARLIEST.year} to {LATEST.year - 1}")
    return when


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)
