"""Shared bench plumbing: free ports, percentiles, an open-loop HTTP load generator, a running city.

The load generator is open loop (aiohttp: httpx's async client tops out near 300 requests/s here,
below the rates measured): request i is due at start + i / rate whatever happened before, and
its latency counts from when it was due, so a server that falls behind shows it in the tail instead
of silently slowing the generator down (coordinated omission).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def ms(seconds: float) -> str:
    return "–" if seconds != seconds else f"{seconds * 1000:,.1f}"


@dataclass
class Load:
    """One open-loop run: what was offered, what came back, how long each took from its due time."""

    offered_rate: float
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def achieved_rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def ok(self, status: int) -> int:
        return self.statuses.get(status, 0)


async def _open_loop(
    url: str,
    body: Callable[[int], bytes],
    rate: float,
    duration: float,
    headers: dict[str, str],
    max_in_flight: int,
) -> Load:
    load, total = Load(rate), int(rate * duration)
    connector = aiohttp.TCPConnector(limit=max_in_flight)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, headers=headers) as session:
        start = time.perf_counter()

        async def one(i: int, due: float) -> None:
            try:
                async with session.post(url, data=body(i)) as answer:
                    await answer.read()
                    status = answer.status
            except (TimeoutError, aiohttp.ClientError):
                status = 0
            load.latencies.append(time.perf_counter() - due)
            load.statuses[status] = load.statuses.get(status, 0) + 1

        tasks = []
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
            load.sent += 1
        await asyncio.gather(*tasks)
        load.elapsed = time.perf_counter() - start
    return load


def open_loop(
    url: str,
    body: Callable[[int], bytes],
    rate: float,
    duration: float,
    headers: dict[str, str] | None = None,
    max_in_flight: int = 64,
) -> Load:
    """POST body(i) to `url` at `rate` a second for `duration` seconds (bounded in-flight requests)."""
    merged = {"content-type": "application/json", **(headers or {})}
    return asyncio.run(_open_loop(url, body, rate, duration, merged, max_in_flight))


@dataclass
class City:
    """The simulated tenant process and the local host in this process, wired as `loket run` wires them."""

    services: object
    url: str
    tenant: object
    data_dir: Path


@contextlib.contextmanager
def running_city(
    data_dir: Path, call_settle_seconds: int = 0, concurrency: int = 8, database_url: str | None = None
) -> Iterator[City]:
    """Tenant + host on free ports over `data_dir`; stops both on exit."""
    import bootstrap
    from adapters.store.migrate import upgrade
    from devhost.local_host import LocalHost
    from devhost.servicebus_runner import ServiceBusOptions
    from devhost.tenant.process import TenantProcess
    from settings import Settings

    host_port = free_port()
    tenant = TenantProcess(data_dir, port=free_port()).start()
    api = f"http://127.0.0.1:{host_port}/api"
    extra = {"CRM_DATABASE_URL": database_url} if database_url else {}
    settings = Settings(
        data_dir=data_dir,
        api_key="bench-key",
        scan_storage=None,
        graph_base_url=tenant.base_url,
        graph_notification_url=f"{api}/graph/notifications",
        graph_lifecycle_url=f"{api}/graph/lifecycle",
        call_settle_seconds=call_settle_seconds,
        **extra,
    )
    upgrade(settings.database_url)
    services = bootstrap.build(settings)
    bootstrap.set_services(services)
    from function_app import app

    host = LocalHost(
        app,
        settings,
        services.bus,
        services.clock,
        servicebus=ServiceBusOptions(max_concurrent_calls=concurrency, receive_wait_seconds=0.05),
    )
    try:
        host.start(host_port)
        yield City(services, f"http://127.0.0.1:{host_port}", tenant, data_dir)
    finally:
        host.stop()
        bootstrap.set_services(None)
        services.close()
        tenant.stop()
