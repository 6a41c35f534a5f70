"""Migrations from empty on both databases, the engine factory's settings, and store outages."""
# ruff: noqa: F811 - pytest fixtures imported from tests.contract.store_backends

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from adapters.store.engine import create_store_engine
from adapters.store.migrate import (
    current_revision,
    downgrade_engine,
    head_revision,
    load_all_tables,
    upgrade,
    upgrade_engine,
)
from adapters.store.uow import SqlStore
from errors import ConfigurationError, TransientError
from handlers.crm import record_contact
from tests.contract.store_backends import create_database, drop_database, event, postgres_admin_url


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
    ]
)
def empty_url(request, tmp_path):
    """A URL to an empty database (no tables at all) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    admin = postgres_admin_url()
    url = create_database(admin, prefix="loket_migr")
    yield url
    drop_database(admin, url)


def _differences(url: str) -> list:
    engine = create_store_engine(url)

    def for_this_database(obj, name, type_, reflected, compare_to) -> bool:
        """An index the models create only on another dialect (ddl_if) is not a difference here."""
        only_on = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
        return only_on in (None, engine.dialect.name)

    with engine.connect() as conn:
        options = {"compare_type": True, "include_object": for_this_database}
        found = compare_metadata(MigrationContext.configure(conn, opts=options), load_all_tables())
    engine.dispose()
    return found


def test_upgrade_from_empty_reaches_head_with_exactly_the_models_schema(empty_url):
    assert upgrade(empty_url) == head_revision()
    assert _differences(empty_url) == []


def test_upgrade_twice_is_harmless_and_downgrade_to_base_then_up_again_works(empty_url):
    upgrade(empty_url)
    assert upgrade(empty_url) == head_revision()
    engine = create_store_engine(empty_url)
    downgrade_engine(engine)
    assert current_revision(engine) is None
    assert upgrade_engine(engine) == head_revision()
    engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = create_store_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        pragmas = [
            conn.exec_driver_sql(f"PRAGMA {p}").scalar()
            for p in ("journal_mode", "foreign_keys", "busy_timeout")
        ]
    engine.dispose()
    assert pragmas == ["wal", 1, 30000]


@pytest.mark.parametrize("url", ["mysql://x@localhost/db", "postgresql+psycopg2://postgres@localhost/test"])
def test_the_engine_factory_refuses_unsupported_urls_naming_the_setting(url):
    with pytest.raises(ConfigurationError) as caught:
        create_store_engine(url)
    assert caught.value.key == "CRM_DATABASE_URL"


@pytest.mark.postgresql
def test_a_token_provider_supplies_the_password_of_every_new_connection():
    admin = postgres_admin_url()
    calls: list[int] = []

    def token() -> str:
        calls.append(1)
        return f"entra-token-{len(calls)}"  # trust auth accepts any password; the call count is the proof

    engine = create_store_engine(
        admin, token_provider=token, poolclass=__import__("sqlalchemy").pool.NullPool
    )
    for _ in range(2):
        with engine.connect() as conn:
            assert conn.exec_driver_sql("select 1").scalar() == 1
    engine.dispose()
    assert len(calls) == 2


def test_an_unreachable_database_is_a_transient_error_so_the_bus_retries():
    store = SqlStore.from_url("postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2")
    with pytest.raises(TransientError):
        record_contact(event("x"), store.uow())
    store.dispose()


def test_a_store_without_schema_fails_loudly_rather_than_dropping_the_event(tmp_path):
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(TransientError):  # no table yet: the host upgrades on start; until then, retry
        record_contact(event("x"), store.uow())
    store.dispose()


def test_migration_0006_rekeys_existing_names_so_particles_written_together_find_them(empty_url):
    from sqlalchemy import text

    from handlers.lookup import lookup

    engine = create_store_engine(empty_url)
    upgrade_engine(engine, "0004")
    with engine.begin() as conn:  # a party as 0004 stored it: the folded name with its spaces
        conn.execute(text("INSERT INTO parties (display_name, name_folded, created_at, updated_at) VALUES"
                          " ('Nele Van den Broeck', 'nele van den broeck', '2026-11-02', '2026-11-02')"))
    upgrade_engine(engine)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT name_folded FROM parties")) == "nelevandenbroeck"
    engine.dispose()
    store = SqlStore.from_url(empty_url)
    found = lookup(store.uow(), actor="tester", reason="r", name="Vandenbroeck Nele")
    store.dispose()
    assert [p.display_name for p in found.parties] == ["Nele Van den Broeck"]
