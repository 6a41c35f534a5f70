"""Service Bus trigger inputs as the Functions worker builds them, and message actions over the bus port."""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import types
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from azure.functions.meta import Datum
from azure.functions.servicebus import ServiceBusMessage as TriggerMessage

from handlers.ports.bus import MessageBus, ReceivedMessage

log = logging.getLogger(__name__)


def to_trigger_message(message: ReceivedMessage) -> TriggerMessage:
    """The GA trigger's `azure.functions.servicebus.ServiceBusMessage` (str property keys)."""
    properties = dict(message.application_properties)
    metadata = {
        "MessageId": message.message_id, "DeliveryCount": message.delivery_count,
        "EnqueuedTimeUtc": message.enqueued_time.isoformat(), "SequenceNumber": message.sequence_number,
        "ContentType": message.content_type, "CorrelationId": message.correlation_id,
        "Label": message.subject, "Subject": message.subject, "LockToken": message.lock_token,
        "ApplicationProperties": properties, "UserProperties": properties,
    }
    return TriggerMessage(
        body=message.body, trigger_metadata=_datums(metadata), application_properties=properties,
        user_properties=properties, message_id=message.message_id, delivery_count=message.delivery_count,
        enqueued_time_utc=message.enqueued_time, sequence_number=message.sequence_number,
        content_type=message.content_type, correlation_id=message.correlation_id,
        subject=message.subject, label=message.subject, lock_token=message.lock_token,
        locked_until=message.locked_until, expires_at_utc=message.expires_at,
        dead_letter_reason=message.dead_letter_reason,
        dead_letter_error_description=message.dead_letter_description,
    )


def _datums(metadata: dict[str, Any]) -> dict[str, Datum]:
    """Trigger metadata as the worker hands it over: typed Datum values (JSON for objects)."""
    out: dict[str, Datum] = {}
    for key, value in metadata.items():
        if value is None:
            continue
        if isinstance(value, bool | dict | list):
            out[key] = Datum(json.dumps(value), "json")
        elif isinstance(value, int):
            out[key] = Datum(value, "int")
        else:
            out[key] = Datum(str(value), "string")
    return out


def to_sdk_message(message: ReceivedMessage, lock_token: uuid.UUID) -> Any:
    """A real `azure.servicebus.ServiceBusReceivedMessage`, decoded by the extension's own converter
    from the bytes the host sends (lock token, marker, AMQP message): property keys and values come
    back as bytes, exactly as in Azure (servicebus-settlement.md §3.2).
    """
    import uamqp
    from azurefunctions.extensions.base import Datum as BindingDatum
    from azurefunctions.extensions.bindings.servicebus import ServiceBusConverter, ServiceBusReceivedMessage
    from uamqp.message import MessageHeader, MessageProperties

    header = MessageHeader()
    header.delivery_count = message.delivery_count
    annotations = {b"x-opt-enqueued-time": _millis(message.enqueued_time),
                   b"x-opt-sequence-number": message.sequence_number}
    if message.locked_until is not None:
        annotations[b"x-opt-locked-until"] = _millis(message.locked_until)
    amqp = uamqp.Message(
        body=message.body, header=header, annotations=annotations,
        application_properties=dict(message.application_properties),
        properties=MessageProperties(message_id=message.message_id, content_type=message.content_type,
                                     correlation_id=message.correlation_id, subject=message.subject),
    )
    content = lock_token.bytes_le + b"x-opt-lock-token" + amqp.encode_message()
    data = types.SimpleNamespace(version="1.0", source="AzureServiceBusReceivedMessage",
                                 content_type="application/octet-stream", content=content)
    return ServiceBusConverter.decode(BindingDatum(value=data, type="model_binding_data"),
                                      trigger_metadata=None, pytype=ServiceBusReceivedMessage)


def _millis(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


@dataclass
class InFlight:
    """One delivery while its invocation runs: settlement by lock token works only in this window."""

    message: ReceivedMessage
    received_at: dt.datetime
    locked_until: dt.datetime | None
    lock_span: dt.timedelta | None = None  # the entity's lock duration, as first granted
    settled: str | None = None


class InFlightRegistry:
    """Lock token -> delivery, shared by the message actions and the lock renewer (thread-safe)."""

    def __init__(self) -> None:
        self._items: dict[str, InFlight] = {}
        self._lock = threading.Lock()

    def add(self, token: str, item: InFlight) -> None:
        with self._lock:
            self._items[token] = item

    def pop(self, token: str) -> InFlight | None:
        with self._lock:
            return self._items.pop(token, None)

    def get(self, token: str) -> InFlight | None:
        with self._lock:
            return self._items.get(token)

    def items(self) -> list[tuple[str, InFlight]]:
        with self._lock:
            return list(self._items.items())


def message_actions_class() -> type:
    """`LocalMessageActions`, derived from the extension's ServiceBusMessageActions (imported lazily:
    the GA mode must not need the pre-release package)."""
    from azurefunctions.extensions.bindings.servicebus.serviceBusMessageActions import (
        ServiceBusMessageActions,
        SettlementError,
    )

    class LocalMessageActions(ServiceBusMessageActions):
        """Same methods and signatures as 1.0.0b2; settles on the bus port instead of over gRPC."""

        def __init__(self, bus: MessageBus, registry: InFlightRegistry) -> None:  # no gRPC arguments
            self._bus, self._registry = bus, registry

        def _settle(self, method: str, message: Any, action: Callable[[InFlight], None]) -> None:
            token = str(getattr(message, "lock_token", None) or "")
            item = self._registry.get(token) if token else None
            if item is None or item.settled:
                state = "already settled" if item else "not found"
                raise SettlementError(method, f"LockToken {token} {state}", LookupError(token))
            try:
                action(item)
            except Exception as exc:
                raise SettlementError(method, f"Failed to {method} message {token}", exc) from exc
            item.settled = method

        def complete(self, message: Any) -> None:
            self._settle("complete", message, lambda i: self._bus.complete(i.message))

        def abandon(self, message: Any) -> None:
            self._settle("abandon", message, lambda i: self._bus.abandon(i.message))

        def deadletter(self, message: Any, deadletter_reason: str | None = None,
                       deadletter_error_description: str | None = None) -> None:
            self._settle("deadletter", message, lambda i: self._bus.dead_letter(
                i.message, deadletter_reason or "", deadletter_error_description or ""))

        def defer(self, message: Any) -> None:
            raise SettlementError("defer", "the embedded bus has no deferral", NotImplementedError("defer"))

        def renew_message_lock(self, message: Any) -> None:
            token = str(getattr(message, "lock_token", None) or "")
            item = self._registry.get(token)
            if item is None or item.settled:
                raise SettlementError("renew_message_lock", f"LockToken {token} not found",
                                      LookupError(token))
            try:
                item.locked_until = self._bus.renew_lock(item.message)
            except Exception as exc:
                raise SettlementError("renew_message_lock", f"Failed to renew lock for {token}", exc) from exc

    return LocalMessageActions
