"""The data-protection officer's tables: the audit chain's head, erasure requests (four eyes),
rectification rules, suppressions and restrictions. Rules are hashes: no personal data."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from adapters.store.tables import Base


class AuditHead(Base):
    """One row: the audit chain's last entry, and its start once retention removed older entries.

    Every append locks this row (SELECT … FOR UPDATE), so two writers never chain onto the same entry.
    """

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))
    first_seq: Mapped[int] = mapped_column(Integer)
    anchor_hash: Mapped[str] = mapped_column(String(64))


class ErasureRequest(Base):
    """An erasure asked for by one person and run only once a second person approves it."""

    __tablename__ = "erasure_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int | None] = mapped_column(index=True)  # cleared once erased; party_ref stays
    party_ref: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(128))
    requested_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | erased | refused
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[dt.datetime | None]
    detail: Mapped[str | None] = mapped_column(String(255))


class RectificationRule(Base):
    """A corrected identifier or name (Art. 16), hashed with the party: matching never re-attaches it."""

    __tablename__ = "rectification_rules"
    rule_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # email | phone | address | name
    created_at: Mapped[dt.datetime]


class Suppression(Base):
    """A citizen who objected (Art. 21): capture skips events carrying this hashed identifier."""

    __tablename__ = "suppressions"
    identifier_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    party_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime]


class PartyRestriction(Base):
    """A restricted citizen (Art. 18): still captured, shown only to the privacy role."""

    __tablename__ = "party_restrictions"
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True)
    restricted_at: Mapped[dt.datetime]
    reason: Mapped[str] = mapped_column(Text)
