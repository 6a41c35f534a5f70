"""`loket export PARTY` and `loket erase PARTY`: the GDPR rights of access and erasure (audited)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from cli.db import actor, open_store
from cli.output import emit_json, fail


def export(
    party: int = typer.Argument(..., help="Party id (from `loket lookup`)."),
    reason: str = typer.Option("GDPR access request", "--reason", help="Kept in the audit."),
    out: Path | None = typer.Option(None, "--out", help="Write the JSON here instead of stdout."),  # noqa: B008
    as_user: str | None = typer.Option(None, "--as"),
) -> None:
    """Everything held on a citizen, as JSON."""
    from handlers.gdpr import UnknownParty, export_party

    store = open_store()
    try:
        document = export_party(store.uow(), party, actor=actor(as_user), reason=reason)
    except UnknownParty as exc:
        raise fail(str(exc)) from None
    finally:
        store.dispose()
    if out is None:
        emit_json(document)
    else:
        out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def erase(
    party: int = typer.Argument(..., help="Party id (from `loket lookup`)."),
    reason: str = typer.Option("GDPR erasure request", "--reason", help="Kept in the audit."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    as_user: str | None = typer.Option(None, "--as"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Erase a citizen everywhere: contacts and identifiers, archived events and dead letters go;
    tombstones keep replays and catch-up from bringing them back."""
    import bootstrap
    from handlers.gdpr import UnknownParty

    if not yes:
        typer.confirm(f"Erase party {party} and all its contacts for good?", abort=True)
    open_store().dispose()  # refuses unless the schema is current
    services = bootstrap.build()
    try:
        report, purged = services.erase_everywhere(party, actor=actor(as_user), reason=reason)
    except UnknownParty as exc:
        raise fail(str(exc)) from None
    finally:
        services.close()
    if as_json:
        emit_json({**report.model_dump(mode="json"), "archived": purged.archived,
                   "dead_letters": purged.dead_letters})
    else:
        typer.echo(f"party {party} erased: {report.contacts} contacts, {report.identifiers} identifiers, "
                   f"{purged.archived} archived events, {purged.dead_letters} dead letters")


def register(root: typer.Typer) -> None:
    root.command("export")(export)
    root.command("erase")(erase)
