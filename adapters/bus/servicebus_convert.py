"""Between the bus port and azure-servicebus: message conversion both ways, SDK errors to errors.py."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError
from azure.servicebus import ServiceBusMessage, ServiceBusReceivedMessage
from azure.servicebus.exceptions import (
    MessageAlreadySettled,
    MessageLockLostError,
    MessageSizeExceededError,
    MessagingEntityNotFoundError,
    ServiceBusAuthenticationError,
    ServiceBusAuthorizationError,
    ServiceBusError,
)

from errors import PermanentError, TransientError
from handlers.ports.bus import LockLostError, OutgoingMessage, PropertyValue, ReceivedMessage

from .resubmit import BROKER_DEAD_LETTER_PROPERTIES


def to_sdk(message: OutgoingMessage) -> ServiceBusMessage:
    """The SDK message; a scheduled time travels as the message's scheduled enqueue time."""
    return ServiceBusMessage(
        message.body_bytes(),
        message_id=message.message_id,
        subject=message.subject,
        application_properties=dict(message.application_properties) or None,
        content_type=message.content_type,
        correlation_id=message.correlation_id,
        scheduled_enqueue_time_utc=message.scheduled_enqueue_time,
        time_to_live=message.time_to_live,
    )


def from_sdk(
    msg: ServiceBusReceivedMessage, entity: str, *, dead_letter: bool, locked: bool
) -> ReceivedMessage:
    """The port's message. Keys and str values arrive as bytes on the wire: decoded here, once.

    The Python SDK reports the AMQP header's delivery count (prior failed deliveries); the port counts
    like .NET and the Functions trigger (1 on the first delivery), so a locked receive adds one.
    """
    count = msg.delivery_count or 0
    lock_token = msg.lock_token if locked else None
    return ReceivedMessage(
        entity=entity,
        message_id=_text(msg.message_id) or "",
        body=b"".join(msg.body) if not isinstance(msg.body, bytes) else msg.body,
        subject=_text(msg.subject),
        application_properties=plain_properties(msg.application_properties),
        content_type=_text(msg.content_type),
        correlation_id=_text(msg.correlation_id),
        delivery_count=count + 1 if locked else count,
        enqueued_time=msg.enqueued_time_utc,
        sequence_number=msg.sequence_number or 0,
        lock_token=str(lock_token) if lock_token else None,
        locked_until=msg.locked_until_utc if locked else None,
        expires_at=msg.expires_at_utc,
        dead_letter_reason=msg.dead_letter_reason,
        dead_letter_description=msg.dead_letter_error_description,
        from_dead_letter=dead_letter,
    )


def plain_properties(raw: dict | None) -> dict[str, PropertyValue]:
    """str keys and values, without the broker's dead-letter properties (they have their own fields)."""
    out: dict[str, PropertyValue] = {}
    for key, value in (raw or {}).items():
        name = _text(key)
        if name in BROKER_DEAD_LETTER_PROPERTIES:
            continue
        out[name] = _text(value) if isinstance(value, bytes) else value
    return out


def _text(value: str | bytes | None) -> str | None:
    return value.decode("utf-8") if isinstance(value, bytes) else value


@contextlib.contextmanager
def translated(operation: str, entity: str) -> Iterator[None]:
    """SDK and azure-core errors become Loket's: retry-worthy -> TransientError, else PermanentError.

    Messages name the operation and entity only (never a body or a property value).
    """
    try:
        yield
    except (MessageLockLostError, MessageAlreadySettled) as exc:
        raise LockLostError(f"{operation} on {entity}: lock lost or already settled") from exc
    except MessageSizeExceededError as exc:
        raise PermanentError(f"{operation} on {entity}: message too large", reason="MessageTooLarge") from exc
    except MessagingEntityNotFoundError as exc:
        raise PermanentError(f"{operation}: entity {entity} not found", reason="EntityNotFound") from exc
    except (ServiceBusAuthenticationError, ServiceBusAuthorizationError, ClientAuthenticationError) as exc:
        raise PermanentError(f"{operation} on {entity}: not authorised", reason="Unauthorized") from exc
    except ServiceBusError as exc:
        if getattr(exc, "_retryable", False):  # the SDK marks which errors its own retries covered
            raise TransientError(f"{operation} on {entity}: {type(exc).__name__}") from exc
        raise PermanentError(
            f"{operation} on {entity}: {type(exc).__name__}", reason=type(exc).__name__
        ) from exc
    except HttpResponseError as exc:  # the administration client (runtime counts)
        if exc.status_code in (408, 429) or (exc.status_code or 0) >= 500:
            raise TransientError(f"{operation} on {entity}: HTTP {exc.status_code}") from exc
        raise PermanentError(
            f"{operation} on {entity}: HTTP {exc.status_code}", reason="AdminRefused"
        ) from exc
    except AzureError as exc:  # connection resets, timeouts below the SDK's own retries
        raise TransientError(f"{operation} on {entity}: {type(exc).__name__}") from exc
