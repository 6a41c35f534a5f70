"""Port: the part of Microsoft Graph Loket reads (raw JSON dicts), and folder resolution on top of it.

The port is **async**: msgraph-sdk is async-only, and Azure Functions Python runs `async def`
functions on the worker's event loop, so a handler that needs Graph is an `async def` and awaits
the port. One adapter instance belongs to one event loop (its HTTP connections and per-mailbox
limits live on that loop).

Payloads are returned as the raw JSON dicts Graph sent (camelCase keys, `@odata.*` annotations kept):
Loket parses them with its own pydantic models (`schemas/`), which is several times faster than the
SDK's model parsing (`bench/bench_graph_parse.py`).

Errors every method may raise (from `errors.py`; messages never carry personal data):
- `TransientError` (with `retry_after` when Graph sent Retry-After): 429, 5xx, a network failure,
  and a 404 on a resource Loket was just notified about (`get_message`, `get_call_record`): Graph
  notifies before the item is always readable (call records show up to hours after the call), so
  a 404 there means "not yet", and settlement retries it until `MAX_ATTEMPTS`.
- `PermanentError` (with a `reason` code such as `graph_bad_request`, `graph_not_found`): other 4xx.
- `ConfigurationError` naming the setting: 401, and 403 "access denied" (credentials, consent or
  the Exchange application access scope are wrong; retrying cannot help until someone fixes them).
- `DeltaLinkExpired` (a `PermanentError`): a stored delta link Graph no longer accepts (410).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from errors import PermanentError

# Well-known folder names (Graph accepts them in place of an id, case-insensitive).
CAPTURE_FOLDERS = ("inbox", "sentitems", "drafts", "deleteditems", "junkemail")
WELL_KNOWN_FOLDERS = (*CAPTURE_FOLDERS, "archive", "outbox", "msgfolderroot")


class DeltaLinkExpired(PermanentError):
    """Graph refused a stored delta link (410 Gone): start a fresh round without it (resync)."""

    def __init__(self) -> None:
        super().__init__("Graph delta link expired; resync needed", reason="graph_delta_expired")


@dataclass(frozen=True)
class DeltaRound:
    """One finished delta round of a mailbox folder: every item seen, and the link for the next round.

    Items carry only the selected fields plus `id`; removed items carry `@removed`.
    """

    items: list[dict]
    delta_link: str


class GraphPort(Protocol):
    """Microsoft Graph as Loket uses it. Every method is a coroutine; every result is raw JSON."""

    async def get_message(self, user_id: str, message_id: str, select: list[str]) -> dict:
        """`GET /users/{u}/messages/{m}?$select=…` with `Prefer: IdType="ImmutableId"`."""
        ...

    async def get_mail_folder(self, user_id: str, folder_id: str) -> dict:
        """`GET /users/{u}/mailFolders/{id-or-well-known-name}` (id, displayName, parentFolderId)."""
        ...

    async def get_call_record(self, record_id: str) -> dict:
        """The call record with all `sessions` (with segments) and `participants_v2`, every page merged.

        A nextLink already fetched (a documented Graph quirk: the last page pointing at itself) ends
        paging instead of looping; more than 1,000 pages raises PermanentError("graph_paging_limit").
        """
        ...

    async def list_call_records(self, since: dt.datetime, until: dt.datetime) -> list[dict]:
        """Records whose startDateTime is in [since, until), unexpanded, every page (for catch-up)."""
        ...

    async def message_delta(
        self,
        user_id: str,
        folder_id: str,
        *,
        delta_link: str | None = None,
        select: list[str] | None = None,
        since: dt.datetime | None = None,
    ) -> DeltaRound:
        """One delta round of a folder: from `delta_link` when given, else a first round
        (optionally `receivedDateTime ge since`). Raises DeltaLinkExpired on 410."""
        ...

    async def create_subscription(self, body: dict) -> dict:
        """`POST /subscriptions` (Graph runs the validation handshake first; 400 when it fails)."""
        ...

    async def renew_subscription(self, subscription_id: str, expiration: dt.datetime) -> dict:
        """`PATCH /subscriptions/{id}` with a new expirationDateTime (also reauthorizes)."""
        ...

    async def reauthorize_subscription(self, subscription_id: str) -> None:
        """`POST /subscriptions/{id}/reauthorize` (does not extend the expiry)."""
        ...

    async def delete_subscription(self, subscription_id: str) -> bool:
        """`DELETE /subscriptions/{id}`; False when it was already gone (404)."""
        ...

    async def list_subscriptions(self) -> list[dict]:
        """`GET /subscriptions`, every page (an app sees only its own)."""
        ...


@dataclass(frozen=True)
class FolderPlace:
    """Where a folder sits: under which well-known folder, and how deep.

    `well_known` is the nearest well-known folder at or above it (`inbox`, `sentitems`, `drafts`,
    `deleteditems`, `junkemail`, `archive`, `outbox`), or None for a folder outside them (a custom
    top-level folder). `depth` 0 is the well-known folder itself; 1 or more a subfolder of it.
    """

    well_known: str | None
    depth: int = 0

    @property
    def is_inbox(self) -> bool:
        """Inbox or one of its subfolders: the policy's inbound mail."""
        return self.well_known == "inbox"


class FolderResolver:
    """Resolve a message's parentFolderId to a FolderPlace, caching per mailbox.

    The well-known ids of a mailbox are read once (v1.0 mail folders carry no well-known name, so
    `mailFolders/inbox` etc. are read to learn their ids); a custom folder is walked up by its
    parentFolderId. Results are cached for the life of the resolver (folders rarely move).
    """

    MAX_DEPTH = 16

    def __init__(self, graph: GraphPort) -> None:
        self._graph = graph
        self._well_known: dict[str, dict[str, str]] = {}  # mailbox -> folder id -> name
        self._places: dict[tuple[str, str], FolderPlace] = {}

    async def place(self, user_id: str, folder_id: str) -> FolderPlace:
        cached = self._places.get((user_id, folder_id))
        if cached is not None:
            return cached
        known = await self._known_ids(user_id)
        current, depth = folder_id, 0
        while depth <= self.MAX_DEPTH:
            name = known.get(current)
            if name is not None:
                result = FolderPlace(None if name == "msgfolderroot" else name, depth)
                break
            parent = (await self._graph.get_mail_folder(user_id, current)).get("parentFolderId")
            if not parent or parent == current:
                result = FolderPlace(None, depth)
                break
            current, depth = parent, depth + 1
        else:
            result = FolderPlace(None, depth)
        self._places[(user_id, folder_id)] = result
        return result

    async def _known_ids(self, user_id: str) -> dict[str, str]:
        known = self._well_known.get(user_id)
        if known is None:
            known = {}
            for name in WELL_KNOWN_FOLDERS:
                try:
                    folder = await self._graph.get_mail_folder(user_id, name)
                except PermanentError:
                    if name in CAPTURE_FOLDERS:
                        raise
                    continue  # a mailbox may lack archive or outbox; the capture folders it has
                known[folder["id"]] = name
            self._well_known[user_id] = known
        return known
