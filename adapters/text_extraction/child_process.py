"""TextExtractor that reads each PDF in a child process, killed when its time budget is spent.

Why a process: a thread cannot stop C code (pypdf's C helpers, PDFium, a regex) that holds the
interpreter, and while it holds it every other thread of the host waits: the webhook, the look-ups,
health and the SIGTERM handler (issue 15: one 59 KB PDF froze the local host). A child process can
be killed. Workers are started once and reused (spawning one per letter would cost more than reading
it); a killed worker is replaced at the next letter. The text is capped in the child, so a
60-million-character word never crosses the pipe.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from errors import ConfigurationError, PermanentError, TransientError
from handlers.letters import cap_text
from handlers.ports.text_extraction import ExtractedText, TextExtractor

log = logging.getLogger(__name__)

EXTRACTION_TIMEOUT = "extraction_timeout"
STARTUP_SECONDS = 60.0
_LIVE: weakref.WeakSet[ChildProcessExtractor] = weakref.WeakSet()


class ExtractionBudgetExceeded(TransientError):
    """The reader did not finish within its budget; its process was killed (see capture_letter)."""

    reason = EXTRACTION_TIMEOUT


class _Worker:
    def __init__(self, context: Any, factory: Callable[[], TextExtractor], max_chars: int) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, factory, max_chars),
                                       name="loket-text-extraction", daemon=True)
        self.aborted = False  # killed on purpose (the host stopping), not by the PDF
        self.process.start()
        child.close()
        # Starting a reader (an interpreter, pypdf, PDFium) is not the letter's time: wait for it apart.
        ready = False
        with contextlib.suppress(EOFError, OSError):
            ready = self.conn.poll(STARTUP_SECONDS) and self.conn.recv() == ("ready",)
        if not ready:
            self.kill()
            raise TransientError("the text reader process did not start")

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class ChildProcessExtractor:
    """`extract` as the inner reader's, run in one of `workers` child processes within `budget_seconds`.

    `factory` builds the inner reader in the child (a module-level function: it is pickled). Errors
    keep their kind across the pipe (PermanentError with its reason, TransientError,
    ConfigurationError); the budget spent is ExtractionBudgetExceeded (a TransientError with reason
    `extraction_timeout`). Waiting for a free worker does not count against the budget.
    """

    def __init__(self, factory: Callable[[], TextExtractor], *, budget_seconds: float, max_chars: int,
                 workers: int = 2) -> None:
        self.factory, self.budget, self.max_chars = factory, budget_seconds, max_chars
        self._context = multiprocessing.get_context("spawn")  # never fork a threaded host
        self._slots = threading.BoundedSemaphore(workers)
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        _LIVE.add(self)

    def extract(self, pdf: bytes) -> ExtractedText:
        with self._slots:
            worker = self._checkout()
            try:
                outcome = self._ask(worker, pdf)
            except BaseException:
                self._discard(worker)
                raise
            self._checkin(worker)
        return _result(outcome)

    def _ask(self, worker: _Worker, pdf: bytes) -> tuple:
        try:
            worker.conn.send_bytes(pdf)
            if not worker.conn.poll(self.budget):
                log.warning("text extraction over its %ss budget: reader killed", self.budget)
                raise ExtractionBudgetExceeded(f"text extraction took longer than {self.budget:g} s")
            return worker.conn.recv()
        except (EOFError, OSError) as exc:  # killed by abort()/close() (host stopping) or crashed in C code
            if self._closed or worker.aborted:
                raise TransientError("text extraction stopped: the host is stopping") from exc
            raise PermanentError("the PDF reader crashed on this file", reason="reader_crashed") from exc

    def _checkout(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise TransientError("text extraction stopped: the host is stopping")
            worker = self._idle.pop() if self._idle else None
        if worker is None or not worker.process.is_alive():
            worker = _Worker(self._context, self.factory, self.max_chars)
        with self._lock:
            if not self._closed:
                self._busy.add(worker)
                return worker
        worker.kill()  # closed while it started
        raise TransientError("text extraction stopped: the host is stopping")

    def _checkin(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            if self._closed:
                worker.kill()
            else:
                self._idle.append(worker)

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
        worker.kill()

    def abort(self) -> None:
        """Kill every worker, busy ones too: their callers get a TransientError (retried later). The
        extractor stays usable: the next letter starts a fresh reader."""
        with self._lock:
            idle, busy = list(self._idle), list(self._busy)
            self._idle.clear()
            for worker in busy:
                worker.aborted = True
        for worker in idle:
            worker.kill()
        for worker in busy:  # its caller is polling the pipe: the child's death wakes it, it cleans up
            with contextlib.suppress(Exception):
                worker.process.kill()

    def close(self) -> None:
        """Abort, and refuse every later letter (the services are being closed)."""
        with self._lock:
            self._closed = True
        self.abort()


def stop_all() -> None:
    """Kill the readers of every extractor in this process (the local host calls this on SIGTERM,
    once its blob watchers submit nothing new); the extractors stay usable."""
    for extractor in list(_LIVE):
        extractor.abort()


def _result(outcome: tuple) -> ExtractedText:
    kind, *rest = outcome
    if kind == "ok":
        text, method, pages = rest
        return ExtractedText(text=text, method=method, pages=pages)
    if kind == "permanent":
        raise PermanentError(rest[0], reason=rest[1])
    if kind == "transient":
        raise TransientError(rest[0], retry_after=rest[1])
    if kind == "configuration":
        raise ConfigurationError(rest[0], rest[1])
    raise PermanentError(f"the PDF reader failed: {rest[0]}", reason="reader_crashed")


def _serve(conn: Connection, factory: Callable[[], TextExtractor], max_chars: int) -> None:
    """The child: read PDFs from the pipe until it closes; answer a tuple, never raise across it."""
    _die_with_parent()
    extractor = factory()
    conn.send(("ready",))
    while True:
        try:
            pdf = conn.recv_bytes()
        except (EOFError, OSError):
            return
        conn.send(_read(extractor, pdf, max_chars))


def _read(extractor: TextExtractor, pdf: bytes, max_chars: int) -> tuple:
    try:
        got = extractor.extract(pdf)
    except PermanentError as exc:
        return ("permanent", str(exc), exc.reason)
    except TransientError as exc:
        return ("transient", str(exc), exc.retry_after)
    except ConfigurationError as exc:
        return ("configuration", exc.key, str(exc).removeprefix(f"{exc.key}: "))
    except Exception as exc:  # noqa: BLE001 - reported by class name, never by message (it may quote text)
        return ("error", type(exc).__name__)
    return ("ok", cap_text(got.text, max_chars), got.method, got.pages)


def _die_with_parent() -> None:
    """Linux: the kernel kills this child when the host dies, even by kill -9 (no orphaned reader)."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(0)
