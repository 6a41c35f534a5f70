"""The scanner's sidecar `{name}.pdf.json`: index data the post room adds to a scanned letter."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from errors import PermanentError
from schemas.json_limits import JsonTooDeep, loads_bounded

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


# Sanity (issue 15): retention counts from `received_at`, so a typo must not date a letter decades
# back (deleted at once) or years ahead (kept for ever). Before the floor, or more than
# FUTURE_SLACK after the moment of capture (checked by the capture), the sidecar is bad.
RECEIVED_FLOOR = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FUTURE_SLACK = dt.timedelta(days=1)
MAX_PAGES = 10_000


def _date_text(value: object) -> object:
    """A date is written as text; a bare number (a Unix time? a typo?) is a wrong type here."""
    if value is not None and not isinstance(value, str | dt.datetime | dt.date):
        raise ValueError("a date must be written as text (ISO 8601)")
    return value


def _after_floor(value: dt.datetime) -> dt.datetime:
    if value < RECEIVED_FLOOR:
        raise ValueError(f"date before {RECEIVED_FLOOR:%Y-%m-%d}")
    return value


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

    received_at: Annotated[
        dt.datetime, BeforeValidator(_date_text), AfterValidator(_aware_utc), AfterValidator(_after_floor)
    ] | None = None
    sender: SidecarSender | None = None
    department: str | None = None
    tray: str | None = None
    reference: str | None = None
    pages: Annotated[int, Field(strict=True, ge=0, le=MAX_PAGES)] | None = None

    def in_future(self, now: dt.datetime) -> bool:
        """Received later than the moment of capture allows: a typo, so the sidecar is bad."""
        return self.received_at is not None and self.received_at > now + FUTURE_SLACK


def parse_sidecar(raw: bytes) -> ScanSidecar:
    """Validate a sidecar file's bytes; a PermanentError names the field and the problem, never a value."""
    try:
        data = loads_bounded(raw.decode("utf-8-sig"), max_depth=8)
    except JsonTooDeep as exc:
        raise PermanentError(f"scan sidecar: {exc}", reason=BAD_SIDECAR) from None
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
