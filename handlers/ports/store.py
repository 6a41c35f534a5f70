"""The CRM store port: a unit of work holding small repositories (contacts, parties, ledger, privacy).

Everything done through one unit of work commits together or not at all (design.md: writes are
idempotent in one transaction). Implementations: adapters/store (SQLite and PostgreSQL), proven
alike by tests/contract/test_store.py. Errors: DuplicateEvent where noted; TransientError when the
database is unreachable or a lock times out; everything else is a bug and raises as is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Protocol
from uuid import UUID

from handlers.audit_chain import ChainHead, ChainReport
from schemas.contact_event import ContactEvent
from schemas.privacy import AuditView, ErasureRequestView
from schemas.timeline import IdentifierView, ReviewPairView, TimelineEntry


class IdentifierType(StrEnum):
    """In matching strength order: an e-mail address beats a phone number beats an address + name."""

    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"


@dataclass(frozen=True)
class Identifier:
    type: IdentifierType
    value: str  # canonical: lower-case e-mail, E.164, address_key
    label: str | None = field(default=None, compare=False)  # the address as read; not identity


@dataclass(frozen=True)
class StoredContact:
    """What the version rules need of a stored contact."""

    event_id: UUID
    version: int
    party_id: int | None
    departments: frozenset[str]
    mailboxes: tuple[str, ...]


@dataclass(frozen=True)
class PartyRecord:
    party_id: int
    display_name: str | None
    created_at: dt.datetime


class Contacts(Protocol):
    def get(self, event_id: UUID) -> StoredContact | None:
        """The stored contact for this event id (reads committed data; also after a lost race)."""

    def insert(self, event: ContactEvent, now: dt.datetime) -> None:
        """Add the contact without a party. Raises DuplicateEvent when the event id exists already
        (another writer won); the transaction stays usable."""

    def replace(self, event: ContactEvent, now: dt.datetime) -> bool:
        """Overwrite every field if the stored version is still lower (party untouched: see `link`);
        False when a concurrent writer stored this version or a newer one first."""

    def add_routing(self, event_id: UUID, departments: Iterable[str], mailboxes: Sequence[str]) -> None:
        """Add departments and mailboxes (an equal version seen through another mailbox)."""

    def restrict_text(self, event_id: UUID, *, keep_subject: bool, keep_summary: bool) -> None:
        """Drop the stored subject and/or summary (a stricter department joined the contact)."""

    def link(self, event_id: UUID, party_id: int | None) -> None: ...

    def timeline(self, party_id: int) -> list[TimelineEntry]:
        """The party's contacts across channels, newest first."""

    def timelines(self, party_ids: Sequence[int]) -> dict[int, list[TimelineEntry]]:
        """`timeline` for several parties at once (every id is a key)."""

    def agent_departments(self, agent_ids: Sequence[str]) -> dict[str, str]:
        """Each colleague's department, learned from the queue calls they answered (absent: none)."""

    def event_ids_of(self, party_id: int) -> list[UUID]: ...

    def delete_events(self, event_ids: Sequence[UUID]) -> None: ...

    def expire(self, channel: str, before: dt.datetime) -> list[UUID]:
        """Delete contacts of `channel` that occurred before `before`; their event ids."""


class Parties(Protocol):
    def owners(self, identifiers: Iterable[Identifier]) -> dict[Identifier, int]:
        """The party owning each identifier that has one."""

    def create(
        self, display_name: str | None, identifiers: Sequence[Identifier], now: dt.datetime
    ) -> int | None:
        """A new party holding `identifiers`; None (nothing written) when another writer took one."""

    def attach(self, party_id: int, identifier: Identifier, now: dt.datetime) -> int:
        """Give the party this identifier unless someone holds it; returns the owner afterwards."""

    def name_if_unnamed(self, party_id: int, display_name: str, now: dt.datetime) -> None: ...

    def rename(self, party_id: int, display_name: str | None, now: dt.datetime) -> None:
        """Set (or with None, clear) the party's name: rectification."""

    def remove_identifier(self, party_id: int, identifier: Identifier) -> bool:
        """Take this identifier off the party; False when the party does not hold it."""

    def get(self, party_id: int) -> PartyRecord | None: ...

    def get_many(self, party_ids: Sequence[int]) -> dict[int, PartyRecord]: ...

    def identifiers(self, party_id: int) -> list[IdentifierView]: ...

    def identifiers_many(self, party_ids: Sequence[int]) -> dict[int, list[IdentifierView]]:
        """Every id is a key (an empty list when the party has none)."""

    def find(self, kind: IdentifierType | None, value: str, limit: int) -> list[int]:
        """Party ids by exact identifier, or by folded-name substring when `kind` is None."""

    def flag(self, a: int, b: int, reason: str, now: dt.datetime) -> None:
        """Record a review pair (once per pair, in either order)."""

    def pairs(self, status: str | None) -> list[ReviewPairView]: ...

    def resolve(self, a: int, b: int, status: str, actor: str, now: dt.datetime) -> bool:
        """Mark an open pair merged or split; False when there is no open pair."""

    def merge(self, keep: int, other: int, now: dt.datetime) -> None:
        """Move identifiers and contacts of `other` to `keep`, then delete `other`."""

    def delete(self, party_id: int) -> int:
        """Delete the party and its identifiers; how many identifiers went."""

    def delete_orphans(self, created_before: dt.datetime) -> int:
        """Delete parties without contacts created before the instant; how many."""


