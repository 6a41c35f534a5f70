"""Webhook routing: for each Graph notification item, the queue, the bus message id and the body to enqueue.

Pure: no I/O, and no clientState check (the webhook does that per item with `client_state`).
Bus message ids (duplicate detection drops Graph's redeliveries, design.md):
- mail: sha256 of subscription + message id + changeType (the message id, not the resource path,
  so `Users/…/Messages/…` and `users('…')/messages('…')` for one message are one id);
- call: sha256 of callRecord id + ⌊receive time / CALL_SETTLE_SECONDS⌋ (0 counts as 1 s): the
  created/updated bursts of one call coalesce, a later version still gets through;
- lifecycle: sha256 of subscription + lifecycleEvent + subscriptionExpirationDateTime + the 10-minute
  window of receipt: redeliveries coalesce, and Graph warns against acting twice within 10 minutes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Protocol

from errors import PermanentError
from schemas.graph_notification import (
    LIFECYCLE_EVENTS,
    ChangeNotification,
    parse_call_resource,
    parse_collection,
    parse_message_resource,
    read_item,
)
from schemas.queued_notification import (
    CallNotificationBody,
    LifecycleNotificationBody,
    MailNotificationBody,
    utc,
)

LIFECYCLE_WINDOW_SECONDS = 600
MAIL_TYPES = frozenset({"message", "eventmessage", "eventmessagerequest", "eventmessageresponse",
                        "calendarsharingmessage"})


class QueueSettings(Protocol):
    mail_notifications_queue: str
    call_notifications_queue: str
    lifecycle_notifications_queue: str


@dataclass(frozen=True)
class QueueNames:
    mail: str = "mail-notifications"
    call: str = "call-notifications"
    lifecycle: str = "lifecycle-notifications"

    @classmethod
    def from_settings(cls, settings: QueueSettings) -> QueueNames:
        return cls(settings.mail_notifications_queue, settings.call_notifications_queue,
                   settings.lifecycle_notifications_queue)


class IgnoreReason(StrEnum):
    """Why an item is acknowledged but not enqueued (stable codes; no retry would change them)."""

    VALIDATION_ITEM = "event_hubs_validation"
    UNSUPPORTED_RESOURCE = "unsupported_resource"
    DELETED_RESOURCE = "deleted_resource"
    UNKNOWN_CHANGE_TYPE = "unknown_change_type"
    UNKNOWN_LIFECYCLE_EVENT = "unknown_lifecycle_event"
    MALFORMED_ITEM = "malformed_item"


Body = MailNotificationBody | CallNotificationBody | LifecycleNotificationBody


@dataclass(frozen=True)
class QueuedNotification:
    """One item to enqueue; `client_state` is for the webhook's check and is never enqueued."""

    index: int
    queue: str
    message_id: str
    body: Body
    subscription_id: str | None
    client_state: str | None
    scheduled_at: dt.datetime | None = None  # calls: enqueue for this time so the record settles
    tolerated: tuple[str, ...] = ()  # oddities read past (codes), counted by the webhook

    def body_json(self) -> str:
        return self.body.model_dump_json()


@dataclass(frozen=True)
class IgnoredNotification:
    index: int
    reason: IgnoreReason
    detail: str
    subscription_id: str | None = None
    client_state: str | None = None


Ignore = Callable[[IgnoreReason, str], IgnoredNotification]


@dataclass(frozen=True)
class RoutedBatch:
    queued: tuple[QueuedNotification, ...]
    ignored: tuple[IgnoredNotification, ...]

    @property
    def tolerated(self) -> dict[str, int]:
        """How often each oddity was read past among the enqueued items."""
        counts: dict[str, int] = {}
        for item in self.queued:
            for oddity in item.tolerated:
                counts[oddity] = counts.get(oddity, 0) + 1
        return counts


def route_notifications(
    body: bytes | str, *, received_at: dt.datetime, call_settle_seconds: int, queues: QueueNames
) -> RoutedBatch:
    """Route every item of a notification POST body; PermanentError only when the body itself is malformed."""
    collection = parse_collection(body)
    at = utc(received_at)
    queued: list[QueuedNotification] = []
    ignored: list[IgnoredNotification] = []
    for index, raw in enumerate(collection.value):
        routed = _route(index, raw, collection.validation_tokens or (), at, call_settle_seconds, queues)
        if isinstance(routed, QueuedNotification):
            queued.append(routed)
        else:
            ignored.append(routed)
    return RoutedBatch(tuple(queued), tuple(ignored))


def _route(index: int, raw: Any, tokens: tuple[str, ...], at: dt.datetime, settle: int,
           queues: QueueNames) -> QueuedNotification | IgnoredNotification:
    """Judge one item on its own: route by what can be read, count what was read past."""
    try:
        read = read_item(raw)
    except PermanentError as exc:
        return IgnoredNotification(index, IgnoreReason.MALFORMED_ITEM, str(exc))
    item, oddities = read.item, list(read.oddities)
    ignore = _ignorer(index, item)
    if (item.change_type or "").lower().startswith("validation:") or item.subscription_id == "NA":
        return ignore(IgnoreReason.VALIDATION_ITEM, "Event Hubs validation message: nothing to capture")
    if item.lifecycle_event:
        return _lifecycle(index, item, at, queues, ignore)
    kind = _resource_kind(item, oddities)
    if kind is None:
        kind_text = item.odata_type or "unknown"
        return ignore(IgnoreReason.UNSUPPORTED_RESOURCE, f"resource type {kind_text} is not captured")
    if item.change_type == "deleted":
        return ignore(IgnoreReason.DELETED_RESOURCE, f"a deleted {kind} is not a new contact")
    if item.change_type not in ("created", "updated"):
        # The resource names something Loket captures: fetch it (the fetch shows what it is now).
        oddities.append("missing_change_type" if not item.change_type else "unknown_change_type")
        item = item.model_copy(update={"change_type": "updated"})
    routed = (_mail(index, item, tokens, at, queues, ignore) if kind == "mail"
              else _call(index, item, at, settle, queues, ignore))
    if isinstance(routed, QueuedNotification) and oddities:
        return replace(routed, tolerated=tuple(dict.fromkeys(oddities)))
    return routed


