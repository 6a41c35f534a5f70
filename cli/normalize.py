"""`loket normalize mail|phone|post|notification FILE`: what a payload becomes (no I/O but reading FILE)."""
from __future__ import annotations

import importlib
import importlib.util

import typer

app = typer.Typer(
    help="Print the contact event a payload becomes, or why it is skipped.", no_args_is_help=True
)

# One module per channel; each exposes `register(normalize_app)` adding its command.
CHANNEL_MODULES = ("normalize_mail", "normalize_phone", "normalize_post", "normalize_notification")


def register(root: typer.Typer) -> None:
    for name in CHANNEL_MODULES:
        if importlib.util.find_spec(f"cli.{name}") is not None:
            importlib.import_module(f"cli.{name}").register(app)
    root.add_typer(app, name="normalize")
