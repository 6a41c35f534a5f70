"""Mailboxes of the simulated tenant: messages by id ($select), mail folders, and per-folder delta."""

from __future__ import annotations

import base64
import hashlib

from starlette.requests import Request
from starlette.responses import JSONResponse

from devhost.tenant.odata import (
    error,
    iso,
    new_item_id,
    now,
    select_fields,
)
from devhost.tenant.store import TenantStore

WELL_KNOWN = {
    "msgfolderroot": "Top of Information Store",
    "inbox": "Inbox",
    "sentitems": "Sent Items",
    "drafts": "Drafts",
    "deleteditems": "Deleted Items",
    "junkemail": "Junk Email",
    "archive": "Archive",
    "outbox": "Outbox",
}
# Returned only when $select names them (as Graph does for internetMessageHeaders).
SELECT_ONLY = {"internetMessageHeaders", "uniqueBody"}
NOT_FOUND = "The specified object was not found in the store."


def mailbox_key(store: TenantStore, user: str) -> str:
    """A mailbox's key: its object id when the directory knows the user (by id or UPN), else the text."""
    known = store.user(user)
    return known["id"].lower() if known else user.strip().strip("'()").lower()


def _folder_id(mailbox: str, name: str) -> str:
    digest = hashlib.sha256(f"{mailbox}/{name}".encode()).digest()[:24]
    return "AAMkAGFmZD" + base64.urlsafe_b64encode(digest).decode("ascii") + "AAA="


def ensure_mailbox(store: TenantStore, mailbox: str) -> dict[str, str]:
    """Create the well-known folders of a mailbox on first touch; return name -> id."""
    folders = {f["well_known"]: f["id"] for f in store.folders(mailbox) if f["well_known"]}
    if len(folders) == len(WELL_KNOWN):
        return folders
    root = _folder_id(mailbox, "msgfolderroot")
    store.add_folder(mailbox, root, "msgfolderroot", _folder_id(mailbox, "root"), WELL_KNOWN["msgfolderroot"])
    for name, display in WELL_KNOWN.items():
        if name != "msgfolderroot":
            store.add_folder(mailbox, _folder_id(mailbox, name), name, root, display)
    return {f["well_known"]: f["id"] for f in store.folders(mailbox) if f["well_known"]}


def find_folder(store: TenantStore, mailbox: str, ref: str) -> dict | None:
    """A folder by id or well-known name (case-insensitive, `inbox` or `('inbox')`)."""
    ensure_mailbox(store, mailbox)
    ref = ref.strip("()'\"")
    for folder in store.folders(mailbox):
        if folder["id"] == ref or (folder["well_known"] or "") == ref.lower():
            return folder
    return None


def add_folder(store: TenantStore, mailbox: str, parent_ref: str, display_name: str) -> dict | None:
    parent = find_folder(store, mailbox, parent_ref)
    if parent is None:
        return None
    folder_id = new_item_id("AAMkAGFmZE")
    store.add_folder(mailbox, folder_id, None, parent["id"], display_name)
    return find_folder(store, mailbox, folder_id)


def folder_json(store: TenantStore, user: str, folder: dict) -> dict:
    mailbox = mailbox_key(store, user)
    children = [f for f in store.folders(mailbox) if f["parent_id"] == folder["id"]]
    count = len(store.folder_changes(mailbox, folder["id"], 0))
    return {
        "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#users('{user}')/mailFolders/$entity",
        "id": folder["id"],
        "displayName": folder["display_name"],
        "parentFolderId": folder["parent_id"],
        "childFolderCount": len(children),
        "unreadItemCount": 0,
        "totalItemCount": count,
        "sizeInBytes": 0,
        "isHidden": False,
    }


def shape_message(user: str, message: dict, select: list[str] | None) -> dict:
    """Graph's answer for a message: `$select`ed fields (+ id, etag), or all but the select-only ones."""
    if select:
        fields = {k: v for k, v in message.items() if k in select or k == "id"}
        context = f"messages({','.join(select)})/$entity"
    else:
        fields = {k: v for k, v in message.items() if k not in SELECT_ONLY}
        context = "messages/$entity"
    head = {
        "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#users('{user}')/{context}",
        "@odata.etag": message.get("@odata.etag"),
    }
    return {**head, **{k: v for k, v in fields.items() if not k.startswith("@odata")}}


def store_message(store: TenantStore, user: str, folder_ref: str, message: dict) -> dict | None:
    """Put a message (Graph shape) into a folder; fill id, parentFolderId, change key and times."""
    mailbox = mailbox_key(store, user)
    folder = find_folder(store, mailbox, folder_ref)
    if folder is None:
        return None
    stamp = now()
    msg = dict(message)
    msg.setdefault("id", new_item_id())
    msg["parentFolderId"] = folder["id"]
    change_key = new_item_id("CQAAABYAAA")[:40]
    msg["changeKey"], msg["@odata.etag"] = change_key, f'W/"{change_key}"'
    for key in ("createdDateTime", "lastModifiedDateTime", "receivedDateTime", "sentDateTime"):
        msg.setdefault(key, iso(stamp))
    msg.setdefault("isDraft", folder["well_known"] == "drafts")
    store.put_message(mailbox, msg)
    return msg


async def get_message(request: Request) -> JSONResponse:
    store: TenantStore = request.app.state.store
    user, message_id = request.path_params["user"], request.path_params["message_id"]
    message = store.message(mailbox_key(store, user), message_id)
    if message is None:
        return error(404, "ErrorItemNotFound", NOT_FOUND)
    return JSONResponse(shape_message(user, message, select_fields(request.query_params.get("$select"))))


async def get_user(request: Request) -> JSONResponse:
    """`GET /users/{id-or-upn}` from the tenant's directory (`POST /_sim/users` fills it)."""
    user = request.app.state.store.user(request.path_params["user"])
    if user is None:
        return error(404, "Request_ResourceNotFound", "Resource does not exist.")
    return JSONResponse(
        {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity", **user}
    )


async def get_mail_folder(request: Request) -> JSONResponse:
    store: TenantStore = request.app.state.store
    user = request.path_params["user"]
    folder = find_folder(store, mailbox_key(store, user), request.path_params["folder_id"])
    if folder is None:
        return error(404, "ErrorItemNotFound", NOT_FOUND)
    return JSONResponse(folder_json(store, user, folder))
