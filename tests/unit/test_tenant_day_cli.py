"""`loket simulate` as a command: usage errors exit 2, an unreachable host is one line and exit 1."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from cli import simulate


def app() -> typer.Typer:
    app = typer.Typer()
    simulate.register(app)
    app.command("noop")(lambda: None)  # more than one command: typer keeps the command name
    return app


def test_an_unknown_fault_kind_is_a_usage_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LOKET_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app(), ["simulate", "--faults", "flood"])
    assert result.exit_code == 2 and "flood" in result.output


def test_without_a_running_host_it_says_so_in_one_line_and_exits_1(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LOKET_DATA_DIR", str(tmp_path))
    for name in ("GRAPH_NOTIFICATION_URL", "GRAPH_LIFECYCLE_URL", "GRAPH_BASE_URL"):
        monkeypatch.setenv(name, "unset")  # --port sets these; monkeypatch puts them back afterwards
    args = ["simulate", "--contacts", "3", "--port", "9", "--tenant-port", "9", "--timeout", "1"]
    result = CliRunner().invoke(app(), args)
    assert result.exit_code == 1
    assert "is `loket run` running?" in result.output and "Traceback" not in result.output
