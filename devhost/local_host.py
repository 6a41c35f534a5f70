"""The local host: every function of a FunctionApp on one machine (HTTP, Service Bus, timers, blobs)."""
from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import azure.functions as func
import uvicorn

from devhost.blob_watcher import BlobWatcher, Receipts
from devhost.function_index import BlobSpec, IndexedFunction, TimerSpec, index_app, setting_value
from devhost.host_blob_sources import BlobSource, ContainerSource, InboxSource
from devhost.http_server import ROUTE_PREFIX, build_http_app
from devhost.servicebus_runner import ServiceBusOptions, ServiceBusRunner
from devhost.timers import TimerRunner
from handlers.ports.bus import MessageBus
from handlers.ports.clock import Clock
from settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)

DEFAULT_PORT = 7071
INBOX_FOLDERS = {"scanned-post": "post-inbox"}  # container -> folder in the data dir


class LocalHost:
    """Start with `start(port)`, stop with `stop()`; `serve()` wraps both around Ctrl-C and SIGTERM."""

    def __init__(self, app: func.FunctionApp, settings: Settings, bus: MessageBus, clock: Clock,
                 host_json: Path | None = None, servicebus: ServiceBusOptions | None = None) -> None:
        self.settings, self.bus, self.clock = settings, bus, clock
        self.functions = index_app(app, settings)  # a missing %SETTING% fails here, naming it
        self._host_json = _read_host_json(host_json or PROJECT_ROOT / "host.json")
        chosen = list(self.functions.values())
        self._timer_pool = ThreadPoolExecutor(4, "timer")
        options = servicebus or _servicebus_options(self._host_json)
        self.servicebus = ServiceBusRunner(chosen, bus, clock, options)
        self.servicebus.check()
        self.timers = TimerRunner([f for f in chosen if isinstance(f.trigger, TimerSpec)], clock,
                                  self._timer_pool, _invoke)
        self.receipts = Receipts(settings.data_dir / "host" / "blob-receipts.db")
        self.blobs = [BlobWatcher(f, self._blob_source(f), self.receipts, clock)
                      for f in chosen if isinstance(f.trigger, BlobSpec)]
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None
        self._stopped = False

    def _blob_source(self, function: IndexedFunction) -> BlobSource:
        """A container when the binding's connection setting is given (Azurite, Storage), else a folder."""
        spec = function.trigger
        assert isinstance(spec, BlobSpec)
        name = spec.connection or "AzureWebJobsStorage"
        connection = setting_value(name, self.settings)
        if connection:
            return ContainerSource(connection, spec.container)
        service_uri = setting_value(f"{name}__blobServiceUri", self.settings)
        if service_uri:
            from azure.identity import DefaultAzureCredential

            return ContainerSource(service_uri, spec.container, DefaultAzureCredential())
        folder = INBOX_FOLDERS.get(spec.container, spec.container)
        return InboxSource(self.settings.data_dir / folder, spec.container)

    def start(self, port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> int:
        """Start every trigger, then HTTP; returns the port (pass 0 for a free one)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))  # first: a port in use fails before anything runs
        self.port = sock.getsockname()[1]
        self.servicebus.start()
        self.timers.start()
        for watcher in self.blobs:
            watcher.start()
        self._start_http(sock)
        log.info("local host serving %d functions on http://%s:%d", len(self.functions), host, self.port)
        return self.port

    def _start_http(self, sock: socket.socket) -> None:
        prefix = self._host_json.get("extensions", {}).get("http", {}).get("routePrefix", ROUTE_PREFIX)
        if self.settings.api_key is None:
            log.warning("LOKET_API_KEY is not set: functions with auth level FUNCTION/ADMIN answer 401")
        http_app = build_http_app(list(self.functions.values()), self.settings.api_key, prefix,
                                  max_body=self.settings.request_body_max_bytes)
        config = uvicorn.Config(http_app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="devhost-http", daemon=True)
        self._thread.start()
        while not self._server.started and self._thread.is_alive():
            threading.Event().wait(0.02)
        if not self._server.started:
            self.stop()
            raise RuntimeError(f"the HTTP server did not start on port {self.port}")

    def stop(self) -> None:
        """HTTP first (no new work comes in), then the triggers, each finishing what it runs (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(30)
        for watcher in self.blobs:
            watcher.halt()  # no new letters from here on
        _stop_readers()  # a letter's reader stuck in C code must not hold the stop (issue 15)
        for watcher in self.blobs:
            watcher.stop()
        self.timers.stop()
        self._timer_pool.shutdown(wait=True)
        self.servicebus.stop()
        self.receipts.close()
        log.info("local host stopped")


def serve(app: func.FunctionApp, settings: Settings, bus: MessageBus, clock: Clock,
          port: int = DEFAULT_PORT) -> None:
    """Host `app` until SIGINT or SIGTERM, then stop cleanly (call from the main thread)."""
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    host = LocalHost(app, settings, bus, clock)
    try:
        host.start(port)
        while not stopping.wait(0.5):
            pass
    finally:
        host.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_readers() -> None:
    """Kill the text readers' child processes: the blob workers waiting on them return at once."""
    from adapters.text_extraction.child_process import stop_all

    stop_all()


def _invoke(function: IndexedFunction, arguments: dict[str, Any]) -> Any:
    from devhost.host_invoke import invoke

    try:
        return invoke(function, arguments)
    except Exception:
        log.exception("function %s failed", function.name, extra={"function": function.name})
        return None


def _read_host_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def _servicebus_options(host_json: dict[str, Any]) -> ServiceBusOptions:
    section = host_json.get("extensions", {}).get("serviceBus", {})
    options = ServiceBusOptions()
    renewal = section.get("maxAutoLockRenewalDuration")
    return ServiceBusOptions(
        max_concurrent_calls=int(section.get("maxConcurrentCalls", options.max_concurrent_calls)),
        max_message_batch_size=min(int(section.get("maxMessageBatchSize", 32)), 256),
        max_auto_lock_renewal=_timespan(renewal) if renewal else options.max_auto_lock_renewal,
    )


def _timespan(value: str) -> dt.timedelta:
    hours, minutes, seconds = (float(x) for x in value.split(":"))
    return dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)
