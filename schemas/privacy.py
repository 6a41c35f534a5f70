"""What the data-protection officer's commands and routes return: audit entries, erasure requests."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PrivacyModel(BaseModel):
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)


class AuditView(PrivacyModel):
    """One audit entry: who, when, what, about which party (its id while it exists, always its hash),
    why, through which route, and which departments' contacts they were shown (never the content)."""

    seq: int
    at: dt.datetime
    actor: str
    action: str
    party_id: int | None = None
    party_ref: str | None = None
    route: str | None = None
    reason: str
    detail: str | None = None
    shown: tuple[str, ...] = ()
    entry_hash: str


class ErasureRequestView(PrivacyModel):
    id: int
    party_id: int | None = None
    party_ref: str
    reason: str
    requested_by: str
    requested_at: dt.datetime
    status: str  # pending | erased | refused
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    detail: str | None = None


class ErasureRequestBody(PrivacyModel):
    """POST /api/privacy/erasures."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)
    party_id: int = Field(gt=0, lt=2**63)
    reason: str = Field(min_length=1, max_length=2000)


class DecisionBody(PrivacyModel):
    """POST /api/privacy/erasures/{id}/approve or …/refuse."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)
    reason: str = Field(min_length=1, max_length=2000)


class IdentifierBody(PrivacyModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)
    type: Literal["email", "phone", "address"]
    value: str = Field(min_length=1, max_length=512)


class RightsBody(PrivacyModel):
    """POST /api/privacy/parties/{id}/{right}: rectify (remove/add/name), restrict (lift), suppress."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)
    reason: str = Field(min_length=1, max_length=2000)
    remove: tuple[IdentifierBody, ...] = ()
    add: tuple[IdentifierBody, ...] = ()
    name: str | None = Field(None, max_length=255)
    clear_name: bool = False
    lift: bool = False