class Ledger(Protocol):
    def is_erased(self, event_hash: str) -> bool: ...

    def add_tombstones(self, event_hashes: Iterable[str], now: dt.datetime) -> None: ...

    def add_skip(self, hashed_source_id: str, reason: str, now: dt.datetime) -> bool:
        """False when this source was recorded already (redelivery)."""

    def add_failure(self, message_id: str, entity: str, reason: str, now: dt.datetime) -> None: ...

    def audit(
        self,
        actor: str,
        action: str,
        party_id: int | None,
        reason: str,
        now: dt.datetime,
        detail: str | None = None,
        *,
        route: str | None = None,
        shown: Sequence[str] | None = None,
    ) -> None:
        """Chain an entry onto the tamper-evident audit; call it last in the unit of work (it holds the
        chain's lock until commit). `route`: how the actor came (`cli`, `POST /api/contacts/search`);
        `shown`: the departments whose contacts they saw, never the content."""


class Privacy(Protocol):
    """The data-protection officer's side: the audit read and checked, erasure requests, rules."""

    def audit_query(
        self,
        *,
        party: int | None = None,
        actor: str | None = None,
        since: dt.datetime | None = None,
        limit: int = 500,
    ) -> list[AuditView]:
        """Entries about a party (by its hash, so also after erasure), by an actor, since an instant."""

    def audit_verify(self) -> ChainReport: ...

    def audit_head(self) -> ChainHead: ...

    def audit_hashes(self, seqs: Iterable[int]) -> dict[int, str]:
        """The entry hash at each of these sequence numbers that still exists."""

    def audit_prune(self, before: dt.datetime, now: dt.datetime, actor: str) -> int:
        """Remove entries recorded before `before`, keeping the rest verifiable; how many went."""

    def forget_party(self, party_id: int) -> None:
        """After erasure the audit and the erasure requests name the party only by its hash."""

    def add_erasure_request(
        self, party_id: int, reason: str, actor: str, now: dt.datetime
    ) -> ErasureRequestView: ...

    def erasure_request(self, request_id: int, *, lock: bool = False) -> ErasureRequestView | None: ...

    def erasure_requests(self, status: str | None = None) -> list[ErasureRequestView]: ...

    def decide_erasure(
        self, request_id: int, status: str, actor: str, now: dt.datetime, detail: str | None = None
    ) -> None: ...

    def add_rectification(self, rule_hash: str, kind: str, now: dt.datetime) -> None: ...

    def rectified(self, rule_hashes: Iterable[str]) -> set[str]:
        """Which of these rectification rule hashes exist."""

    def add_suppressions(
        self, identifier_hashes: Iterable[str], ref: str | None, now: dt.datetime
    ) -> None: ...

    def suppressed(self, identifier_hashes: Iterable[str]) -> set[str]:
        """Which of these identifier hashes are suppressed."""

    def restrict(self, party_id: int, reason: str, now: dt.datetime) -> None: ...

    def lift_restriction(self, party_id: int) -> bool: ...

    def restricted(self, party_ids: Sequence[int]) -> set[int]:
        """Which of these parties are restricted (shown only to the privacy role)."""

    # What `loket db restore-check` matches the privacy log's hashes against (whole-store scans).
    def all_party_ids(self) -> list[int]: ...

    def all_event_ids(self) -> list[UUID]: ...

    def all_identifiers(self) -> list[tuple[int, Identifier]]: ...

    def all_names(self) -> list[tuple[int, str]]: ...

    def close_requests(self, ref: str, now: dt.datetime) -> None:
        """Mark pending or approved erasure requests about this party ref erased."""


class UnitOfWork(Protocol):
    """`with uow: ...; uow.commit()`; leaving the block without commit rolls everything back."""

    contacts: Contacts
    parties: Parties
    ledger: Ledger
    privacy: Privacy

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
