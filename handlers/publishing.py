"""Contact events onto the bus: one message per event, keyed so duplicate detection drops only repeats."""
from __future__ import annotations

from collections.abc import Sequence

from handlers.event_ids import bus_message_id
from handlers.ports.bus import MessageBus, OutgoingMessage
from schemas.contact_event import ContactEvent

CHANNEL_PROPERTY = "loket-channel"


def contact_event_message(event: ContactEvent) -> OutgoingMessage:
    """The bus message of a contact event (design.md: message id = sha256(event id, version, mailbox))."""
    return OutgoingMessage(
        body=event.to_json(),
        message_id=bus_message_id(event),
        subject=f"contact-event/{event.channel.value}",
        application_properties={CHANNEL_PROPERTY: event.channel.value},
        content_type="application/json",
        correlation_id=str(event.event_id),
    )


def publish_events(bus: MessageBus, topic: str, events: Sequence[ContactEvent]) -> None:
    """Publish all events of one source in one call (all or nothing where the backend can)."""
    if events:
        bus.publish(topic, [contact_event_message(e) for e in events])
