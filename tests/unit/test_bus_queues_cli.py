"""`loket queues`: the operators' first look at the bus, read from the data dir's embedded bus."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from adapters.bus import open_bus
from adapters.clock import MovableClock
from cli import queues
from handlers.ports.bus import OutgoingMessage
from settings import Settings


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    queues.register(app)
    app.command("noop", hidden=True)(lambda: None)  # a second command keeps `queues` a subcommand
    return app


def test_queues_json_lists_every_entity_with_counts_age_and_dead_letter_reasons(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOKET_DATA_DIR", str(tmp_path))
    clock = MovableClock.install(tmp_path)
    bus = open_bus(Settings(LOKET_DATA_DIR=str(tmp_path)), clock)
    bus.publish("mail-notifications", [OutgoingMessage(b"{}", f"m-{i}") for i in range(3)])
    bus.publish(
        "mail-notifications",
        [OutgoingMessage(b"{}", "later", scheduled_enqueue_time=clock.now() + dt.timedelta(hours=1))],
    )
    clock.advance(30)
    (poison,) = bus.receive("mail-notifications")
    bus.dead_letter(poison, "ValidationFailed")
    bus.close()

    result = CliRunner().invoke(app, ["queues", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["entity"]: r for r in json.loads(result.stdout)["entities"]}
    assert set(rows) == {
        "mail-notifications",
        "call-notifications",
        "lifecycle-notifications",
        "contact-events/crm",
        "contact-events/archive",
        "contact-events",
        "scanned-post",  # letters that could not be captured (issue 15)
    }
    mail = rows["mail-notifications"]
    assert (mail["active"], mail["dead_lettered"], mail["scheduled"]) == (2, 1, 1)
    assert mail["oldest_active_age_seconds"] >= 30
    assert mail["dead_letter_reasons"] == {"ValidationFailed": 1}
    assert rows["contact-events/crm"]["scheduled"] is None


def test_queues_without_json_prints_a_table_naming_each_entity(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOKET_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["queues"])
    assert result.exit_code == 0, result.output
    assert "lifecycle-notifications" in result.stdout and "contact-events/archive" in result.stdout
