"""Alembic migrations of the CRM store (run by `loket db upgrade`, adapters.store.migrate)."""
