"""The CRM store backends the contract suite runs on (ids `sqlite`, `postgresql`) and event builders.

PostgreSQL: a fresh database per test run on the server at 127.0.0.1:5432 (trust auth), dropped at
the end; each test starts from empty tables. Without the server the PostgreSQL half is skipped
with the reason. LOKET_TEST_POSTGRES_URL points elsewhere (a maintenance database to create in).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from adapters.store.engine import create_store_engine
from adapters.store.migrate import load_all_tables, upgrade_engine
from adapters.store.uow import SqlStore
from handlers.event_ids import phone_event_id
from schemas.contact_event import Address, Agent, Citizen, ContactEvent, Source

PG_ADMIN_URL = os.environ.get("LOKET_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def postgres_admin_url() -> str:
    """The maintenance URL, or a skip naming why the PostgreSQL half cannot run."""
    import psycopg

    url = make_url(PG_ADMIN_URL)
    try:
        psycopg.connect(
            url.set(drivername="postgresql").render_as_string(hide_password=False), connect_timeout=3
        ).close()
    except psycopg.OperationalError as exc:
        pytest.skip(
            f"PostgreSQL is not reachable at {url.host}:{url.port} ({type(exc).__name__}); "
            "start it (.ci/run does) or set LOKET_TEST_POSTGRES_URL"
        )
    return PG_ADMIN_URL


def create_database(admin_url: str, prefix: str = "loket_test") -> str:
    """A new empty database next to the admin one; returns its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_store_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    admin = create_store_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("store") / "template.db"
    engine = create_store_engine(f"sqlite:///{path}")
    upgrade_engine(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    admin = postgres_admin_url()
    url = create_database(admin)
    engine = create_store_engine(url)
    upgrade_engine(engine)
    engine.dispose()
    yield url
    drop_database(admin, url)


def _truncate_all(store: SqlStore) -> None:
    """Empty every table (DELETE: much faster than TRUNCATE on a handful of rows)."""
    with store.engine.begin() as conn:
        for table in reversed(load_all_tables().sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """An empty, migrated CRM store on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "loket.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        built = SqlStore.from_url(f"sqlite:///{path}")
    else:
        built = SqlStore.from_url(request.getfixturevalue("postgres_url"))
        _truncate_all(built)
    yield built
    built.dispose()


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[SqlStore]:
    """An empty, migrated store on PostgreSQL only (races that SQLite's single writer rules out)."""
    built = SqlStore.from_url(postgres_url)
    _truncate_all(built)
    yield built
    built.dispose()


def citizen(
    name: str | None = "Jan Peeters",
    email: str | None = "jan.peeters@example.be",
    phone: str | None = "+32475123456",
    address: Address | None = None,
) -> Citizen:
    return Citizen(display_name=name, email=email, phone=phone, address=address)


def event(
    key: str = "call-1",
    *,
    version: int = 1,
    who: Citizen | None = None,
    channel: str = "phone",
    departments: tuple[str, ...] = ("Burgerzaken",),
    mailboxes: tuple[str, ...] = (),
    at: dt.datetime = T0,
    outcome: str = "answered",
    agent: str | None = "agent-1",
    duration: int | None = 120,
    anonymous: bool = False,
) -> ContactEvent:
    """A contact event; `key` makes the event id, so the same key is the same contact."""
    system = {"phone": "graph-callrecords", "mail": "graph-mail", "post": "scan"}[channel]
    return ContactEvent(
        event_id=phone_event_id(f"{channel}:{key}"),
        channel=channel,
        direction="inbound",
        occurred_at=at,
        ended_at=at + dt.timedelta(seconds=duration) if duration is not None else None,
        duration_seconds=duration,
        outcome=outcome,
        citizen=None if anonymous else (who if who is not None else citizen()),
        departments=departments,
        agent=Agent(id=agent, display_name=f"Agent {agent}") if agent else None,
        subject=f"subject {key}",
        source=Source(system=system, id=key, version=version, mailboxes=mailboxes),
        captured_at=at + dt.timedelta(minutes=5),
    )
