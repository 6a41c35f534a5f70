"""One view of a Service Bus trigger message, whichever binding delivered it (plain or SDK type)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Delivery:
    """Body, ids and str-keyed application properties of one delivery to `entity` (QUEUE or TOPIC/SUB)."""

    entity: str
    message_id: str
    body: bytes
    subject: str | None = None
    content_type: str | None = None
    correlation_id: str | None = None
    delivery_count: int = 1
    application_properties: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, message: Any, entity: str) -> Delivery:
        """From `func.ServiceBusMessage` (plain) or `azure.servicebus.ServiceBusReceivedMessage` (actions)."""
        getter = getattr(message, "get_body", None)
        body = getter() if callable(getter) else b"".join(_sections(message.body))
        return cls(
            entity=entity,
            message_id=str(message.message_id or ""),
            body=body if isinstance(body, bytes) else str(body).encode("utf-8"),
            subject=getattr(message, "subject", None) or getattr(message, "label", None),
            content_type=getattr(message, "content_type", None),
            correlation_id=getattr(message, "correlation_id", None),
            delivery_count=int(getattr(message, "delivery_count", None) or 1),
            application_properties=_str_keys(getattr(message, "application_properties", None) or {}),
        )

    def log_ids(self) -> dict[str, Any]:
        """What a log line may carry about a message: ids, never its body."""
        return {"message_id": self.message_id, "entity": self.entity, "delivery_count": self.delivery_count}


def _sections(body: Any) -> list[bytes]:
    if isinstance(body, (bytes, bytearray)):
        return [bytes(body)]
    return [bytes(part) for part in body]


def _str_keys(properties: dict) -> dict[str, Any]:
    """The SDK-type binding hands keys and str values over as bytes (servicebus-settlement.md §3.2)."""
    def text(value: Any) -> Any:
        return value.decode("utf-8") if isinstance(value, (bytes, bytearray)) else value

    return {str(text(key)): text(value) for key, value in properties.items()}
