"""Rows of getPstnCalls / getDirectRoutingCalls: matched against call records, never trusted as numbers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError

from errors import PermanentError
from schemas.graph_base import GraphDatetime, GraphModel
from schemas.graph_callrecord import MALFORMED, Text, error_fields, none_to_empty


class PstnCallLogRow(GraphModel):
    """A getPstnCalls / getDirectRoutingCalls row: used to match, never trusted as a valid number."""

    id: Text = None
    call_id: Text = None
    call_type: str | None = None
    caller_number: Text = None
    callee_number: Text = None
    user_id: Text = None
    user_display_name: str | None = None
    user_principal_name: str | None = None
    start_date_time: GraphDatetime | None = None
    end_date_time: GraphDatetime | None = None
    duration: int | None = None


class PstnCallLogPage(GraphModel):
    value: Annotated[tuple[PstnCallLogRow, ...], BeforeValidator(none_to_empty)] = ()
    next_link: str | None = Field(default=None, alias="@odata.nextLink")


def parse_pstn_call_log_page(raw: Any) -> PstnCallLogPage:
    """Validate a getPstnCalls / getDirectRoutingCalls page."""
    if not isinstance(raw, dict) or not isinstance(raw.get("value"), list):
        raise PermanentError("PSTN call log: no value[] collection", reason=MALFORMED)
    try:
        return PstnCallLogPage.model_validate(raw)
    except ValidationError as exc:
        raise PermanentError(f"PSTN call log: {error_fields(exc)}", reason=MALFORMED) from exc
