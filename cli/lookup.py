"""`loket lookup --phone/--email/--name … --reason "…"`: a citizen's timeline across channels (audited)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from cli.db import actor, open_store
from cli.output import emit_json
from schemas.timeline import LookupResult, PartyView


def lookup(
    phone: str | None = typer.Option(None, "--phone", help="Any Belgian or international format."),
    email: str | None = typer.Option(None, "--email"),
    name: str | None = typer.Option(None, "--name", help="Part of the name; case and accents ignored."),
    reason: str = typer.Option(..., "--reason", help="Why you look this citizen up (kept in the audit)."),
    limit: int = typer.Option(20, "--limit", min=1, max=200),
    as_user: str | None = typer.Option(None, "--as", help="Audit name (default: the OS user)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Has this citizen contacted us before, who helped them, and how did it go?"""
    from handlers.lookup import LookupRefused
    from handlers.lookup import lookup as run_lookup

    store = open_store()
    try:
        result = run_lookup(
            store.uow(), actor=actor(as_user), reason=reason, phone=phone, email=email, name=name, limit=limit
        )
    except LookupRefused as exc:
        raise typer.BadParameter(str(exc)) from None
    finally:
        store.dispose()
    if as_json:
        emit_json(result)
    else:
        show(result, Console())


def show(result: LookupResult, console: Console) -> None:
    if not result.parties:
        console.print(f"No party found by {result.query}.")
    for party in result.parties:
        _party(party, console)


def _party(party: PartyView, console: Console) -> None:
    console.rule(f"Party {party.party_id}: {party.display_name or '(no name)'}")
    if party.helped_before:
        console.print(_helped_before(party))
    console.print(_timeline(party))


def _outcome(value: str) -> str:
    """`unknown` says why: the call record showed no evidence of how the call went (docs/capture-rules.md)."""
    return "unknown (no evidence)" if value == "unknown" else value


def _helped_before(party: PartyView) -> Table:
    table = Table("Department", "Contacts", "Last", "Channel", "Outcome", "Agent", title="Helped before")
    for s in party.helped_before:
        last = f"{s.last_at:%Y-%m-%d %H:%M}"
        table.add_row(s.department, str(s.contacts), last, s.last_channel, _outcome(s.last_outcome),
                      s.last_agent or "")
    return table


def _timeline(party: PartyView) -> Table:
    headers = ("When (UTC)", "Channel", "Dir.", "Department", "Agent", "Outcome", "Duration", "Subject")
    table = Table(*headers, title="Timeline (newest first)")
    for e in party.timeline:
        when, departments = f"{e.occurred_at:%Y-%m-%d %H:%M}", ", ".join(e.departments)
        table.add_row(
            when,
            e.channel,
            e.direction,
            departments,
            e.agent or "",
            _outcome(e.outcome),
            _duration(e.duration_seconds),
            e.subject or "",
        )
    return table


def _duration(seconds: int | None) -> str:
    return "" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"


def register(root: typer.Typer) -> None:
    root.command("lookup")(lookup)
