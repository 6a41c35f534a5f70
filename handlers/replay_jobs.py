"""Replay jobs: one record the command and the API both follow, with progress, summary and audit."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from handlers.ops import FailureLog
from handlers.ports.archive import EventArchive
from handlers.ports.bus import MessageBus, UnknownEntityError
from handlers.ports.store import UnitOfWork
from handlers.replay import DlqSelection, replay_dlq, select
from handlers.replay_archive import replay_archive
from handlers.replay_letters import LetterReplayDeps, replay_letters
from schemas.ops import Job, ReplayRequest

log = logging.getLogger(__name__)
SAVE_EVERY = 10  # progress is written every this many messages (and at the end)


class JobStore(Protocol):
    def new_id(self) -> str: ...

    def save(self, job: Job) -> None: ...

    def get(self, job_id: str) -> Job | None: ...

    def recent(self, limit: int = 20) -> list[Job]: ...


@dataclass
class ReplayDeps:
    bus: MessageBus
    failures: FailureLog | None
    archive: EventArchive
    topic: str
    jobs: JobStore
    uow: Callable[[], UnitOfWork]
    now: Callable[[], dt.datetime]
    letters: Callable[[], LetterReplayDeps] | None = None  # built on demand: it needs the text reader


class InvalidReplay(ValueError):
    """The request cannot run: no entity for a dead-letter replay, no `since` for an archive replay."""


def create_job(request: ReplayRequest, actor: str, deps: ReplayDeps) -> Job:
    """Check the request and record it as a queued job (POST /api/ops/replay answers with its id)."""
    if request.kind == "dlq" and not request.entity:
        raise InvalidReplay("a dead-letter replay needs an entity (QUEUE or TOPIC/SUBSCRIPTION)")
    if request.kind == "dlq" and "/" not in request.entity and request.entity == deps.topic:
        raise InvalidReplay("a topic has no dead-letter queue: name TOPIC/SUBSCRIPTION")
    if request.kind == "letters" and deps.letters is None:
        raise InvalidReplay("letters cannot be replayed here (no scan storage configured)")
    if request.kind == "archive" and request.since is None:
        raise InvalidReplay("an archive replay needs --since")
    job = Job(id=deps.jobs.new_id(), kind=request.kind, actor=actor, request=request, created_at=deps.now())
    deps.jobs.save(job)
    return job


def run_job(job: Job, deps: ReplayDeps) -> Job:
    """Run a queued job to the end, saving progress as it goes; failures are recorded, never raised."""
    state = {"job": job.model_copy(update={"status": "running"})}
    deps.jobs.save(state["job"])

    def progress(done: int, total: int) -> None:
        current = state["job"].model_copy(update={"done": done, "total": total})
        state["job"] = current
        if done == 0 or done == total or done % SAVE_EVERY == 0:
            deps.jobs.save(current)

    try:
        if not job.request.dry_run:
            _audit(job, deps, "started")  # accountability first: no audit entry, no replay
        summary = _execute(job, deps, progress)
    except (UnknownEntityError, InvalidReplay) as exc:
        return _finish(state["job"], deps, status="failed", error=str(exc))
    except Exception as exc:  # a bus or store outage: the job says so; what was resubmitted stays done
        log.exception("replay job failed", extra={"job_id": job.id})
        return _finish(state["job"], deps, status="failed", error=type(exc).__name__)
    finished = _finish(state["job"], deps, status="done", **summary)
    if not job.request.dry_run:
        try:
            _audit(finished, deps, f"{finished.resubmitted} resubmitted")
        except Exception as exc:  # the start is audited; the count stays in the job record
            log.warning("replay summary not audited: %s", type(exc).__name__, extra={"job_id": job.id})
    return finished


def _execute(job: Job, deps: ReplayDeps, progress: Callable[[int, int], None]) -> dict[str, Any]:
    request = job.request
    if request.kind == "dlq":
        selection = DlqSelection(
            request.entity or "", request.dead_letter_reason, request.since, request.limit
        )
        if request.dry_run:
            chosen = select(deps.bus, deps.failures, selection)
            progress(0, len(chosen))
            return {
                "summary": {"would_resubmit": [v.message_id for v in chosen][:100], "selected": len(chosen)}
            }
        outcome = replay_dlq(deps.bus, deps.failures, selection, progress)
        return {
            "resubmitted": len(outcome.resubmitted),
            "skipped": outcome.missing,
            "summary": {"selected": len(outcome.selected), "new_message_ids": outcome.resubmitted[:100]},
        }
    if request.kind == "letters":
        assert deps.letters is not None
        return replay_letters(deps.letters(), reason=request.dead_letter_reason, since=request.since,
                              dry_run=request.dry_run, progress=progress)
    result = replay_archive(
        deps.archive,
        deps.bus,
        deps.topic,
        job.id,
        request.since,
        request.until,
        request.channel,
        dry_run=request.dry_run,
        progress=progress,
    )
    return {"resubmitted": result.published, "summary": {"selected": result.selected}}


def _finish(job: Job, deps: ReplayDeps, *, status: str, **changes: Any) -> Job:
    done = job.model_copy(update={"status": status, "finished_at": deps.now(), **changes})
    deps.jobs.save(done)
    return done


def _audit(job: Job, deps: ReplayDeps, outcome: str) -> None:
    """Who replayed what: entity or archive window and filters, then how many; no message content."""
    r = job.request
    what = {"dlq": f"dlq {r.entity}", "letters": f"letters since {r.since or 'ever'}"}.get(
        job.kind, f"archive {r.since or 'ever'}..{r.until or 'now'}")
    filters = "".join(
        f" {k}={v}"
        for k, v in (("reason", r.dead_letter_reason), ("channel", r.channel), ("limit", r.limit))
        if v
    )
    detail = f"job {job.id}: {what}{filters}: {outcome}"[:255]
    uow = deps.uow()
    with uow:
        uow.ledger.audit(job.actor, "replay", None, r.reason, deps.now(), detail=detail)
        uow.commit()
