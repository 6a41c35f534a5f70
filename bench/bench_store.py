"""CRM store: bulk seed, look-up latency (phone, name), record_contact throughput; SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from adapters.store.contacts import contact_row
from adapters.store.migrate import upgrade_engine
from adapters.store.tables import Agent as AgentRow
from adapters.store.tables import Contact, ContactDepartment, Department, Party, PartyIdentifier
from adapters.store.uow import SqlStore
from handlers.crm import record_contact
from handlers.event_ids import phone_event_id
from handlers.identity import name_key
from handlers.lookup import lookup
from schemas.contact_event import Agent, Citizen, ContactEvent, Source

FULL, SMALL = (1_000_000, 200_000), (20_000, 4_000)
LOOKUPS, WRITES = 200, 1_000
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FIRST = ["Jan", "Els", "Désirée", "Mohamed", "Ana", "Pieter", "Sofie", "Luc", "Inès", "Bram", "Zoë", "Karel"]
LAST = ["Peeters", "Janssens", "Maes", "Van den Broeck", "Dewaele", "Claes", "Öztürk", "Lemaître", "Wouters"]
DEPARTMENTS = ["Onthaal", "Burgerzaken", "Financiën", "Omgeving", "Sociale dienst"]
T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
CHUNK = 10_000


def _name(i: int) -> str:
    return f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}"


def _phone(i: int) -> str:
    return f"+32476{i:06d}"


def _event(key: str, party: int, at: dt.datetime) -> ContactEvent:
    return ContactEvent(
        event_id=phone_event_id(key),
        channel="phone",
        direction="inbound",
        occurred_at=at,
        outcome="answered",
        duration_seconds=95,
        departments=(DEPARTMENTS[party % len(DEPARTMENTS)],),
        citizen=Citizen(display_name=_name(party), phone=_phone(party)),
        agent=Agent(id=f"agent-{party % 40}"),
        source=Source(system="graph-callrecords", id=key),
        captured_at=at,
    )


def _rows(parties: int, contacts: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Seed rows table by table, in chunks, with explicit ids (the fast path skips the handler)."""
    for start in range(0, parties, CHUNK):
        ids = range(start + 1, min(start + CHUNK, parties) + 1)
        yield "parties", [_party_row(i) for i in ids]
        yield "party_identifiers", [_phone_row(i) for i in ids]
    for start in range(0, contacts, CHUNK):
        ids = range(start + 1, min(start + CHUNK, contacts) + 1)
        owners = [1 + i % parties for i in ids]
        pairs = list(zip(ids, owners, strict=True))
        rows = [contact_row(_event(f"seed-{i}", p, T0 + dt.timedelta(minutes=i)), T0) for i, p in pairs]
        for cid, party, row in zip(ids, owners, rows, strict=True):
            row.update(id=cid, party_id=party)
        yield "contacts", rows
        yield (
            "contact_departments",
            [{"contact_id": i, "department": DEPARTMENTS[p % 5]} for i, p in pairs],
        )


def _party_row(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "display_name": _name(i),
        "name_folded": name_key(_name(i)),
        "created_at": T0,
        "updated_at": T0,
    }


def _phone_row(i: int) -> dict[str, Any]:
    return {"party_id": i, "type": "phone", "value": _phone(i), "label": None, "created_at": T0}


def _seed(store: SqlStore, parties: int, contacts: int) -> float:
    """Rows per second through the bulk path: COPY on PostgreSQL, executemany on SQLite."""
    tables = {t.__tablename__: t.__table__ for t in (Party, PartyIdentifier, Contact, ContactDepartment)}
    total, start = 0, time.perf_counter()
    with store.engine.begin() as conn:
        conn.execute(insert(Department.__table__), [{"name": d} for d in DEPARTMENTS])
        conn.execute(
            insert(AgentRow.__table__),
            [
                {"id": f"agent-{i}", "display_name": f"Agent {i}", "upn": None, "updated_at": T0}
                for i in range(40)
            ],
        )
        for name, rows in _rows(parties, contacts):
            if conn.dialect.name == "postgresql":
                _copy(conn, name, rows)
            else:
                conn.execute(insert(tables[name]), rows)
            total += len(rows)
        if conn.dialect.name == "postgresql":
            for name in ("parties", "party_identifiers", "contacts"):  # constants, not input
                sql = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"  # noqa: S608
                conn.execute(text(sql))
            conn.execute(text("ANALYZE"))
    return total / (time.perf_counter() - start)


