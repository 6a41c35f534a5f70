"""`loket`: one typer app; each command family lives in its own module and is added here."""
from __future__ import annotations

import sys

import click
import typer

from errors import LoketError

app = typer.Typer(
    name="loket",
    help="Capture every citizen contact (mail, phone, post) into one timeline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


COMMAND_MODULES = ("normalize", "queues", "db", "lookup", "parties", "gdpr")


def _register() -> None:
    """Each command module exposes `register(app)`; imported here, at run time, never at import."""
    import importlib
    import importlib.util

    for name in COMMAND_MODULES:
        if importlib.util.find_spec(f"cli.{name}") is not None:  # families land issue by issue
            importlib.import_module(f"cli.{name}").register(app)


def main() -> None:
    """Console entry: a Loket error is one line on stderr and exit 1, never a traceback."""
    _register()
    try:
        result = app(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:  # usage errors: exit 2, as design.md says
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        sys.exit(1)
    except LoketError as exc:
        sys.stderr.write(f"loket: {exc}\n")
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)
