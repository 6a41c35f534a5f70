"""Catch-up: re-read the sources (mail delta per folder, recent call records) and enqueue what they hold.

It enqueues onto the same queues, with the same bus message ids as the webhook (mail: subscription
+ message id + `created`), so a message the webhook already queued is dropped by duplicate
detection; anything that still gets through becomes the same deterministic event id, which the
store absorbs (and refuses when it was erased). So catching up never duplicates or resurrects.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from handlers.notifications import QueueNames
from handlers.ports.bus import MessageBus, OutgoingMessage
from handlers.ports.graph import DeltaLinkExpired, GraphPort
from handlers.subscription_plan import is_calls, mailbox_of
from handlers.subscriptions import SubscriptionRegistry
from schemas.capture_policy import CapturePolicy
from schemas.queued_notification import CallNotificationBody, MailNotificationBody

log = logging.getLogger(__name__)

MAIL_FOLDERS = ("inbox", "sentitems")
FIRST_ROUND_LOOKBACK = dt.timedelta(days=1)  # a mailbox's first delta round reaches back this far
RESYNC_MARGIN = dt.timedelta(hours=1)  # after a 410, re-read from the last good round minus this
CALL_LOOKBACK = dt.timedelta(hours=4)  # call records show up to 150 min after the call (§4.7)
CALL_MEMORY = dt.timedelta(days=2)  # how long a record's version seen is remembered


@dataclass
class CatchUpDeps:
    graph: GraphPort
    registry: SubscriptionRegistry
    bus: MessageBus
    queues: QueueNames
    policy: CapturePolicy
    now: Callable[[], dt.datetime]
    call_settle_seconds: int = 0
    call_lookback: dt.timedelta = CALL_LOOKBACK


@dataclass
class CatchUpReport:
    mail: int = 0
    calls: int = 0
    resynced: list[str] = field(default_factory=list)


def message_digest(*parts: str) -> str:
    """The webhook's bus message id scheme (handlers/notifications.py): sha256 of the JSON array."""
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def _subscription_for(deps: CatchUpDeps, match: Callable[[str], bool]) -> str:
    return next((e.id for e in deps.registry.all() if match(e.resource)), "")


async def catch_up_all(deps: CatchUpDeps, since: dt.datetime | None = None) -> CatchUpReport:
    """Every captured mailbox, then call records."""
    report = CatchUpReport()
    for box in deps.policy.mailboxes:
        if box.user_id:
            report.mail += await catch_up_mailbox(deps, box.user_id, since, report)
    if deps.policy.call_queues:
        report.calls = await catch_up_calls(deps, since)
    log.info("catch-up enqueued %d mail and %d call notifications", report.mail, report.calls)
    return report


async def catch_up_resource(deps: CatchUpDeps, resource: str | None) -> int:
    """The lifecycle hook: catch up the one source a subscription covers."""
    if resource is None:
        return (await catch_up_all(deps)).mail
    user_id = mailbox_of(resource)
    if user_id:
        return await catch_up_mailbox(deps, user_id)
    return await catch_up_calls(deps) if is_calls(resource) else 0


async def catch_up_mailbox(deps: CatchUpDeps, user_id: str, since: dt.datetime | None = None,
                           report: CatchUpReport | None = None) -> int:
    """One delta round per folder from its stored link (`since` starts a fresh round from then)."""
    sub_id = _subscription_for(deps, lambda r: (mailbox_of(r) or "").lower() == user_id.lower())
    count = 0
    for folder in MAIL_FOLDERS + (("junkemail",) if deps.policy.keep_junk else ()):
        items = await _delta_items(deps, user_id, folder, since, report)
        messages = [_mail_message(deps, sub_id, user_id, i["id"]) for i in items
                    if "@removed" not in i and i.get("id")]
        if messages:
            deps.bus.publish(deps.queues.mail, messages)
        count += len(messages)
    return count


async def _delta_items(deps: CatchUpDeps, user_id: str, folder: str, since: dt.datetime | None,
                       report: CatchUpReport | None) -> list[dict]:
    key = f"delta:{user_id.lower()}:{folder}"
    stored = json.loads(deps.registry.sync_get(key) or "null")
    started = deps.now()
    link = None if since or not stored else stored["link"]
    try:
        start = since or (None if link else started - FIRST_ROUND_LOOKBACK)
        round_ = await deps.graph.message_delta(user_id, folder, delta_link=link, select=["id"], since=start)
    except DeltaLinkExpired:
        log.warning("delta link expired; resyncing the folder", extra={"folder": folder})
        if report is not None:
            report.resynced.append(f"{user_id}:{folder}")
        last = dt.datetime.fromisoformat(stored["at"]) - RESYNC_MARGIN
        round_ = await deps.graph.message_delta(user_id, folder, select=["id"], since=last)
    deps.registry.sync_put(key, json.dumps({"link": round_.delta_link, "at": started.isoformat()}), started)
    return round_.items


def _mail_message(deps: CatchUpDeps, sub_id: str, user_id: str, message_id: str) -> OutgoingMessage:
    body = MailNotificationBody(subscription_id=sub_id or None, change_type="created",
                                tenant_id=deps.policy.tenant.id, mailbox_user_id=user_id,
                                message_id=message_id, received_at=deps.now())
    return OutgoingMessage(body=body.model_dump_json(), subject=body.kind,
                           message_id=message_digest("mail", sub_id, message_id, "created"))


async def catch_up_calls(deps: CatchUpDeps, since: dt.datetime | None = None) -> int:
    """Records that started in the look-back window, each enqueued once per new version."""
    now = deps.now()
    sub_id = _subscription_for(deps, is_calls)
    records = await deps.graph.list_call_records(since or now - deps.call_lookback, now)
    messages = []
    for record in records:
        record_id, version = record.get("id"), int(record.get("version") or 0)
        key = f"call:{record_id}"
        if not record_id or (since is None and int(deps.registry.sync_get(key) or -1) >= version):
            continue
        messages.append(_call_message(deps, sub_id, record_id, now))
        deps.registry.sync_put(key, str(version), now)
    if messages:
        deps.bus.publish(deps.queues.call, messages)
    prune = getattr(deps.registry, "sync_prune", None)
    if prune is not None:
        prune("call:", now - CALL_MEMORY)
    return len(messages)


def _call_message(deps: CatchUpDeps, sub_id: str, record_id: str, now: dt.datetime) -> OutgoingMessage:
    body = CallNotificationBody(subscription_id=sub_id or None, change_type="updated",
                                tenant_id=deps.policy.tenant.id, call_record_id=record_id,
                                received_at=now, fetch_after=now)
    window = str(int(now.timestamp() // max(deps.call_settle_seconds, 1)))
    return OutgoingMessage(body=body.model_dump_json(), subject=body.kind,
                           message_id=message_digest("call", record_id, window))
