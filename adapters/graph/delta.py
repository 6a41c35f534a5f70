"""GraphAdapter's message delta per mailbox folder: one round, every page, ending in a deltaLink."""

from __future__ import annotations

import datetime as dt

from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.users.item.mail_folders.item.messages.delta.delta_request_builder import (
    DeltaRequestBuilder,
)

from adapters.graph.links import link_key
from errors import PermanentError
from handlers.ports.graph import DeltaRound

IMMUTABLE_IDS = 'IdType="ImmutableId"'
MAX_DELTA_PAGES = 1000


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class DeltaMixin:
    """Needs `_client`, `_send`, `_url`, `_link_request` from GraphAdapter."""

    def _first_delta_request(
        self, user_id: str, folder_id: str, select: list[str] | None, since: dt.datetime | None
    ) -> RequestInformation:
        """Query options go on the first request only; Graph encodes them into the links."""
        query = DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(
            select=list(select) if select else None,
            filter=f"receivedDateTime ge {_utc(since)}" if since else None,
        )
        folder = self._client.users.by_user_id(user_id).mail_folders.by_mail_folder_id(folder_id)
        return folder.messages.delta.to_get_request_information(RequestConfiguration(query_parameters=query))

    async def message_delta(
        self,
        user_id: str,
        folder_id: str,
        *,
        delta_link: str | None = None,
        select: list[str] | None = None,
        since: dt.datetime | None = None,
        page_size: int = 50,
    ) -> DeltaRound:
        if delta_link is None:
            ri = self._first_delta_request(user_id, folder_id, select, since)
            seen = {link_key(self._url(ri))}
        else:
            ri, seen = self._link_request(delta_link, "message delta"), {link_key(delta_link)}
        items: list[dict] = []
        while True:
            ri.headers.add("Prefer", IMMUTABLE_IDS)
            ri.headers.add("Prefer", f"odata.maxpagesize={page_size}")
            page = await self._send(ri, "message delta", mailbox=user_id) or {}
            items.extend(page.get("value") or [])
            next_link = page.get("@odata.nextLink")
            if not next_link:
                break
            if link_key(next_link) in seen or len(seen) >= MAX_DELTA_PAGES:  # no deltaLink without an end
                raise PermanentError("Graph message delta: paging does not end", reason="graph_paging_loop")
            seen.add(link_key(next_link))
            ri = self._link_request(next_link, "message delta")
        if not page.get("@odata.deltaLink"):
            raise PermanentError("Graph message delta: last page has no deltaLink", reason="graph_malformed")
        return DeltaRound(items=items, delta_link=page["@odata.deltaLink"])
