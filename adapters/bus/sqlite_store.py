"""The embedded bus's SQLite file: schema, connection settings, one-writer transactions, row mapping."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from handlers.ports.bus import ReceivedMessage

BUS_FILE = "bus.db"
BUSY_TIMEOUT_MS = 30_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS entity (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL                     -- queue | topic | subscription
);
CREATE TABLE IF NOT EXISTS message (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, -- the sequence number, never reused
    entity TEXT NOT NULL,                  -- QUEUE, TOPIC/SUBSCRIPTION, or TOPIC while scheduled
    dead_letter INTEGER NOT NULL DEFAULT 0,
    message_id TEXT NOT NULL,
    subject TEXT,
    content_type TEXT,
    correlation_id TEXT,
    properties TEXT NOT NULL,              -- JSON object, str keys
    body BLOB NOT NULL,
    enqueued_at REAL NOT NULL,             -- epoch seconds, in the future while scheduled
    expires_at REAL,
    delivery_count INTEGER NOT NULL DEFAULT 0,
    lock_token TEXT,
    locked_until REAL,
    dl_reason TEXT,
    dl_description TEXT
);
CREATE INDEX IF NOT EXISTS message_by_entity ON message (entity, dead_letter, seq);
CREATE INDEX IF NOT EXISTS message_by_lock ON message (entity, locked_until) WHERE locked_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS message_by_expiry ON message (entity, expires_at) WHERE dead_letter = 0;
CREATE TABLE IF NOT EXISTS seen (            -- duplicate detection: last time a message id was sent
    entity TEXT NOT NULL,
    message_id TEXT NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (entity, message_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_by_time ON seen (entity, seen_at);
CREATE TABLE IF NOT EXISTS traffic (         -- messages in and out per entity and minute (operators)
    entity TEXT NOT NULL,
    minute INTEGER NOT NULL,               -- epoch seconds // 60
    incoming INTEGER NOT NULL DEFAULT 0,
    outgoing INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (entity, minute)
) WITHOUT ROWID;
"""


class BusFile:
    """One connection to `<data dir>/bus.db`, shared by the threads of one process (serialised).

    WAL lets readers in other processes go on while one writes; every change runs in BEGIN
    IMMEDIATE, so two processes never interleave a read-then-update (two consumers can never lock
    the same message), and waits up to the busy timeout instead of failing at once.
    """

    def __init__(self, data_dir: Path) -> None:
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / BUS_FILE
        self._conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        self._conn.row_factory = sqlite3.Row
        self._mutex = threading.RLock()
        self._depth = 0
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")  # a published contact survives power loss too
        self._durable = True
        with self.write() as conn:
            for statement in SCHEMA.split(";"):  # executescript would commit the transaction
                if statement.strip():
                    conn.execute(statement)

    @contextlib.contextmanager
    def write(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: committed on success, rolled back on any exception.

        `durable=False` (settlements) skips the fsync at commit: a process crash still keeps it, and
        power loss can only undo a settlement, which redelivers (at-least-once holds). What is
        published is always fsynced. Re-entrant within a thread: a nested `write()` joins the outer one.
        """
        with self._mutex:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            if durable != self._durable:
                self._conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
                self._durable = durable
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def close(self) -> None:
        with self._mutex:
            self._conn.close()


def to_epoch(moment: dt.datetime) -> float:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the bus only takes timezone-aware times")
    return moment.timestamp()


def from_epoch(seconds: float | None) -> dt.datetime | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)


def to_message(row: sqlite3.Row, *, locked: bool = True) -> ReceivedMessage:
    """A row as the port's ReceivedMessage (without the lock for a peek)."""
    return ReceivedMessage(
        entity=row["entity"],
        message_id=row["message_id"],
        body=bytes(row["body"]),
        subject=row["subject"],
        application_properties=json.loads(row["properties"]),
        content_type=row["content_type"],
        correlation_id=row["correlation_id"],
        delivery_count=row["delivery_count"],
        enqueued_time=from_epoch(row["enqueued_at"]),
        sequence_number=row["seq"],
        lock_token=row["lock_token"] if locked else None,
        locked_until=from_epoch(row["locked_until"]) if locked else None,
        expires_at=from_epoch(row["expires_at"]),
        dead_letter_reason=row["dl_reason"],
        dead_letter_description=row["dl_description"],
        from_dead_letter=bool(row["dead_letter"]),
    )
