"""The one settlement helper every Service Bus-triggered function uses (design.md, "Settlement").

success or duplicate -> complete; TransientError -> schedule a copy with `loket-attempt` + 1 after a
back-off, *then* complete (past MAX_ATTEMPTS it becomes permanent); PermanentError -> failure log,
then dead-letter (actions mode: at once with the reason; plain mode: by raising, so the broker
dead-letters at the max delivery count); anything unexpected raises (abandon, redelivery).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from bootstrap import Services, get_services
from errors import DuplicateEvent, PermanentError, TransientError
from functions.deliveries import Delivery
from handlers.ports.bus import TARGET_PROPERTY, OutgoingMessage
from handlers.retry_policy import (
    ATTEMPT_PROPERTY,
    FIRST_MESSAGE_PROPERTY,
    attempt_of,
    next_delay,
    retry_message_id,
)

log = logging.getLogger(__name__)
Work = Callable[[Delivery], Awaitable[Any] | Any]


async def settle(message: Any, entity: str, work: Work, actions: Any = None) -> None:
    """Run `work` on the delivery and settle `message` as design.md says; `actions` selects actions mode."""
    services = get_services()
    delivery = Delivery.of(message, entity)
    try:
        result = work(delivery)
        if inspect.isawaitable(result):
            await result
    except DuplicateEvent:
        log.info("duplicate delivery completed", extra=delivery.log_ids())
    except TransientError as exc:
        if not _reschedule(delivery, exc, services):
            _fail(delivery, "MaxAttemptsExceeded", services, message, actions)
            return
    except PermanentError as exc:
        _fail(delivery, exc.reason, services, message, actions)
        return
    except ValidationError as exc:  # a payload that is not what the queue carries: never retry it
        log.warning("malformed payload: %d problems", exc.error_count(), extra=delivery.log_ids())
        _fail(delivery, "MalformedPayload", services, message, actions)
        return
    if actions is not None:
        actions.complete(message)


def _reschedule(delivery: Delivery, exc: TransientError, services: Services) -> bool:
    """Publish the retry copy before completing the original (a crash in between duplicates, never loses)."""
    attempt = attempt_of(delivery.application_properties)
    if attempt >= services.settings.max_attempts:
        return False
    delay = next_delay(attempt, exc.retry_after)
    first_id = str(delivery.application_properties.get(FIRST_MESSAGE_PROPERTY, delivery.message_id))
    properties = {
        **delivery.application_properties,
        ATTEMPT_PROPERTY: attempt + 1,
        FIRST_MESSAGE_PROPERTY: first_id,
    }
    target = delivery.entity
    if "/" in delivery.entity:  # a topic subscription: back to the topic, addressed to that subscription
        target, properties[TARGET_PROPERTY] = delivery.entity.split("/", 1)
    copy = OutgoingMessage(
        body=delivery.body,
        message_id=retry_message_id(first_id, attempt + 1),
        subject=delivery.subject,
        application_properties=properties,
        content_type=delivery.content_type,
        correlation_id=delivery.correlation_id,
        scheduled_enqueue_time=services.clock.now() + delay,
    )
    services.bus.publish(target, [copy])
    log.warning(
        "transient failure, attempt %d rescheduled in %ss: %s",
        attempt,
        int(delay.total_seconds()),
        type(exc).__name__,
        extra=delivery.log_ids(),
    )
    return True


def _fail(delivery: Delivery, reason: str, services: Services, message: Any, actions: Any) -> None:
    """Failure log first (operators see the reason beside the dead letter), then dead-letter."""
    services.record_failure(delivery.message_id, delivery.entity, reason)
    log.error("permanent failure: %s", reason, extra={**delivery.log_ids(), "reason": reason})
    if actions is not None:
        actions.deadletter(
            message,
            deadletter_reason=reason,
            deadletter_error_description=f"Loket: {reason} (see the failure log)",
        )
        return
    raise PermanentError(f"dead-letter after the max delivery count: {reason}", reason=reason)
