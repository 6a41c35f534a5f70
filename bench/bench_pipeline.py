"""Pipeline throughput: contact events published to `contact-events` -> record_contact (through the local
host's Service Bus runner over the embedded bus) -> the CRM store, against a plain batched insert of the
same rows, on SQLite and on PostgreSQL (a database of its own on 127.0.0.1:5432, dropped afterwards)."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import func as sqlfunc
from sqlalchemy import insert, select

from handlers.event_ids import mail_event_id
from handlers.ports.bus import OutgoingMessage
from schemas.contact_event import Channel, Citizen, ContactEvent, Direction, Outcome, Source, SourceSystem

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCH = 100
T0 = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)


def events(n: int) -> list[ContactEvent]:
    """n inbound mails from n citizens (each a new party: the matching work a real day does)."""
    out = []
    for i in range(n):
        imid = f"<pipe-{uuid.uuid4().hex}@example.be>"
        out.append(
            ContactEvent(
                event_id=mail_event_id(imid),
                channel=Channel.MAIL,
                direction=Direction.INBOUND,
                occurred_at=T0 + dt.timedelta(seconds=i),
                outcome=Outcome.RECEIVED,
                citizen=Citizen(display_name=f"Burger {i}", email=f"burger{i}.{imid[6:14]}@example.be"),
                departments=["Burgerzaken"],
                subject="Vraag",
                source=Source(
                    system=SourceSystem.GRAPH_MAIL, id=imid, version=1, mailboxes=["burgerzaken@stad.example"]
                ),
                captured_at=T0,
            )
        )
    return out


def _contact_rows(batch: list[ContactEvent]) -> list[dict]:
    now = dt.datetime.now(dt.UTC)
    return [
        {
            "event_id": str(e.event_id),
            "version": 1,
            "channel": e.channel.value,
            "direction": e.direction.value,
            "occurred_at": e.occurred_at,
            "outcome": e.outcome.value,
            "subject": e.subject,
            "source_system": e.source.system.value,
            "source_id": e.source.id,
            "mailboxes": e.source.mailboxes,
            "captured_at": e.captured_at,
            "recorded_at": now,
        }
        for e in batch
    ]


def plain_insert(url: str, batch: list[ContactEvent]) -> float:
    """Seconds to insert the same contact rows in batches of BATCH, one transaction per batch."""
    from adapters.store.engine import create_store_engine
    from adapters.store.tables import Contact

    engine = create_store_engine(url)
    rows = _contact_rows(batch)
    start = time.perf_counter()
    for i in range(0, len(rows), BATCH):
        with engine.begin() as conn:
            conn.execute(insert(Contact), rows[i : i + BATCH])
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def through_pipeline(
    url: str, data_dir: Path, batch: list[ContactEvent], timeout: float = 600
) -> tuple[float, float]:
    """Seconds to publish, and from the first publish until every event is a contact (record_contact on
    the host's runner)."""
    import azure.functions as func

    import bootstrap
    from adapters.store.tables import Contact
    from devhost.local_host import LocalHost
    from devhost.servicebus_runner import ServiceBusOptions
    from functions import servicebus_triggers
    from settings import Settings

    settings = Settings(data_dir=data_dir, api_key="bench", scan_storage=None, CRM_DATABASE_URL=url)
    services = bootstrap.build(settings)
    bootstrap.set_services(services)
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
    messages = [
        OutgoingMessage(
            e.model_dump_json().encode(), uuid.uuid4().hex, application_properties={"loket-target": "crm"}
        )
        for e in batch
    ]
    try:
        start = time.perf_counter()
        for i in range(0, len(messages), BATCH):
            services.bus.publish(settings.contact_events_topic, messages[i : i + BATCH])
        published = time.perf_counter() - start
        deadline = time.monotonic() + timeout
        stored = 0
        while stored < len(batch) and time.monotonic() < deadline:
            time.sleep(0.05)
            with services.store.engine.connect() as conn:
                stored = conn.execute(select(sqlfunc.count()).select_from(Contact)).scalar_one()
        elapsed = time.perf_counter() - start
    finally:
        host.stop()
        bootstrap.set_services(None)
        services.close()
    if stored < len(batch):
        raise RuntimeError(f"only {stored} of {len(batch)} events reached the store in {timeout:.0f} s")
    return published, elapsed


def _fresh(backend: str, tmp: Path) -> tuple[str, callable]:
    """A new migrated store URL and its clean-up."""
    from adapters.store.migrate import upgrade

    if backend == "sqlite":
        url = f"sqlite:///{tmp / f'{uuid.uuid4().hex}.db'}"
        upgrade(url)
        return url, lambda: None
    from tests.contract.store_backends import create_database, drop_database

    url = create_database(PG_ADMIN, prefix="loket_bench")
    upgrade(url)
    return url, lambda: drop_database(PG_ADMIN, url)


def _backend_row(backend: str, n: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        batch = events(n)
        url, drop = _fresh(backend, Path(tmp))
        try:
            published, pipeline = through_pipeline(url, Path(tmp) / "bus", batch)
        finally:
            drop()
        url, drop = _fresh(backend, Path(tmp))
        try:
            plain = plain_insert(url, batch)
        finally:
            drop()
    return (
        f"| {backend} | {n:,} | {n / published:,.0f} | {n / pipeline:,.0f} | {n / plain:,.0f}"
        f" | {plain / pipeline:.3f} |"
    )


def run(full: bool) -> str:
    sizes = (2_000, 20_000) if full else (1_000,)
    lines = [
        "## Pipeline throughput: contact-events → record_contact → CRM store",
        "",
        "All events published at once (offered: as fast as the bus takes them), then consumed by the"
        " local host's runner (8 concurrent calls, one transaction per event with party matching);"
        f" baseline: the same contact rows inserted in batches of {BATCH}. Ratio = pipeline / plain.",
        "",
        "| store | events | offered: published (events/s) | achieved: stored (events/s)"
        " | plain batched insert (rows/s) | ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for backend in ("sqlite", "postgresql"):
        for n in sizes:
            try:
                lines.append(_backend_row(backend, n))
            except Exception as exc:  # noqa: BLE001 - a missing server is reported in the table, not fatal
                lines.append(f"| {backend} | {n:,} | not measured: {type(exc).__name__} | | | |")
    return "\n".join(lines) + "\n"
