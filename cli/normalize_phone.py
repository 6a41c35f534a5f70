"""`loket normalize phone FILE [--policy P]`: the contact event a Teams callRecord becomes, or its skip."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from errors import ConfigurationError, PermanentError
from settings import SAMPLE_POLICY


def register(normalize_app: typer.Typer) -> None:
    normalize_app.command("phone")(normalize_phone)


def normalize_phone(
    file: Annotated[
        Path, typer.Argument(help="A callRecord GET body (JSON, sessions and participants expanded).")
    ],
    policy: Annotated[Path | None, typer.Option(help="Capture policy YAML (default: the sample).")] = None,
) -> None:
    """Print the call's contact event as JSON, or {"skipped": reason}."""
    from cli.output import emit_json, fail
    from handlers.calls import normalize_call
    from handlers.skips import Skip
    from schemas.capture_policy import load_policy
    from schemas.graph_callrecord import parse_call_record

    try:
        rules = load_policy(policy or SAMPLE_POLICY)
        record = parse_call_record(_read_json(file))
    except (PermanentError, ConfigurationError) as exc:
        raise fail(f"{file.name}: {exc}" if isinstance(exc, PermanentError) else str(exc)) from None
    result = normalize_call(record, policy=rules, captured_at=dt.datetime.now(dt.UTC))
    emit_json(result.to_json_dict() if isinstance(result, Skip) else result)


def _read_json(file: Path) -> Any:
    """The file's JSON; errors say what is wrong and where, never the content."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PermanentError(f"cannot read: {exc.strerror or type(exc).__name__}") from exc
    except UnicodeDecodeError as exc:
        raise PermanentError("not UTF-8 text") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PermanentError(f"not valid JSON (line {exc.lineno}, column {exc.colno})") from exc
