"""The citizen's other rights: rectification (Art. 16), restriction (Art. 18) and objection (Art. 21).

Each is audited (types and counts, never the values) and written to the privacy log outside the
database before the store commits, so a restore from backup cannot undo it (`loket db restore-check`).

- rectify: take a wrong identifier or name off a party, or add the right one; a hashed rule keeps
  matching from putting the wrong one back when a later event carries it;
- restrict: the party's contacts are still captured but shown only to the privacy role;
- suppress: capture skips events carrying the party's identifiers (reason `suppressed`, counted like
  any skip); the party is restricted as well, so what was captured before is kept out of sight.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from handlers.audit_chain import party_ref
from handlers.crm import utc_now
from handlers.gdpr import UnknownParty
from handlers.identity import normalise_email, normalise_phone
from handlers.lookup import require_reason
from handlers.ports.privacy_log import PrivacyLog
from handlers.ports.store import Identifier, IdentifierType, UnitOfWork
from handlers.privacy_rules import identifier_rule, name_rule, suppression_key

KEEP = object()  # rectify(name=KEEP): leave the name as it is


class RectificationRefused(ValueError):
    """The correction cannot be made as asked (the party lacks the identifier, another party owns it)."""


class NoPrivacyLog:
    """For callers without one (tests of the store alone): records go nowhere."""

    def append(self, record: dict[str, Any]) -> None:
        return None

    def records(self) -> list[dict[str, Any]]:
        return []


def identifier(kind: str, raw: str) -> Identifier:
    """A typed identifier in the store's canonical form (an address as the store shows it)."""
    kind_ = IdentifierType(kind)
    value = {
        IdentifierType.EMAIL: normalise_email,
        IdentifierType.PHONE: normalise_phone,
    }.get(kind_, lambda v: v.strip() or None)(raw)
    if value is None:
        raise RectificationRefused(f"not a valid {kind_.value}")
    return Identifier(kind_, value)


@dataclass(frozen=True)
class Rectification:
    party_id: int
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    name: str = "kept"  # kept | corrected | removed
    rules: tuple[str, ...] = field(default=(), repr=False)


def rectify(
    uow: UnitOfWork,
    party_id: int,
    *,
    actor: str,
    reason: str,
    route: str,
    remove: Sequence[Identifier] = (),
    add: Sequence[Identifier] = (),
    name: Any = KEEP,
    log: PrivacyLog | None = None,
    now: dt.datetime | None = None,
) -> Rectification:
    """Correct the party in one transaction; the rules go to the privacy log first."""
    reason = require_reason(reason)
    now = now or utc_now()
    with uow:
        party = uow.parties.get(party_id)
        if party is None:
            raise UnknownParty(f"no party {party_id}")
        rules: list[tuple[str, str]] = []
        for wrong in remove:
            if not uow.parties.remove_identifier(party_id, wrong):
                raise RectificationRefused(f"party {party_id} holds no such {wrong.type.value}")
            rules.append((identifier_rule(party_id, wrong), wrong.type.value))
        for right in add:
            if uow.parties.attach(party_id, right, now) != party_id:
                raise RectificationRefused(
                    f"that {right.type.value} belongs to another party: resolve it with `loket parties`"
                )
        outcome = "kept"
        if name is not KEEP and (name or None) != party.display_name:
            if party.display_name:
                rules.append((name_rule(party_id, party.display_name), "name"))
            uow.parties.rename(party_id, (name or "").strip() or None, now)
            outcome = "corrected" if name else "removed"
        for rule_hash, kind in rules:
            uow.privacy.add_rectification(rule_hash, kind, now)
        done = Rectification(
            party_id,
            tuple(w.type.value for w in remove),
            tuple(r.type.value for r in add),
            outcome,
            tuple(h for h, _ in rules),
        )
        (log or NoPrivacyLog()).append(
            _record("rectification", party_id, now, rules=[{"hash": h, "kind": k} for h, k in rules])
        )
        uow.ledger.audit(actor, "rectify", party_id, reason, now, detail=_detail(done), route=route)
        uow.commit()
    return done


def restrict(
    uow: UnitOfWork,
    party_id: int,
    *,
    actor: str,
    reason: str,
    route: str,
    lift: bool = False,
    log: PrivacyLog | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Restrict the party (only the privacy role sees it), or lift that; False when nothing changed."""
    reason = require_reason(reason)
    now = now or utc_now()
    with uow:
        if uow.parties.get(party_id) is None:
            raise UnknownParty(f"no party {party_id}")
        was = bool(uow.privacy.restricted([party_id]))
        if lift == (not was):
            return False
        (log or NoPrivacyLog()).append(_record("restriction", party_id, now, lifted=lift))
        if lift:
            uow.privacy.lift_restriction(party_id)
        else:
            uow.privacy.restrict(party_id, reason, now)
        action = "restriction_lifted" if lift else "restrict"
        uow.ledger.audit(actor, action, party_id, reason, now, route=route)
        uow.commit()
    return True


def suppress(
    uow: UnitOfWork,
    party_id: int,
    *,
    actor: str,
    reason: str,
    route: str,
    log: PrivacyLog | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Capture skips the party's identifiers from now on, and the party is restricted; how many
    identifiers are suppressed."""
    reason = require_reason(reason)
    now = now or utc_now()
    with uow:
        if uow.parties.get(party_id) is None:
            raise UnknownParty(f"no party {party_id}")
        keys = [
            suppression_key(Identifier(IdentifierType(i.type), i.value))
            for i in uow.parties.identifiers(party_id)
        ]
        (log or NoPrivacyLog()).append(_record("suppression", party_id, now, keys=keys))
        uow.privacy.add_suppressions(keys, party_ref(party_id), now)
        uow.privacy.restrict(party_id, reason, now)
        uow.ledger.audit(
            actor, "suppress", party_id, reason, now, detail=f"{len(keys)} identifiers", route=route
        )
        uow.commit()
    return len(keys)


def _record(kind: str, party_id: int, now: dt.datetime, **fields: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "at": now.astimezone(dt.UTC).isoformat(),
        "party_ref": party_ref(party_id),
        **fields,
    }


def _detail(done: Rectification) -> str:
    parts = [f"removed {t}" for t in done.removed] + [f"added {t}" for t in done.added]
    if done.name != "kept":
        parts.append(f"name {done.name}")
    return "; ".join(parts) or "nothing changed"
