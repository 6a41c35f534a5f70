"""`loket normalize mail FILE [--mailbox A] [--folder F] [--policy P]`: what a Graph message becomes."""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from errors import ConfigurationError, PermanentError
from settings import SAMPLE_POLICY

if TYPE_CHECKING:  # imported at run time only: `loket --help` stays fast
    from schemas.capture_policy import CapturePolicy
    from schemas.graph_message import GraphMessage, MailFolder


def register(normalize_app: typer.Typer) -> None:
    normalize_app.command("mail")(normalize_mail)


def normalize_mail(
    file: Annotated[Path, typer.Argument(help="A Graph message as JSON (GET /users/{id}/messages/{id}).")],
    mailbox: Annotated[
        str | None, typer.Option(help="Captured mailbox (address or Entra id); default: @odata.context's.")
    ] = None,
    folder: Annotated[
        str | None, typer.Option(help="inbox, inbox/<sub>, sentitems, drafts, deleteditems, junkemail, …")
    ] = None,
    policy: Annotated[Path | None, typer.Option(help="Capture policy YAML (default: the sample).")] = None,
) -> None:
    """Print the contact event (an array when several), or {"skipped": reason}."""
    from cli.output import emit_json, fail
    from handlers.mail import normalize_mail as normalise

    where = _folder(folder)
    try:
        rules = _policy(policy)
        message = _message(file)
        box = mailbox or _context_mailbox(message, rules)
        result = normalise(message, mailbox=box, folder=where, policy=rules,
                           captured_at=dt.datetime.now(dt.UTC))
    except (PermanentError, ConfigurationError) as exc:
        raise fail(str(exc)) from None
    if isinstance(result, list):
        emit_json(result[0] if len(result) == 1 else result)
    else:
        emit_json(result.to_json_dict())


def _folder(text: str | None) -> MailFolder:
    from schemas.graph_message import MailFolder

    try:
        return MailFolder.parse(text) if text else MailFolder.INBOX
    except ValueError as exc:  # a usage error: one line and exit 2 (design.md), however typer is wired
        sys.stderr.write(f"loket: --folder: {exc}\n")
        raise typer.Exit(code=2) from None


def _policy(path: Path | None) -> CapturePolicy:
    from schemas.capture_policy import load_policy

    return load_policy(path or SAMPLE_POLICY)


def _message(file: Path) -> GraphMessage:
    from schemas.graph_message import parse_message
    from schemas.payload_shape import describe, mismatch

    raw = read_json(file)
    wrong = mismatch(describe(raw), "message", "a Graph message (GET /users/{id}/messages/{id})")
    if wrong:
        raise PermanentError(f"{file.name}: {wrong}", reason="malformed_message")
    return parse_message(raw)


def read_json(file: Path) -> Any:
    """The decoded file; a PermanentError names the file and the problem, never its content."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise PermanentError(f"cannot read {file.name}: {exc.strerror or type(exc).__name__}") from None
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise PermanentError(f"{file.name} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise PermanentError(f"{file.name} is not valid JSON ({exc.msg} at line {exc.lineno})") from None


def _context_mailbox(message: GraphMessage, policy: CapturePolicy) -> str:
    """The mailbox `@odata.context` names, when it is one of the policy's; else a clear error."""
    named = message.mailbox_in_context
    if named and policy.mailbox(named):
        return named
    raise PermanentError(
        "no --mailbox given and the file's @odata.context names no mailbox of the policy; pass --mailbox"
    )
