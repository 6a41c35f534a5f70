"""How `loket` prints: JSON for machines (`--json`, normalize), one-line errors for people."""
from __future__ import annotations

import json
import sys
from typing import Any

import typer
from pydantic import BaseModel


def emit_json(value: Any) -> None:
    """Print a model, a list of models or plain data as indented JSON on stdout."""
    sys.stdout.write(json.dumps(_plain(value), indent=2, ensure_ascii=False) + "\n")


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def fail(message: str) -> typer.Exit:
    """One line on stderr, exit code 1: never a traceback, never the offending personal value."""
    sys.stderr.write(f"loket: {message}\n")
    return typer.Exit(code=1)
