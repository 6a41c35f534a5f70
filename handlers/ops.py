"""Queue monitoring: every entity's figures, dead-letter reasons and a health verdict (issue 8).

One report feeds `loket queues`, GET /api/ops/queues, the web page and the `publish_queue_metrics`
timer, so operators, alerts and the page never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from handlers.ports.bus import (
    MAX_DELIVERY_REASON,
    REPLAY_ATTEMPT_PROPERTY,
    EntityCounts,
    MessageBus,
    ReceivedMessage,
)
from schemas.ops import DeadLetterView, EntityReport, QueueReport, Verdict

REASON_SAMPLE = 250  # dead letters peeked per entity to group reasons (the counts are exact)
_RANK: dict[Verdict, int] = {"ok": 0, "warning": 1, "critical": 2}


class FailureLog(Protocol):
    def latest_reasons(self, message_ids: Sequence[str]) -> dict[str, str]:
        """Loket's own reason for each message id that has one in the failure log (the latest)."""


@runtime_checkable
class TrafficSource(Protocol):
    def traffic(self, since: dt.datetime) -> dict[str, tuple[int, int]]:
        """Messages (in, out) per entity from `since` until now."""


@dataclass(frozen=True)
class Thresholds:
    """When an entity stops being `ok` (settings QUEUE_*; defaults match the infra alerts)."""

    window_minutes: int = 5
    oldest_age_warning_seconds: int = 300
    oldest_age_critical_seconds: int = 900
    active_warning: int = 1000
    dead_letter_warning: int = 1
    dead_letter_critical: int = 50

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        return cls(
            window_minutes=settings.queue_window_minutes,
            oldest_age_warning_seconds=settings.queue_oldest_age_warning_seconds,
            oldest_age_critical_seconds=settings.queue_oldest_age_critical_seconds,
            active_warning=settings.queue_active_warning,
            dead_letter_warning=settings.queue_dead_letter_warning,
            dead_letter_critical=settings.queue_dead_letter_critical,
        )


def queue_report(
    bus: MessageBus,
    failures: FailureLog | None,
    thresholds: Thresholds,
    now: dt.datetime,
    letters: Sequence[Any] | None = None,
) -> QueueReport:
    """Every queue, subscription and topic with its figures and verdict, and the worst verdict overall;
    with `letters` (open letter failures: `.reason`), a `scanned-post` row for scans that failed."""
    since = now - dt.timedelta(minutes=thresholds.window_minutes)
    traffic = bus.traffic(since) if isinstance(bus, TrafficSource) else None
    rows = [_entity(bus, failures, c, traffic, thresholds) for c in bus.counts()]
    if letters is not None:
        rows.append(letter_row(letters, thresholds))
    overall = max((r.health for r in rows), key=_RANK.__getitem__, default="ok")
    return QueueReport(at=now, window_minutes=thresholds.window_minutes, health=overall, entities=tuple(rows))


def _entity(
    bus: MessageBus,
    failures: FailureLog | None,
    counts: EntityCounts,
    traffic: Mapping[str, tuple[int, int]] | None,
    thresholds: Thresholds,
) -> EntityReport:
    age = None if counts.oldest_active_age is None else round(counts.oldest_active_age.total_seconds(), 3)
    incoming, outgoing = (None, None) if traffic is None else traffic.get(counts.entity, (0, 0))
    reasons: dict[str, int] = {}
    if counts.dead_lettered and counts.kind != "topic":
        letters = dead_letters(bus, failures, counts.entity, REASON_SAMPLE)
        reasons = dict(Counter(d.reason for d in letters).most_common())
    health, why = verdict(counts, age, outgoing, thresholds)
    return EntityReport(
        entity=counts.entity,
        kind=counts.kind,
        active=counts.active,
        dead_lettered=counts.dead_lettered,
        scheduled=counts.scheduled,
        oldest_active_age_seconds=age,
        incoming=incoming,
        outgoing=outgoing,
        dead_letter_reasons=reasons,
        health=health,
        health_reasons=why,
    )


LETTERS = "scanned-post"


def letter_views(letters: Sequence[Any]) -> list[DeadLetterView]:
    """Letters that failed, listed beside dead letters: hashed id and reason only, never the file name."""
    return [
        DeadLetterView(entity=LETTERS, message_id=f.letter_id, sequence_number=0, enqueued_time=f.at,
                       delivery_count=0, reason=f.reason)
        for f in letters
    ]


def letter_row(letters: Sequence[Any], thresholds: Thresholds, entity: str = "scanned-post") -> EntityReport:
    """Scanned letters that could not be captured, as a row beside the queues: count, reasons, verdict.

    They wait in storage, not on a queue; the dead-letter thresholds apply to them as to dead letters.
    """
    count = len(letters)
    health: Verdict = "ok"
    if count >= thresholds.dead_letter_critical:
        health = "critical"
    elif count >= thresholds.dead_letter_warning:
        health = "warning"
    return EntityReport(
        entity=entity,
        kind="letters",
        dead_lettered=count,
        dead_letter_reasons=dict(Counter(f.reason for f in letters).most_common()),
        health=health,
        health_reasons=("unreadable_letters",) if count else (),
    )


def verdict(
    counts: EntityCounts, age: float | None, outgoing: int | None, t: Thresholds
) -> tuple[Verdict, tuple[str, ...]]:
    """The worst of: dead letters, backlog, the oldest message's age, a consumer that stopped."""
    found: list[tuple[Verdict, str]] = []
    dead = counts.dead_lettered or 0
    if dead >= t.dead_letter_critical:
        found.append(("critical", "dead_letters"))
    elif dead >= t.dead_letter_warning:
        found.append(("warning", "dead_letters"))
    if (counts.active or 0) >= t.active_warning:
        found.append(("warning", "backlog"))
    if age is not None and age >= t.oldest_age_critical_seconds:
        found.append(("critical", "oldest_age"))
    elif age is not None and age >= t.oldest_age_warning_seconds:
        found.append(("warning", "oldest_age"))
    if counts.active and outgoing == 0 and age is not None and age >= t.window_minutes * 60:
        found.append(("critical", "stalled"))  # waiting a whole window and nothing went out
    if not found:
        return "ok", ()
    worst = max((v for v, _ in found), key=_RANK.__getitem__)
    return worst, tuple(code for _, code in found)


def dead_letters(
    bus: MessageBus, failures: FailureLog | None, entity: str, limit: int = 100
) -> list[DeadLetterView]:
    """The oldest dead letters of a queue or subscription, each with the reason operators act on."""
    peeked = bus.peek(entity, max_messages=limit, dead_letter=True)
    return describe(peeked, failures)


def describe(messages: Iterable[ReceivedMessage], failures: FailureLog | None) -> list[DeadLetterView]:
    messages = list(messages)
    generic = [m.message_id for m in messages if m.dead_letter_reason in (None, MAX_DELIVERY_REASON)]
    logged = failures.latest_reasons(generic) if failures and generic else {}
    return [
        DeadLetterView(
            entity=m.entity,
            message_id=m.message_id,
            sequence_number=m.sequence_number,
            enqueued_time=m.enqueued_time,
            delivery_count=m.delivery_count,
            reason=logged.get(m.message_id) or m.dead_letter_reason or "(none)",
            broker_reason=m.dead_letter_reason,
            description=m.dead_letter_description,
            replay_attempt=int(m.application_properties.get(REPLAY_ATTEMPT_PROPERTY) or 0),
        )
        for m in messages
    ]
