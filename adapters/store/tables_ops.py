"""Bookkeeping tables: skips, failures, review pairs, audit, erasure tombstones. No personal data."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from adapters.store.tables import Base


class SkipRecord(Base):
    """A payload that was not a citizen contact: hashed source id only, so reconciliation adds up."""

    __tablename__ = "skip_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hashed_source_id: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(64), index=True)
    recorded_at: Mapped[dt.datetime]


class FailureRecord(Base):
    """Why a message was dead-lettered (written by the settlement helper); ids and codes only."""

    __tablename__ = "failure_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(128), index=True)
    entity: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(String(255))
    recorded_at: Mapped[dt.datetime]


class ReviewPair(Base):
    """Two parties whose identifiers met on one contact: a person decides (merge or split)."""

    __tablename__ = "review_pairs"
    __table_args__ = (UniqueConstraint("party_a", "party_b"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_a: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), index=True)
    party_b: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(128))  # identifier types that met, never their values
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | merged | split
    created_at: Mapped[dt.datetime]
    resolved_at: Mapped[dt.datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(128))


class AuditEntry(Base):
    """Who did what to which party, why, through which route and what they were shown (departments).

    Hash-chained (handlers/audit_chain.py): `seq` orders the chain, `entry_hash` covers every field
    but the plain `party_id`, which erasure clears; the party stays named by `party_ref`, its hash.
    """

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(128), index=True)
    action: Mapped[str] = mapped_column(String(32))
    party_id: Mapped[int | None] = mapped_column(index=True)
    party_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(String(255))
    route: Mapped[str | None] = mapped_column(String(128))
    shown: Mapped[str | None] = mapped_column(Text)  # departments whose contacts were shown, never content
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class ErasureTombstone(Base):
    """The hash of an erased contact's event id: replay and catch-up never bring it back."""

    __tablename__ = "erasure_tombstones"
    event_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    erased_at: Mapped[dt.datetime]
