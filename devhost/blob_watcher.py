"""The blob trigger for the local host: poll a source, trigger each new blob once, retry with back-off."""
from __future__ import annotations

import datetime as dt
import logging
import re
import sqlite3
import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from azure.functions.blob import InputStream

from devhost.function_index import BlobSpec, IndexedFunction
from devhost.host_blob_sources import BlobEntry, BlobSource
from devhost.host_invoke import invoke
from devhost.timers import NowClock

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # the Functions host's blob trigger tries five times, then reports a poison blob
BACKOFF_SECONDS = (2, 10, 30, 60)
POLL_SECONDS = 0.5

_SCHEMA = """CREATE TABLE IF NOT EXISTS receipt (
    function TEXT NOT NULL, name TEXT NOT NULL, etag TEXT NOT NULL,
    status TEXT NOT NULL,            -- done | failed | poison
    attempts INTEGER NOT NULL, next_attempt REAL, error TEXT,
    PRIMARY KEY (function, name, etag))"""


def blob_pattern(spec: BlobSpec) -> re.Pattern[str]:
    """`scanned-post/{name}` -> a regex over names inside the container (`{x}` may span folders)."""
    _, _, rest = spec.path.partition("/")
    parts = re.split(r"(\{[^}]+\})", rest or "{name}")
    regex = "".join(f"(?P<{p[1:-1]}>.+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(regex)


@dataclass(frozen=True)
class Failure:
    function: str
    name: str
    attempts: int
    status: str
    error: str | None


class Receipts:
    """What was triggered, per function, blob name and version: a restart never re-triggers a blob."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute(_SCHEMA)

    def due(self, function: str, entry: BlobEntry, now: float) -> tuple[bool, int]:
        """Whether to trigger now, and how many attempts were made before."""
        with self._lock:
            row = self._conn.execute(
                "SELECT status, attempts, next_attempt FROM receipt WHERE function=? AND name=? AND etag=?",
                (function, entry.name, entry.etag)).fetchone()
        if row is None:
            return True, 0
        status, attempts, next_attempt = row
        return status == "failed" and (next_attempt or 0) <= now, attempts

    def record(self, function: str, entry: BlobEntry, status: str, attempts: int,
               next_attempt: float | None = None, error: str | None = None) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO receipt VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (function, entry.name, entry.etag, status, attempts, next_attempt, error))

    def failures(self) -> list[Failure]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT function, name, attempts, status, error FROM receipt WHERE status != 'done'"
            ).fetchall()
        return [Failure(*row) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class BlobWatcher:
    """Triggers `function` for each blob of `source` that matches its path pattern.

    A blob is triggered once per version (name + ETag, or size + mtime for a file) and only once it
    stands still for one poll; a failed run is retried with back-off up to MAX_ATTEMPTS, then recorded
    as poison (see `failures()`), as the Functions host reports poison blobs.
    """

    def __init__(self, function: IndexedFunction, source: BlobSource, receipts: Receipts, clock: NowClock,
                 workers: int = 4, executor: Executor | None = None) -> None:
        assert isinstance(function.trigger, BlobSpec)
        self.function, self.source, self.receipts, self.clock = function, source, receipts, clock
        self._pattern = blob_pattern(function.trigger)
        self._pool = executor or ThreadPoolExecutor(workers, f"blob-{function.name}")
        self._seen: dict[str, str] = {}  # name -> etag at the previous poll (stability check)
        self._running: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        name = f"blob-watch-{self.function.name}"
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def halt(self) -> None:
        """Stop polling (nothing new is submitted); what runs goes on until `stop`."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def stop(self) -> None:
        self.halt()
        self._pool.shutdown(wait=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.scan()
            except Exception:  # noqa: BLE001 - an unreadable source now may be readable next poll
                log.exception("scanning blobs for %s failed", self.function.name)
            self._stop.wait(POLL_SECONDS)

    def scan(self) -> int:
        """One poll: submit every stable, matching, due blob; returns how many were submitted."""
        now = self.clock.now().timestamp()
        current = {e.name: e for e in self.source.list() if self._pattern.fullmatch(e.name)}
        stable = [e for e in current.values() if self._seen.get(e.name) == e.etag]
        self._seen = {name: e.etag for name, e in current.items()}
        submitted = 0
        for entry in stable:
            key = (entry.name, entry.etag)
            due, attempts = self.receipts.due(self.function.name, entry, now)
            with self._lock:
                if not due or key in self._running:
                    continue
                self._running.add(key)
            self._pool.submit(self._run, entry, attempts)
            submitted += 1
        return submitted

    def _run(self, entry: BlobEntry, attempts: int) -> None:
        try:
            data, properties = self.source.read(entry.name)
            stream = InputStream(data=data, name=f"{self.source.container}/{entry.name}", length=len(data),
                                 uri=self.source.uri(entry.name), blob_properties=properties, metadata={})
            invoke(self.function, {self.function.trigger_arg: stream})
        except Exception as exc:  # noqa: BLE001 - recorded and retried, never lost
            self._failed(entry, attempts + 1, exc)
        else:
            self.receipts.record(self.function.name, entry, "done", attempts + 1)
            log.info("blob %s triggered %s", _hashed(entry.name), self.function.name,
                     extra={"function": self.function.name})
        finally:
            with self._lock:
                self._running.discard((entry.name, entry.etag))

    def _failed(self, entry: BlobEntry, attempts: int, exc: Exception) -> None:
        error = type(exc).__name__  # never the message: it may quote the letter
        if attempts >= MAX_ATTEMPTS:
            self.receipts.record(self.function.name, entry, "poison", attempts, None, error)
            log.error("blob %s is poison after %d attempts (%s)", _hashed(entry.name), attempts, error,
                      extra={"function": self.function.name})
            return
        delay = BACKOFF_SECONDS[min(attempts - 1, len(BACKOFF_SECONDS) - 1)]
        next_attempt = (self.clock.now() + dt.timedelta(seconds=delay)).timestamp()
        self.receipts.record(self.function.name, entry, "failed", attempts, next_attempt, error)
        log.warning("blob %s failed in %s (%s), attempt %d; retrying in %ds", _hashed(entry.name),
                    self.function.name, error, attempts, delay, extra={"function": self.function.name})


def _hashed(name: str) -> str:
    """What a log line may say about a blob: a hash of its name (names often carry a citizen's name)."""
    import hashlib

    return "#" + hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:16]
