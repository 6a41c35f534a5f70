"""The bus port on Azure Service Bus (azure-servicebus 7.15): identity or connection-string auth."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence

from azure.servicebus import (
    ServiceBusClient,
    ServiceBusReceivedMessage,
    ServiceBusReceiveMode,
    ServiceBusSubQueue,
)
from azure.servicebus.management import ServiceBusAdministrationClient

from errors import PermanentError
from handlers.ports.bus import EntityCounts, LockLostError, OutgoingMessage, ReceivedMessage, Resubmitted
from handlers.ports.clock import Clock
from settings import Settings

from . import servicebus_admin as admin_ops
from .entities import Topology, split_entity
from .resubmit import resubmit_clone
from .servicebus_convert import from_sdk, to_sdk, translated

MIN_WAIT = 0.5  # the SDK treats a falsy max_wait_time as "wait until the link closes"


class ServiceBusBus:
    """A MessageBus on a namespace. Receivers stay open so that a lock can be settled after receive.

    SDK senders and receivers are not thread-safe: each has its own lock, so a receive waiting on one
    entity never holds up a publish or a settlement elsewhere; peeks use receivers of their own.
    """

    def __init__(
        self,
        client: ServiceBusClient,
        admin: ServiceBusAdministrationClient,
        topology: Topology,
        clock: Clock,
    ) -> None:
        self.client, self.admin, self.topology, self.clock = client, admin, topology, clock
        self._lock = threading.RLock()  # guards the dictionaries below, never held during I/O
        self._handler_locks: dict[int, threading.RLock] = {}
        self._senders: dict[str, object] = {}
        self._receivers: dict[tuple[str, bool, str], object] = {}  # (entity, dead letter?, purpose)
        self._inflight: dict[str, tuple[object, ServiceBusReceivedMessage]] = {}

    @classmethod
    def from_settings(cls, settings: Settings, topology: Topology, clock: Clock) -> ServiceBusBus:
        """`ServiceBusConnection` (a connection string) wins; else the namespace with DefaultAzureCredential,
        `ServiceBusConnection__clientId` picking the user-assigned managed identity."""
        if settings.servicebus_connection_string:
            return cls.from_connection_string(settings.servicebus_connection_string, topology, clock)
        from azure.identity import DefaultAzureCredential

        credential = DefaultAzureCredential(managed_identity_client_id=settings.servicebus_client_id)
        namespace = settings.servicebus_namespace
        return cls(
            ServiceBusClient(namespace, credential, retry_total=3, retry_mode="exponential"),
            ServiceBusAdministrationClient(namespace, credential),
            topology,
            clock,
        )

    @classmethod
    def from_connection_string(cls, connection: str, topology: Topology, clock: Clock) -> ServiceBusBus:
        """A namespace's SAS connection string, or the emulator's (`UseDevelopmentEmulator=true`)."""
        client = ServiceBusClient.from_connection_string(connection, retry_total=3, retry_mode="exponential")
        return cls(client, admin_ops.admin_from_connection_string(connection), topology, clock)

    def _sender(self, entity: str):
        if entity not in self._senders:
            get = (
                self.client.get_queue_sender
                if entity in self.topology.queues
                else self.client.get_topic_sender
            )
            self._senders[entity] = get(entity)
        return self._senders[entity]

    def _using(self, handler) -> threading.RLock:
        with self._lock:
            return self._handler_locks.setdefault(id(handler), threading.RLock())

    def _peeker(self, entity: str, dead_letter: bool):
        return self._receiver(entity, dead_letter, purpose="peek")

    def _receiver(self, entity: str, dead_letter: bool, purpose: str = "receive"):
        key = (entity, dead_letter, purpose)
        with self._lock:
            if key not in self._receivers:
                self._receivers[key] = self._open_receiver(entity, dead_letter)
            return self._receivers[key]

    def _open_receiver(self, entity: str, dead_letter: bool):
        topic, subscription = split_entity(entity)
        options = {
            "receive_mode": ServiceBusReceiveMode.PEEK_LOCK,
            "prefetch_count": 0,  # prefetched messages would hold locks nobody is working on
            "sub_queue": ServiceBusSubQueue.DEAD_LETTER if dead_letter else None,
        }
        if subscription is None:
            return self.client.get_queue_receiver(topic, **options)
        return self.client.get_subscription_receiver(topic, subscription, **options)

    def publish(self, entity: str, messages: Sequence[OutgoingMessage]) -> None:
        self.topology.publishable(entity)
        with self._lock:
            sender = self._sender(entity)
        with self._using(sender), translated("publish", entity):
            sender.send_messages([to_sdk(m) for m in messages])

    def receive(
        self, entity: str, *, max_messages: int = 1, max_wait: float = 0.0, dead_letter: bool = False
    ) -> list[ReceivedMessage]:
        self.topology.receivable(entity)
        receiver = self._receiver(entity, dead_letter)
        with self._using(receiver), translated("receive", entity):
            got = receiver.receive_messages(
                max_message_count=max_messages, max_wait_time=max(max_wait, MIN_WAIT)
            )
        out = [from_sdk(msg, entity, dead_letter=dead_letter, locked=True) for msg in got]
        with self._lock:
            self._forget_expired()
            for message, msg in zip(out, got, strict=True):
                self._inflight[message.lock_token] = (receiver, msg)
        return out

    def _forget_expired(self) -> None:
        """Drop messages whose lock ran out unsettled: the broker redelivers them under a new token."""
        now = self.clock.now()
        for token, (_, msg) in list(self._inflight.items()):
            if msg.locked_until_utc is not None and msg.locked_until_utc < now - dt.timedelta(minutes=5):
                del self._inflight[token]

    def _held(self, message: ReceivedMessage) -> tuple[object, ServiceBusReceivedMessage]:
        with self._lock:
            held = self._inflight.get(message.lock_token or "")
        if held is None:
            raise LockLostError(f"no lock held on a message of {message.entity} (peeked or settled)")
        return held

    def _settle(self, operation: str, message: ReceivedMessage, **kwargs: str) -> None:
        receiver, msg = self._held(message)
        with self._using(receiver), translated(operation, message.entity):
            getattr(receiver, f"{operation}_message")(msg, **kwargs)
        with self._lock:
            self._inflight.pop(message.lock_token, None)

    def complete(self, message: ReceivedMessage) -> None:
        self._settle("complete", message)

    def abandon(self, message: ReceivedMessage) -> None:
        self._settle("abandon", message)

    def dead_letter(self, message: ReceivedMessage, reason: str, description: str = "") -> None:
        if message.from_dead_letter:
            raise PermanentError("a dead letter cannot be dead-lettered again", reason="AlreadyDeadLettered")
        self._settle("dead_letter", message, reason=reason, error_description=description)

    def renew_lock(self, message: ReceivedMessage) -> dt.datetime:
        receiver, msg = self._held(message)
        with self._using(receiver), translated("renew_lock", message.entity):
            return receiver.renew_message_lock(msg)

    def peek(
        self, entity: str, *, max_messages: int = 10, dead_letter: bool = False
    ) -> list[ReceivedMessage]:
        self.topology.receivable(entity)
        peeker = self._peeker(entity, dead_letter)
        with self._using(peeker), translated("peek", entity):
            msgs = admin_ops.peek_active(peeker, max_messages)
            return [from_sdk(m, entity, dead_letter=dead_letter, locked=False) for m in msgs]

    def counts(self) -> list[EntityCounts]:
        with self._using(self.admin), translated("counts", "namespace"):
            return admin_ops.counts(self.admin, self.topology, self._peek_age, self.clock.now())

    def _peek_age(self, entity: str, now: dt.datetime) -> dt.timedelta | None:
        peeker = self._peeker(entity, False)
        with self._using(peeker):
            return admin_ops.oldest_active_age(peeker, now)

    def resubmit(self, message: ReceivedMessage) -> Resubmitted:
        """Send the clone first, then complete the dead letter: a crash between them duplicates, never loses
        (and the clone's deterministic id lets duplicate detection drop the second copy)."""
        if not message.from_dead_letter:
            raise PermanentError("only a message received from a dead-letter queue can be resubmitted")
        target, clone = resubmit_clone(message)
        self.publish(target, [clone])
        self.complete(message)
        return Resubmitted(message.entity, message.message_id, clone.message_id, target)

    def drain(self) -> int:
        """Empty every entity, its DLQ and scheduled messages (contract tests on a shared namespace only)."""
        with self._lock, translated("drain", "namespace"):
            return admin_ops.drain(self.client, self.topology)

    def close(self) -> None:
        with self._lock:
            for handler in (*self._receivers.values(), *self._senders.values()):
                handler.close()
            self._receivers.clear()
            self._senders.clear()
            self._inflight.clear()
            self.client.close()
            self.admin.close()
