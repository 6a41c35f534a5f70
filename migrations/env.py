"""Alembic environment: runs on the connection adapters.store.migrate hands over (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from adapters.store import (
    tables_graph,  # noqa: F401 - registers graph_subscriptions
    tables_ops,  # noqa: F401 - registers the bookkeeping tables on Base.metadata
    tables_privacy,  # noqa: F401 - registers the privacy officer's tables
)
from adapters.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # the plain `alembic` command: build the engine from the settings
        from adapters.store.engine import create_store_engine
        from settings import Settings

        engine = create_store_engine(Settings().database_url)
        with engine.begin() as conn:
            _run(conn)
        engine.dispose()
        return
    _run(connection)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `loket db upgrade`")
run_migrations_online()
