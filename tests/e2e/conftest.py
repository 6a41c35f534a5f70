"""A running Loket: the local host in this process over real HTTP, the simulated tenant as its own process."""
from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
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


def wait_for(check: Callable[[], object], timeout: float = 30.0, every: float = 0.2) -> object:
    """Poll until `check` returns something truthy (bounded); the last value otherwise."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(every)
        value = check()
    return value


@pytest.fixture
def loket(tmp_path):
    from devhost.local_host import LocalHost
    from function_app import app

    tenant = TenantProcess(tmp_path, port=free_port()).start()
    settings = Settings(LOKET_DATA_DIR=tmp_path, GRAPH_BASE_URL=tenant.base_url, CALL_SETTLE_SECONDS=0)
    upgrade(settings.database_url)
    services = bootstrap.build(settings)
    services.settings = settings = settings.model_copy(update={"api_key": services.api_key})
    bootstrap.set_services(services)
    host = LocalHost(app, settings, services.bus, services.clock)
    port = host.start(0)
    try:
        yield RunningLoket(f"http://127.0.0.1:{port}", tenant, services, tmp_path)
    finally:
        host.stop()
        tenant.stop()
        bootstrap.set_services(None)
        services.close()


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
