"""The embedded bus: Service Bus semantics (peek-lock, DLQ, dedupe, schedule, TTL, topics) on SQLite."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from errors import PermanentError
from handlers.ports.bus import (
    MAX_DELIVERY_REASON,
    EntityCounts,
    LockLostError,
    OutgoingMessage,
    ReceivedMessage,
    Resubmitted,
)
from handlers.ports.clock import Clock

from .embedded_sweep import TRAFFIC_KEEP_MINUTES, count_traffic, fan_out, insert, promote_scheduled, sweep
from .entities import Topology
from .resubmit import resubmit_clone
from .sqlite_store import BusFile, from_epoch, to_epoch, to_message

log = logging.getLogger(__name__)
POLL_SECONDS = 0.05


class EmbeddedBus:
    """A MessageBus on `<data dir>/bus.db`; any number of processes may open the same file."""

    def __init__(self, data_dir: Path, topology: Topology, clock: Clock) -> None:
        self.topology = topology
        self.clock = clock
        self._file = BusFile(data_dir)
        with self._file.write() as conn:
            for queue in topology.queues:
                conn.execute("INSERT OR IGNORE INTO entity VALUES (?, 'queue')", (queue,))
            for topic in topology.topics:
                conn.execute("INSERT OR IGNORE INTO entity VALUES (?, 'topic')", (topic,))
            for sub in topology.subscriptions:
                conn.execute("INSERT OR IGNORE INTO entity VALUES (?, 'subscription')", (sub,))

    @property
    def path(self) -> Path:
        return self._file.path

    def _now(self) -> float:
        return to_epoch(self.clock.now())

    def publish(self, entity: str, messages: Sequence[OutgoingMessage]) -> None:
        self.topology.publishable(entity)
        window = self.topology.policy.duplicate_detection_window.total_seconds()
        with self._file.write() as conn:
            now = self._now()
            conn.execute("DELETE FROM seen WHERE entity = ? AND seen_at <= ?", (entity, now - window))
            for message in messages:
                seen = conn.execute(
                    "INSERT OR IGNORE INTO seen VALUES (?, ?, ?)", (entity, message.message_id, now)
                )
                if seen.rowcount == 0:
                    log.info("duplicate dropped", extra={"entity": entity, "message_id": message.message_id})
                    continue
                self._enqueue(conn, entity, message, now)

    def _enqueue(self, conn, entity: str, message: OutgoingMessage, now: float) -> None:
        enqueued = to_epoch(message.scheduled_enqueue_time) if message.scheduled_enqueue_time else now
        ttl = self.topology.policy.default_ttl
        if message.time_to_live is not None:
            ttl = min(ttl, message.time_to_live)
        values = (
            message.message_id,
            message.subject,
            message.content_type,
            message.correlation_id,
            json.dumps(dict(message.application_properties)),
            message.body_bytes(),
            max(enqueued, now),
            max(enqueued, now) + ttl.total_seconds(),
        )
        if entity in self.topology.topics and enqueued <= now:
            fan_out(conn, self.topology, entity, values)
        else:  # a queue, or a scheduled topic message that fans out when due
            insert(conn, entity, values)

    def receive(
        self, entity: str, *, max_messages: int = 1, max_wait: float = 0.0, dead_letter: bool = False
    ) -> list[ReceivedMessage]:
        self.topology.receivable(entity)
        deadline = time.monotonic() + max_wait
        while True:
            got = self._lock_batch(entity, max_messages, dead_letter)
            if got or time.monotonic() >= deadline:
                return got
            time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))

    def _lock_batch(self, entity: str, max_messages: int, dead_letter: bool) -> list[ReceivedMessage]:
        lock = self.topology.policy.lock_duration.total_seconds()
        with self._file.write(durable=False) as conn:  # a lost lock after power loss just redelivers
            now = self._now()
            sweep(conn, self.topology, entity, now)
            rows = conn.execute(
                "UPDATE message SET lock_token = ? || '-' || seq, locked_until = ?,"
                " delivery_count = delivery_count + 1 WHERE seq IN (SELECT seq FROM message"
                " WHERE entity = ? AND dead_letter = ? AND enqueued_at <= ?"
                " AND (locked_until IS NULL OR locked_until <= ?) ORDER BY seq LIMIT ?) RETURNING *",
                (uuid.uuid4().hex, now + lock, entity, int(dead_letter), now, now, max_messages),
            ).fetchall()
        return sorted((to_message(r) for r in rows), key=lambda m: m.sequence_number)

    def _settle(self, message: ReceivedMessage, sql: str, args: tuple = ()) -> None:
        """Run one settlement on a message whose lock still holds, else LockLostError."""
        with self._file.write(durable=False) as conn:
            done = conn.execute(
                f"{sql} WHERE seq = ? AND lock_token = ? AND locked_until > ?",  # noqa: S608 - fixed sql
                (*args, message.sequence_number, message.lock_token, self._now()),
            )
            if done.rowcount == 0:
                raise LockLostError(f"lock lost on message {message.sequence_number} of {message.entity}")

    def complete(self, message: ReceivedMessage) -> None:
        with self._file.write(durable=False) as conn:
            self._settle(message, "DELETE FROM message")
            if not message.from_dead_letter:
                count_traffic(conn, message.entity, self._now(), outgoing=1)

    def traffic(self, since: dt.datetime) -> dict[str, tuple[int, int]]:
        """Messages in and out per entity from `since` (whole minutes) to now; old minutes are pruned."""
        first = int(to_epoch(since) // 60)
        with self._file.write(durable=False) as conn:
            oldest_kept = int(self._now() // 60) - TRAFFIC_KEEP_MINUTES
            conn.execute("DELETE FROM traffic WHERE minute < ?", (oldest_kept,))
            rows = conn.execute(
                "SELECT entity, sum(incoming), sum(outgoing) FROM traffic WHERE minute >= ? GROUP BY entity",
                (first,),
            ).fetchall()
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}

    def abandon(self, message: ReceivedMessage) -> None:
        max_count = self.topology.policy.max_delivery_count
        if not message.from_dead_letter and message.delivery_count >= max_count:
            description = f"Message could not be consumed after {max_count} delivery attempts."
            self.dead_letter(message, MAX_DELIVERY_REASON, description)
            return
        self._settle(message, "UPDATE message SET lock_token = NULL, locked_until = NULL")

    def dead_letter(self, message: ReceivedMessage, reason: str, description: str = "") -> None:
        if message.from_dead_letter:
            raise PermanentError("a dead letter cannot be dead-lettered again", reason="AlreadyDeadLettered")
        self._settle(
            message,
            "UPDATE message SET dead_letter = 1, dl_reason = ?, dl_description = ?, lock_token = NULL,"
            " locked_until = NULL",
            (reason, description),
        )

    def renew_lock(self, message: ReceivedMessage) -> dt.datetime:
        until = self._now() + self.topology.policy.lock_duration.total_seconds()
        self._settle(message, "UPDATE message SET locked_until = ?", (until,))
        return from_epoch(until)

    def peek(
        self, entity: str, *, max_messages: int = 10, dead_letter: bool = False
    ) -> list[ReceivedMessage]:
        self.topology.receivable(entity)
        with self._file.write() as conn:
            now = self._now()
            sweep(conn, self.topology, entity, now)
            rows = conn.execute(
                "SELECT * FROM message WHERE entity = ? AND dead_letter = ? AND enqueued_at <= ?"
                " ORDER BY seq LIMIT ?",
                (entity, int(dead_letter), now, max_messages),
            ).fetchall()
        return [to_message(r, locked=False) for r in rows]

    def counts(self) -> list[EntityCounts]:
        with self._file.write() as conn:
            now = self._now()
            out = [
                self._entity_counts(conn, e, now)
                for e in (*self.topology.queues, *self.topology.subscriptions)
            ]
            for topic in self.topology.topics:
                promote_scheduled(conn, self.topology, topic, now)
                (scheduled,) = conn.execute(
                    "SELECT count(*) FROM message WHERE entity = ? AND dead_letter = 0", (topic,)
                ).fetchone()
                out.append(EntityCounts(topic, "topic", None, None, scheduled, None))
        return out

    def _entity_counts(self, conn, entity: str, now: float) -> EntityCounts:
        sweep(conn, self.topology, entity, now)
        row = conn.execute(
            "SELECT coalesce(sum(dead_letter = 0 AND enqueued_at <= :now), 0),"
            " coalesce(sum(dead_letter = 1), 0), coalesce(sum(dead_letter = 0 AND enqueued_at > :now), 0),"
            " min(CASE WHEN dead_letter = 0 AND enqueued_at <= :now THEN enqueued_at END)"
            " FROM message WHERE entity = :entity",
            {"now": now, "entity": entity},
        ).fetchone()
        oldest = None if row[3] is None else dt.timedelta(seconds=max(0.0, now - row[3]))
        is_queue = entity in self.topology.queues
        return EntityCounts(
            entity,
            "queue" if is_queue else "subscription",
            row[0],
            row[1],
            row[2] if is_queue else None,
            oldest,
        )

    def resubmit(self, message: ReceivedMessage) -> Resubmitted:
        """Publish the clone and complete the dead letter in one transaction (exactly once here)."""
        if not message.from_dead_letter:
            raise PermanentError("only a message received from a dead-letter queue can be resubmitted")
        target, clone = resubmit_clone(message)
        with self._file.write():  # re-entrant: publish and complete commit together
            self.publish(target, [clone])
            self.complete(message)
        return Resubmitted(message.entity, message.message_id, clone.message_id, target)

    def close(self) -> None:
        self._file.close()
