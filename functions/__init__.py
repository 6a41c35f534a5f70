"""Thin trigger adapters: binding -> pydantic model -> handler -> publish or settle."""
from __future__ import annotations

import os

import azure.functions as func


def blueprints(settlement: str | None = None) -> list[func.Blueprint]:
    """Every blueprint `function_app.py` registers. The Service Bus functions' trigger type depends on
    SERVICEBUS_SETTLEMENT (`plain` or `actions`), read here because bindings are declared at import."""
    from functions import (
        db_upgrade,
        graph_routes,
        health,
        letters,
        lookups,
        openapi,
        ops,
        privacy,
        servicebus_triggers,
        timers,
        ui,
    )

    mode = settlement or os.environ.get("SERVICEBUS_SETTLEMENT", "plain")
    return [health.bp, graph_routes.bp, servicebus_triggers.blueprint(mode), letters.bp, timers.bp,
            lookups.bp, ops.bp, privacy.bp, ui.bp, openapi.bp, db_upgrade.bp]
