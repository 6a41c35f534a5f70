"""open_bus: one plain switch on BUS_BACKEND, the same port either way."""
from __future__ import annotations

from pathlib import Path

from adapters.bus import open_bus
from adapters.bus.embedded import EmbeddedBus
from adapters.bus.servicebus import ServiceBusBus
from adapters.clock import MovableClock, SystemClock
from handlers.ports.bus import MessageBus
from settings import Settings

EMULATOR = "Endpoint=sb://localhost;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;"


def test_the_default_is_the_embedded_bus_in_the_data_dir_with_its_entities(tmp_path: Path) -> None:
    bus = open_bus(Settings(LOKET_DATA_DIR=str(tmp_path)))
    assert isinstance(bus, EmbeddedBus) and isinstance(bus, MessageBus)
    assert bus.path == tmp_path / "bus.db" and isinstance(bus.clock, SystemClock)
    assert bus.topology.queues == ("mail-notifications", "call-notifications", "lifecycle-notifications")
    assert bus.topology.subscriptions == ("contact-events/crm", "contact-events/archive")
    bus.close()


def test_an_installed_movable_clock_is_picked_up_by_every_bus_on_that_data_dir(tmp_path: Path) -> None:
    MovableClock.install(tmp_path)
    bus = open_bus(Settings(LOKET_DATA_DIR=str(tmp_path)))
    assert isinstance(bus.clock, MovableClock)
    bus.close()


def test_servicebus_with_a_connection_string_builds_the_sdk_adapter_offline(tmp_path: Path) -> None:
    settings = Settings(LOKET_DATA_DIR=str(tmp_path), BUS_BACKEND="servicebus", ServiceBusConnection=EMULATOR)
    bus = open_bus(settings)
    assert isinstance(bus, ServiceBusBus) and isinstance(bus, MessageBus)
    assert not (tmp_path / "bus.db").exists()
    bus.close()
