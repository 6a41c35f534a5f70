"""`loket catch-up [--since T]`: re-read the sources (mail delta, recent call records) to fill gaps."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import typer

from cli.output import emit_json
from cli.ports import PORT_HELP, TENANT_PORT_HELP, use_ports


def catch_up(
    since: str = typer.Option(None, "--since", help="ISO time: re-read mail received and calls started "
                              "since then (default: from the stored delta links, calls of the last hours)."),
    port: int | None = typer.Option(None, "--port", help=PORT_HELP),
    tenant_port: int | None = typer.Option(None, "--tenant-port", help=TENANT_PORT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Enqueue what the sources hold; duplicates are dropped and erased contacts stay erased."""
    import bootstrap

    use_ports(port, tenant_port)
    start = _parse(since) if since else None
    services = bootstrap.build()
    try:
        report = services.catch_up(start)
    finally:
        services.close()
    if as_json:
        emit_json(asdict(report))
    else:
        typer.echo(f"enqueued {report.mail} mail and {report.calls} call notifications")


def _parse(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter("use an ISO time, e.g. 2026-11-28T09:00Z", param_hint="--since") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def register(app: typer.Typer) -> None:
    app.command("catch-up")(catch_up)
