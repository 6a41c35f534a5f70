"""What the Graph webhook enqueues: one small JSON body per notification item, read by capture functions."""
from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter


class QueuedModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class MailNotificationBody(QueuedModel):
    """A message was created or updated: `capture_mail` GETs `users/{mailbox_user_id}/messages/{message_id}`.

    The mailbox comes from the resource path (any documented form, so the body does not depend on
    the form); it is None only for a path in no known form, when the subscription id tells the mailbox.

    `encrypted_content` and `validation_tokens` travel only for rich notifications, to be checked
    and decrypted behind the queue (never in the webhook).
    """

    kind: Literal["mail"] = "mail"
    subscription_id: str | None = None
    change_type: str
    tenant_id: str | None = None
    mailbox_user_id: str | None = None
    message_id: str
    received_at: AwareDatetime
    encrypted_content: dict[str, Any] | None = None
    validation_tokens: tuple[str, ...] = ()


class CallNotificationBody(QueuedModel):
    """A callRecord was created or got a new version: `capture_call` GETs it once it has settled."""

    kind: Literal["call"] = "call"
    subscription_id: str | None = None
    change_type: str
    tenant_id: str | None = None
    call_record_id: str
    received_at: AwareDatetime
    fetch_after: AwareDatetime


class LifecycleNotificationBody(QueuedModel):
    """reauthorizationRequired, subscriptionRemoved or missed: `handle_lifecycle` acts on the subscription."""

    kind: Literal["lifecycle"] = "lifecycle"
    subscription_id: str | None = None
    lifecycle_event: str
    tenant_id: str | None = None
    subscription_expires_at: AwareDatetime | None = None
    received_at: AwareDatetime


QueuedBody = Annotated[
    MailNotificationBody | CallNotificationBody | LifecycleNotificationBody, Field(discriminator="kind")
]


@cache
def _adapter() -> TypeAdapter[Any]:
    return TypeAdapter(QueuedBody)


AnyBody = MailNotificationBody | CallNotificationBody | LifecycleNotificationBody


def parse_queued_body(data: bytes | str) -> AnyBody:
    """Read a queue message body back (pydantic ValidationError, without input, when it is not one)."""
    return _adapter().validate_json(data)


def utc(value: dt.datetime) -> dt.datetime:
    """An aware UTC instant; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)
