"""What look-ups, review and GDPR commands return: a party, its timeline, 'helped before'."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class ViewModel(BaseModel):
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)


class TimelineEntry(ViewModel):
    """One contact as staff see it on a party's timeline."""

    event_id: UUID
    version: int
    channel: str
    direction: str
    occurred_at: dt.datetime
    ended_at: dt.datetime | None = None
    duration_seconds: int | None = None
    outcome: str
    departments: tuple[str, ...] = ()
    agent: str | None = None
    # The colleague's Entra object id and UPN: for attribution only, never sent out.
    agent_id: str | None = Field(None, exclude=True)
    agent_upn: str | None = Field(None, exclude=True)
    subject: str | None = None
    summary: str | None = None
    conversation_id: str | None = None
    mailboxes: tuple[str, ...] = ()
    source_system: str
    source_uri: str | None = None
    # As shown, never stored: the department of the colleague who made a call without a queue (a
    # call-back), whether the citizen's request in this thread was answered, and where to open it.
    attributed_department: str | None = None
    on_behalf_of: str | None = None
    thread: str | None = None  # "answered" | "open" on a citizen's inbound request; None otherwise
    source_link: str | None = None


class DepartmentSummary(ViewModel):
    """'Helped before': the last contact with one department and how it ended."""

    department: str
    contacts: int
    last_at: dt.datetime
    last_channel: str
    last_outcome: str
    last_agent: str | None = None


class IdentifierView(ViewModel):
    type: str
    value: str
    label: str | None = None


class PartyView(ViewModel):
    """A party with its identifiers, summary and timeline (newest first)."""

    party_id: int
    display_name: str | None = None
    identifiers: tuple[IdentifierView, ...] = ()
    helped_before: tuple[DepartmentSummary, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    # In a result list of several parties: identifiers partly masked, no timeline, only the count and
    # the last contact (data minimisation). `opened`: shown in full (one match, or opened by id).
    opened: bool = True
    contacts: int = 0
    last_contact: TimelineEntry | None = None


class LookupResult(ViewModel):
    query: str  # the kind of look-up (phone, email, name): never the value
    parties: tuple[PartyView, ...] = ()


class ReviewPairView(ViewModel):
    party_a: int
    party_b: int
    reason: str
    status: str
    created_at: dt.datetime
    name_a: str | None = None
    name_b: str | None = None
    restricted: bool = False  # a name left out: the party is a restricted department's client


class ErasureReport(ViewModel):
    party_id: int
    contacts: int
    identifiers: int
