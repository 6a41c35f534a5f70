"""The scanner's sidecar `{name}.pdf.json`: index data the post room adds to a scanned letter."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, NonNegativeInt, ValidationError
from pydantic.alias_generators import to_camel

from errors import PermanentError

BAD_SIDECAR = "bad_sidecar"


def _post_room_zone() -> dt.tzinfo:
    """Post rooms write local (Belgian) times; fall back to UTC where no tz database is installed."""
    try:
        return ZoneInfo("Europe/Brussels")
    except ZoneInfoNotFoundError:  # pragma: no cover - minimal images without tzdata
        return dt.UTC


def _aware_utc(value: dt.datetime) -> dt.datetime:
    """A date or a time without zone is the post room's local time; stored as UTC like every instant."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_post_room_zone())
    return value.astimezone(dt.UTC)


class SidecarModel(BaseModel):
    """Tolerant of the fields scanners add (unknown keys ignored, camelCase accepted), never echoing input."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,
        coerce_numbers_to_str=True,  # scanners write postcodes, numbers and phones as JSON numbers
        str_strip_whitespace=True,
    )


class SidecarAddress(SidecarModel):
    street: str | None = None
    number: str | None = None
    box: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None


class SidecarSender(SidecarModel):
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: SidecarAddress | None = None


class ScanSidecar(SidecarModel):
    """`department` is a department name or a tray name; `tray` a tray name (both mapped by the policy)."""

    received_at: Annotated[dt.datetime, AfterValidator(_aware_utc)] | None = None
    sender: SidecarSender | None = None
    department: str | None = None
    tray: str | None = None
    reference: str | None = None
    pages: NonNegativeInt | None = None


def parse_sidecar(raw: bytes) -> ScanSidecar:
    """Validate a sidecar file's bytes; a PermanentError names the field and the problem, never a value."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise PermanentError("scan sidecar: not UTF-8 text", reason=BAD_SIDECAR) from exc
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise PermanentError(
            f"scan sidecar: not valid JSON ({exc.msg} at {where})", reason=BAD_SIDECAR
        ) from exc
    if not isinstance(data, dict):
        raise PermanentError("scan sidecar: expected a JSON object at the top level", reason=BAD_SIDECAR)
    try:
        return ScanSidecar.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            ".".join(str(part) for part in err["loc"]) + ": " + err["msg"] for err in exc.errors()[:3]
        )
        raise PermanentError(f"scan sidecar: invalid field ({problems})", reason=BAD_SIDECAR) from exc
