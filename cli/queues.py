"""`loket queues [--json] [--watch]`: every queue, subscription and topic with its counts and oldest age."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from cli.output import emit_json
from handlers.ports.bus import EntityCounts, MessageBus
from settings import Settings

REASON_SAMPLE = 250  # dead letters peeked per entity to group reasons (the counts are exact)


def snapshot(bus: MessageBus) -> list[dict[str, Any]]:
    """Counts as plain data (also what /api/ops/queues can serve); ages in seconds, reasons grouped."""
    rows = []
    for c in bus.counts():
        rows.append(
            {
                "entity": c.entity,
                "kind": c.kind,
                "active": c.active,
                "dead_lettered": c.dead_lettered,
                "scheduled": c.scheduled,
                "oldest_active_age_seconds": None
                if c.oldest_active_age is None
                else round(c.oldest_active_age.total_seconds(), 3),
                "dead_letter_reasons": _reasons(bus, c),
            }
        )
    return rows


def _reasons(bus: MessageBus, counts: EntityCounts) -> dict[str, int]:
    if not counts.dead_lettered:
        return {}
    peeked = bus.peek(counts.entity, max_messages=REASON_SAMPLE, dead_letter=True)
    return dict(Counter(m.dead_letter_reason or "(none)" for m in peeked).most_common())


def _table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Loket bus")
    table.add_column("entity", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    for column in ("active", "DLQ", "scheduled", "oldest"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("DLQ reasons")
    for r in rows:
        age = r["oldest_active_age_seconds"]
        table.add_row(
            r["entity"],
            r["kind"],
            *("–" if r[k] is None else str(r[k]) for k in ("active", "dead_lettered", "scheduled")),
            "–" if age is None else f"{age:.0f} s",
            ", ".join(f"{reason} ×{n}" for reason, n in r["dead_letter_reasons"].items()),
        )
    return table


def queues(
    as_json: bool = typer.Option(False, "--json", help="Print JSON: a list of entities with their counts."),
    watch: bool = typer.Option(False, "--watch", help="Redraw the table until Ctrl-C."),
    every: float = typer.Option(2.0, "--every", min=0.5, help="Seconds between redraws with --watch."),
) -> None:
    """Every queue and subscription: active, dead-lettered, scheduled, oldest age, dead-letter reasons."""
    from adapters.bus import open_bus

    bus = open_bus(Settings().check())
    try:
        if as_json:
            emit_json(snapshot(bus))
            return
        console = Console()
        while True:
            console.print(_table(snapshot(bus)))
            if not watch:
                return
            time.sleep(every)
    except KeyboardInterrupt:
        return
    finally:
        bus.close()


def register(app: typer.Typer) -> None:
    app.command("queues")(queues)
