"""Thin trigger adapters: binding -> pydantic model -> handler -> publish or settle."""
from __future__ import annotations

import azure.functions as func


def blueprints() -> list[func.Blueprint]:
    """Every blueprint `function_app.py` registers, in one list."""
    from functions import health

    return [health.bp]
