"""The injected clock: frozen, set, advanced; durations and times parsed with clear errors."""

from __future__ import annotations

import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from auth_server.domain.clock import ManualClock
from auth_server.domain.clock import SystemClock
from auth_server.domain.clock import format_duration
from auth_server.domain.clock import parse_duration
from auth_server.domain.clock import parse_time

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_frozen_clock_stands_still() -> None:
    clock = ManualClock(T0)
    time.sleep(0.01)
    assert clock.now() == T0


def test_advance_moves_a_frozen_clock_by_exactly_the_duration() -> None:
    clock = ManualClock(T0)
    assert clock.advance("25h") == T0 + timedelta(hours=25)
    assert clock.advance(timedelta(seconds=1)) == T0 + timedelta(hours=25, seconds=1)


def test_the_clock_does_not_go_backwards_by_advance() -> None:
    with pytest.raises(ValueError, match="only moves forward"):
        ManualClock(T0).advance(timedelta(seconds=-1))


def test_set_puts_the_clock_anywhere_even_in_the_past() -> None:
    clock = ManualClock(T0)
    assert clock.set(T0 - timedelta(days=200)) == T0 - timedelta(days=200)


def test_a_running_clock_follows_the_wall_clock_from_where_it_was_set() -> None:
    clock = ManualClock(T0, frozen=False)
    first = clock.now()
    assert abs(first - T0) < timedelta(seconds=2)
    clock.advance("181d")
    assert clock.now() - first >= timedelta(days=181)


def test_unfreeze_then_freeze_keeps_the_simulated_time() -> None:
    clock = ManualClock(T0)
    clock.unfreeze()
    frozen = clock.freeze()
    assert timedelta(0) <= frozen - T0 < timedelta(seconds=2)


def test_a_clock_survives_being_saved_and_restored() -> None:
    clock = ManualClock(T0)
    clock.advance("1d")
    assert ManualClock.from_state(clock.state()).now() == T0 + timedelta(days=1)


def test_naive_times_are_taken_as_utc() -> None:
    assert ManualClock(datetime(2026, 1, 1)).now() == datetime(2026, 1, 1, tzinfo=UTC)


def test_the_system_clock_is_timezone_aware() -> None:
    assert SystemClock().now().tzinfo is not None


@pytest.mark.parametrize(
    "text,expected",
    [("25h", timedelta(hours=25)), ("181d", timedelta(days=181)), ("1d2h30m", timedelta(days=1, minutes=150)),
     ("86399s", timedelta(seconds=86399)), ("24 hours", timedelta(hours=24)), ("1w", timedelta(weeks=1))],
)
def test_durations_parse(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "5x", "abc", "-5h", "h"])
def test_a_bad_duration_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match="such as 25h"):
        parse_duration(text)


def test_format_duration_is_compact() -> None:
    assert format_duration(timedelta(days=1, hours=1, seconds=5)) == "1d1h5s"
    assert format_duration(timedelta(0)) == "0s"


def test_times_parse_with_a_z_or_an_offset() -> None:
    assert parse_time("2026-03-02T09:00:00Z") == T0
    assert parse_time("2026-03-02T10:00:00+01:00") == T0


def test_a_bad_time_says_how_to_write_one() -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_time("next tuesday")
