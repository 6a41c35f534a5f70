"""Objection (Art. 21) at capture: events carrying a suppressed citizen's identifiers are skipped with
reason `suppressed` and recorded like any skip (hashed source id only), so reconciliation adds up and
nothing of theirs reaches the bus, the archive or the store."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from handlers.crm import citizen_identifiers
from handlers.privacy_rules import suppression_key
from handlers.skips import Skip, SkipReason
from schemas.contact_event import ContactEvent

SuppressedKeys = Callable[[Sequence[str]], set[str]]  # which of these keys are suppressed


def nobody_suppressed(keys: Sequence[str]) -> set[str]:
    return set()


def suppression_keys(event: ContactEvent) -> list[str]:
    return [suppression_key(i) for i in citizen_identifiers(event.citizen)]


def drop_suppressed(
    events: Sequence[ContactEvent], suppressed: SuppressedKeys, record_skip: Callable[[Skip], object]
) -> list[ContactEvent]:
    """The events to publish; each one left out is recorded as a `suppressed` skip."""
    keys = {e.event_id: suppression_keys(e) for e in events}
    wanted = [k for ks in keys.values() for k in ks]
    hit = suppressed(wanted) if wanted else set()
    if not hit:
        return list(events)
    kept = []
    for event in events:
        if hit & set(keys[event.event_id]):
            record_skip(Skip(SkipReason.SUPPRESSED, event.source.id))
        else:
            kept.append(event)
    return kept
