"""record_contact: apply a contact event to the CRM store, version-aware and idempotent.

Matching rules (docs/store.md): the citizen's identifiers are an e-mail address, an E.164 phone
number, and an address + name (handlers.identity.address_key). A party owning any of them is the
citizen; when several parties own them, the strongest identifier wins (e-mail > phone > address:
an address is shared by a household, a phone by a family, an e-mail rarely) and the other parties
are flagged for review, never merged silently. Identifiers nobody owns join the chosen party.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from enum import StrEnum
from uuid import UUID

from errors import DuplicateEvent, TransientError
from handlers.event_ids import hashed_source_id
from handlers.identity import address_key, normalise_address, normalise_email, normalise_phone
from handlers.ports.store import Identifier, IdentifierType, StoredContact, UnitOfWork
from handlers.privacy_rules import identifier_rule, name_rule, suppression_key
from handlers.skips import Skip, SkipReason
from schemas.capture_policy import StoredText
from schemas.contact_event import Citizen, ContactEvent

log = logging.getLogger(__name__)
CREATE_ATTEMPTS = 3


_NO_CONTACT = StoredContact(UUID(int=0), 0, None, frozenset(), ())


class RecordOutcome(StrEnum):
    CREATED = "created"
    REPLACED = "replaced"
    MERGED = "merged"  # equal version, new departments or mailboxes
    IGNORED_OLDER = "ignored_older"
    REFUSED_ERASED = "refused_erased"
    DUPLICATE = "duplicate"  # equal version, nothing new
    SUPPRESSED = "suppressed"  # the citizen objected: recorded as a skip (replay, catch-up, late versions)


_WRITTEN = (RecordOutcome.CREATED, RecordOutcome.REPLACED, RecordOutcome.MERGED)


def tombstone_key(event_id: UUID) -> str:
    """Hash kept after erasure: it recognises a replayed event without naming the contact."""
    return hashlib.sha256(f"erased:{event_id}".encode()).hexdigest()


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record_contact(
    event: ContactEvent,
    uow: UnitOfWork,
    now: dt.datetime | None = None,
    text_rule: Callable[[Sequence[str]], StoredText] | None = None,
) -> RecordOutcome:
    """Apply `event` in one transaction: higher version replaces, equal merges, lower is ignored.

    `text_rule` (the policy's `stored_text_for`) is applied to the contact's departments as stored
    afterwards: a restricted department joining later by a merge (the same mail in a second
    mailbox), or an event replayed from before a policy change, never keeps a laxer text (issue 15).
    """
    now = now or utc_now()
    with uow:
        outcome = _apply(event, uow, now)
        if text_rule is not None and outcome in _WRITTEN:
            departments = set(event.departments)
            if outcome is RecordOutcome.MERGED:
                departments |= (uow.contacts.get(event.event_id) or _NO_CONTACT).departments
            rule = text_rule(sorted(departments))
            uow.contacts.restrict_text(event.event_id, keep_subject=rule is not StoredText.NONE,
                                       keep_summary=rule is StoredText.PREVIEW)
        uow.commit()
    log.info(
        "contact %s: %s",
        outcome.value,
        event.event_id,
        extra={"event_id": str(event.event_id), "outcome": outcome.value},
    )
    return outcome


def _apply(event: ContactEvent, uow: UnitOfWork, now: dt.datetime) -> RecordOutcome:
    if uow.ledger.is_erased(tombstone_key(event.event_id)):
        return RecordOutcome.REFUSED_ERASED
    keys = [suppression_key(i) for i in citizen_identifiers(event.citizen)]
    if keys and uow.privacy.suppressed(keys):
        uow.ledger.add_skip(hashed_source_id(event.source.id), SkipReason.SUPPRESSED.value, now)
        return RecordOutcome.SUPPRESSED
    stored = uow.contacts.get(event.event_id)
    if stored is None:
        try:
            uow.contacts.insert(event, now)  # claims the event id first: the race is settled here
        except DuplicateEvent:
            stored = uow.contacts.get(event.event_id)
            if stored is None:  # pragma: no cover - the winner's row vanished: let the bus retry
                raise TransientError(f"contact {event.event_id} vanished after a lost insert race") from None
        else:
            uow.contacts.link(event.event_id, _match_party(event.citizen, uow, now))
            return RecordOutcome.CREATED
    return _apply_version(event, stored, uow, now)


def _apply_version(
    event: ContactEvent, stored: StoredContact, uow: UnitOfWork, now: dt.datetime
) -> RecordOutcome:
    if event.source.version < stored.version:
        return RecordOutcome.IGNORED_OLDER
    if event.source.version > stored.version:
        if uow.contacts.replace(event, now):
            uow.contacts.link(event.event_id, _match_party(event.citizen, uow, now))
            return RecordOutcome.REPLACED
        newer = uow.contacts.get(event.event_id)  # a concurrent writer stored an equal or newer version
        if newer is None:  # pragma: no cover - erased meanwhile: let the bus retry
            raise TransientError(f"contact {event.event_id} vanished while being replaced")
        return _apply_version(event, newer, uow, now)
    new_departments = set(event.departments) - stored.departments
    new_mailboxes = [m for m in event.source.mailboxes if m not in stored.mailboxes]
    if not new_departments and not new_mailboxes:
        return RecordOutcome.DUPLICATE
    uow.contacts.add_routing(event.event_id, new_departments, new_mailboxes)
    return RecordOutcome.MERGED


def citizen_identifiers(citizen: Citizen | None) -> list[Identifier]:
    """The citizen's identifiers in canonical form, strongest first."""
    if citizen is None:
        return []
    found: list[Identifier] = []
    if email := normalise_email(citizen.email):
        found.append(Identifier(IdentifierType.EMAIL, email))
    if phone := normalise_phone(citizen.phone):
        found.append(Identifier(IdentifierType.PHONE, phone))
    address = normalise_address(citizen.address)
    if address is not None and citizen.display_name and citizen.display_name.strip():
        label = " ".join(
            p
            for p in (
                address.street,
                address.number,
                address.box and f"bus {address.box}",
                address.postal_code,
                address.city,
            )
            if p
        )
        found.append(Identifier(IdentifierType.ADDRESS, address_key(address, citizen.display_name), label))
    return found


def _match_party(citizen: Citizen | None, uow: UnitOfWork, now: dt.datetime) -> int | None:
    """The party for this citizen (found or created); None for anonymous or unidentified contacts."""
    identifiers = citizen_identifiers(citizen)
    if not identifiers:
        return None
    name = citizen.display_name.strip() if citizen and citizen.display_name else None
    for _ in range(CREATE_ATTEMPTS):
        owners = uow.parties.owners(identifiers)
        if not owners:
            party_id = uow.parties.create(name, identifiers, now)
            if party_id is not None:
                return party_id
            continue  # another writer registered one of them meanwhile: match again
        chosen = owners[next(i for i in identifiers if i in owners)]
        identifiers, name = _not_rectified(chosen, identifiers, owners, name, uow)
        _attach_and_flag(chosen, identifiers, owners, uow, now)
        if name:
            uow.parties.name_if_unnamed(chosen, name, now)
        return chosen
    raise TransientError("party creation kept racing; retry later")  # pragma: no cover


def _not_rectified(
    chosen: int,
    identifiers: list[Identifier],
    owners: dict[Identifier, int],
    name: str | None,
    uow: UnitOfWork,
) -> tuple[list[Identifier], str | None]:
    """Leave out what a rectification took off the chosen party: a later event carrying the wrong
    identifier or name must not put it back (handlers/privacy_rules.py)."""
    candidates = {identifier_rule(chosen, i): i for i in identifiers if owners.get(i) != chosen}
    named = name_rule(chosen, name) if name else None
    wanted = [*candidates, *([named] if named else [])]
    ruled = uow.privacy.rectified(wanted) if wanted else set()
    if not ruled:
        return identifiers, name
    dropped = {candidates[h] for h in ruled if h in candidates}
    return [i for i in identifiers if i not in dropped], None if named in ruled else name


def _attach_and_flag(
    chosen: int,
    identifiers: list[Identifier],
    owners: dict[Identifier, int],
    uow: UnitOfWork,
    now: dt.datetime,
) -> None:
    conflicts: dict[int, list[str]] = {}
    for identifier in identifiers:
        owner = owners.get(identifier)
        if owner is None:
            owner = uow.parties.attach(chosen, identifier, now)
        if owner != chosen:
            conflicts.setdefault(owner, []).append(identifier.type.value)
    for other, types in conflicts.items():
        strongest = next(i.type.value for i in identifiers if owners.get(i) == chosen)
        uow.parties.flag(chosen, other, f"{strongest} vs {'+'.join(types)}", now)
        log.warning("identity conflict flagged for review", extra={"party_a": chosen, "party_b": other})


def record_skip(skip: Skip, uow: UnitOfWork, now: dt.datetime | None = None) -> bool:
    """Record a non-contact without personal data; False when this source was recorded already."""
    with uow:
        added = uow.ledger.add_skip(hashed_source_id(skip.source_id), skip.reason.value, now or utc_now())
        uow.commit()
    return added


def record_failure(
    message_id: str, entity: str, reason: str, uow: UnitOfWork, now: dt.datetime | None = None
) -> None:
    """The failure log beside a dead letter: ids and a reason code only (design.md, settlement)."""
    with uow:
        uow.ledger.add_failure(message_id, entity, reason, now or utc_now())
        uow.commit()
