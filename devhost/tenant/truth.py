"""The ground truth of simulated days: every run and every contact it generated, with what Loket
should make of it. In the tenant's own SQLite file, so killing or resetting the host never loses it."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS sim_runs (id TEXT PRIMARY KEY, body TEXT);
CREATE TABLE IF NOT EXISTS sim_truth (run TEXT, seq INTEGER, channel TEXT, scenario TEXT, body TEXT,
    PRIMARY KEY (run, seq));
"""


class TruthStore:
    """Runs and their expected contacts; a connection of its own to `<data dir>/tenant.db`."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def put_run(self, run: dict) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO sim_runs VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body",
                (run["id"], json.dumps(run)),
            )

    def run(self, run_id: str) -> dict | None:
        with self._lock:
            row = self._db.execute("SELECT body FROM sim_runs WHERE id = ?", (run_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def runs(self) -> list[dict]:
        with self._lock:
            rows = self._db.execute("SELECT body FROM sim_runs ORDER BY rowid").fetchall()
        return [json.loads(r[0]) for r in rows]

    def add(self, run_id: str, seq: int, expect: dict) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO sim_truth VALUES (?, ?, ?, ?, ?)",
                (run_id, seq, expect["channel"], expect["scenario"], json.dumps(expect)),
            )

    def truth(self, run_id: str) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM sim_truth WHERE run = ? ORDER BY seq", (run_id,)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]
