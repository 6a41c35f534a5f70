"""handle_lifecycle: Graph's lifecycle events for a subscription (reauthorize, recreate, catch up)."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from errors import PermanentError
from handlers.ports.graph import GraphPort
from schemas.queued_notification import LifecycleNotificationBody

log = logging.getLogger(__name__)


class LifecycleAction(StrEnum):
    REAUTHORIZED = "reauthorized"
    RECREATE = "recreate"
    CATCH_UP = "catch_up"
    IGNORED = "ignored"


@dataclass
class LifecycleDeps:
    graph: GraphPort
    # Filled by the subscription manager and catch-up (issue "Graph subscriptions that never lapse");
    # until then a removed subscription or a missed batch is logged for the operator and the timer sweep.
    recreate: Callable[[str], Awaitable[None]] | None = None
    catch_up: Callable[[str], Awaitable[None]] | None = None


async def handle_lifecycle(note: LifecycleNotificationBody, deps: LifecycleDeps) -> LifecycleAction:
    """reauthorizationRequired -> reauthorize (recreate when gone), then catch up; subscriptionRemoved ->
    recreate, then catch up; missed -> catch up."""
    event = note.lifecycle_event.lower()
    sub = note.subscription_id or ""
    if event == "reauthorizationrequired":
        try:
            await deps.graph.reauthorize_subscription(sub)
        except PermanentError as exc:
            if exc.reason != "graph_not_found":
                raise
            return await _recreate(deps, sub)  # gone meanwhile: a new one, then the gap
        await _catch_up(deps, sub)  # deliveries may have paused before Graph asked (§2)
        return LifecycleAction.REAUTHORIZED
    if event == "subscriptionremoved":
        return await _recreate(deps, sub)
    if event == "missed":
        await _catch_up(deps, sub)
        return LifecycleAction.CATCH_UP
    return LifecycleAction.IGNORED


async def _recreate(deps: LifecycleDeps, subscription_id: str) -> LifecycleAction:
    if deps.recreate is not None:
        await deps.recreate(subscription_id)
    await _catch_up(deps, subscription_id)
    return LifecycleAction.RECREATE


async def _catch_up(deps: LifecycleDeps, subscription_id: str) -> None:
    if deps.catch_up is None:
        log.warning("catch-up not configured; the catch_up timer will fill the gap",
                    extra={"subscription_id": subscription_id})
        return
    await deps.catch_up(subscription_id)
