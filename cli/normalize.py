"""`loket normalize mail|phone|post|notification FILE`: what a payload becomes, without any I/O but reading FILE."""
from __future__ import annotations

import typer

app = typer.Typer(help="Print the contact event a payload becomes, or why it is skipped.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="normalize")
