"""The Clock port: one source of time for the bus, the timers and the simulated tenant."""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Tests replace it with a movable clock (adapters/clock.py) that every process reads alike."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware, in UTC."""

    def sleep(self, seconds: float) -> None:
        """Wait this long in real time (a moved clock still flows at the real pace)."""
