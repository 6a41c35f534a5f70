"""`loket lookup --phone/--email/--name … --reason "…"`: a citizen's timeline across channels (audited)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from cli.db import actor, open_store
from cli.output import emit_json, fail
from schemas.timeline import LookupResult, PartyView, TimelineEntry


def lookup(
    phone: str | None = typer.Option(None, "--phone", help="Any Belgian or international format."),
    email: str | None = typer.Option(None, "--email"),
    name: str | None = typer.Option(None, "--name", help="Part of the name; case and accents ignored."),
    reason: str = typer.Option(..., "--reason", help="Why you look this citizen up (kept in the audit)."),
    party: int | None = typer.Option(None, "--party", help="Open one party of a result list in full."),
    limit: int = typer.Option(20, "--limit", min=1, max=200),
    as_user: str | None = typer.Option(None, "--as", help="Audit name (default: the OS user)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Has this citizen contacted us before, who helped them, and how did it go?"""
    from handlers.lookup import LookupRefused, party_timeline
    from handlers.lookup import lookup as run_lookup

    policy = _policy()
    store = open_store()
    try:
        if party is not None:
            view = party_timeline(store.uow(), party, actor=actor(as_user), reason=reason, staff=policy.staff)
            if view is None:
                raise fail(f"no party {party}")
            result = LookupResult(query="party", parties=(view,))
        else:
            result = run_lookup(
                store.uow(), actor=actor(as_user), reason=reason, phone=phone, email=email, name=name,
                limit=limit, staff=policy.staff,
            )
    except LookupRefused as exc:
        raise typer.BadParameter(str(exc)) from None
    finally:
        store.dispose()
    if as_json:
        emit_json(result)
    else:
        show(result, Console(), policy.zone)


def _policy():  # -> schemas.capture_policy.CapturePolicy
    """The capture policy: its time zone for the times shown, its staff map for attribution."""
    from schemas.capture_policy import load_policy
    from settings import Settings

    return load_policy(Settings().capture_policy_path)


def show(result: LookupResult, console: Console, zone: ZoneInfo | None = None) -> None:
    zone = zone or ZoneInfo("UTC")
    if not result.parties:
        console.print(f"No party found by {result.query}.")
    opened = [p for p in result.parties if p.opened]
    if len(opened) < len(result.parties):
        console.print(_result_list(result.parties, zone))
        console.print("Open one in full (audited): add --party ID to the same command.")
    for party in opened:
        _party(party, console, zone)


def local(moment: dt.datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"


def _zone_name(zone: ZoneInfo) -> str:
    return str(zone.key)


def _compact(title: str) -> Table:
    """Tables that fit 80 columns: light rules, one space between columns."""
    return Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1))


def _result_list(parties: tuple[PartyView, ...], zone: ZoneInfo) -> Table:
    table = _compact(f"Several parties: which one is at the desk? (times in {_zone_name(zone)})")
    for column in ("ID", "Name", "Identifiers (masked)", "#", "Last contact"):
        table.add_column(column)
    for p in parties:
        last = p.last_contact
        shown = "" if last is None else f"{local(last.occurred_at, zone)} {last.channel} {_departments(last)}"
        ids = "\n".join(i.value for i in p.identifiers)
        table.add_row(str(p.party_id), p.display_name or "", ids, str(p.contacts), shown.strip())
    return table


def _party(party: PartyView, console: Console, zone: ZoneInfo) -> None:
    console.rule(f"Party {party.party_id}: {party.display_name or '(no name)'}")
    if party.identifiers:
        console.print("  ".join(i.label or i.value for i in party.identifiers))
    if party.helped_before:
        console.print(_helped_before(party, zone))
    console.print(_timeline(party, zone))


def _departments(entry: TimelineEntry) -> str:
    if entry.departments:
        return ", ".join(entry.departments)
    return f"({entry.attributed_department})" if entry.attributed_department else ""


def _outcome(value: str) -> str:
    """`unknown` says why: the call record showed no evidence of how the call went (docs/capture-rules.md)."""
    return "unknown (no evidence)" if value == "unknown" else value


def _helped_before(party: PartyView, zone: ZoneInfo) -> Table:
    table = _compact(f"Helped before (times in {_zone_name(zone)})")
    table.add_column("Department")
    table.add_column("#", justify="right")
    table.add_column("Last", no_wrap=True)
    for column in ("Channel", "Outcome", "Agent"):
        table.add_column(column)
    for s in party.helped_before:
        table.add_row(s.department, str(s.contacts), local(s.last_at, zone), s.last_channel,
                      _outcome(s.last_outcome), s.last_agent or "")
    return table


def _timeline(party: PartyView, zone: ZoneInfo) -> Table:
    table = _compact(f"Timeline, newest first (times in {_zone_name(zone)})")
    table.add_column("When", no_wrap=True)
    table.add_column("Channel", no_wrap=True)
    for column in ("Department", "Agent", "Outcome", "Subject"):
        table.add_column(column)
    for e in party.timeline:
        arrow = "←" if e.direction == "inbound" else "→"  # from the citizen, to the citizen
        outcome = _outcome(e.outcome) + (f" {_duration(e.duration_seconds)}" if e.duration_seconds else "")
        table.add_row(
            f"{e.occurred_at.astimezone(zone):%d-%m-%y %H:%M}",
            f"{arrow} {e.channel}",
            _departments(e),
            e.agent or "",
            outcome + (f", {e.thread}" if e.thread else ""),
            e.subject or "",
        )
    return table


def _duration(seconds: int | None) -> str:
    return "" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"


def register(root: typer.Typer) -> None:
    root.command("lookup")(lookup)
