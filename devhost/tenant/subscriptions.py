"""`/subscriptions` of the simulated tenant: create (with the validation handshake), renew, reauthorize,
delete, list; and which subscriptions a new message or call record notifies."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from devhost.tenant.notify import handshake
from devhost.tenant.odata import APP_ID, error, iso, now, parse_time
from devhost.tenant.store import TenantStore

CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#subscriptions"
MIN_LIFETIME = dt.timedelta(minutes=45)
REQUIRED = ("changeType", "notificationUrl", "resource", "expirationDateTime")
_MAIL = re.compile(
    r"^/?users/([^/]+)/(?:mailfolders(?:\('([^']+)'\)|/([^/]+))/)?messages(?:\?.*)?$", re.IGNORECASE
)
_CALLS = re.compile(r"^/?communications/callrecords(\?.*)?$", re.IGNORECASE)


def max_lifetime(resource: str, rich: bool) -> dt.timedelta | None:
    if _MAIL.match(resource):
        return dt.timedelta(minutes=1440 if rich else 10080)
    if _CALLS.match(resource):
        return dt.timedelta(minutes=4230)
    return None


def mail_target(resource: str) -> tuple[str, str | None] | None:
    """(mailbox, folder ref or None for the whole mailbox) of a message subscription."""
    match = _MAIL.match(resource)
    if not match:
        return None
    return match.group(1).strip("'()").lower(), match.group(2) or match.group(3)


def is_calls(resource: str) -> bool:
    return bool(_CALLS.match(resource))


def _bad(message: str) -> JSONResponse:
    return error(400, "InvalidRequest", message)


class Refused(Exception):
    """A create request Graph would refuse; carries Graph's answer."""

    def __init__(self, response: JSONResponse) -> None:
        self.response = response


LIFETIME_MESSAGE = "Subscription expiration can only be within the allowed lifetime for this resource."


def _checked_expiry(body: dict) -> dt.datetime:
    """The expiry Graph would set: raised to 45 minutes, refused beyond the resource's maximum."""
    missing = [k for k in REQUIRED if not body.get(k)]
    if missing:
        raise Refused(_bad(f"Missing property: {missing[0]}."))
    limit = max_lifetime(body["resource"], bool(body.get("includeResourceData")))
    if limit is None:
        raise Refused(_bad("Resource not supported by this tenant."))
    stamp = now()
    try:
        expires = max(parse_time(body["expirationDateTime"]), stamp + MIN_LIFETIME)
    except ValueError as exc:
        raise Refused(_bad("Invalid expirationDateTime.")) from exc
    if expires > stamp + limit:
        raise Refused(_bad(LIFETIME_MESSAGE))
    return expires


def _check_unique(store: TenantStore, body: dict) -> None:
    key = (body["resource"], body["changeType"], body["notificationUrl"])
    for sub in store.subscriptions():
        if not expired(sub) and (sub["resource"], sub["changeType"], sub["notificationUrl"]) == key:
            message = f"Subscription Id {sub['id']} already exists for the requested combination"
            raise Refused(error(409, "Conflict", message))


def _subscription(body: dict, expires: dt.datetime) -> dict:
    copied = (
        "changeType",
        "clientState",
        "notificationUrl",
        "lifecycleNotificationUrl",
        "resource",
        "encryptionCertificate",
        "encryptionCertificateId",
        "notificationUrlAppId",
    )
    return {
        "id": str(uuid.uuid4()),
        "applicationId": APP_ID,
        "creatorId": APP_ID,
        **{key: body.get(key) for key in copied},
        "expirationDateTime": iso(expires, 7),
        "includeResourceData": bool(body.get("includeResourceData")),
        "latestSupportedTlsVersion": body.get("latestSupportedTlsVersion") or "v1_2",
        "notificationQueryOptions": None,
        "notificationContentType": None,
    }


async def create(request: Request) -> Response:
    """`POST /subscriptions`: checks as Graph does, then the handshake on both URLs, then 201."""
    store: TenantStore = request.app.state.store
    try:
        body = await request.json()
        expires = _checked_expiry(body)
        _check_unique(store, body)
    except ValueError:
        return _bad("Invalid JSON body.")
    except Refused as refused:
        return refused.response
    for url in filter(None, (body["notificationUrl"], body.get("lifecycleNotificationUrl"))):
        if not await handshake(request.app.state.http, url):
            message = (
                "Subscription validation request failed. Notification endpoint must respond with "
                "200 OK to validation request."
            )
            return error(400, "ValidationError", message)
    sub = _subscription(body, expires)
    store.put_subscription(sub)
    return JSONResponse({"@odata.context": f"{CONTEXT}/$entity", **sub}, status_code=201)


def _found(request: Request) -> dict | None:
    return request.app.state.store.subscription(request.path_params["sub_id"])


def _missing() -> JSONResponse:
    return error(404, "ResourceNotFound", "The object was not found.")


async def update(request: Request) -> Response:
    store: TenantStore = request.app.state.store
    sub = _found(request)
    if sub is None:
        return _missing()
    body = await request.json()
    if "expirationDateTime" in body:
        stamp = now()
        expires = max(parse_time(body["expirationDateTime"]), stamp + MIN_LIFETIME)
        if expires > stamp + max_lifetime(sub["resource"], sub["includeResourceData"]):
            return _bad(LIFETIME_MESSAGE)
        sub["expirationDateTime"] = iso(expires, 7)
    for key in ("notificationUrl", "encryptionCertificate", "encryptionCertificateId"):
        if key in body:
            sub[key] = body[key]
    store.put_subscription(sub)
    return JSONResponse({"@odata.context": f"{CONTEXT}/$entity", **sub})


async def reauthorize(request: Request) -> Response:
    return _missing() if _found(request) is None else Response(status_code=204)


async def delete(request: Request) -> Response:
    store: TenantStore = request.app.state.store
    gone = store.delete_subscription(request.path_params["sub_id"])
    return Response(status_code=204) if gone else _missing()


async def get_one(request: Request) -> Response:
    sub = _found(request)
    return _missing() if sub is None else JSONResponse({"@odata.context": f"{CONTEXT}/$entity", **sub})


async def list_all(request: Request) -> Response:
    store: TenantStore = request.app.state.store
    live = [s for s in store.subscriptions() if not expired(s)]  # Graph drops expired ones silently
    return JSONResponse({"@odata.context": CONTEXT, "value": live})


def expired(sub: dict) -> bool:
    return parse_time(sub["expirationDateTime"]) <= now()
