"""The Teams callRecord subset Loket reads: documented and real call-queue layouts, any identity shape."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, Field, ValidationError

from errors import PermanentError
from schemas.graph_base import GraphDatetime, GraphModel

MALFORMED = "malformed_call_record"  # the PermanentError reason operators group dead letters by


def _to_text(value: Any) -> Any:
    """Ids and numbers sometimes arrive as JSON numbers; Loket compares them as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return value


def none_to_empty(value: Any) -> Any:
    """Graph writes `null` for an empty collection as readily as `[]`."""
    return () if value is None else value


def _bare_identity(value: Any) -> Any:
    """A typed identity given as a bare string (`"phone": "+32…"`) is read as its id."""
    return {"id": value} if isinstance(value, str) else value


Text = Annotated[str | None, BeforeValidator(_to_text)]


class Identity(GraphModel):
    """One identity (user, phone, applicationInstance, guest, … or an associatedIdentity)."""

    id: Text = None
    display_name: Text = None
    tenant_id: Text = None
    user_principal_name: Text = None
    odata_type: str | None = Field(default=None, alias="@odata.type")


TypedIdentity = Annotated[Identity | None, BeforeValidator(_bare_identity)]


class IdentitySet(GraphModel):
    """communicationsIdentitySet (typed keys), or an untyped `{id, displayName}` read from the same object."""

    user: TypedIdentity = None
    phone: TypedIdentity = None
    application_instance: TypedIdentity = None
    application: TypedIdentity = None
    guest: TypedIdentity = None
    device: TypedIdentity = None
    encrypted: TypedIdentity = None
    on_premises: TypedIdentity = None
    acs_user: TypedIdentity = None
    spool_user: TypedIdentity = None
    azure_communication_services_user: TypedIdentity = None
    acs_application_instance: TypedIdentity = None
    spool_application_instance: TypedIdentity = None
    endpoint_type: str | None = None
    # Untyped form (the SDK leaves these in additional_data): the identity's own fields at this level.
    id: Text = None
    display_name: Text = None
    user_principal_name: Text = None
    odata_type: str | None = Field(default=None, alias="@odata.type")


class UserAgent(GraphModel):
    """clientUserAgent or serviceUserAgent; only a service agent has a `role` (queue, voicemail, …)."""

    odata_type: str | None = Field(default=None, alias="@odata.type")
    role: str | None = None
    platform: str | None = None
    product_family: str | None = None
    header_value: str | None = None


class Endpoint(GraphModel):
    """participantEndpoint or serviceEndpoint: `identity` (deprecated 2026-06-30), `associatedIdentity`."""

    odata_type: str | None = Field(default=None, alias="@odata.type")
    identity: IdentitySet | None = None
    associated_identity: Identity | None = None
    user_agent: UserAgent | None = None


class FailureInfo(GraphModel):
    stage: str | None = None
    reason: str | None = None


class Segment(GraphModel):
    id: Text = None
    start_date_time: GraphDatetime | None = None
    end_date_time: GraphDatetime | None = None
    caller: Endpoint | None = None
    callee: Endpoint | None = None
    failure_info: FailureInfo | None = None


class Session(Segment):
    """One leg of the call (a segment's fields, plus its own segments); queue calls have one per queue,
    voice app and agent offer (real.md §b)."""

    is_test: bool | None = None
    segments: Annotated[tuple[Segment, ...], BeforeValidator(none_to_empty)] = ()


class Participant(GraphModel):
    """organizer_v2 or a participants_v2 entry: `id` (`+E.164` for a PSTN party) and an identity set."""

    id: Text = None
    identity: IdentitySet | None = None


class CallRecord(GraphModel):
    """microsoft.graph.callRecords.callRecord; the same `id` across versions, `version` growing."""

    id: str = Field(min_length=1)
    version: int | None = None
    type: str | None = None
    modalities: Annotated[tuple[str, ...], BeforeValidator(none_to_empty)] = ()
    start_date_time: GraphDatetime
    end_date_time: GraphDatetime | None = None
    last_modified_date_time: GraphDatetime | None = None
    join_web_url: str | None = None
    organizer: IdentitySet | None = None
    organizer_v2: Participant | None = Field(default=None, alias="organizer_v2")
    participants: Annotated[tuple[IdentitySet | None, ...], BeforeValidator(none_to_empty)] = ()
    participants_v2: Annotated[tuple[Participant, ...], BeforeValidator(none_to_empty)] = Field(
        default=(), alias="participants_v2"
    )
    sessions: Annotated[tuple[Session, ...], BeforeValidator(none_to_empty)] = ()
    sessions_next_link: str | None = Field(default=None, alias="sessions@odata.nextLink")
    participants_next_link: str | None = Field(default=None, alias="participants_v2@odata.nextLink")

    def with_participants(self, page: ParticipantsPage) -> CallRecord:
        """The record with a separately fetched participants_v2 page appended (one expansion a GET)."""
        return self.model_copy(update={"participants_v2": self.participants_v2 + page.value})

    def with_sessions(self, page: SessionsPage) -> CallRecord:
        """The record with a further `sessions@odata.nextLink` page appended (pages hold 60 sessions)."""
        return self.model_copy(update={"sessions": self.sessions + page.value})


class ParticipantsPage(GraphModel):
    """`GET …/callRecords/{id}/participants_v2`: 130 a page, `@odata.nextLink` for more."""

    value: Annotated[tuple[Participant, ...], BeforeValidator(none_to_empty)] = ()
    next_link: str | None = Field(default=None, alias="@odata.nextLink")


class SessionsPage(GraphModel):
    """`GET …/callRecords/{id}/sessions?$expand=segments`: 60 a page, `@odata.nextLink` for more."""

    value: Annotated[tuple[Session, ...], BeforeValidator(none_to_empty)] = ()
    next_link: str | None = Field(default=None, alias="@odata.nextLink")


def error_fields(exc: ValidationError) -> str:
    """Field paths and error kinds only: never the input (it can be a phone number or a name)."""
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc} {'missing' if err['type'] == 'missing' else 'invalid (' + err['type'] + ')'}")
    return "; ".join(parts)


def _not_a_record(raw: dict[str, Any]) -> str | None:
    """Name what a JSON object is when it is clearly some other payload, so the error helps."""
    from schemas.payload_shape import describe, mismatch

    return mismatch(describe(raw), "call_record", "a callRecord")


def parse_call_record(raw: Any) -> CallRecord:
    """Validate a callRecord GET body; the PermanentError names the field, never the value."""
    if not isinstance(raw, dict):
        raise PermanentError("callRecord: not a JSON object", reason=MALFORMED)
    other = _not_a_record(raw)
    if other:
        raise PermanentError(f"callRecord: {other}", reason=MALFORMED)
    try:
        return CallRecord.model_validate(raw)
    except ValidationError as exc:
        raise PermanentError(f"callRecord: {error_fields(exc)}", reason=MALFORMED) from exc


PageT = TypeVar("PageT", ParticipantsPage, SessionsPage)


def parse_page(raw: Any, model: type[PageT]) -> PageT:
    """Validate a participants_v2 or sessions page; the PermanentError names the field, never a value."""
    what = "participants page" if model is ParticipantsPage else "sessions page"
    if not isinstance(raw, dict) or not isinstance(raw.get("value"), list):
        raise PermanentError(f"{what}: no value[] collection", reason=MALFORMED)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise PermanentError(f"{what}: {error_fields(exc)}", reason=MALFORMED) from exc


def parse_participants_page(raw: Any) -> ParticipantsPage:
    return parse_page(raw, ParticipantsPage)
