"""A running Loket: the local host in this process over real HTTP, the simulated tenant as its own process."""
from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import bootstrap
from adapters.store.migrate import upgrade
from devhost.tenant.process import TenantProcess
from settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningLoket:
    url: str
    tenant: TenantProcess
    services: bootstrap.Services
    data_dir: Path

    def search(self, **query) -> list[dict]:
        """POST /api/contacts/search as staff would, with the local key and a reason."""
        response = httpx.post(f"{self.url}/api/contacts/search", timeout=10,
                              headers={"x-functions-key": self.services.api_key},
                              json={"reason": "e2e test", **query})
        response.raise_for_status()
        return response.json()["parties"]


def wait_for(check: Callable[[], object], timeout: float = 45.0, every: float = 0.2) -> object:
    """Poll until `check` returns something truthy (bounded); the last value otherwise."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(every)
        value = check()
    return value


@contextmanager
def hosted_loket(data_dir: Path, *, api_key: str | None = None, call_settle_seconds: int = 0,
                 max_concurrent_calls: int | None = None) -> Iterator[RunningLoket]:
    """The simulated tenant as its own process and the local host in this one, on free ports, wired
    as `loket run` wires them; everything stopped and forgotten afterwards."""
    from devhost.local_host import LocalHost
    from devhost.servicebus_runner import ServiceBusOptions
    from function_app import app

    host_port = free_port()
    api = f"http://127.0.0.1:{host_port}/api"
    tenant = TenantProcess(data_dir, port=free_port()).start()
    settings = Settings(LOKET_DATA_DIR=data_dir, GRAPH_BASE_URL=tenant.base_url, ScanStorage=None,
                        GRAPH_NOTIFICATION_URL=f"{api}/graph/notifications",
                        GRAPH_LIFECYCLE_URL=f"{api}/graph/lifecycle", CALL_SETTLE_SECONDS=call_settle_seconds,
                        LOKET_API_KEY=api_key)
    upgrade(settings.database_url)
    services = bootstrap.build(settings)
    services.settings = settings = settings.model_copy(update={"api_key": services.api_key})
    bootstrap.set_services(services)
    options = None
    if max_concurrent_calls:
        options = ServiceBusOptions(max_concurrent_calls=max_concurrent_calls, receive_wait_seconds=0.1)
    host = LocalHost(app, settings, services.bus, services.clock, servicebus=options)
    try:
        host.start(host_port)
        yield RunningLoket(f"http://127.0.0.1:{host_port}", tenant, services, data_dir)
    finally:
        host.stop()
        tenant.stop()
        bootstrap.set_services(None)
        services.close()


@pytest.fixture
def loket(tmp_path):
    with hosted_loket(tmp_path) as running:
        yield running


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
