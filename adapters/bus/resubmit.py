"""The dead-letter resubmission clone (azure-platform.md §4.4), shared by both buses."""

from __future__ import annotations

from handlers.ports.bus import (
    LAST_DEAD_LETTER_REASON_PROPERTY,
    REPLAY_ATTEMPT_PROPERTY,
    REPLAY_OF_PROPERTY,
    TARGET_PROPERTY,
    OutgoingMessage,
    ReceivedMessage,
)

from .entities import split_entity

BROKER_DEAD_LETTER_PROPERTIES = frozenset({"DeadLetterReason", "DeadLetterErrorDescription"})


def resubmit_clone(dead: ReceivedMessage) -> tuple[str, OutgoingMessage]:
    """Where to publish, and the clone: a new message id so duplicate detection cannot drop it.

    The id is `<first id>:replay:<n>`, deterministic per attempt: if a crash between publish and
    complete makes us resubmit the same dead letter twice, duplicate detection drops the second.
    """
    topic, subscription = split_entity(dead.entity)
    props = {k: v for k, v in dead.application_properties.items() if k not in BROKER_DEAD_LETTER_PROPERTIES}
    first_id = str(props.get(REPLAY_OF_PROPERTY) or dead.message_id)
    attempt = int(props.get(REPLAY_ATTEMPT_PROPERTY) or 0) + 1
    props[REPLAY_OF_PROPERTY] = first_id
    props[REPLAY_ATTEMPT_PROPERTY] = attempt
    props[LAST_DEAD_LETTER_REASON_PROPERTY] = dead.dead_letter_reason or ""
    if subscription is not None:
        props[TARGET_PROPERTY] = subscription
    clone = OutgoingMessage(
        body=dead.body,
        message_id=f"{first_id}:replay:{attempt}"[:128],
        subject=dead.subject,
        application_properties=props,
        content_type=dead.content_type,
        correlation_id=dead.correlation_id,
    )
    return topic, clone
