"""Small SQL helpers shared by the store's repositories (dialect-aware upserts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring(session: Session, table: Table) -> Any:
    """INSERT … ON CONFLICT DO NOTHING on either database (concurrent writers both succeed)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def upsert(session: Session, table: Table, keys: list[str], update: list[str]) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET the `update` columns from the new row."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    return stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update})
