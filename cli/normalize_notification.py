"""`loket normalize notification FILE`: what the Graph webhook would enqueue for a POST body, or why not."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from errors import ConfigurationError, PermanentError


def register(normalize_app: typer.Typer) -> None:
    normalize_app.command("notification")(normalize_notification)


def normalize_notification(
    file: Annotated[Path, typer.Argument(help="A notification POST body (JSON), or a validation request.")],
) -> None:
    """Print each item's queue, bus message id and body, each ignored item with its reason, and the
    oddities read past in the enqueued ones (`tolerated`).

    A raw HTTP request carrying `?validationToken=` prints the handshake answer instead.
    """
    from cli.output import emit_json, fail
    from handlers.notifications import QueueNames, route_notifications
    from schemas.graph_notification import validation_request
    from settings import Settings

    try:
        body = _read(file)
        answer = validation_request(body.decode("utf-8", errors="replace")) if _not_json(body) else None
        if answer is not None:
            emit_json({"validation": {"status": answer.status, "content_type": answer.content_type,
                                      "body": answer.token}})
            return
        _expect_notifications(file, body)
        settings = _settings(Settings)
        batch = route_notifications(
            body, received_at=dt.datetime.now(dt.UTC),
            call_settle_seconds=settings.call_settle_seconds, queues=QueueNames.from_settings(settings),
        )
    except (PermanentError, ConfigurationError) as exc:
        raise fail(str(exc)) from None
    emit_json({"enqueue": [_queued(q) for q in batch.queued],
               "ignored": [_ignored(i) for i in batch.ignored],
               "tolerated": [{"index": q.index, "oddities": list(q.tolerated)}
                             for q in batch.queued if q.tolerated]})


def _settings(settings_class: Any) -> Any:
    from pydantic import ValidationError

    try:
        return settings_class()
    except ValidationError as exc:
        key = ".".join(str(p) for p in exc.errors()[0]["loc"]) or "settings"
        raise ConfigurationError(key, "invalid value") from None


def _expect_notifications(file: Path, body: bytes) -> None:
    """A message, a call record, a delta page, PSTN rows … given here: say so instead of routing nothing."""
    import json

    from schemas.payload_shape import LIST_PAGE, describe, mismatch

    try:
        raw = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return  # route_notifications names the JSON problem
    shape = describe(raw)
    if shape is LIST_PAGE and isinstance(raw, dict) and not [i for i in raw["value"] if isinstance(i, dict)]:
        return  # an empty (or item-less) collection: nothing to enqueue, nothing wrong
    wrong = mismatch(shape, "notification", "a change-notification POST body (value[] of notifications)")
    if wrong:
        raise PermanentError(f"{file.name}: {wrong}", reason="malformed_notification")


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise PermanentError(f"cannot read {file.name}: {exc.strerror or type(exc).__name__}") from None


def _not_json(body: bytes) -> bool:
    return not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"["))


def _queued(item: Any) -> dict[str, Any]:
    return {
        "index": item.index,
        "queue": item.queue,
        "message_id": item.message_id,
        "scheduled_at": item.scheduled_at.isoformat() if item.scheduled_at else None,
        "body": item.body.model_dump(mode="json"),
    }


def _ignored(item: Any) -> dict[str, Any]:
    return {"index": item.index, "reason": item.reason.value, "detail": item.detail}
