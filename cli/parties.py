"""`loket parties review|merge|split`: resolve identity conflicts the store flagged (audited)."""

from __future__ import annotations

import typer
from rich import box
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
    member_of: list[str] = typer.Option(  # noqa: B008 - typer's way
        [], "--member-of", help="A restricted department you belong to (repeatable): its clients' names "
        "are shown, not only ids."),
    side_by_side: bool = typer.Option(False, "--side-by-side", help="Each open pair's names, identifiers "
                                      "and recent contacts next to each other (an audited look at both)."),
    reason: str = typer.Option("identity review", "--reason", help="Kept in the audit (--side-by-side)."),
) -> None:
    """List pairs of parties whose identifiers met on one contact.

    Clients of a restricted department (Sociale dienst) show by id and conflict only, unless you
    name that department with --member-of.
    """
    from handlers.review import review_pairs

    store = open_store()
    can_see = _member_visibility(member_of)
    try:
        pairs = review_pairs(store.uow(), actor=actor(as_user), status=None if show_all else "open",
                             can_see=can_see)
        if side_by_side and not as_json:
            console = Console()
            for p in pairs:
                console.print(_side_by_side(store, p, actor(as_user), reason, can_see))
            if not pairs:
                console.print("No identity conflicts to review.")
            return
    finally:
        store.dispose()
    if as_json:
        emit_json(pairs)
        return
    table = Table("Party A", "Name A", "Party B", "Name B", "Conflict", "Status", "Flagged (UTC)")
    for p in pairs:
        table.add_row(
            str(p.party_a),
            p.name_a or ("(restricted)" if p.restricted else ""),
            str(p.party_b),
            p.name_b or ("(restricted)" if p.restricted else ""),
            p.reason,
            p.status,
            f"{p.created_at:%Y-%m-%d %H:%M}",
        )
    Console().print(table if pairs else "No identity conflicts to review.")


RECENT = 3


def _side_by_side(store, pair, who: str, reason: str, can_see) -> Table:
    """Both parties of a pair in two columns: name, identifiers in full, contacts, the last few."""
    from handlers.lookup import party_timeline

    views = [party_timeline(store.uow(), pid, actor=who, reason=reason, can_see=can_see)
             for pid in (pair.party_a, pair.party_b)]
    table = Table("", f"Party {pair.party_a}", f"Party {pair.party_b}", box=box.SIMPLE_HEAD, padding=(0, 1),
                  title=f"{pair.reason} · {pair.status} · flagged {pair.created_at:%Y-%m-%d %H:%M} UTC")

    def cell(view, what) -> str:
        return "(restricted)" if view is None else what(view)

    table.add_row("name", *(cell(v, lambda v: v.display_name or "") for v in views))
    table.add_row("identifiers", *(cell(v, lambda v: "\n".join(i.label or i.value for i in v.identifiers))
                                   for v in views))
    table.add_row("contacts", *(cell(v, lambda v: str(len(v.timeline))) for v in views))
    table.add_row("recent", *(cell(v, _recent) for v in views))
    return table


def _recent(view) -> str:
    return "\n".join(f"{e.occurred_at:%Y-%m-%d} {e.channel} {', '.join(e.departments)} {e.outcome}"
                     for e in view.timeline[:RECENT])


def _member_visibility(member_of: list[str]):
    """Restricted departments are visible only when named; the others always."""
    from schemas.capture_policy import load_policy
    from settings import Settings

    restricted = set(load_policy(Settings().capture_policy_path).restricted_departments)
    allowed = {d.casefold() for d in member_of}
    return lambda departments: all(d not in restricted or d.casefold() in allowed for d in departments)


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
