"""Bus adapters: `open_bus` picks the embedded bus or Azure Service Bus from settings.bus_backend."""

from __future__ import annotations

from handlers.ports.bus import MessageBus
from handlers.ports.clock import Clock
from settings import Settings

from .entities import Topology, topology


def open_bus(settings: Settings, clock: Clock | None = None, entities: Topology | None = None) -> MessageBus:
    """Open the configured bus (entities created on first open for the embedded one).

    `clock` defaults to the movable clock when a test installed one in the data dir, else system
    time; `entities` defaults to design.md's table with the names from settings.
    """
    from adapters.clock import default_clock

    clock = clock or default_clock(settings.data_dir)
    entities = entities or topology(settings)
    match settings.bus_backend:
        case "embedded":
            from .embedded import EmbeddedBus

            return EmbeddedBus(settings.data_dir, entities, clock)
        case "servicebus":
            from .servicebus import ServiceBusBus

            return ServiceBusBus.from_settings(settings, entities, clock)
        case other:  # pragma: no cover - Settings only admits the two
            raise ValueError(f"unknown BUS_BACKEND {other!r}")
