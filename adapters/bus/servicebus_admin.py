"""Service Bus management chores: runtime counts, oldest age by peeking, entity creation, draining."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from azure.core.exceptions import ResourceNotFoundError
from azure.servicebus import (
    ServiceBusClient,
    ServiceBusMessageState,
    ServiceBusReceiveMode,
    ServiceBusSubQueue,
)
from azure.servicebus.management import ServiceBusAdministrationClient, SqlRuleFilter

from handlers.ports.bus import EntityCounts

from .entities import Topology, split_entity, sql_filter

EMULATOR_ADMIN_PORT = 5300
PEEK_PAGE = 50


def admin_from_connection_string(connection: str) -> ServiceBusAdministrationClient:
    """The administration client; for the emulator it must talk plain HTTP to port 5300.

    azure-platform.md §7: the Python admin client ignores non-TLS custom ports, so Microsoft's sample
    points its pipeline at the HTTP endpoint directly (unverified here: no Docker).
    """
    if "usedevelopmentemulator=true" not in connection.lower():
        return ServiceBusAdministrationClient.from_connection_string(connection)
    match = re.search(r"Endpoint=sb://([^;:/]+)", connection, re.IGNORECASE)
    host = match.group(1) if match else "localhost"
    admin_connection = re.sub(
        r"Endpoint=sb://[^;]+", f"Endpoint=sb://{host}:{EMULATOR_ADMIN_PORT}", connection, flags=re.IGNORECASE
    )
    admin = ServiceBusAdministrationClient.from_connection_string(admin_connection)
    admin._impl._client._base_url = f"http://{host}:{EMULATOR_ADMIN_PORT}"  # noqa: SLF001 - see docstring
    return admin


def peek_active(receiver, limit: int, now: dt.datetime | None = None) -> list:
    """Up to `limit` active messages, oldest first. Peek also returns scheduled and deferred ones (and
    expired ones not yet collected), so page on from an explicit sequence number and skip those."""
    found: list = []
    sequence = 1  # without it, a receiver continues after the last message it peeked before
    while len(found) < limit:
        page = receiver.peek_messages(max_message_count=PEEK_PAGE, sequence_number=sequence)
        if not page:
            break
        for msg in page:
            if msg.state == ServiceBusMessageState.ACTIVE and not _expired(msg, now):
                found.append(msg)
        sequence = page[-1].sequence_number + 1
    return found[:limit]


def _expired(msg, now: dt.datetime | None) -> bool:
    return now is not None and msg.expires_at_utc is not None and msg.expires_at_utc <= now


def oldest_active_age(receiver, now: dt.datetime) -> dt.timedelta | None:
    oldest = peek_active(receiver, 1, now)
    return max(dt.timedelta(0), now - oldest[0].enqueued_time_utc) if oldest else None


def counts(
    admin: ServiceBusAdministrationClient, topology: Topology, age_of: Callable, now: dt.datetime
) -> list[EntityCounts]:
    """Runtime counts from the admin client (needs Data Owner); `age_of(entity, now)` peeks for the
    oldest active message, asked only where something is active.

    Throttled namespaces report zeros (§4.2): operators should alert on 'unknown', not on 0.
    """
    out = []
    for queue in topology.queues:
        props = admin.get_queue_runtime_properties(queue)
        age = age_of(queue, now) if props.active_message_count else None
        out.append(
            EntityCounts(
                queue,
                "queue",
                props.active_message_count,
                props.dead_letter_message_count,
                props.scheduled_message_count,
                age,
            )
        )
    for entity in topology.subscriptions:
        topic, sub = split_entity(entity)
        props = admin.get_subscription_runtime_properties(topic, sub)
        age = age_of(entity, now) if props.active_message_count else None
        out.append(
            EntityCounts(
                entity, "subscription", props.active_message_count, props.dead_letter_message_count, None, age
            )
        )
    for topic in topology.topics:
        props = admin.get_topic_runtime_properties(topic)
        out.append(EntityCounts(topic, "topic", None, None, props.scheduled_message_count, None))
    return out


def ensure_entities(admin: ServiceBusAdministrationClient, topology: Topology) -> None:
    """Create missing queues, topics and subscriptions with design.md's properties and filters
    (a fresh namespace for the contract suite; in Azure, infra/ creates them)."""
    p = topology.policy
    options = {
        "max_delivery_count": p.max_delivery_count,
        "lock_duration": p.lock_duration,
        "default_message_time_to_live": p.default_ttl,
        "dead_lettering_on_message_expiration": p.dead_letter_on_expiry,
    }
    dedupe = {
        "requires_duplicate_detection": True,
        "duplicate_detection_history_time_window": p.duplicate_detection_window,
    }
    for queue in topology.queues:
        if not _exists(admin.get_queue, queue):
            admin.create_queue(queue, **options, **dedupe)
    for topic, subscriptions in topology.topics.items():
        if not _exists(admin.get_topic, topic):
            admin.create_topic(topic, default_message_time_to_live=p.default_ttl, **dedupe)
        for sub in subscriptions:
            if not _exists(admin.get_subscription, topic, sub):
                admin.create_subscription(topic, sub, **options)
                admin.delete_rule(topic, sub, "$Default")
                admin.create_rule(topic, sub, "loket-target", filter=SqlRuleFilter(sql_filter(sub)))


def _exists(get: Callable, *names: str) -> bool:
    try:
        get(*names)
    except ResourceNotFoundError:
        return False
    return True


def drain(client: ServiceBusClient, topology: Topology) -> int:
    """Receive-and-delete everything, DLQs included, and cancel scheduled messages; returns how many."""
    removed = 0
    for entity in (*topology.queues, *topology.subscriptions):
        topic, sub = split_entity(entity)
        for sub_queue in (None, ServiceBusSubQueue.DEAD_LETTER):
            options = {"receive_mode": ServiceBusReceiveMode.RECEIVE_AND_DELETE, "sub_queue": sub_queue}
            get = (
                client.get_queue_receiver(topic, **options)
                if sub is None
                else (client.get_subscription_receiver(topic, sub, **options))
            )
            with get as receiver:
                while batch := receiver.receive_messages(max_message_count=100, max_wait_time=1):
                    removed += len(batch)
    for entity in (*topology.queues, *topology.topics):
        removed += _cancel_scheduled(client, topology, entity)
    return removed


def _cancel_scheduled(client: ServiceBusClient, topology: Topology, entity: str) -> int:
    if entity in topology.topics:
        return 0  # a topic cannot be peeked; scheduled topic messages fan out and are drained next run
    with client.get_queue_receiver(entity) as receiver:
        scheduled = [
            m.sequence_number
            for m in receiver.peek_messages(max_message_count=250, sequence_number=1)
            if m.state == ServiceBusMessageState.SCHEDULED
        ]
    if scheduled:
        with client.get_queue_sender(entity) as sender:
            sender.cancel_scheduled_messages(scheduled)
    return len(scheduled)
