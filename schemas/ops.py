"""What the operators' view returns: queue figures with a health verdict, dead letters, replay jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["ok", "warning", "critical"]
JobKind = Literal["dlq", "archive", "letters"]
JobStatus = Literal["queued", "running", "done", "failed"]


class OpsModel(BaseModel):
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)


class EntityReport(OpsModel):
    """One queue, subscription or topic: counts, age, traffic, dead-letter reasons and a verdict.

    `incoming`/`outgoing` count messages over the report's window (None where the backend cannot tell);
    `health_reasons` are codes (`dead_letters`, `backlog`, `oldest_age`, `stalled`), never message data.
    """

    entity: str
    kind: Literal["queue", "subscription", "topic", "letters"]  # letters: scans that failed (issue 15)
    active: int | None = None
    dead_lettered: int | None = None
    scheduled: int | None = None
    oldest_active_age_seconds: float | None = None
    incoming: int | None = None
    outgoing: int | None = None
    dead_letter_reasons: dict[str, int] = Field(default_factory=dict)
    health: Verdict = "ok"
    health_reasons: tuple[str, ...] = ()


class QueueReport(OpsModel):
    at: dt.datetime
    window_minutes: int
    health: Verdict
    entities: tuple[EntityReport, ...]


class DeadLetterView(OpsModel):
    """A dead letter as operators see it: ids and reasons, never the body (it may hold personal data)."""

    entity: str
    message_id: str
    sequence_number: int
    enqueued_time: dt.datetime
    delivery_count: int
    reason: str  # Loket's failure-log reason where the broker only says MaxDeliveryCountExceeded
    broker_reason: str | None = None
    description: str | None = None
    replay_attempt: int = 0


class ReplayRequest(OpsModel):
    """Body of POST /api/ops/replay (and what `loket replay` records as the job's parameters)."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    kind: JobKind = "dlq"
    entity: str | None = Field(None, max_length=260)
    dead_letter_reason: str | None = Field(None, max_length=255)
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    channel: Literal["mail", "phone", "post"] | None = None
    limit: int | None = Field(None, ge=1, le=100_000)
    dry_run: bool = False
    reason: str = Field("operator replay", min_length=1, max_length=500)


class Job(OpsModel):
    """A replay job, persisted so the command and the API follow the same one."""

    id: str
    kind: JobKind
    status: JobStatus = "queued"
    actor: str
    request: ReplayRequest
    total: int = 0
    done: int = 0
    resubmitted: int = 0
    skipped: int = 0
    failed: int = 0
    created_at: dt.datetime
    finished_at: dt.datetime | None = None
    error: str | None = None
    summary: dict[str, Any] = Field(default_factory=dict)
