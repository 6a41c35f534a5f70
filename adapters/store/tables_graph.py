"""Graph bookkeeping: subscriptions and nonces, catch-up positions, discard counters (no personal data)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from adapters.store.tables import Base


class GraphSubscription(Base):
    """One Graph subscription: resource, the nonce its clientState is the HMAC of, and its expiry."""

    __tablename__ = "graph_subscriptions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    resource: Mapped[str] = mapped_column(String(1024), index=True)  # $select/$filter: long
    nonce: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]


class GraphSyncState(Base):
    """Catch-up positions by key: a mailbox folder's delta link, a call record's last version seen.

    Keys are Loket's own (`delta:{mailbox}:{folder}`, `call:{record id}`); values are opaque text.
    """

    __tablename__ = "graph_sync_state"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(index=True)


class GraphDiscard(Base):
    """How many notifications were refused, by reason (forged, unknown subscription, bad token…)."""

    __tablename__ = "graph_discards"
    reason: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[dt.datetime]
