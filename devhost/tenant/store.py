"""The simulated tenant's ground truth: one SQLite file (`<data dir>/tenant.db`) it alone writes.

Kept apart from Loket's own data so that killing or resetting the host never loses what the tenant
generated. Plain sqlite3, one connection, a lock: the tenant is a single small process.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS folders (mailbox TEXT, id TEXT, well_known TEXT, parent_id TEXT,
    display_name TEXT, PRIMARY KEY (mailbox, id));
CREATE TABLE IF NOT EXISTS messages (mailbox TEXT, id TEXT, folder_id TEXT, body TEXT, received TEXT,
    seq INTEGER, removed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (mailbox, id));
CREATE TABLE IF NOT EXISTS call_records (id TEXT PRIMARY KEY, version INTEGER, start TEXT, body TEXT,
    options TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS subscriptions (id TEXT PRIMARY KEY, body TEXT);
CREATE TABLE IF NOT EXISTS deliveries (n INTEGER PRIMARY KEY AUTOINCREMENT, subscription_id TEXT,
    kind TEXT, resource TEXT, status INTEGER, at TEXT);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, upn TEXT UNIQUE, body TEXT);
"""


class TenantStore:
    """Rows are JSON documents in Graph's own shape; the routes shape answers from them."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def _all(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _run(self, sql: str, args: tuple = ()) -> None:
        with self._lock:
            self._db.execute(sql, args)

    # -- meta ------------------------------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        rows = self._all("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def set_meta(self, key: str, value: str) -> None:
        self._run(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def next_seq(self) -> int:
        with self._lock:
            row = self._db.execute(
                "INSERT INTO meta VALUES ('seq', '1') ON CONFLICT(key) DO UPDATE "
                "SET value = CAST(value AS INTEGER) + 1 RETURNING value"
            ).fetchone()
        return int(row[0])

    # -- users (the directory: object id and UPN name the same mailbox) --------------------------
    def put_user(self, user: dict) -> None:
        self._run(
            "INSERT INTO users VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE "
            "SET upn = excluded.upn, body = excluded.body",
            (user["id"].lower(), user["userPrincipalName"].lower(), json.dumps(user)),
        )

    def user(self, id_or_upn: str) -> dict | None:
        key = id_or_upn.strip().lower()
        rows = self._all("SELECT body FROM users WHERE id = ? OR upn = ?", (key, key))
        return json.loads(rows[0][0]) if rows else None

    # -- folders ---------------------------------------------------------------------------------
    def folders(self, mailbox: str) -> list[dict]:
        rows = self._all(
            "SELECT id, well_known, parent_id, display_name FROM folders WHERE mailbox = ?", (mailbox,)
        )
        return [dict(zip(("id", "well_known", "parent_id", "display_name"), r, strict=True)) for r in rows]

    def add_folder(
        self, mailbox: str, folder_id: str, well_known: str | None, parent_id: str, display_name: str
    ) -> None:
        self._run(
            "INSERT OR IGNORE INTO folders VALUES (?, ?, ?, ?, ?)",
            (mailbox, folder_id, well_known, parent_id, display_name),
        )

    # -- messages --------------------------------------------------------------------------------
    def put_message(self, mailbox: str, message: dict) -> int:
        seq = self.next_seq()
        self._run(
            "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, 0) ON CONFLICT(mailbox, id) DO UPDATE "
            "SET folder_id = excluded.folder_id, body = excluded.body, seq = excluded.seq, removed = 0",
            (
                mailbox,
                message["id"],
                message["parentFolderId"],
                json.dumps(message),
                message.get("receivedDateTime") or "",
                seq,
            ),
        )
        return seq

    def remove_message(self, mailbox: str, message_id: str) -> bool:
        seq = self.next_seq()
        with self._lock:
            cur = self._db.execute(
                "UPDATE messages SET removed = 1, seq = ? WHERE mailbox = ? AND id = ?",
                (seq, mailbox, message_id),
            )
        return cur.rowcount > 0

    def message(self, mailbox: str, message_id: str) -> dict | None:
        rows = self._all(
            "SELECT body FROM messages WHERE mailbox = ? AND id = ? AND removed = 0", (mailbox, message_id)
        )
        return json.loads(rows[0][0]) if rows else None

    def folder_changes(self, mailbox: str, folder_id: str, after_seq: int) -> list[tuple[int, bool, dict]]:
        """(seq, removed, message) of a folder's messages changed after `after_seq`, oldest first."""
        rows = self._all(
            "SELECT seq, removed, body FROM messages WHERE mailbox = ? AND folder_id = ? "
            "AND seq > ? ORDER BY seq",
            (mailbox, folder_id, after_seq),
        )
        return [(seq, bool(removed), json.loads(body)) for seq, removed, body in rows]

    # -- call records ----------------------------------------------------------------------------
    def put_call_record(self, record: dict, options: dict) -> None:
        self._run(
            "INSERT INTO call_records VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "version = excluded.version, start = excluded.start, body = excluded.body, "
            "options = excluded.options",
            (
                record["id"],
                record["version"],
                record.get("startDateTime") or "",
                json.dumps(record),
                json.dumps(options),
            ),
        )

    def call_record(self, record_id: str) -> tuple[dict, dict] | None:
        rows = self._all("SELECT body, options FROM call_records WHERE id = ?", (record_id,))
        return (json.loads(rows[0][0]), json.loads(rows[0][1])) if rows else None

    def call_records(self) -> list[dict]:
        return [json.loads(r[0]) for r in self._all("SELECT body FROM call_records ORDER BY start, id")]

    # -- subscriptions and deliveries ------------------------------------------------------------
    def put_subscription(self, sub: dict) -> None:
        self._run(
            "INSERT INTO subscriptions VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body",
            (sub["id"], json.dumps(sub)),
        )

    def subscription(self, sub_id: str) -> dict | None:
        rows = self._all("SELECT body FROM subscriptions WHERE id = ?", (sub_id,))
        return json.loads(rows[0][0]) if rows else None

    def subscriptions(self) -> list[dict]:
        return [json.loads(r[0]) for r in self._all("SELECT body FROM subscriptions ORDER BY rowid")]

    def delete_subscription(self, sub_id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM subscriptions WHERE id = ?", (sub_id,)).rowcount > 0

    def record_delivery(self, sub_id: str, kind: str, resource: str, status: int, at: str) -> None:
        self._run(
            "INSERT INTO deliveries (subscription_id, kind, resource, status, at) VALUES (?, ?, ?, ?, ?)",
            (sub_id, kind, resource, status, at),
        )

    def deliveries(self) -> list[dict]:
        rows = self._all("SELECT subscription_id, kind, resource, status, at FROM deliveries ORDER BY n")
        return [
            dict(zip(("subscriptionId", "kind", "resource", "status", "at"), r, strict=True)) for r in rows
        ]
