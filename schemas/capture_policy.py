"""The capture policy (YAML): which mailboxes, queues and trays are captured, and what may be stored."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from errors import ConfigurationError


class PolicyModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class StoredText(StrEnum):
    NONE = "none"
    SUBJECT = "subject"
    PREVIEW = "preview"


class Tenant(PolicyModel):
    id: str
    domain: str


class Mailbox(PolicyModel):
    address: str
    user_id: str | None = None
    department: str


class FormSender(PolicyModel):
    address: str
    default_department: str


class CallQueue(PolicyModel):
    resource_account_id: str
    kind: Literal["call_queue", "auto_attendant"] = "call_queue"
    name: str | None = None
    department: str


class PhoneRange(PolicyModel):
    first: str
    last: str


class CityAddress(PolicyModel):
    street: str
    number: str
    postal_code: str
    city: str


class City(PolicyModel):
    phone_numbers: tuple[str, ...] = ()
    phone_ranges: tuple[PhoneRange, ...] = ()
    addresses: tuple[CityAddress, ...] = ()


class Exclusions(PolicyModel):
    senders: tuple[str, ...] = ()
    phone_numbers: tuple[str, ...] = ()


class MachineSenders(PolicyModel):
    """Senders the city has judged itself: `always` are software (skipped as `machine_sender`), `never` are
    people or platforms whose mail is a citizen's contact whatever its headers say (no `machine_sender`
    or `bulk_mail` skip; bounces and auto-replies are still skipped). Addresses, or domains as `@domain`."""

    always: tuple[str, ...] = ()
    never: tuple[str, ...] = ()


def _matches(address: str, entries: tuple[str, ...]) -> bool:
    """`address` is listed itself, or its domain (or a parent domain) is listed as `@domain`."""
    address = address.strip().lower()
    domain = address.rsplit("@", 1)[-1]
    for entry in (e.strip().lower() for e in entries):
        if entry == address:
            return True
        if entry.startswith("@") and (domain == entry[1:] or domain.endswith("." + entry[1:])):
            return True
    return False


class StoredTextPolicy(PolicyModel):
    default: StoredText = StoredText.SUBJECT
    per_department: dict[str, StoredText] = Field(default_factory=dict)


class CapturePolicy(PolicyModel):
    """The city's policy; lookups are case-insensitive on addresses, exact on ids and numbers."""

    tenant: Tenant
    internal_domains: tuple[str, ...] = ()
    mailboxes: tuple[Mailbox, ...] = ()
    keep_junk: bool = False
    form_senders: tuple[FormSender, ...] = ()
    call_queues: tuple[CallQueue, ...] = ()
    scan_trays: dict[str, str] = Field(default_factory=dict)
    city: City = City()
    exclusions: Exclusions = Exclusions()
    machine_senders: MachineSenders = MachineSenders()
    restricted_departments: dict[str, str] = Field(default_factory=dict)
    stored_text: StoredTextPolicy = StoredTextPolicy()
    retention_days: dict[Literal["mail", "phone", "post"], int] = Field(default_factory=dict)
    # Optional: colleague (UPN or Entra object id) -> department, for attributing call-backs and
    # direct calls when shown; without an entry the department is learned from answered queue calls.
    staff: dict[str, str] = Field(default_factory=dict)
    # The zone staff read times in (the page, the CLI); stored times stay UTC. An IANA name.
    time_zone: str = "Europe/Brussels"

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("time_zone: not an IANA time zone name") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    # Days the audit (who looked at whom) is kept; unset = kept for good. Never shorter than a
    # channel's retention: the city must be able to show who saw any contact it still holds.
    audit_retention_days: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _audit_outlives_contacts(self) -> CapturePolicy:
        longest = max(self.retention_days.values(), default=0)
        if self.audit_retention_days is not None and self.audit_retention_days < longest:
            raise ValueError(f"audit_retention_days must be at least the longest retention_days ({longest})")
        return self

    def mailbox(self, address_or_user_id: str) -> Mailbox | None:
        """The captured mailbox by address (any case) or Entra object id, else None."""
        key = address_or_user_id.strip().lower()
        for box in self.mailboxes:
            if box.address.lower() == key or (box.user_id and box.user_id.lower() == key):
                return box
        return None

    def form_sender(self, address: str) -> FormSender | None:
        key = address.strip().lower()
        return next((f for f in self.form_senders if f.address.lower() == key), None)

    def call_queue(self, resource_account_id: str) -> CallQueue | None:
        key = resource_account_id.strip().lower()
        return next((q for q in self.call_queues if q.resource_account_id.lower() == key), None)

    def tray_department(self, tray: str) -> str | None:
        return self.scan_trays.get(tray.strip().lower())

    def is_internal_email(self, address: str) -> bool:
        domain = address.rsplit("@", 1)[-1].strip().lower()
        return any(domain == d.lower() or domain.endswith("." + d.lower()) for d in self.internal_domains)

    def is_excluded_email(self, address: str) -> bool:
        address = address.strip().lower()
        domain = "@" + address.rsplit("@", 1)[-1]
        return any(s.lower() in (address, domain) for s in self.exclusions.senders)

    def is_always_machine(self, address: str) -> bool:
        return _matches(address, self.machine_senders.always)

    def is_never_machine(self, address: str) -> bool:
        return _matches(address, self.machine_senders.never)

    def is_city_number(self, e164: str) -> bool:
        """The city's own numbers (listed or in a range of equal-length numbers) are never a citizen."""
        if e164 in self.city.phone_numbers or e164 in self.exclusions.phone_numbers:
            return True
        return any(
            len(r.first) == len(e164) == len(r.last) and r.first <= e164 <= r.last
            for r in self.city.phone_ranges
        )

    def stored_text_for(self, departments: tuple[str, ...] | list[str]) -> StoredText:
        """The strictest text rule among the contact's departments."""
        order = [StoredText.NONE, StoredText.SUBJECT, StoredText.PREVIEW]
        rules = [self.stored_text.per_department.get(d, self.stored_text.default) for d in departments]
        return min(rules or [self.stored_text.default], key=order.index)


def load_policy(path: Path | str) -> CapturePolicy:
    """Read and validate a policy file; errors name the file and the field, never a value."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(
            "CAPTURE_POLICY_PATH", f"cannot read {path.name}: {type(exc).__name__}"
        ) from exc
    try:
        return CapturePolicy.model_validate(raw)
    except ValidationError as exc:
        where = "; ".join(".".join(map(str, e["loc"])) + ": " + e["msg"] for e in exc.errors()[:3])
        raise ConfigurationError("CAPTURE_POLICY_PATH", f"invalid {path.name}: {where}") from exc
