"""The tenant's control API under `/_sim/`: put mail and call records in, send their notifications,
inject faults, read what was delivered. Not part of Graph; tests and `loket simulate` drive the
tenant through it. (Time is moved through `<data dir>/clock.json`, which the tenant reads like the host.)"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from devhost.tenant import calls, mail, odata
from devhost.tenant.notify import change_item, deliver, lifecycle_item, oddly
from devhost.tenant.subscriptions import expired, is_calls, mail_target


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok", "now": odata.iso(odata.now())})


def _live_subscriptions(request: Request) -> list[dict]:
    return [s for s in request.app.state.store.subscriptions() if not expired(s)]


def _watches(store, sub: dict, box: str, folder_id: str) -> bool:
    """Does a (live) subscription see a new message in mailbox `box`, folder `folder_id`?"""
    target = mail_target(sub["resource"])
    if not target or "created" not in sub["changeType"] or mail.mailbox_key(store, target[0]) != box:
        return False
    if target[1] is None:  # the whole mailbox
        return True
    folder = mail.find_folder(store, box, target[1])
    return folder is not None and folder["id"] == folder_id


async def add_message(request: Request) -> Response:
    """Body: {"folder": "inbox"|id, "message": {Graph message}, "notify": true, "copies": 1}."""
    body = await request.json()
    user, store = request.path_params["user"], request.app.state.store
    message = mail.store_message(store, user, body.get("folder") or "inbox", body["message"])
    if message is None:
        return odata.error(404, "ErrorItemNotFound", "No such folder.")
    box, statuses = mail.mailbox_key(store, user), []
    for sub in _live_subscriptions(request) if body.get("notify", True) else []:
        if not _watches(store, sub, box, message["parentFolderId"]):
            continue
        resource = f"Users/{box}/Messages/{message['id']}"  # Graph names the user by object id
        item = change_item(
            sub, "created", resource, "#Microsoft.Graph.Message", message["id"], message["@odata.etag"]
        )
        item = oddly(item, body.get("oddities") or ())
        copies = int(body.get("copies", 1))
        statuses.append(
            await deliver(request.app.state.http, store, sub["notificationUrl"], item, "mail", copies)
        )
    answer = {"id": message["id"], "parentFolderId": message["parentFolderId"], "notified": statuses}
    return JSONResponse(answer, status_code=201)


async def add_user(request: Request) -> Response:
    """Body: {"id": object id, "userPrincipalName": …, "displayName": …, "mail": …}: a directory entry,
    so that the object id and the UPN address the same mailbox (as in Graph)."""
    body = await request.json()
    user = {
        "id": body["id"],
        "userPrincipalName": body["userPrincipalName"],
        "displayName": body.get("displayName"),
        "mail": body.get("mail") or body["userPrincipalName"],
    }
    request.app.state.store.put_user(user)
    return JSONResponse(user, status_code=201)


async def add_folder(request: Request) -> Response:
    """Body: {"parent": "inbox"|id, "displayName": "…"}: a custom folder."""
    body = await request.json()
    user, store = request.path_params["user"], request.app.state.store
    folder = mail.add_folder(
        store,
        mail.mailbox_key(store, user),
        body.get("parent") or "msgfolderroot",
        body.get("displayName") or "Map",
    )
    if folder is None:
        return odata.error(404, "ErrorItemNotFound", "No such parent folder.")
    return JSONResponse(mail.folder_json(store, user, folder), status_code=201)


async def remove_message(request: Request) -> Response:
    user, store = request.path_params["user"], request.app.state.store
    gone = store.remove_message(mail.mailbox_key(store, user), request.path_params["message_id"])
    return Response(status_code=204 if gone else 404)


def _call_change_types(sub: dict, is_new: bool) -> list[str]:
    """A new record fires `created` and `updated` (as Graph does); a new version fires `updated`."""
    if not is_calls(sub["resource"]):
        return []
    return [k for k in ("created", "updated") if k in sub["changeType"] and (is_new or k == "updated")]


async def add_call_record(request: Request) -> Response:
    """Body: {"record": {callRecord}, "options": {"pageSize": {...}, "repeatLastLink": bool},
    "notify": true, "copies": 1}. A known id becomes a new version."""
    body = await request.json()
    store = request.app.state.store
    is_new = store.call_record(body["record"]["id"]) is None
    record = calls.store_call_record(store, body["record"], body.get("options"))
    resource, statuses = f"communications/callRecords/{record['id']}", []
    for sub in _live_subscriptions(request) if body.get("notify", True) else []:
        for kind in _call_change_types(sub, is_new):
            item = change_item(sub, kind, resource, "#Microsoft.Graph.callrecord", record["id"])
            item = oddly(item, body.get("oddities") or ())
            copies = int(body.get("copies", 1))
            statuses.append(
                await deliver(request.app.state.http, store, sub["notificationUrl"], item, "call", copies)
            )
    answer = {"id": record["id"], "version": record["version"], "notified": statuses}
    return JSONResponse(answer, status_code=201)


async def lifecycle(request: Request) -> Response:
    """Body: {"subscriptionId": …, "event": "missed"|"subscriptionRemoved"|"reauthorizationRequired"}."""
    body = await request.json()
    store = request.app.state.store
    sub = store.subscription(body["subscriptionId"])
    if sub is None or not sub.get("lifecycleNotificationUrl"):
        return odata.error(404, "ResourceNotFound", "No such subscription with a lifecycle URL.")
    if body["event"] == "subscriptionRemoved":
        store.delete_subscription(sub["id"])
    status = await deliver(
        request.app.state.http,
        store,
        sub["lifecycleNotificationUrl"],
        lifecycle_item(sub, body["event"]),
        "lifecycle",
    )
    return JSONResponse({"notified": [status]})


async def faults(request: Request) -> Response:
    """POST {"path": "/v1.0/users/", "method": "GET", "status": 429, "retryAfter": 1, "times": 1};
    DELETE clears; GET lists. Matching Graph requests get that answer until `times` is used up."""
    rules = request.app.state.faults
    if request.method == "POST":
        rule = await request.json()
        rule.setdefault("times", 1)
        rules.append(rule)
    elif request.method == "DELETE":
        rules.clear()
    return JSONResponse({"faults": rules})


async def deliveries(request: Request) -> Response:
    return JSONResponse({"value": request.app.state.store.deliveries()})
