"""How the simulated tenant talks to Loket: the validation handshake and change notifications.

Handshake (graph-contracts.md §1.1): POST `{url}?validationToken=…` with a text/plain body; the
endpoint must answer 200 text/plain with the decoded token within 10 s. Notifications are delivered
at least once: a non-2xx answer or a timeout is retried a few times at once, then in the background with
exponential back-off (graph-contracts.md §1.3: Graph keeps retrying for 4 hours; the simulated tenant
keeps the back-off but compresses the window to about four minutes, so a host that was down for a
restart still receives what it missed). `copies=2` sends the same notification twice (Graph does that
after a slow answer).
"""

from __future__ import annotations

import asyncio
import logging
import uuid

import httpx

from devhost.tenant import rich
from devhost.tenant.odata import TENANT_ID, iso, now
from devhost.tenant.store import TenantStore

log = logging.getLogger(__name__)
HANDSHAKE_TIMEOUT = 10.0
DELIVERY_TIMEOUT = 10.0
RETRY_DELAYS = (0.5, 1.0, 2.0)
REDELIVERY_DELAYS = (4.0, 8.0, 16.0, 32.0, 64.0, 128.0)  # then the notification is discarded, as Graph does
_REDELIVERIES: set[asyncio.Task] = set()  # strong references: a bare task may be collected mid-sleep


def validation_token() -> str:
    return f"Validation: Testing client application reachability for subscription Request-Id: {uuid.uuid4()}"


async def handshake(client: httpx.AsyncClient, url: str) -> bool:
    """True when `url` echoes a fresh validation token as Graph requires."""
    token = validation_token()
    try:
        answer = await client.post(
            url,
            params={"validationToken": token},
            content=b"",
            headers={"Content-Type": "text/plain; charset=utf-8"},
            timeout=HANDSHAKE_TIMEOUT,
        )
    except httpx.HTTPError as exc:
        log.info("validation handshake failed: %s", type(exc).__name__)
        return False
    content_type = answer.headers.get("content-type", "")
    return answer.status_code == 200 and content_type.startswith("text/plain") and answer.text == token


def change_item(
    sub: dict, change_type: str, resource: str, odata_type: str, item_id: str, etag: str | None = None
) -> dict:
    data = {"@odata.type": odata_type, "@odata.id": resource, "id": item_id}
    if etag:
        data["@odata.etag"] = etag
    return {
        "id": uuid.uuid4().hex[:13],
        "subscriptionId": sub["id"],
        "subscriptionExpirationDateTime": sub["expirationDateTime"],
        "clientState": sub.get("clientState"),
        "changeType": change_type,
        "resource": resource,
        "tenantId": TENANT_ID,
        "resourceData": data,
    }


# Shapes real senders produce that Graph's documentation never shows (tests/fixtures/real): Loket must
# read past each of them (docs/capture-rules.md).
POWERSHELL_HASHTABLE = "System.Management.Automation.OrderedHashtable"  # what a string-cast hashtable reads


def _untyped(item: dict) -> dict:
    data = item.get("resourceData") or {}
    return {**item, "resourceData": {k: v for k, v in data.items() if k != "@odata.type"}}


ODDITIES = {
    "resource_data_string": lambda item: {**item, "resourceData": POWERSHELL_HASHTABLE},
    "no_odata_type": _untyped,
    "unknown_change_type": lambda item: {**item, "changeType": "recreated"},
    "extra_property": lambda item: {**item, "sequenceNumber": 7},
}


def oddly(item: dict, oddities) -> dict:
    """The item with each named oddity applied (unknown names are refused: a typo must not pass silently)."""
    for name in oddities:
        item = ODDITIES[name](item)
    return item


def lifecycle_item(sub: dict, event: str) -> dict:
    return {
        "subscriptionId": sub["id"],
        "subscriptionExpirationDateTime": sub["expirationDateTime"],
        "tenantId": TENANT_ID,
        "clientState": sub.get("clientState"),
        "lifecycleEvent": event,
    }


async def deliver(
    client: httpx.AsyncClient, store: TenantStore, url: str, item: dict, kind: str, copies: int = 1
) -> int:
    """POST one notification (a collection of one item) `copies` times, retrying failures.

    Returns the last HTTP status of the immediate attempts (0 when the endpoint never answered); a copy
    that still failed is handed to a background redelivery with back-off.
    """
    status = 0
    item, tokens = rich.with_resource_data(store, item)  # rich subscriptions: encrypted, with a token
    body = {"value": [item], **({"validationTokens": tokens} if tokens else {})}
    for _ in range(copies):
        status = await _attempts(client, store, url, body, item, kind, (0.0, *RETRY_DELAYS))
        if not 200 <= status < 300:
            _redeliver_later(client, store, url, body, item, kind)
    return status


async def _attempts(client, store: TenantStore, url: str, body: dict, item: dict, kind: str, delays) -> int:
    """POST after each delay until a 2xx; every attempt is recorded. The last status (0: no answer)."""
    status = 0
    for delay in delays:
        await asyncio.sleep(delay)
        try:
            answer = await client.post(url, json=body, timeout=DELIVERY_TIMEOUT)
            status = answer.status_code
        except (httpx.HTTPError, RuntimeError):  # RuntimeError: the tenant's client closed at shutdown
            status = 0
        store.record_delivery(item["subscriptionId"], kind, item.get("resource") or "", status, iso(now()))
        if 200 <= status < 300:
            break
    return status


def _redeliver_later(client, store: TenantStore, url: str, body: dict, item: dict, kind: str) -> None:
    task = asyncio.get_running_loop().create_task(
        _attempts(client, store, url, body, item, kind, REDELIVERY_DELAYS)
    )
    _REDELIVERIES.add(task)
    task.add_done_callback(_REDELIVERIES.discard)
