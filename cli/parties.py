"""`loket parties review|merge|split`: resolve identity conflicts the store flagged (audited)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from cli.db import actor, open_store
from cli.output import emit_json, fail

app = typer.Typer(help="Resolve flagged identity conflicts.", no_args_is_help=True)


@app.command("review")
def review(
    show_all: bool = typer.Option(False, "--all", help="Also merged and split pairs."),
    as_user: str | None = typer.Option(None, "--as", help="Audit name (default: the OS user)."),
    as_json: bool = typer.Option(False, "--json", help="Print the pairs as JSON."),
) -> None:
    """List pairs of parties whose identifiers met on one contact."""
    from handlers.review import review_pairs

    store = open_store()
    try:
        pairs = review_pairs(store.uow(), actor=actor(as_user), status=None if show_all else "open")
    finally:
        store.dispose()
    if as_json:
        emit_json(pairs)
        return
    table = Table("Party A", "Name A", "Party B", "Name B", "Conflict", "Status", "Flagged (UTC)")
    for p in pairs:
        table.add_row(
            str(p.party_a),
            p.name_a or "",
            str(p.party_b),
            p.name_b or "",
            p.reason,
            p.status,
            f"{p.created_at:%Y-%m-%d %H:%M}",
        )
    Console().print(table if pairs else "No identity conflicts to review.")


@app.command("merge")
def merge(
    keep: int = typer.Argument(..., help="The party that stays."),
    other: int = typer.Argument(..., help="The party merged into it (deleted)."),
    reason: str = typer.Option(..., "--reason", help="Why they are one citizen (kept in the audit)."),
    as_user: str | None = typer.Option(None, "--as"),
) -> None:
    """One citizen after all: move OTHER's identifiers and contacts to KEEP."""
    from handlers.gdpr import UnknownParty
    from handlers.lookup import LookupRefused
    from handlers.review import merge_parties

    store = open_store()
    try:
        merge_parties(store.uow(), keep, other, actor=actor(as_user), reason=reason)
    except UnknownParty as exc:
        raise fail(str(exc)) from None
    except (LookupRefused, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from None
    finally:
        store.dispose()
    typer.echo(f"party {other} merged into party {keep}")


@app.command("split")
def split(
    a: int = typer.Argument(...),
    b: int = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="Why they are different people (kept in the audit)."),
    as_user: str | None = typer.Option(None, "--as"),
) -> None:
    """Two different citizens: close the flagged pair so it is not raised again."""
    from handlers.lookup import LookupRefused
    from handlers.review import split_parties

    store = open_store()
    try:
        done = split_parties(store.uow(), a, b, actor=actor(as_user), reason=reason)
    except LookupRefused as exc:
        raise typer.BadParameter(str(exc)) from None
    finally:
        store.dispose()
    if not done:
        raise fail(f"no open review pair for parties {a} and {b}")
    typer.echo(f"parties {a} and {b} kept apart")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="parties")