def _copy(conn: Any, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, list) else v for v in row.values()])


def _latencies(call: Callable[[int], object], n: int, parties: int) -> tuple[float, float]:
    rng = random.Random(7)  # noqa: S311 - repeatable sampling, not security
    times = []
    for _ in range(n):
        i = rng.randint(1, parties)
        start = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def _partial_name(i: int) -> str:
    """What staff type: a first name and the start of a surname, any case (about 1 party in 100)."""
    first, surname = _name(i).split(" ", 1)
    return f"{first.upper()} {surname[:4]}"


def _formats(i: int) -> str:
    local = _phone(i)[3:]
    return [f"0{local}", f"+32 {local[:3]} {local[3:5]} {local[5:7]} {local[7:]}", f"0032{local}"][i % 3]


def _throughput(store: SqlStore, parties: int) -> tuple[float, float]:
    """record_contact events/s (one transaction each) and a plain batched insert of the same rows/s."""
    events = [
        _event(f"new-{i}", 1 + i % parties, T0 + dt.timedelta(days=900, seconds=i)) for i in range(WRITES)
    ]
    start = time.perf_counter()
    for event in events:
        record_contact(event, store.uow())
    handler = WRITES / (time.perf_counter() - start)
    plain = [
        contact_row(_event(f"plain-{i}", 1 + i % parties, e.occurred_at), T0) for i, e in enumerate(events)
    ]
    start = time.perf_counter()
    with store.engine.begin() as conn:
        for i in range(0, WRITES, 100):
            conn.execute(insert(Contact.__table__), plain[i : i + 100])
    return handler, WRITES / (time.perf_counter() - start)


def _measure(backend: str, url: str, parties: int, contacts: int) -> str:
    store = SqlStore.from_url(url)
    upgrade_engine(store.engine)
    seed = _seed(store, parties, contacts)
    by_phone = _latencies(
        lambda i: lookup(store.uow(), actor="bench", reason="bench", phone=_formats(i)), LOOKUPS, parties
    )
    by_name = _latencies(
        lambda i: lookup(store.uow(), actor="bench", reason="bench", name=_partial_name(i)), LOOKUPS, parties
    )
    handler, plain = _throughput(store, parties)
    store.dispose()
    return (
        f"| {backend} | {parties:,} | {contacts:,} | {seed:,.0f} | {by_phone[0]:.1f} | {by_phone[1]:.1f} "
        f"| {by_name[0]:.1f} | {by_name[1]:.1f} | {handler:,.0f} | {plain:,.0f} | {handler / plain:.3f} |"
    )


def _postgres(parties: int, contacts: int) -> str:
    try:
        from tests.contract.store_backends import create_database, drop_database

        url = create_database(PG_ADMIN, prefix="loket_bench")
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server means: skip, say why
        return f"| postgresql | skipped: server at 127.0.0.1:5432 not reachable ({type(exc).__name__}) |"
    try:
        return _measure("postgresql", url, parties, contacts)
    finally:
        drop_database(PG_ADMIN, url)


def run(full: bool) -> str:
    contacts, parties = FULL if full else SMALL
    with tempfile.TemporaryDirectory() as tmp:
        rows = [
            _measure("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", parties, contacts),
            _postgres(parties, contacts),
        ]
    return "\n".join(
        [
            "## CRM store",
            "",
            f"Seeded by the bulk path (COPY on PostgreSQL, executemany on SQLite). {LOOKUPS} look-ups each "
            "through the handler (find, each party's timeline and summary, an audit entry, commit); by phone "
            "in mixed Belgian formats, by name as a first name + the start of a surname (up to 20 parties, "
            f"each with its timeline). {WRITES:,} `record_contact` calls, one transaction each, against the "
            "same rows inserted plainly in batches of 100 (ratio = record_contact / batched insert).",
            "",
            "| backend | parties | contacts | seed rows/s | phone p50 ms | phone p99 ms | name p50 ms "
            "| name p99 ms | record_contact/s | batched insert/s | ratio |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
        ]
    )
