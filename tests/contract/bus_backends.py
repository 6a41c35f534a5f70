"""The bus contract suite's backends: the embedded bus always, Azure Service Bus on request.

Azure runs when SERVICEBUS_TEST_CONNECTION holds a connection string (a namespace, or the emulator
with `UseDevelopmentEmulator=true`) whose entities follow adapters/bus/entities.py; every entity is
drained before each test. Time is moved on the embedded bus and waited out on Azure (tests that
would wait too long are skipped there).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapters.bus.entities import Topology, topology
from adapters.clock import MovableClock, SystemClock
from handlers.ports.bus import MessageBus
from settings import Settings

SERVICEBUS_ENV = "SERVICEBUS_TEST_CONNECTION"
MAX_REAL_WAIT = 90.0  # seconds one test may sleep on a live namespace (locks, schedules, TTL)


@dataclass
class BusBackend:
    name: str
    bus: MessageBus
    entities: Topology
    advance: Callable[[float], None]
    live: bool = False

    @property
    def lock_seconds(self) -> float:
        return self.entities.policy.lock_duration.total_seconds()

    def now(self) -> dt.datetime:
        return self.bus.clock.now()  # type: ignore[attr-defined]

    def eventually(
        self, probe: Callable[[], Any], expect: Callable[[Any], bool], timeout: float = 20.0
    ) -> Any:
        """The embedded bus answers at once; Azure's counts and fan-out settle within seconds."""
        deadline = time.monotonic() + (timeout if self.live else 0.0)
        while True:
            value = probe()
            if expect(value) or time.monotonic() >= deadline:
                return value
            time.sleep(0.5)

    def counts_of(self, entity: str):
        return next(c for c in self.bus.counts() if c.entity == entity)


def embedded_backend(tmp_path: Path) -> Iterator[BusBackend]:
    from adapters.bus.embedded import EmbeddedBus

    clock = MovableClock.install(tmp_path)
    bus = EmbeddedBus(tmp_path, topology(Settings(LOKET_DATA_DIR=str(tmp_path))), clock)
    yield BusBackend("embedded", bus, bus.topology, lambda s: clock.advance(s))
    bus.close()


def servicebus_backend() -> Iterator[BusBackend]:
    connection = os.environ.get(SERVICEBUS_ENV)
    if not connection:
        pytest.skip(f"set {SERVICEBUS_ENV} to run the bus contract against Azure Service Bus")
    from adapters.bus.servicebus import ServiceBusBus
    from adapters.bus.servicebus_admin import ensure_entities

    entities = topology(Settings())
    bus = ServiceBusBus.from_connection_string(connection, entities, SystemClock())
    if "usedevelopmentemulator=true" not in connection.lower():  # the emulator reads Config.json instead
        ensure_entities(bus.admin, entities)
    bus.drain()
    waited = [0.0]

    def wait(seconds: float) -> None:
        waited[0] += seconds
        if waited[0] > MAX_REAL_WAIT:
            pytest.skip(f"would wait {waited[0]:.0f} s of real time on a live namespace")
        time.sleep(seconds)

    yield BusBackend("servicebus", bus, entities, wait, live=True)
    bus.close()