def _ignorer(index: int, item: ChangeNotification) -> Ignore:
    def ignore(reason: IgnoreReason, detail: str) -> IgnoredNotification:
        return IgnoredNotification(index, reason, detail, item.subscription_id, item.client_state)
    return ignore


def _resource_kind(item: ChangeNotification, oddities: list[str]) -> str | None:
    """`mail`, `call` or None: the `resource` path first (it names the thing), else `@odata.type` (any
    casing), else `resourceData.@odata.id`. A missing or contradicting type is counted, not fatal."""
    by_path = None
    if parse_message_resource(item.resource):
        by_path = "mail"
    elif parse_call_resource(item.resource):
        by_path = "call"
    by_type = None
    if item.odata_type:
        last = item.odata_type.rsplit(".", 1)[-1]
        by_type = "mail" if last in MAIL_TYPES else "call" if last == "callrecord" else "other"
    if by_path is not None:
        if item.resource_data is None and not any(o.startswith("resource_data") for o in oddities):
            oddities.append("missing_resource_data")
        elif item.resource_data is not None and by_type is None:
            oddities.append("missing_odata_type")
        elif by_type is not None and by_type != by_path:
            oddities.append("odata_type_mismatch")
        return by_path
    if by_type in ("mail", "call"):
        return by_type
    odata_id = _odata_id(item)
    if by_type is None and parse_message_resource(odata_id):
        return "mail"
    if by_type is None and parse_call_resource(odata_id):
        return "call"
    return None


def _mail(index: int, item: ChangeNotification, tokens: tuple[str, ...], at: dt.datetime,
          queues: QueueNames, ignore: Ignore) -> QueuedNotification | IgnoredNotification:
    path = parse_message_resource(item.resource) or parse_message_resource(_odata_id(item))
    message_id = (item.resource_data and item.resource_data.id) or (path and path.message_id)
    if not message_id:
        return ignore(IgnoreReason.MALFORMED_ITEM, "mail notification names no message id")
    rich = item.encrypted_content is not None
    body = MailNotificationBody(
        subscription_id=item.subscription_id, change_type=item.change_type or "",
        tenant_id=item.tenant_id or (path and path.tenant_id) or None,
        mailbox_user_id=path.user_id if path else None, message_id=message_id, received_at=at,
        encrypted_content=item.encrypted_content.model_dump(by_alias=True) if rich else None,
        validation_tokens=tokens if rich else (),
    )
    key = _digest("mail", item.subscription_id or "", message_id, item.change_type or "")
    return QueuedNotification(index, queues.mail, key, body, item.subscription_id, item.client_state)


def _call(index: int, item: ChangeNotification, at: dt.datetime, settle: int, queues: QueueNames,
          ignore: Ignore) -> QueuedNotification | IgnoredNotification:
    record_id = (item.resource_data and item.resource_data.id) or parse_call_resource(item.resource) \
        or parse_call_resource(_odata_id(item))
    if not record_id:
        return ignore(IgnoreReason.MALFORMED_ITEM, "callRecord notification names no record id")
    fetch_after = at + dt.timedelta(seconds=settle)
    body = CallNotificationBody(
        subscription_id=item.subscription_id, change_type=item.change_type or "", tenant_id=item.tenant_id,
        call_record_id=record_id, received_at=at, fetch_after=fetch_after,
    )
    key = _digest("call", record_id, str(int(at.timestamp() // max(settle, 1))))
    return QueuedNotification(index, queues.call, key, body, item.subscription_id, item.client_state,
                              scheduled_at=fetch_after)


def _lifecycle(index: int, item: ChangeNotification, at: dt.datetime, queues: QueueNames,
               ignore: Ignore) -> QueuedNotification | IgnoredNotification:
    event = item.lifecycle_event or ""
    if event not in LIFECYCLE_EVENTS:
        return ignore(IgnoreReason.UNKNOWN_LIFECYCLE_EVENT, "lifecycleEvent is not one Loket acts on")
    expires = item.subscription_expiration_date_time
    body = LifecycleNotificationBody(
        subscription_id=item.subscription_id, lifecycle_event=event, tenant_id=item.tenant_id,
        subscription_expires_at=expires, received_at=at,
    )
    window = str(int(at.timestamp() // LIFECYCLE_WINDOW_SECONDS))
    expiry = expires.isoformat() if expires else ""
    key = _digest("lifecycle", item.subscription_id or "", event, expiry, window)
    return QueuedNotification(index, queues.lifecycle, key, body, item.subscription_id, item.client_state)


def _odata_id(item: ChangeNotification) -> str | None:
    return item.resource_data.odata_id if item.resource_data else None


def _digest(*parts: str) -> str:
    """sha256 of the parts as a JSON array: unambiguous whatever characters the ids hold."""
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()
