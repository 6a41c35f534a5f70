"""GraphAdapter: Loket's GraphPort on msgraph-sdk: the SDK builds requests and runs its middleware,
but responses come back as raw JSON (kiota model parsing is slow: bench/bench_graph_parse.py)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from urllib.parse import urlsplit

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from msgraph import GraphServiceClient
from msgraph.generated.communications.call_records.call_records_request_builder import (
    CallRecordsRequestBuilder,
)
from msgraph.generated.communications.call_records.item.call_record_item_request_builder import (
    CallRecordItemRequestBuilder,
)
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.users.item.messages.item.message_item_request_builder import (
    MessageItemRequestBuilder,
)

from adapters.graph.delta import DeltaMixin
from adapters.graph.errors import map_api_error, transport_error
from adapters.graph.limits import MailboxLimiter
from adapters.graph.links import fetchable, link_key
from adapters.graph.subscriptions import SubscriptionsMixin
from errors import PermanentError

log = logging.getLogger(__name__)

ERROR_MAPPING = {"XXX": ODataError}
IMMUTABLE_IDS = 'IdType="ImmutableId"'
CALL_RECORD_EXPAND = ["sessions($expand=segments)", "participants_v2"]
MAX_PAGES = 1000


def graph_time(value: dt.datetime) -> str:
    """UTC ISO-8601 with Z, as Graph's $filter expects."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GraphAdapter(DeltaMixin, SubscriptionsMixin):
    """GraphPort over a kiota request adapter (see adapters/graph/factory.py for building one)."""

    def __init__(self, request_adapter, *, limiter: MailboxLimiter | None = None, credential=None) -> None:
        self._adapter = request_adapter
        self._client = GraphServiceClient(request_adapter=request_adapter)
        self._limiter = limiter or MailboxLimiter()
        self._credential = credential

    async def aclose(self) -> None:
        """Close the HTTP connections and the credential (end of the process or of a test)."""
        await self._adapter._http_client.aclose()  # noqa: SLF001 - kiota exposes no close
        if self._credential is not None:
            await self._credential.close()

    # -- plumbing -------------------------------------------------------------------------------
    def _url(self, ri: RequestInformation) -> str:
        ri.path_parameters["baseurl"] = self._adapter.base_url
        return ri.url

    async def _send(
        self,
        ri: RequestInformation,
        operation: str,
        *,
        mailbox: str | None = None,
        not_found_transient: bool = False,
    ) -> dict | None:
        """Send through the SDK's middleware; return the JSON body (None for 204)."""
        ri.headers.try_add("Accept", "application/json")
        try:
            async with self._limiter.slot(mailbox):
                raw = await self._adapter.send_primitive_async(ri, "bytes", ERROR_MAPPING)
        except APIError as exc:
            raise map_api_error(exc, operation, not_found_transient=not_found_transient) from exc
        except httpx.TransportError as exc:
            raise transport_error(operation, exc) from exc
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise PermanentError(f"Graph {operation}: body is not JSON", reason="graph_malformed") from exc

    def _link_request(self, link: str, operation: str) -> RequestInformation:
        """A GET of a nextLink/deltaLink, refused when it leaves the configured Graph host."""
        link = fetchable(link)
        base, target = urlsplit(self._adapter.base_url), urlsplit(link)
        if (base.scheme, base.netloc.lower()) != (target.scheme, target.netloc.lower()):
            raise PermanentError(
                f"Graph {operation}: a paging link leaves the Graph host", reason="graph_foreign_link"
            )
        ri = RequestInformation()
        ri.http_method = Method.GET
        ri.url = link
        return ri

    async def _collect(self, link: str | None, operation: str, seen: set[str]) -> list[dict]:
        """Follow `@odata.nextLink` pages from `link`, concatenating `value`.

        A link already fetched would only return a page already read (a documented Graph quirk:
        a nextLink equal to the request URL), so paging stops there instead of looping.
        """
        items: list[dict] = []
        while link:
            if link_key(link) in seen:
                log.warning("Graph repeated a nextLink; paging stopped", extra={"operation": operation})
                break
            if len(seen) >= MAX_PAGES:
                raise PermanentError(
                    f"Graph {operation}: more than {MAX_PAGES} pages", reason="graph_paging_limit"
                )
            seen.add(link_key(link))
            page = await self._send(self._link_request(link, operation), operation) or {}
            items.extend(page.get("value") or [])
            link = page.get("@odata.nextLink")
        return items

    # -- mail -----------------------------------------------------------------------------------
    async def get_message(self, user_id: str, message_id: str, select: list[str]) -> dict:
        query = MessageItemRequestBuilder.MessageItemRequestBuilderGetQueryParameters(select=list(select))
        config = RequestConfiguration(query_parameters=query)
        config.headers.add("Prefer", IMMUTABLE_IDS)
        builder = self._client.users.by_user_id(user_id).messages.by_message_id(message_id)
        ri = builder.to_get_request_information(config)
        return await self._send(ri, "get message", mailbox=user_id, not_found_transient=True) or {}

    async def get_mail_folder(self, user_id: str, folder_id: str) -> dict:
        config = RequestConfiguration()
        config.headers.add("Prefer", IMMUTABLE_IDS)
        builder = self._client.users.by_user_id(user_id).mail_folders.by_mail_folder_id(folder_id)
        return (
            await self._send(builder.to_get_request_information(config), "get mailFolder", mailbox=user_id)
            or {}
        )

    # -- calls ----------------------------------------------------------------------------------
    async def get_call_record(self, record_id: str) -> dict:
        """Sessions (with segments) and participants_v2 expanded in one request; a Graph that refuses
        two expansions at once (the docs show one per request) gets a second request for
        participants_v2. Every `…@odata.nextLink` page is merged in."""
        try:
            record = await self._call_record(record_id, CALL_RECORD_EXPAND)
        except PermanentError as exc:
            if exc.reason != "graph_bad_request":
                raise
            log.info("Graph refused two $expand at once; expanding one per request")
            record = await self._call_record(record_id, CALL_RECORD_EXPAND[:1])
            participants = await self._call_record(record_id, CALL_RECORD_EXPAND[1:])
            record["participants_v2"] = participants.get("participants_v2") or []
        return record

    async def _call_record(self, record_id: str, expand: list[str]) -> dict:
        query = CallRecordItemRequestBuilder.CallRecordItemRequestBuilderGetQueryParameters(expand=expand)
        builder = self._client.communications.call_records.by_call_record_id(record_id)
        ri = builder.to_get_request_information(RequestConfiguration(query_parameters=query))
        seen = {link_key(self._url(ri))}
        record = await self._send(ri, "get callRecord", not_found_transient=True) or {}
        for prop in ("sessions", "participants_v2"):
            link = record.pop(f"{prop}@odata.nextLink", None)
            if link:
                more = await self._collect(link, f"get callRecord {prop}", seen)
                record[prop] = list(record.get(prop) or []) + more
        return record

    async def list_call_records(self, since: dt.datetime, until: dt.datetime) -> list[dict]:
        query = CallRecordsRequestBuilder.CallRecordsRequestBuilderGetQueryParameters(
            filter=f"startDateTime ge {graph_time(since)} and startDateTime lt {graph_time(until)}"
        )
        ri = self._client.communications.call_records.to_get_request_information(
            RequestConfiguration(query_parameters=query)
        )
        seen = {link_key(self._url(ri))}
        page = await self._send(ri, "list callRecords") or {}
        more = await self._collect(page.get("@odata.nextLink"), "list callRecords", seen)
        return list(page.get("value") or []) + more
