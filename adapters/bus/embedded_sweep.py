"""What Service Bus does on its own as time passes, done lazily inside each embedded-bus transaction.

Scheduled topic messages fan out when due; locks that expired after the last allowed delivery, and
messages whose time-to-live ran out, move to the dead-letter queue.
"""

from __future__ import annotations

import json
import sqlite3

from handlers.ports.bus import MAX_DELIVERY_REASON, TTL_EXPIRED_REASON

from .entities import Topology, split_entity, subscription_accepts

MESSAGE_COLUMNS = (
    "message_id, subject, content_type, correlation_id, properties, body, enqueued_at, expires_at"
)


def sweep(conn: sqlite3.Connection, topology: Topology, entity: str, now: float) -> None:
    """Bring one queue or subscription up to `now` (call inside a write transaction)."""
    topic, subscription = split_entity(entity)
    if subscription is not None:
        promote_scheduled(conn, topology, topic, now)
    policy = topology.policy
    conn.execute(
        "UPDATE message SET dead_letter = 1, dl_reason = ?, dl_description = ?, lock_token = NULL,"
        " locked_until = NULL WHERE entity = ? AND dead_letter = 0 AND locked_until <= ?"
        " AND delivery_count >= ?",
        (
            MAX_DELIVERY_REASON,
            f"Message could not be consumed after {policy.max_delivery_count} delivery attempts.",
            entity,
            now,
            policy.max_delivery_count,
        ),
    )
    expired = (
        "entity = ? AND dead_letter = 0 AND expires_at <= ? AND (locked_until IS NULL OR locked_until <= ?)"
    )
    if policy.dead_letter_on_expiry:
        conn.execute(
            "UPDATE message SET dead_letter = 1, dl_reason = ?, dl_description = ?, lock_token = NULL,"  # noqa: S608
            f" locked_until = NULL WHERE {expired}",
            (TTL_EXPIRED_REASON, "The message expired and was dead lettered.", entity, now, now),
        )
    else:
        conn.execute(f"DELETE FROM message WHERE {expired}", (entity, now, now))  # noqa: S608


def promote_scheduled(conn: sqlite3.Connection, topology: Topology, topic: str, now: float) -> None:
    """Scheduled messages wait in the topic (as in Azure); when due they reach each matching subscription."""
    due = conn.execute(
        f"SELECT seq, {MESSAGE_COLUMNS} FROM message"  # noqa: S608 - constant column list
        " WHERE entity = ? AND enqueued_at <= ? ORDER BY seq",
        (topic, now),
    ).fetchall()
    for row in due:
        fan_out(conn, topology, topic, tuple(row)[1:])
        conn.execute("DELETE FROM message WHERE seq = ?", (row["seq"],))


def fan_out(conn: sqlite3.Connection, topology: Topology, topic: str, values: tuple) -> None:
    """Insert one copy per subscription whose filter accepts the message's properties."""
    properties = json.loads(values[4])
    for subscription in topology.topics[topic]:
        if subscription_accepts(subscription, properties):
            insert(conn, f"{topic}/{subscription}", values)


def insert(conn: sqlite3.Connection, entity: str, values: tuple) -> None:
    conn.execute(
        f"INSERT INTO message (entity, {MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
        (entity, *values),
    )
    count_traffic(conn, entity, values[6], incoming=1)


TRAFFIC_KEEP_MINUTES = 120


def count_traffic(
    conn: sqlite3.Connection, entity: str, at: float, *, incoming: int = 0, outgoing: int = 0
) -> None:
    """Messages in and out per minute (what Azure Monitor's Incoming/OutgoingMessages give in Azure)."""
    conn.execute(
        "INSERT INTO traffic VALUES (?, ?, ?, ?) ON CONFLICT (entity, minute) DO UPDATE SET"
        " incoming = incoming + excluded.incoming, outgoing = outgoing + excluded.outgoing",
        (entity, int(at // 60), incoming, outgoing),
    )
