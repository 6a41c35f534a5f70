"""The bus port: what Loket needs from Azure Service Bus (and from the embedded bus that mimics it).

Entities are named `QUEUE` (e.g. `mail-notifications`) or `TOPIC/SUBSCRIPTION` (e.g.
`contact-events/crm`); a topic is published to by its bare name (`contact-events`). Dead-letter
queues are reached with `dead_letter=True` on the queue or subscription, never by a path suffix.

Semantics (the same on both implementations, proven by tests/contract/test_bus.py):
- at-least-once, peek-lock: a received message is locked until `locked_until`; complete it, abandon
  it, dead-letter it, or let the lock expire (then it is delivered again);
- `delivery_count` grows by one per delivery; when a message that has been delivered
  `max_delivery_count` (10) times is abandoned or its lock expires, it is dead-lettered with reason
  `MaxDeliveryCountExceeded`; an expired time-to-live dead-letters with `TTLExpiredException`;
- a message id seen on the same queue or topic within the duplicate-detection window is dropped
  silently (counts as sent, never delivered);
- a scheduled message is invisible (and counted as scheduled) until its enqueue time;
- a topic fans a message out to every subscription whose filter matches: application property
  `loket-target` absent, or equal to the subscription name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from errors import TransientError

PropertyValue = str | int | float | bool
TARGET_PROPERTY = "loket-target"
"""Application property that addresses one subscription of a topic (replay, retries)."""
REPLAY_OF_PROPERTY = "loket-replay-of"
"""The message id of the first dead letter a resubmission descends from."""
REPLAY_ATTEMPT_PROPERTY = "loket-replay-attempt"
LAST_DEAD_LETTER_REASON_PROPERTY = "loket-last-dead-letter-reason"
MAX_DELIVERY_REASON = "MaxDeliveryCountExceeded"
TTL_EXPIRED_REASON = "TTLExpiredException"


class LockLostError(TransientError):
    """The lock on a received message expired (or it was settled already): it will be delivered again.

    Settling code treats it as 'nothing to do now': the handler is idempotent and runs again.
    """


class UnknownEntityError(LookupError):
    """The entity name is not one of the bus's queues, topics or subscriptions (a usage error)."""


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to publish. `message_id` drives duplicate detection (at most 128 characters).

    `scheduled_enqueue_time` (aware) keeps it invisible until then; `time_to_live` shortens the
    entity's default TTL. `body` may be str (sent as UTF-8).
    """

    body: bytes | str
    message_id: str
    subject: str | None = None
    application_properties: Mapping[str, PropertyValue] = field(default_factory=dict)
    content_type: str | None = "application/json"
    correlation_id: str | None = None
    scheduled_enqueue_time: dt.datetime | None = None
    time_to_live: dt.timedelta | None = None

    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class ReceivedMessage:
    """A message received with peek-lock (or peeked: then `lock_token` is None).

    `entity` is where it was received from (`QUEUE` or `TOPIC/SUBSCRIPTION`); `from_dead_letter`
    says whether that was the entity's dead-letter queue. Application properties have str keys on
    every backend, and never include the broker's `DeadLetterReason`/`DeadLetterErrorDescription`
    (those are `dead_letter_reason`/`dead_letter_description`).
    """

    entity: str
    message_id: str
    body: bytes
    subject: str | None
    application_properties: Mapping[str, PropertyValue]
    content_type: str | None
    correlation_id: str | None
    delivery_count: int
    enqueued_time: dt.datetime
    sequence_number: int
    lock_token: str | None = None
    locked_until: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    dead_letter_reason: str | None = None
    dead_letter_description: str | None = None
    from_dead_letter: bool = False

    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass(frozen=True)
class EntityCounts:
    """A point-in-time view of one entity for operators (`loket queues`, `/api/ops/queues`).

    kind `queue` and `subscription` carry active and dead-lettered counts; Azure keeps scheduled
    messages of a topic in the topic, so a subscription's `scheduled` is None and the `topic` row
    carries `scheduled` (its `active`/`dead_lettered` are None). `oldest_active_age` is None when
    nothing is active (or unknown).
    """

    entity: str
    kind: Literal["queue", "subscription", "topic"]
    active: int | None
    dead_lettered: int | None
    scheduled: int | None
    oldest_active_age: dt.timedelta | None


@dataclass(frozen=True)
class Resubmitted:
    """One dead letter sent back: its old and new message ids and where the clone went."""

    entity: str
    old_message_id: str
    new_message_id: str
    published_to: str


@runtime_checkable
class MessageBus(Protocol):
    """Publish, receive with peek-lock, settle, inspect, replay. Raises TransientError when the bus is
    unreachable or throttled, PermanentError for a refused message, UnknownEntityError for a bad name.
    """

    def publish(self, entity: str, messages: Sequence[OutgoingMessage]) -> None:
        """Send to a queue or a topic (bare topic name), all or nothing per call where the backend can."""

    def receive(
        self, entity: str, *, max_messages: int = 1, max_wait: float = 0.0, dead_letter: bool = False
    ) -> list[ReceivedMessage]:
        """Lock and return up to `max_messages` from a queue or subscription (or its DLQ), waiting up
        to `max_wait` real seconds for the first one; an empty list when none arrived."""

    def complete(self, message: ReceivedMessage) -> None:
        """Remove a locked message for good. LockLostError when its lock expired."""

    def abandon(self, message: ReceivedMessage) -> None:
        """Release the lock now: delivered again at once (or dead-lettered at the max count)."""

    def dead_letter(self, message: ReceivedMessage, reason: str, description: str = "") -> None:
        """Move a locked message to its entity's DLQ with a reason operators group by (no personal data)."""

    def renew_lock(self, message: ReceivedMessage) -> dt.datetime:
        """Extend the lock by the entity's lock duration; returns the new `locked_until`."""

    def peek(
        self, entity: str, *, max_messages: int = 10, dead_letter: bool = False
    ) -> list[ReceivedMessage]:
        """Look without locking (oldest first); scheduled messages are not included."""

    def counts(self) -> list[EntityCounts]:
        """Every queue, subscription and topic of the topology with its runtime counts."""

    def resubmit(self, message: ReceivedMessage) -> Resubmitted:
        """Send a locked dead letter back where it came from, then complete it (at-least-once).

        The clone gets message id `<first id>:replay:<n>`, keeps body, subject, content type,
        correlation id and properties, loses the dead-letter reason/description, records
        `loket-replay-of`, `loket-replay-attempt`, `loket-last-dead-letter-reason`, and for a
        subscription is published to the topic with `loket-target` = the subscription name.
        """

    def close(self) -> None:
        """Release connections (idempotent)."""
