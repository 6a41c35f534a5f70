"""`loket queues [--json] [--watch]`: every queue, subscription and topic with its figures and health.

The same report as GET /api/ops/queues and the `publish_queue_metrics` timer (handlers/ops.py).
"""

from __future__ import annotations

import time
from typing import Any

import typer
from rich import box
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from cli.output import emit_json

STYLE = {"ok": "green", "warning": "yellow", "critical": "bold red"}


def snapshot(services: Any) -> dict[str, Any]:
    """The report as plain data: ages in seconds, dead-letter reasons grouped, verdict per entity."""
    return services.queue_report().model_dump(mode="json")


def _cell(value: Any) -> str:
    return "–" if value is None else str(value)


def _table(report: dict[str, Any]) -> Group:
    """The figures in one table that fits 80 columns; reasons (which can be long) on lines below it."""
    health = report["health"]
    window = report["window_minutes"]
    table = Table(title=f"Loket bus · [{STYLE[health]}]{health}[/] · in/out over {window} min",
                  box=box.SIMPLE_HEAD, padding=(0, 1))
    table.add_column("entity", no_wrap=True)
    for column in ("active", "DLQ", "sched.", "oldest", "in/out"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("health", no_wrap=True)
    notes = []
    for r in report["entities"]:
        age = r["oldest_active_age_seconds"]
        traffic = "–" if r["incoming"] is None else f"{r['incoming']}/{r['outgoing']}"
        entity = r["entity"] + (" (topic)" if r["kind"] == "topic" else "")
        table.add_row(
            entity,
            *(_cell(r[k]) for k in ("active", "dead_lettered", "scheduled")),
            "–" if age is None else f"{age:.0f} s",
            traffic,
            f"[{STYLE[r['health']]}]{r['health']}[/]",
        )
        why = ", ".join(r["health_reasons"])
        dead = ", ".join(f"{reason} ×{n}" for reason, n in r["dead_letter_reasons"].items())
        if why or dead:
            notes.append(f"{entity}: " + "; ".join(p for p in (why, dead and f"dead letters {dead}") if p))
    return Group(table, *notes)


def queues(
    as_json: bool = typer.Option(False, "--json", help="Print JSON: the report with every entity's figures."),
    watch: bool = typer.Option(False, "--watch", help="Redraw the table until Ctrl-C."),
    every: float = typer.Option(2.0, "--every", min=0.5, help="Seconds between redraws with --watch."),
) -> None:
    """Every queue and subscription: active, dead-lettered, scheduled, oldest age, in/out, reasons, health."""
    import bootstrap

    services = bootstrap.build()
    try:
        if as_json:
            emit_json(snapshot(services))
            return
        console = Console()
        if not watch:
            console.print(_table(snapshot(services)))
            return
        with Live(_table(snapshot(services)), console=console, auto_refresh=False) as live:
            while True:
                time.sleep(every)
                live.update(_table(snapshot(services)), refresh=True)
    except KeyboardInterrupt:
        return
    finally:
        services.close()


def register(app: typer.Typer) -> None:
    app.command("queues")(queues)
