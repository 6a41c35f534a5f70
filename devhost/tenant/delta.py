"""Per-folder message delta of the simulated tenant: `$deltatoken` is the change sequence already seen,
`$skiptoken` a page cursor; removed messages come back as `@removed` tombstones."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse

from devhost.tenant.mail import NOT_FOUND, find_folder, mailbox_key, shape_message
from devhost.tenant.odata import error, parse_time, passes, select_fields, time_filter
from devhost.tenant.store import TenantStore

MESSAGE_TYPE = "#microsoft.graph.message"
CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#Collection(message)"


def _changes(store: TenantStore, mailbox: str, folder_id: str, params) -> list[tuple[int, bool, dict]]:
    """What this page may show: changes after the cursor, in the receivedDateTime window.

    A first round (no $deltatoken) lists what is there; a later round also shows removals.
    Raises ValueError on a query the tenant does not support.
    """
    clauses = time_filter(params.get("$filter"), "receivedDateTime")
    after = int(params.get("$skiptoken") or params.get("$deltatoken") or 0)
    changes = store.folder_changes(mailbox, folder_id, after)
    in_round = bool(params.get("$deltatoken"))
    return [c for c in changes if (in_round and c[1]) or (not c[1] and _in_window(c[2], clauses))]


def _item(user: str, removed: bool, message: dict, select: list[str] | None) -> dict:
    if removed:
        return {"@odata.type": MESSAGE_TYPE, "id": message["id"], "@removed": {"reason": "deleted"}}
    shaped = shape_message(user, message, select)
    shaped.pop("@odata.context", None)
    return {"@odata.type": MESSAGE_TYPE, **shaped}


async def message_delta(request: Request) -> JSONResponse:
    """Per-folder delta: `$deltatoken` = the change sequence already seen; `$skiptoken` = a page cursor."""
    store: TenantStore = request.app.state.store
    user, params = request.path_params["user"], request.query_params
    mailbox = mailbox_key(store, user)
    folder = find_folder(store, mailbox, request.path_params["folder_id"])
    if folder is None:
        return error(404, "ErrorItemNotFound", NOT_FOUND)
    try:
        if int(params.get("$deltatoken") or 0) > int(store.meta("seq", "0")):
            return error(410, "SyncStateNotFound", "The sync state is invalid or expired.")
        changes = _changes(store, mailbox, folder["id"], params)
    except ValueError:
        return error(400, "BadRequest", "Unsupported query.")
    size = _page_size(",".join(request.headers.getlist("prefer")))
    page, rest = changes[:size], changes[size:]
    select = select_fields(params.get("$select"))
    body = {"@odata.context": CONTEXT, "value": [_item(user, rm, m, select) for _seq, rm, m in page]}
    base = f"{request.app.state.base_url(request)}/users/{user}/mailFolders/{folder['id']}/messages/delta()"
    keep = "".join(f"&{k}={quote(params[k], safe=':,')}" for k in ("$select", "$filter") if params.get(k))
    if rest:  # within a delta round the next page keeps the round's $deltatoken (removals shown)
        round_token = f"&$deltatoken={params['$deltatoken']}" if params.get("$deltatoken") else ""
        body["@odata.nextLink"] = f"{base}?$skiptoken={page[-1][0]}{round_token}{keep}"
    else:
        body["@odata.deltaLink"] = f"{base}?$deltatoken={store.meta('seq', '0')}{keep}"
    return JSONResponse(body)


def _in_window(message: dict, clauses) -> bool:
    if not clauses:
        return True
    received = message.get("receivedDateTime")
    return bool(received) and passes(parse_time(received), clauses)


def _page_size(prefer: str) -> int:
    for part in prefer.split(","):
        if part.strip().startswith("odata.maxpagesize="):
            return max(1, int(part.split("=", 1)[1]))
    return 10
