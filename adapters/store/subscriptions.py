"""The subscription registry in the CRM store: nonces behind clientState, catch-up positions, discards."""
from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import delete, select, update

from adapters.store.tables_graph import GraphDiscard, GraphSubscription, GraphSyncState
from handlers.subscriptions import SubscriptionEntry

__all__ = ["SqlSubscriptionRegistry", "SubscriptionEntry"]


class SqlSubscriptionRegistry:
    """Small and read-mostly: the webhook asks `nonce_of` for every notification."""

    NONCE_TTL_SECONDS = 30.0

    def __init__(self, store) -> None:  # adapters.store.uow.SqlStore
        self._engine = store.engine
        self._nonces: dict[str, tuple[str, float]] = {}

    # -- subscriptions ----------------------------------------------------------------------------
    def nonce_of(self, subscription_id: str) -> str | None:
        """The nonce, from a 30 s in-process cache of found ones (the database read was over a third of
        an acknowledgement's cost at 500 notifications/s); an unknown id is always read afresh, so a
        subscription saved by another process is recognised at once."""
        cached = self._nonces.get(subscription_id)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        with self._engine.connect() as conn:
            nonce = conn.execute(
                select(GraphSubscription.nonce).where(GraphSubscription.id == subscription_id)
            ).scalar_one_or_none()
        if nonce is not None:
            self._nonces[subscription_id] = (nonce, time.monotonic() + self.NONCE_TTL_SECONDS)
        return nonce

    def get(self, subscription_id: str) -> SubscriptionEntry | None:
        return next((e for e in self._entries(GraphSubscription.id == subscription_id)), None)

    def save(self, entry: SubscriptionEntry, now: dt.datetime) -> None:
        """Insert or update a subscription (after create or renew)."""
        self._nonces.pop(entry.id, None)
        with self._engine.begin() as conn:
            row = dict(resource=entry.resource, nonce=entry.nonce, expires_at=entry.expires_at)
            updated = conn.execute(
                update(GraphSubscription).where(GraphSubscription.id == entry.id).values(**row)
            ).rowcount
            if not updated:
                conn.execute(GraphSubscription.__table__.insert().values(id=entry.id, created_at=now, **row))

    def remove(self, subscription_id: str) -> None:
        self._nonces.pop(subscription_id, None)
        with self._engine.begin() as conn:
            conn.execute(delete(GraphSubscription).where(GraphSubscription.id == subscription_id))

    def all(self) -> list[SubscriptionEntry]:
        return self._entries(None)

    def _entries(self, where) -> list[SubscriptionEntry]:
        query = select(GraphSubscription.id, GraphSubscription.resource, GraphSubscription.nonce,
                       GraphSubscription.expires_at)
        if where is not None:
            query = query.where(where)
        with self._engine.connect() as conn:
            return [SubscriptionEntry(*row) for row in conn.execute(query)]

    # -- catch-up positions -----------------------------------------------------------------------
    def sync_get(self, key: str) -> str | None:
        with self._engine.connect() as conn:
            query = select(GraphSyncState.value).where(GraphSyncState.key == key)
            return conn.execute(query).scalar_one_or_none()

    def sync_put(self, key: str, value: str | None, now: dt.datetime) -> None:
        """Set (or with None, forget) a position."""
        with self._engine.begin() as conn:
            conn.execute(delete(GraphSyncState).where(GraphSyncState.key == key))
            if value is not None:
                conn.execute(GraphSyncState.__table__.insert().values(key=key, value=value, updated_at=now))

    def sync_prune(self, prefix: str, before: dt.datetime) -> int:
        """Forget positions under `prefix` untouched since `before` (old call versions)."""
        with self._engine.begin() as conn:
            return conn.execute(delete(GraphSyncState).where(
                GraphSyncState.key.startswith(prefix, autoescape=True), GraphSyncState.updated_at < before
            )).rowcount

    # -- discarded notifications ------------------------------------------------------------------
    def count_discard(self, reason: str, now: dt.datetime, count: int = 1) -> None:
        with self._engine.begin() as conn:
            bumped = conn.execute(update(GraphDiscard).where(GraphDiscard.reason == reason)
                                  .values(count=GraphDiscard.count + count, last_at=now)).rowcount
            if not bumped:
                conn.execute(GraphDiscard.__table__.insert().values(reason=reason, count=count, last_at=now))

    def discards(self) -> dict[str, int]:
        with self._engine.connect() as conn:
            return {r: c for r, c in conn.execute(select(GraphDiscard.reason, GraphDiscard.count))}
