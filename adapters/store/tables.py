"""The CRM store's tables (SQLAlchemy 2 typed declarative); migrations/ creates the same schema."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from adapters.store.types import UtcDateTime

# Named constraints so Alembic migrations can address them on every database.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UtcDateTime, str: String(255)}


class Party(Base):
    """A citizen; `name_folded` (handlers.identity.name_key) makes name search the same on every database."""

    __tablename__ = "parties"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str | None]
    name_folded: Mapped[str | None] = mapped_column(index=True)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    # Name search is `LIKE '%…%'`, which a b-tree cannot serve; on PostgreSQL a trigram index can.
    __table_args__ = (
        Index("ix_parties_name_folded_trgm", "name_folded", postgresql_using="gin",
              postgresql_ops={"name_folded": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )


class PartyIdentifier(Base):
    """email (lower-case), phone (E.164) or address (handlers.identity.address_key); one owner each."""

    __tablename__ = "party_identifiers"
    __table_args__ = (UniqueConstraint("type", "value"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(512))
    label: Mapped[str | None] = mapped_column(String(512))  # the address as a person reads it
    created_at: Mapped[dt.datetime]


class Department(Base):
    __tablename__ = "departments"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    restricted_group: Mapped[str | None] = mapped_column(String(64))  # issue 8: visible to this group only


class Agent(Base):
    """A colleague (Entra object id) who handled contacts."""

    __tablename__ = "agents"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str | None]
    upn: Mapped[str | None]
    updated_at: Mapped[dt.datetime]


class Contact(Base):
    """One row per `event_id`, at the highest `source.version` seen."""

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_party_id_occurred_at", "party_id", "occurred_at"),
        Index("ix_contacts_agent_id", "agent_id"),  # a colleague's department, learned from their calls
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    version: Mapped[int]
    channel: Mapped[str] = mapped_column(String(8))
    direction: Mapped[str] = mapped_column(String(8))
    occurred_at: Mapped[dt.datetime] = mapped_column(index=True)
    ended_at: Mapped[dt.datetime | None]
    duration_seconds: Mapped[int | None]
    outcome: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    conversation_id: Mapped[str | None] = mapped_column(String(512))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id", ondelete="SET NULL"))
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    source_system: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(1024))
    source_uri: Mapped[str | None] = mapped_column(String(2048))
    mailboxes: Mapped[list[str]] = mapped_column(JSON)
    captured_at: Mapped[dt.datetime]
    recorded_at: Mapped[dt.datetime]


class ContactDepartment(Base):
    """Departments as rows, so 'last contact per department' is plain SQL on both databases."""

    __tablename__ = "contact_departments"
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    department: Mapped[str] = mapped_column(ForeignKey("departments.name"), primary_key=True, index=True)
