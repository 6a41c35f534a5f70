"""A running Loket for the subscription and catch-up tests: the real function_app on the local host,
the simulated tenant as its own process, one movable clock (clock.json) shared by both."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

import bootstrap
from adapters.clock import MovableClock
from adapters.store.migrate import upgrade
from devhost.tenant.process import TenantProcess
from settings import Settings
from tests.e2e.conftest import free_port, wait_for  # noqa: F401 - re-exported for the catch-up tests

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MAILBOX = "6d2f0a11-0002-4a6b-8c1d-000000000002"  # burgerzaken@stad.example in the sample policy
OTHER_MAILBOX = "6d2f0a11-0003-4a6b-8c1d-000000000003"  # financien@stad.example


@dataclass
class Env:
    url: str
    tenant: TenantProcess
    services: bootstrap.Services
    clock: MovableClock
    data_dir: Path

    def sim(self, method: str, path: str, **kwargs) -> httpx.Response:
        return httpx.request(method, f"{self.tenant.root_url}{path}", timeout=60, **kwargs)

    def add_mail(self, mailbox: str, internet_id: str, *, folder: str = "inbox", notify: bool = True,
                 sender: str = "els.vandenbroeck@telenet.be", to: str | None = None, copies: int = 1) -> dict:
        message = json.loads((FIXTURES / "tenant" / "message_citizen.json").read_text(encoding="utf-8"))
        message["internetMessageId"] = internet_id
        message["from"] = message["sender"] = {"emailAddress": {"name": "Burger", "address": sender}}
        if to is not None:
            message["toRecipients"] = [{"emailAddress": {"name": "Burger", "address": to}}]
        stamp = self.clock.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        message["receivedDateTime"] = message["sentDateTime"] = stamp
        answer = self.sim("POST", f"/_sim/mailboxes/{mailbox}/messages",
                          json={"folder": folder, "message": message, "notify": notify, "copies": copies})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def graph_subscriptions(self) -> list[dict]:
        return httpx.get(f"{self.tenant.base_url}/subscriptions", timeout=30).json()["value"]

    def contacts(self) -> list[tuple[str, Any]]:
        """(event id, mailboxes) of every stored contact."""
        with self.services.store.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text("select event_id, channel from contacts"))]


@contextmanager
def running_loket(tmp_path: Path, start: dt.datetime | None = None,
                  tenant_settings: Callable[[TenantProcess], dict] | None = None,
                  **overrides: Any) -> Iterator[Env]:
    """`start`: where the shared clock begins (it flows from there), set before anything reads it;
    `tenant_settings`: more settings that depend on the tenant's address."""
    from devhost.local_host import LocalHost
    from function_app import app

    clock = MovableClock.install(tmp_path)
    if start is not None:
        clock.freeze(start)
        clock.thaw()
    tenant = TenantProcess(tmp_path, port=free_port()).start()
    more = tenant_settings(tenant) if tenant_settings else {}
    settings = Settings(LOKET_DATA_DIR=tmp_path, GRAPH_BASE_URL=tenant.base_url, CALL_SETTLE_SECONDS=0,
                        **overrides, **more)
    upgrade(settings.database_url)
    services = bootstrap.build(settings)
    assert isinstance(services.clock, MovableClock)
    host = LocalHost(app, settings, services.bus, services.clock)
    port = host.start(0)
    url = f"http://127.0.0.1:{port}"
    services.settings = settings.model_copy(update={
        "api_key": services.api_key, "graph_notification_url": f"{url}/api/graph/notifications",
        "graph_lifecycle_url": f"{url}/api/graph/lifecycle"})
    bootstrap.set_services(services)
    try:
        yield Env(url, tenant, services, clock, tmp_path)
    finally:
        host.stop()
        tenant.stop()
        bootstrap.set_services(None)
        services.close()
