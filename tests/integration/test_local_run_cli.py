"""A local run that never surprises: busy ports refused in one line, the store's path named, the
project's own data dir, and --port/--tenant-port on the commands that talk to a running host."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli import catch_up, db, lookup
from settings import PROJECT_ROOT, Settings

runner = CliRunner()


def loket(*args: str, env: dict | None = None, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from cli.main import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=cwd,  # noqa: S603
                          env={**os.environ, **(env or {})})


def test_loket_run_refuses_a_busy_tenant_port_in_one_line_and_exit_1(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        with socket.socket() as free:
            free.bind(("127.0.0.1", 0))
            port = free.getsockname()[1]
        done = loket("run", "--port", str(port), "--tenant-port", str(busy), "--rate", "0",
                     env={"LOKET_DATA_DIR": str(tmp_path)})
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"127.0.0.1:{busy} is already in use" in lines[0]
    assert "--tenant-port" in lines[0]
    assert not (tmp_path / "loket.db").exists()  # refused before touching anything


def test_loket_run_refuses_a_busy_host_port_too(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        done = loket("run", "--port", str(busy), "--rate", "0", env={"LOKET_DATA_DIR": str(tmp_path)})
    assert done.returncode == 1 and "--port" in done.stderr and "Traceback" not in done.stderr


def test_the_default_data_dir_is_the_projects_var_whatever_the_current_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("LOKET_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings().data_dir == PROJECT_ROOT / "var"


def test_a_command_that_cannot_open_the_store_names_the_path_it_tried(monkeypatch, tmp_path):
    import typer

    app = typer.Typer()
    lookup.register(app)
    db.register(app)
    missing = tmp_path / "nowhere" / "loket.db"
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{missing}")
    done = runner.invoke(app, ["lookup", "--phone", "0475123456", "--reason", "r"])
    assert done.exit_code == 1
    assert str(missing) in done.output


def test_catch_up_takes_the_tenant_port_as_loket_run_does(monkeypatch, tmp_path):
    import typer

    monkeypatch.setenv("LOKET_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GRAPH_BASE_URL", raising=False)
    app = typer.Typer()
    catch_up.register(app)
    app.command("noop")(lambda: None)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # nothing listens: the command must try exactly there
    done = runner.invoke(app, ["catch-up", "--tenant-port", str(port)])
    assert os.environ["GRAPH_BASE_URL"] == f"http://127.0.0.1:{port}/v1.0"
    assert done.exit_code != 0  # it tried the tenant on that port and found nobody
