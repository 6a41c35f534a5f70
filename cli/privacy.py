"""`loket privacy rectify|restrict|suppress`: the citizen's rights of rectification (Art. 16),
restriction (Art. 18) and objection (Art. 21), audited and kept outside the database as well."""

from __future__ import annotations

import typer

from cli.db import actor, open_store
from cli.output import emit_json, fail

app = typer.Typer(
    help="The citizen's other rights: rectify, restrict, suppress (audited).", no_args_is_help=True
)


def _run(call):
    """Build the services (the privacy log lives beside the archive), run, report refusals as exit 1."""
    import bootstrap
    from handlers.citizen_rights import RectificationRefused
    from handlers.gdpr import UnknownParty
    from handlers.lookup import LookupRefused

    open_store().dispose()  # refuses unless the schema is current
    services = bootstrap.build()
    try:
        return call(services)
    except (UnknownParty, RectificationRefused, LookupRefused) as exc:
        raise fail(str(exc)) from None
    finally:
        services.close()


@app.command("rectify")
def rectify(
    party: int = typer.Argument(..., help="Party id."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit)."),
    remove_email: list[str] = typer.Option([], "--remove-email", help="A wrong e-mail to take off."),  # noqa: B008
    remove_phone: list[str] = typer.Option([], "--remove-phone", help="A wrong number to take off."),  # noqa: B008
    remove_address: list[str] = typer.Option([], "--remove-address", help="As `export` shows it."),  # noqa: B008
    add_email: list[str] = typer.Option([], "--add-email", help="The right e-mail address."),  # noqa: B008
    add_phone: list[str] = typer.Option([], "--add-phone", help="The right phone number."),  # noqa: B008
    name: str | None = typer.Option(None, "--name", help="The right name."),
    clear_name: bool = typer.Option(False, "--clear-name", help="Remove a wrong name without a new one."),
    as_user: str | None = typer.Option(None, "--as"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Correct or remove a wrong identifier or name; later events carrying it do not put it back."""
    from handlers.citizen_rights import KEEP, identifier
    from handlers.citizen_rights import rectify as run

    def call(services):
        remove = [
            identifier(k, v)
            for k, vs in (("email", remove_email), ("phone", remove_phone), ("address", remove_address))
            for v in vs
        ]
        add = [identifier(k, v) for k, vs in (("email", add_email), ("phone", add_phone)) for v in vs]
        new_name = None if clear_name else (name if name is not None else KEEP)
        return run(
            services.uow(),
            party,
            actor=actor(as_user),
            reason=reason,
            route="cli",
            remove=remove,
            add=add,
            name=new_name,
            log=services.privacy_log,
            now=services.now(),
        )

    done = _run(call)
    summary = {
        "party_id": done.party_id,
        "removed": list(done.removed),
        "added": list(done.added),
        "name": done.name,
    }
    emit_json(summary) if as_json else typer.echo(
        f"party {party} rectified: removed {len(done.removed)}, added {len(done.added)}, name {done.name}"
    )


@app.command("restrict")
def restrict(
    party: int = typer.Argument(..., help="Party id."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit)."),
    lift: bool = typer.Option(False, "--lift", help="Lift the restriction."),
    as_user: str | None = typer.Option(None, "--as"),
) -> None:
    """Restrict a citizen: still captured, shown only to the privacy role (or lift that)."""
    from handlers.citizen_rights import restrict as run

    changed = _run(
        lambda s: run(
            s.uow(),
            party,
            actor=actor(as_user),
            reason=reason,
            route="cli",
            lift=lift,
            log=s.privacy_log,
            now=s.now(),
        )
    )
    state = "lifted" if lift else "restricted"
    typer.echo(f"party {party} {state}" if changed else f"party {party} was {state} already")


@app.command("suppress")
def suppress(
    party: int = typer.Argument(..., help="Party id."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit)."),
    as_user: str | None = typer.Option(None, "--as"),
) -> None:
    """The citizen objected and the city decided: capture skips their identifiers from now on
    (reason `suppressed`), and what was captured before is restricted."""
    from handlers.citizen_rights import suppress as run

    keys = _run(
        lambda s: run(
            s.uow(), party, actor=actor(as_user), reason=reason, route="cli", log=s.privacy_log, now=s.now()
        )
    )
    typer.echo(f"party {party}: {keys} identifiers suppressed, the party restricted")


def _record_command() -> None:
    from cli.privacy_record import privacy_record

    app.command("record")(privacy_record)


_record_command()


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="privacy")
