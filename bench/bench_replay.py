"""Archive replay: rebuild the CRM store from the event archive (issue 8's `replay_archive`), then replay the
same archive again; events/s of each. Duplicates and missing contacts are counted in the store by the
events' *source* ids (not by event id, which a unique index would make 0 by construction), and what
the bus holds afterwards (active and dead-lettered on `crm`) is read from the bus."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import func as sqlfunc
from sqlalchemy import select

from bench.bench_pipeline import events


def _stored(services) -> int:
    from adapters.store.tables import Contact

    with services.store.engine.connect() as conn:
        return conn.execute(select(sqlfunc.count()).select_from(Contact)).scalar_one()


def _by_source(services, sources: set[str]) -> tuple[int, int]:
    """(duplicates, missing) by source id: contacts beyond one per archived source, sources with none."""
    from adapters.store.tables import Contact

    with services.store.engine.connect() as conn:
        rows = conn.execute(
            select(Contact.source_id, sqlfunc.count()).group_by(Contact.source_id)
        ).all()
    found = {source: count for source, count in rows}
    duplicates = sum(count - 1 for count in found.values() if count > 1)
    return duplicates, len(sources - found.keys())


def _bus_left(services, entity: str) -> tuple[int, int]:
    counts = {c.entity: c for c in services.bus.counts()}
    return counts[entity].active or 0, counts[entity].dead_lettered or 0


def _drained(services, topic_subscription: str) -> bool:
    counts = {c.entity: c for c in services.bus.counts()}
    entity = counts[topic_subscription]
    return not entity.active


def _replay(services, n_expected: int, timeout: float) -> tuple[float, float, int]:
    """(seconds to publish, seconds until the crm subscription is drained, events selected)."""
    from handlers.replay_archive import replay_archive

    settings = services.settings
    start = time.perf_counter()
    outcome = replay_archive(
        services.archive,
        services.bus,
        settings.contact_events_topic,
        uuid.uuid4().hex[:12],
        since=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    )
    published = time.perf_counter() - start
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if _stored(services) >= n_expected and _drained(services, f"{settings.contact_events_topic}/crm"):
            break
    return published, time.perf_counter() - start, outcome.selected


def measure(n: int, timeout: float) -> list[str]:
    import azure.functions as func

    import bootstrap
    from adapters.store.migrate import upgrade
    from devhost.local_host import LocalHost
    from devhost.servicebus_runner import ServiceBusOptions
    from functions import servicebus_triggers
    from settings import Settings

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), api_key="bench", scan_storage=None)
        upgrade(settings.database_url)
        services = bootstrap.build(settings)
        bootstrap.set_services(services)
        archived = events(n)
        for event in archived:
            services.archive.put(event)
        sources = {e.source.id for e in archived}
        app = func.FunctionApp()
        app.register_functions(servicebus_triggers.blueprint("plain"))
        host = LocalHost(
            app,
            settings,
            services.bus,
            services.clock,
            servicebus=ServiceBusOptions(max_concurrent_calls=8, receive_wait_seconds=0.05),
        )
        host.start(0)
        try:
            for label in ("rebuild (empty store)", "again (store full)"):
                published, elapsed, selected = _replay(services, n, timeout)
                stored = _stored(services)
                duplicates, missing = _by_source(services, sources)
                active, dead = _bus_left(services, f"{settings.contact_events_topic}/crm")
                rows.append(
                    f"| {label} | {selected:,} | {selected / published:,.0f} | {selected / elapsed:,.0f}"
                    f" | {stored:,} | {duplicates:,} | {missing:,} | {active:,} | {dead:,} |"
                )
        finally:
            host.stop()
            bootstrap.set_services(None)
            services.close()
    return rows


def run(full: bool) -> str:
    n = 100_000 if full else 2_000
    lines = [
        "## Archive replay",
        "",
        f"{n:,} archived events (local archive, SQLite store) re-published to `crm` by `replay_archive`"
        " under new message ids and applied by record_contact on the local host; the second replay"
        " must change nothing.",
        "",
        "| replay | events | offered: published (events/s) | achieved: applied (events/s) | contacts"
        " | duplicates (by source id) | missing (by source id) | left on crm: active | dead-lettered |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += measure(n, timeout=max(120.0, n / 20))
    return "\n".join(lines) + "\n"
