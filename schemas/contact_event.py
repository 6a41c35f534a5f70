"""The contact event (schema_version 1): the one thing every channel becomes and every consumer reads."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt


def _to_utc(value: dt.datetime) -> dt.datetime:
    """Store every instant in UTC so equal instants compare and serialise equally."""
    return value.astimezone(dt.UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]


class Channel(StrEnum):
    MAIL = "mail"
    PHONE = "phone"
    POST = "post"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Outcome(StrEnum):
    RECEIVED = "received"
    SENT = "sent"
    ANSWERED = "answered"
    MISSED = "missed"
    ABANDONED = "abandoned"
    VOICEMAIL = "voicemail"
    UNIDENTIFIED = "unidentified"
    UNKNOWN = "unknown"  # a call whose record gives no evidence of how it went (still schema version 1)


class SourceSystem(StrEnum):
    GRAPH_MAIL = "graph-mail"
    GRAPH_CALLRECORDS = "graph-callrecords"
    SCAN = "scan"


class EventModel(BaseModel):
    """Frozen, strict about unknown fields, and never echoing input (personal data) in errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class Address(EventModel):
    street: str | None = None
    number: str | None = None
    box: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str = "BE"


class Citizen(EventModel):
    """Who contacted the city (or whom the city contacted); null on the event means anonymous."""

    display_name: str | None = None
    email: Annotated[str, Field(pattern=r"^[^A-Z\s]+@[^A-Z\s]+$")] | None = None
    phone: Annotated[str, Field(pattern=r"^\+[1-9][0-9]{6,14}$")] | None = None
    address: Address | None = None

    def has_identifier(self) -> bool:
        """True when the store can match this citizen to a party."""
        return bool(self.email or self.phone or (self.address and self.display_name))


class Agent(EventModel):
    """The colleague who handled the contact."""

    id: str
    display_name: str | None = None
    upn: str | None = None


class Source(EventModel):
    system: SourceSystem
    id: str = Field(min_length=1)
    version: PositiveInt = 1
    mailboxes: tuple[str, ...] = ()
    uri: str | None = None


class ContactEvent(EventModel):
    """One citizen contact on one channel, keyed by a deterministic `event_id` (see handlers.event_ids)."""

    schema_version: Literal[1] = 1
    event_id: UUID
    channel: Channel
    direction: Direction
    occurred_at: UtcDatetime
    ended_at: UtcDatetime | None = None
    duration_seconds: NonNegativeInt | None = None
    outcome: Outcome
    citizen: Citizen | None = None
    departments: tuple[str, ...] = ()
    agent: Agent | None = None
    subject: str | None = None
    summary: str | None = None
    conversation_id: str | None = None
    source: Source
    captured_at: UtcDatetime

    def to_json(self) -> str:
        """The wire form (bus message body, archive object, CLI output)."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, data: str | bytes) -> ContactEvent:
        return cls.model_validate_json(data)
