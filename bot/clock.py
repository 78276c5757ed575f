"""Time is injected: production uses the system clock, tests a clock they move by hand.

All stored times are UTC ISO 8601 strings with microseconds, so they sort as text in SQL.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    # How many clock seconds pass per real second: 1 in production, more in drills and tests.
    speed: float

    def now(self) -> datetime: ...


class SystemClock:
    speed = 1.0

    def now(self) -> datetime:
        return datetime.now(UTC)


class ScaledClock:
    """Time that runs `speed` times faster than real time, from a starting instant: the demo and
    end-to-end tests run hours of deadlines in seconds, through the real scheduler."""

    def __init__(self, speed: float, start: datetime | None = None) -> None:
        self.speed = speed
        self._start = start or datetime.now(UTC)
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._origin) * self.speed)


def real_seconds(clock: Clock, clock_seconds: float) -> float:
    """How long to wait in real time for `clock_seconds` to pass on `clock`."""
    return clock_seconds / clock.speed


class FakeClock:
    """A clock for unit tests: it moves only when told to."""

    speed = 1.0

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment


def to_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; attach a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(text: str) -> datetime:
    if len(text) == 27 and text[10] == "T" and text[-1] == "Z":  # our own format: the fast path
        return datetime.fromisoformat(text)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)
