"""`loket replay dlq|archive|status`: put dead letters back, rebuild the CRM from the archive, follow a job.

Each replay is a job in the data dir (the same record GET /api/ops/jobs/{id} shows), run here with a
progress bar, summarised at the end and audited with who replayed what.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from cli.output import emit_json, fail

app = typer.Typer(help="Replay dead letters or archived events (audited jobs).", no_args_is_help=True)
RELATIVE = re.compile(r"^(\d+)([mhd])$")
POLL_SECONDS = 0.2


def parse_time(value: str | None, now: dt.datetime) -> dt.datetime | None:
    """ISO 8601 (a date, or a time; naive means UTC) or relative to now: `30m`, `6h`, `2d`."""
    if value is None:
        return None
    if found := RELATIVE.match(value.strip()):
        amount, unit = int(found[1]), found[2]
        return now - dt.timedelta(**{{"m": "minutes", "h": "hours", "d": "days"}[unit]: amount})
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"not a time: {value!r} (use 2026-11-28, 2026-11-28T09:00 or 6h)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _run(request_fields: dict[str, Any], as_user: str | None, as_json: bool) -> None:
    import bootstrap
    from cli.db import actor
    from handlers.replay_jobs import InvalidReplay, create_job, run_job
    from schemas.ops import ReplayRequest

    services = bootstrap.build()
    try:
        deps = services.replay_deps()
        try:
            job = create_job(ReplayRequest(**request_fields), actor(as_user), deps)
        except InvalidReplay as exc:
            raise fail(str(exc)) from None
        worker = threading.Thread(target=run_job, args=(job, deps), name=f"replay-{job.id}")
        worker.start()
        final = _follow(services.jobs, job.id, quiet=as_json, until=worker)
        worker.join()
        final = services.jobs.get(job.id) or final
    finally:
        services.close()
    _report(final, as_json)


def _follow(jobs: Any, job_id: str, *, quiet: bool, until: threading.Thread | None = None) -> Any:
    """Poll the job record with a progress bar until it is done or failed (or the worker ends)."""
    console = Console(stderr=True, quiet=quiet)
    columns = (
        TextColumn("job {task.fields[job]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("replay", total=None, job=job_id, status="queued")
        while True:
            job = jobs.get(job_id)
            if job is None:
                raise fail(f"no job {job_id}")
            bar.update(task, total=job.total or None, completed=job.done, status=job.status)
            if job.status in ("done", "failed") or (until is not None and not until.is_alive()):
                return job
            time.sleep(POLL_SECONDS)


def _report(job: Any, as_json: bool) -> None:
    if as_json:
        emit_json(job.model_dump(mode="json"))
    elif job.status == "done":
        verb = "would replay" if job.request.dry_run else "replayed"
        count = job.summary.get("selected", 0) if job.request.dry_run else job.resubmitted
        typer.echo(
            f"job {job.id}: {verb} {count} of {job.summary.get('selected', job.total)}"
            + (f", {job.skipped} gone meanwhile" if job.skipped else "")
            + (f", {job.failed} still failing" if job.failed else "")
        )
        for letter in job.summary.get("letters", []) if job.kind == "letters" else []:
            typer.echo(f"  letter {letter['letter']}  {letter['reason']}")
    if job.status == "failed":
        raise fail(f"job {job.id} failed: {job.error}")


@app.command("dlq")
def dlq(
    entity: str = typer.Argument(..., help="QUEUE or TOPIC/SUBSCRIPTION, e.g. contact-events/crm."),
    dead_letter_reason: str | None = typer.Option(None, "--dead-letter-reason", help="Only this reason."),
    since: str | None = typer.Option(None, "--since", help="Only dead letters enqueued since (ISO or 6h)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be replayed; change nothing."),
    reason: str = typer.Option("operator replay", "--reason", help="Kept in the audit."),
    as_user: str | None = typer.Option(None, "--as", help="Who the audit names (default: the OS user)."),
    as_json: bool = typer.Option(False, "--json", help="Print the finished job as JSON."),
) -> None:
    """Resubmit dead letters under new message ids, addressed to the entity they came from."""
    now = dt.datetime.now(dt.UTC)
    fields = dict(
        kind="dlq",
        entity=entity,
        dead_letter_reason=dead_letter_reason,
        since=parse_time(since, now),
        limit=limit,
        dry_run=dry_run,
        reason=reason,
    )
    _run(fields, as_user, as_json)


@app.command("archive")
def archive(
    since: str = typer.Option(..., "--since", help="Events that occurred since (ISO or 2d)."),
    until: str | None = typer.Option(None, "--until", help="... and before this time."),
    channel: str | None = typer.Option(None, "--channel", help="mail, phone or post."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be replayed; publish nothing."),
    reason: str = typer.Option("archive replay", "--reason", help="Kept in the audit."),
    as_user: str | None = typer.Option(None, "--as", help="Who the audit names (default: the OS user)."),
    as_json: bool = typer.Option(False, "--json", help="Print the finished job as JSON."),
) -> None:
    """Re-publish archived events to the `crm` subscription only; the store absorbs what it has."""
    if channel is not None and channel not in ("mail", "phone", "post"):
        raise typer.BadParameter("use mail, phone or post", param_hint="--channel")
    now = dt.datetime.now(dt.UTC)
    fields = dict(
        kind="archive",
        since=parse_time(since, now),
        until=parse_time(until, now),
        channel=channel,
        dry_run=dry_run,
        reason=reason,
    )
    _run(fields, as_user, as_json)


@app.command("letters")
def letters(
    letter_reason: str | None = typer.Option(None, "--reason", help="Only letters that failed for this "
                                             "reason (ocr_unavailable, too_large, extraction_timeout, ...)."),
    since: str | None = typer.Option(None, "--since", help="Only letters that failed since (ISO or 6h)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be captured; change nothing."),
    audit_reason: str = typer.Option("letter replay", "--why", help="Kept in the audit."),
    as_user: str | None = typer.Option(None, "--as", help="Who the audit names (default: the OS user)."),
    as_json: bool = typer.Option(False, "--json", help="Print the finished job as JSON."),
) -> None:
    """Capture again the scanned letters that failed (their reasons are in `loket queues`).

    Letters are shown by hashed id and reason only; the store absorbs a letter it already has.
    """
    now = dt.datetime.now(dt.UTC)
    fields = dict(
        kind="letters",
        dead_letter_reason=letter_reason,
        since=parse_time(since, now),
        dry_run=dry_run,
        reason=audit_reason,
    )
    _run(fields, as_user, as_json)


@app.command("status")
def status(
    job_id: str = typer.Argument(..., help="The job id (from POST /api/ops/replay or a replay command)."),
    watch: bool = typer.Option(False, "--watch", help="Follow it with a progress bar until it ends."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """A replay job's progress and summary, whoever started it."""
    import bootstrap

    services = bootstrap.build()
    try:
        job = _follow(services.jobs, job_id, quiet=as_json) if watch else services.jobs.get(job_id)
    finally:
        services.close()
    if job is None:
        raise fail(f"no job {job_id}")
    if as_json or job.status not in ("done", "failed"):
        emit_json(job.model_dump(mode="json"))
        return
    _report(job, as_json)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="replay")
