"""Engine factory: SQLite tuned for one machine, PostgreSQL (psycopg 3) with optional Entra tokens."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from errors import ConfigurationError

log = logging.getLogger(__name__)

TokenProvider = Callable[[], str]
SQLITE_BUSY_MS = 30_000
PGBOUNCER_PORT = 6432  # Azure Database for PostgreSQL's built-in PgBouncer (transaction pooling)


def create_store_engine(
    url: str,
    *,
    token_provider: TokenProvider | None = None,
    pool_size: int | None = None,
    max_overflow: int | None = None,
    **kwargs: Any,
) -> Engine:
    """An engine for `CRM_DATABASE_URL`.

    `token_provider` (PostgreSQL only) returns a fresh Entra access token; it is used as the password
    of every new connection, so pooled connections keep working after a token expires.
    `pool_size` and `max_overflow` (PostgreSQL only; CRM_POOL_SIZE, CRM_MAX_OVERFLOW) bound the
    connections this process holds: the connection budget of docs/deploy.md.
    Through PgBouncer (port 6432, transaction pooling, no prepared-statement tracking by default)
    psycopg must not prepare statements server-side: the next transaction may run on another
    server connection that never saw them.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_MS / 1000}, **kwargs)
        _tune_sqlite(engine)
    elif backend == "postgresql":
        if parsed.get_driver_name() not in ("psycopg", "psycopg_async"):
            raise ConfigurationError(
                "CRM_DATABASE_URL", "PostgreSQL needs the psycopg 3 driver (postgresql+psycopg://)"
            )
        options = postgres_options(parsed.port, pool_size, max_overflow) | kwargs
        engine = create_engine(parsed, pool_pre_ping=True, **options)
        if token_provider is not None:
            _use_tokens(engine, token_provider)
    else:
        raise ConfigurationError("CRM_DATABASE_URL", "must start with sqlite:// or postgresql+psycopg://")
    return engine


def postgres_options(port: int | None, pool_size: int | None, max_overflow: int | None) -> dict[str, Any]:
    """create_engine options for PostgreSQL: the pool bounds, and no server-side prepares via PgBouncer."""
    options: dict[str, Any] = {}
    if pool_size is not None:
        options["pool_size"] = pool_size
    if max_overflow is not None:
        options["max_overflow"] = max_overflow
    if port == PGBOUNCER_PORT:
        options["connect_args"] = {"prepare_threshold": None}
    return options


def _use_tokens(engine: Engine, token_provider: TokenProvider) -> None:
    @event.listens_for(engine, "do_connect")
    def _password_is_token(dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        cparams["password"] = token_provider()


def _tune_sqlite(engine: Engine) -> None:
    """WAL (readers never block the writer), foreign keys on, and BEGIN IMMEDIATE.

    BEGIN IMMEDIATE takes the write lock at the start of each unit of work: two writers then queue
    on the busy timeout instead of failing when one upgrades a read to a write (SQLITE_BUSY).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, conn_rec: Any) -> None:
        dbapi_conn.isolation_level = None  # let the "begin" hook below emit BEGIN itself
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
