"""`loket audit --party ID | --actor UPN | --since T` and `loket audit verify`: who looked at whom, when
and why, and the hash chain that shows the audit was not edited."""

from __future__ import annotations

import datetime as dt

import typer
from rich.console import Console
from rich.table import Table

from cli.db import actor, open_store
from cli.output import emit_json, fail
from cli.replay import parse_time

app = typer.Typer(
    help="The audit: who looked at which citizen, when and why (hash-chained).", invoke_without_command=True
)


@app.callback()
def audit(
    ctx: typer.Context,
    party: int | None = typer.Option(None, "--party", help="Entries about this party (also once erased)."),
    by: str | None = typer.Option(None, "--actor", help="Entries by this person (UPN or OS user)."),
    since: str | None = typer.Option(None, "--since", help="Entries since (ISO or 7d)."),
    limit: int = typer.Option(500, "--limit", min=1, max=5000),
    reason: str = typer.Option("privacy audit review", "--reason", help="Why you read the audit (audited)."),
    as_user: str | None = typer.Option(None, "--as", help="Audit name (default: the OS user)."),
    as_json: bool = typer.Option(False, "--json", help="Print the entries as JSON."),
) -> None:
    """The audit entries asked for, oldest first (reading the audit is itself audited)."""
    if ctx.invoked_subcommand is not None:
        return
    from handlers.lookup import LookupRefused
    from handlers.privacy import read_audit

    store = open_store()
    try:
        found = read_audit(
            store.uow(),
            actor=actor(as_user),
            reason=reason,
            route="cli",
            party=party,
            by=by,
            since=parse_time(since, dt.datetime.now(dt.UTC)),
            limit=limit,
        )
    except LookupRefused as exc:
        raise typer.BadParameter(str(exc)) from None
    finally:
        store.dispose()
    if as_json:
        emit_json(found)
        return
    table = Table("#", "When (UTC)", "Who", "What", "Party", "Route", "Why", "Shown", "Detail")
    for e in found:
        who_about = (
            str(e.party_id) if e.party_id is not None else (f"#{e.party_ref[:10]}" if e.party_ref else "")
        )
        table.add_row(
            str(e.seq),
            f"{e.at:%Y-%m-%d %H:%M:%S}",
            e.actor,
            e.action,
            who_about,
            e.route or "",
            e.reason,
            ", ".join(e.shown),
            e.detail or "",
        )
    Console().print(table)


@app.command("verify")
def verify(as_json: bool = typer.Option(False, "--json", help="Print the report as JSON.")) -> None:
    """Check the hash chain: an edited, deleted or reordered entry fails it (exit 1); so does a chain
    that no longer holds a head recorded in the privacy log. A clean check records the head there."""
    import bootstrap

    open_store().dispose()  # refuses unless the schema is current
    services = bootstrap.build()
    try:
        report = services.verify_audit()
    finally:
        services.close()
    if as_json:
        emit_json(report.to_json())
    elif report.ok:
        typer.echo(
            f"audit chain intact: entries {report.first_seq}-{report.last_seq}, head {report.head_hash}"
        )
    else:
        for p in report.problems:
            typer.echo(f"entry {p['seq']}: {p['problem']}")
    if not report.ok:
        raise fail(f"the audit chain is broken ({len(report.problems)} problems)")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="audit")
