"""`loket`: one typer app; each command family lives in its own module and is added here."""
from __future__ import annotations

import sys

import typer

from errors import LoketError

app = typer.Typer(
    name="loket",
    help="Capture every citizen contact (mail, phone, post) into one timeline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


COMMAND_MODULES = (
    "run", "normalize", "queues", "db", "lookup", "parties", "gdpr", "replay", "subscriptions", "catch_up",
    "simulate", "audit", "privacy",
)


def _register() -> None:
    """Each command module exposes `register(app)`; imported here, at run time, never at import."""
    import importlib
    import importlib.util

    for name in COMMAND_MODULES:
        if importlib.util.find_spec(f"cli.{name}") is not None:  # families land issue by issue
            importlib.import_module(f"cli.{name}").register(app)


def main() -> None:
    """Console entry: usage errors exit 2 (typer's own handling); a Loket error is one line on stderr
    and exit 1, never a traceback."""
    _register()
    try:
        app()
    except LoketError as exc:
        sys.stderr.write(f"loket: {exc}\n")
        sys.exit(1)
