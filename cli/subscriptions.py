"""`loket subscriptions list|ensure|delete`: Loket's Graph subscriptions, and discarded notifications."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from cli.output import emit_json
from cli.ports import PORT_HELP, TENANT_PORT_HELP, use_ports

app = typer.Typer(help="Graph subscriptions: one per captured mailbox and one for call records.",
                  no_args_is_help=True)


PORT = typer.Option(None, "--port", help=PORT_HELP)
TENANT_PORT = typer.Option(None, "--tenant-port", help=TENANT_PORT_HELP)


def _services(port: int | None = None, tenant_port: int | None = None) -> Any:
    import bootstrap

    use_ports(port, tenant_port)
    return bootstrap.build()


def _listing(services: Any) -> dict[str, Any]:
    now = services.now()
    rows = [{"id": e.id, "resource": e.resource, "expires_at": e.expires_at.isoformat(),
             "expires_in_hours": round((e.expires_at - now) / dt.timedelta(hours=1), 1)}
            for e in services.subscriptions.all()]
    return {"subscriptions": rows, "discarded": services.subscriptions.discards()}


@app.command("list")
def list_(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    port: int | None = PORT,
    tenant_port: int | None = TENANT_PORT,
) -> None:
    """What the registry holds: id, resource, expiry; and notifications discarded, by reason."""
    services = _services(port, tenant_port)
    try:
        listing = _listing(services)
    finally:
        services.close()
    if as_json:
        emit_json(listing)
        return
    table = Table(title="Graph subscriptions")
    for column in ("id", "resource", "expires in"):
        table.add_column(column, overflow="fold")
    for row in listing["subscriptions"]:
        table.add_row(row["id"], row["resource"], f"{row['expires_in_hours']} h")
    console = Console()
    console.print(table)
    for reason, count in sorted(listing["discarded"].items()):
        console.print(f"discarded {reason}: {count}")


@app.command("ensure")
def ensure(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    port: int | None = PORT,
    tenant_port: int | None = TENANT_PORT,
) -> None:
    """Create what is missing, renew what expires soon, remove what the policy no longer names."""
    services = _services(port, tenant_port)
    try:
        report = services.maintain_subscriptions()
    finally:
        services.close()
    if as_json:
        emit_json(asdict(report))
        return
    typer.echo(", ".join(f"{k} {len(v)}" for k, v in asdict(report).items()))
    if report.failed:
        raise typer.Exit(code=1)


@app.command("delete")
def delete(
    yes: bool = typer.Option(False, "--yes", help="Do not ask."),
    port: int | None = PORT,
    tenant_port: int | None = TENANT_PORT,
) -> None:
    """Delete every subscription Loket made (capture stops until `ensure` or `loket run`)."""
    if not yes:
        typer.confirm("Delete every Graph subscription Loket made?", abort=True)
    services = _services(port, tenant_port)
    try:
        gone = services.with_graph(lambda graph: services.subscription_manager(graph).delete_all())
    finally:
        services.close()
    typer.echo(f"deleted {len(gone)}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="subscriptions")
