"""Dead-letter replay: send chosen dead letters back where they came from, under new message ids.

The bus port's `resubmit` strips the dead-letter properties and addresses a subscription's copy to
that subscription alone (`loket-target`), so replaying `contact-events/crm` never re-archives.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from handlers.ops import FailureLog, describe
from handlers.ports.bus import LockLostError, MessageBus, ReceivedMessage
from schemas.ops import DeadLetterView

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
PEEK_CAP = 5000  # dead letters considered per run; run again for more
BATCH = 50


@dataclass(frozen=True)
class DlqSelection:
    """Which dead letters of one entity: by reason (Loket's or the broker's), age and count."""

    entity: str
    reason: str | None = None
    since: dt.datetime | None = None
    limit: int | None = None

    def accepts(self, view: DeadLetterView) -> bool:
        if self.reason is not None and self.reason not in (view.reason, view.broker_reason):
            return False
        return self.since is None or view.enqueued_time >= self.since


@dataclass
class DlqOutcome:
    selected: list[DeadLetterView] = field(default_factory=list)
    resubmitted: list[str] = field(default_factory=list)  # new message ids
    missing: int = 0  # selected but gone meanwhile (replayed or erased by someone else)


def select(bus: MessageBus, failures: FailureLog | None, selection: DlqSelection) -> list[DeadLetterView]:
    """The dead letters a replay would send back, oldest first (a dry run stops here)."""
    views = describe(bus.peek(selection.entity, max_messages=PEEK_CAP, dead_letter=True), failures)
    chosen = [v for v in views if selection.accepts(v)]
    return chosen[: selection.limit] if selection.limit else chosen


def replay_dlq(
    bus: MessageBus,
    failures: FailureLog | None,
    selection: DlqSelection,
    progress: Progress = lambda done, total: None,
) -> DlqOutcome:
    """Resubmit the selected dead letters; others received on the way are released untouched."""
    outcome = DlqOutcome(selected=select(bus, failures, selection))
    wanted = {v.sequence_number for v in outcome.selected}
    total = len(wanted)
    progress(0, total)
    held: list[ReceivedMessage] = []
    try:
        while wanted:
            batch = bus.receive(selection.entity, max_messages=BATCH, dead_letter=True)
            if not batch:
                break
            for message in batch:
                if message.sequence_number not in wanted:
                    held.append(message)
                    continue
                wanted.discard(message.sequence_number)
                outcome.resubmitted.append(bus.resubmit(message).new_message_id)
                progress(len(outcome.resubmitted), total)
    finally:
        _release(bus, held)
    outcome.missing = len(wanted)
    log.info(
        "dead letters resubmitted: %d of %d",
        len(outcome.resubmitted),
        total,
        extra={"entity": selection.entity},
    )
    return outcome


def _release(bus: MessageBus, held: list[ReceivedMessage]) -> None:
    for message in held:
        try:
            bus.abandon(message)
        except LockLostError:
            pass  # the lock ran out: it is released anyway
