"""The ports `loket run` serves on, as the other commands that talk to it take them."""

from __future__ import annotations

import os
import socket

import typer

PORT_HELP = "The host's port, as given to `loket run --port`."
TENANT_PORT_HELP = "The simulated tenant's port, as given to `loket run --tenant-port`."


def use_ports(port: int | None, tenant_port: int | None) -> None:
    """The URLs `loket run` derives from its ports (explicit settings win there too)."""
    if port is not None:
        os.environ["GRAPH_NOTIFICATION_URL"] = f"http://127.0.0.1:{port}/api/graph/notifications"
        os.environ["GRAPH_LIFECYCLE_URL"] = f"http://127.0.0.1:{port}/api/graph/lifecycle"
    if tenant_port is not None:
        os.environ["GRAPH_BASE_URL"] = f"http://127.0.0.1:{tenant_port}/v1.0"


def in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something already listens there (a bind test: no connection is made to it)."""
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def refuse_busy(**ports: int) -> None:
    """One clear line and exit 1 when a port is taken: never join another instance's tenant or host."""
    for flag, port in ports.items():
        if in_use(port):
            option = "--" + flag.replace("_", "-")
            typer.echo(f"loket run: 127.0.0.1:{port} is already in use (another `loket run`?); "
                       f"stop it or choose another {option}", err=True)
            raise typer.Exit(code=1)
