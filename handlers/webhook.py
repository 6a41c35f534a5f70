"""What the Graph routes do with a POST body: route, check clientState per subscription, enqueue.

Only cheap checks happen here (Graph wants an answer within 3 s): everything slow or fallible
happens behind the queues.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from errors import TransientError
from handlers.client_state import client_state_matches
from handlers.notifications import IgnoreReason, QueuedNotification, QueueNames, route_notifications
from handlers.ports.bus import MessageBus, OutgoingMessage

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024


@dataclass
class WebhookDeps:
    bus: MessageBus
    queues: QueueNames
    call_settle_seconds: int
    client_state_key: str
    nonce_of: Callable[[str], str | None]  # the nonce stored with a subscription, None when unknown
    now: Callable[[], dt.datetime]
    count_discard: Callable[[str, int], object] = lambda reason, n: None  # persisted counter (registry)


@dataclass(frozen=True)
class Accepted:
    enqueued: int
    discarded: int  # malformed item, unknown subscription, bad or wrong clientState: never enqueued
    ignored: int  # not captured (unsupported resource, Event Hubs validation item, …)
    reasons: dict[str, int] = field(default_factory=dict)  # discards by reason, for the one log line


def accept_notifications(body: bytes, deps: WebhookDeps, route: str = "notifications") -> Accepted:
    """Enqueue each genuine item on its queue; PermanentError (-> 400) when the body is malformed.

    Raises TransientError when the bus cannot take the messages (-> 503, and Graph retries).
    """
    batch = route_notifications(body, received_at=deps.now(), call_settle_seconds=deps.call_settle_seconds,
                                queues=deps.queues)
    by_queue: dict[str, list[OutgoingMessage]] = defaultdict(list)
    refused: Counter[str] = Counter()
    tolerated: Counter[str] = Counter()
    for item in batch.queued:
        refusal = _refusal(item, deps)
        if refusal is not None:
            refused[refusal] += 1  # counted, and logged once per request by the route, never per item
            continue
        tolerated.update(f"tolerated:{oddity}" for oddity in item.tolerated)
        by_queue[item.queue].append(_message(item))
    refused["malformed_item"] += sum(1 for i in batch.ignored if i.reason is IgnoreReason.MALFORMED_ITEM)
    refused = +refused  # drop zero counts
    for reason, count in (refused + tolerated).items():  # one write per reason and batch, however big
        deps.count_discard(reason, count)
    for queue, messages in by_queue.items():
        _enqueue(deps.bus, queue, messages)
    malformed = refused.get("malformed_item", 0)
    return Accepted(sum(len(m) for m in by_queue.values()), sum(refused.values()),
                    len(batch.ignored) - malformed, dict(refused))


@retry(retry=retry_if_exception_type(TransientError), stop=stop_after_attempt(3),
       wait=wait_exponential(multiplier=0.1, max=0.5), reraise=True)
def _enqueue(bus: MessageBus, queue: str, messages: list[OutgoingMessage]) -> None:
    """A momentary bus hiccup (a busy SQLite file, a Service Bus blip) is retried within the request:
    under a second in all, well inside Graph's 3 s, so Graph does not mark the endpoint slow. Still
    failing: TransientError -> 503, and Graph redelivers. Re-sending is safe (same message ids)."""
    bus.publish(queue, messages)


def _refusal(item: QueuedNotification, deps: WebhookDeps) -> str | None:
    """None for a genuine item, else why not: `unknown_subscription` or `wrong_client_state`."""
    state = item.client_state
    if state is not None and not (isinstance(state, str) and state.isascii()):
        return "bad_client_state"  # Loket's are 64 hex characters; anything else is a stranger's
    nonce = deps.nonce_of(item.subscription_id) if item.subscription_id else None
    if nonce is None:
        return "unknown_subscription"
    genuine = client_state_matches(deps.client_state_key, nonce, item.client_state)
    return None if genuine else "wrong_client_state"


def _message(item: QueuedNotification) -> OutgoingMessage:
    return OutgoingMessage(
        body=item.body_json(),
        message_id=item.message_id,
        subject=item.body.kind,
        scheduled_enqueue_time=item.scheduled_at,
    )
