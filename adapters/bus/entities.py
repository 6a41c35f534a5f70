"""The one place Loket's bus entities are declared (design.md, "Bus entities"); both buses read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from handlers.ports.bus import TARGET_PROPERTY, PropertyValue, UnknownEntityError
from settings import Settings

MAX_DELIVERY_COUNT = 10
LOCK_DURATION = dt.timedelta(minutes=1)  # Azure's default; the host renews single-message locks
DUPLICATE_DETECTION_WINDOW = dt.timedelta(minutes=10)  # Azure's default, set explicitly (§4.3)
DEFAULT_TTL = dt.timedelta(days=14)  # dead-lettered on expiry, so nothing vanishes unseen


@dataclass(frozen=True)
class EntityPolicy:
    """What Service Bus calls entity properties; the same for every queue and subscription here."""

    max_delivery_count: int = MAX_DELIVERY_COUNT
    lock_duration: dt.timedelta = LOCK_DURATION
    duplicate_detection_window: dt.timedelta = DUPLICATE_DETECTION_WINDOW
    default_ttl: dt.timedelta = DEFAULT_TTL
    dead_letter_on_expiry: bool = True


@dataclass(frozen=True)
class Topology:
    """Queues, and topics with their subscriptions; entity names as the settings give them."""

    queues: tuple[str, ...]
    topics: Mapping[str, tuple[str, ...]]
    policy: EntityPolicy = EntityPolicy()

    @property
    def subscriptions(self) -> tuple[str, ...]:
        """Every subscription as `TOPIC/SUBSCRIPTION`."""
        return tuple(f"{t}/{s}" for t, subs in self.topics.items() for s in subs)

    def receivable(self, entity: str) -> None:
        """Raise UnknownEntityError unless `entity` is a queue or `TOPIC/SUBSCRIPTION`."""
        if entity not in self.queues and entity not in self.subscriptions:
            raise UnknownEntityError(f"not a queue or TOPIC/SUBSCRIPTION of this bus: {entity!r}")

    def publishable(self, entity: str) -> None:
        """Raise UnknownEntityError unless `entity` is a queue or a topic."""
        if entity not in self.queues and entity not in self.topics:
            raise UnknownEntityError(f"not a queue or topic of this bus: {entity!r}")

    def with_policy(self, **changes: object) -> Topology:
        """A copy with other entity properties (tests: a short lock duration, a small window)."""
        return replace(self, policy=replace(self.policy, **changes))


def topology(settings: Settings) -> Topology:
    """design.md's table, names from settings (`%MAIL_NOTIFICATIONS_QUEUE%` etc. in bindings)."""
    return Topology(
        queues=(
            settings.mail_notifications_queue,
            settings.call_notifications_queue,
            settings.lifecycle_notifications_queue,
        ),
        topics={settings.contact_events_topic: ("crm", "archive")},
    )


def split_entity(entity: str) -> tuple[str, str | None]:
    """`QUEUE` -> (queue, None); `TOPIC/SUBSCRIPTION` -> (topic, subscription)."""
    name, _, sub = entity.partition("/")
    return name, (sub or None)


def subscription_accepts(subscription: str, properties: Mapping[str, PropertyValue]) -> bool:
    """The filter on every subscription: `loket-target` absent, or naming this subscription."""
    target = properties.get(TARGET_PROPERTY)
    return target is None or target == subscription


def sql_filter(subscription: str) -> str:
    """The same filter as a Service Bus SQL rule (used to create subscriptions in a namespace)."""
    return f"NOT EXISTS([{TARGET_PROPERTY}]) OR [{TARGET_PROPERTY}] = '{subscription}'"
