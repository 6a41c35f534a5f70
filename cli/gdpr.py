"""`loket export PARTY` and `loket erase PARTY | --approve N`: the GDPR rights of access and erasure
(audited; erasure on four eyes)."""

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

    target = _writable(out) if out is not None else None  # before the audited export, not after
    store = open_store()
    try:
        document = export_party(store.uow(), party, actor=actor(as_user), reason=reason)
    except UnknownParty as exc:
        raise fail(str(exc)) from None
    finally:
        store.dispose()
    if target is None:
        emit_json(document)
        return
    with target:
        target.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    typer.echo(f"wrote {out.resolve()}", err=True)


def _writable(out: Path):
    """The export file opened for writing, or a clean one-line failure naming the path (exit 1)."""
    try:
        return out.open("w", encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write the export to {out}: {exc.strerror or type(exc).__name__}") from None


def erase(
    party: int | None = typer.Argument(None, help="Party id (from `loket lookup`): request its erasure."),
    reason: str = typer.Option("GDPR erasure request", "--reason", help="Kept in the audit."),
    approve: int | None = typer.Option(None, "--approve", help="Approve erasure request N; it then runs."),
    refuse: int | None = typer.Option(None, "--refuse", help="Turn erasure request N down."),
    pending: bool = typer.Option(False, "--list", help="List the erasure requests waiting for approval."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    as_user: str | None = typer.Option(None, "--as"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Erase a citizen everywhere, on four eyes: `loket erase PARTY --reason …` records a request;
    a second person with the privacy role runs `loket erase --approve N`. Contacts and identifiers,
    archived events and dead letters go; tombstones keep replays and catch-up from bringing them back.
    ERASURE_SINGLE_PERSON=true (local use only) lets one person do both."""
    from handlers.gdpr import UnknownParty
    from handlers.privacy import ErasureRefused

    chosen = [x for x in (party, approve, refuse) if x is not None] + ([True] if pending else [])
    if len(chosen) != 1:
        raise typer.BadParameter("give PARTY, --approve N, --refuse N or --list")
    try:
        if pending:
            _list_requests(as_json)
        elif refuse is not None:
            _refuse(refuse, reason, as_user, as_json)
        else:
            _request_or_approve(party, approve, reason, yes, as_user, as_json)
    except (UnknownParty, ErasureRefused) as exc:
        raise fail(str(exc)) from None


def _list_requests(as_json: bool) -> None:
    from handlers.privacy import erasure_requests

    store = open_store()
    try:
        found = erasure_requests(store.uow())
    finally:
        store.dispose()
    if as_json:
        emit_json(found)
    for r in [] if as_json else found:
        when = f"{r.requested_at:%Y-%m-%d %H:%M}"
        typer.echo(f"request {r.id}: party {r.party_id}, by {r.requested_by} at {when}, "
                   f"reason: {r.reason}")


def _refuse(request_id: int, reason: str, as_user: str | None, as_json: bool) -> None:
    from handlers.privacy import refuse_erasure

    store = open_store()
    try:
        done = refuse_erasure(store.uow(), request_id, actor=actor(as_user), reason=reason, route="cli")
    finally:
        store.dispose()
    emit_json(done) if as_json else typer.echo(f"erasure request {request_id} refused")


def _request_or_approve(
    party: int | None, approve: int | None, reason: str, yes: bool, as_user: str | None, as_json: bool
) -> None:
    import bootstrap
    from handlers.privacy import approve_erasure, request_erasure

    open_store().dispose()  # refuses unless the schema is current
    services = bootstrap.build()
    who = actor(as_user)
    single = services.settings.erasure_single_person
    try:
        if party is not None:
            request = request_erasure(services.uow(), party, actor=who, reason=reason, route="cli")
            if not single:
                if as_json:
                    emit_json(request)
                else:
                    typer.echo(f"erasure request {request.id} recorded for party {party}; a second person "
                               "with the privacy role approves it: "
                               f"loket erase --approve {request.id} --as <them>")
                return
            approve = request.id
        if not yes:
            typer.confirm(f"Approve erasure request {approve}: erase {_who(services, approve)} with their "
                          "contacts and scanned letters for good?", abort=True)
        done, report = approve_erasure(
            services.uow(), approve, actor=who, reason=reason, route="cli", single_person=single,
            erase=lambda pid, by, why: services.erase_everywhere(pid, actor=by, reason=why),
        )
    finally:
        services.close()
    _print_erasure(done, report, as_json)


def _who(services, request_id: int | None) -> str:
    """The person the request is about, by name, so the approver knows whom they erase."""
    with services.uow() as uow:
        request = uow.privacy.erasure_request(request_id) if request_id is not None else None
        party = uow.parties.get(request.party_id) if request and request.party_id else None
    if party is None:
        return f"the party of request {request_id}"
    return f"{party.display_name or 'an unnamed citizen'} (party {party.party_id})"


def _print_erasure(done, report, as_json: bool) -> None:
    erased, purged = report if report is not None else (None, None)
    if as_json:
        emit_json({"request": done.model_dump(mode="json"),
                   **(erased.model_dump(mode="json") if erased else {}),
                   "archived": purged.archived if purged else 0,
                   "dead_letters": purged.dead_letters if purged else 0,
                   "scans": purged.scans if purged else 0})
    elif erased is None:
        typer.echo(f"erasure request {done.id}: the party was erased already")
    else:
        typer.echo(f"party {erased.party_id} erased (request {done.id}): {erased.contacts} contacts, "
                   f"{erased.identifiers} identifiers, {purged.archived} archived events, "
                   f"{purged.dead_letters} dead letters, {purged.scans} scanned-letter files "
                   "(PDFs and sidecars) from the post inbox / scanned-post")


def register(root: typer.Typer) -> None:
    root.command("export")(export)
    root.command("erase")(erase)
