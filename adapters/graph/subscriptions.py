"""GraphAdapter's subscription calls (create, renew, reauthorize, delete, list): raw JSON in and out."""

from __future__ import annotations

import datetime as dt
import json

from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation

from adapters.graph.links import link_key
from errors import PermanentError

IMMUTABLE_IDS = 'IdType="ImmutableId"'


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


class SubscriptionsMixin:
    """Needs `_client`, `_send`, `_url`, `_collect` from GraphAdapter."""

    def _json_request(self, ri: RequestInformation, method: Method, body: dict | None) -> RequestInformation:
        ri.http_method = method
        if body is not None:
            ri.set_stream_content(json.dumps(body).encode("utf-8"), "application/json")
        return ri

    async def create_subscription(self, body: dict) -> dict:
        """POST /subscriptions. `expirationDateTime` may be a datetime or an ISO string."""
        body = dict(body)
        if isinstance(body.get("expirationDateTime"), dt.datetime):
            body["expirationDateTime"] = _iso(body["expirationDateTime"])
        ri = self._json_request(self._client.subscriptions.to_get_request_information(), Method.POST, body)
        ri.headers.add("Prefer", IMMUTABLE_IDS)  # notifications then carry immutable message ids
        created = await self._send(ri, "create subscription")
        if not created or "id" not in created:
            raise PermanentError(
                "Graph create subscription: no subscription in the answer", reason="graph_malformed"
            )
        return created

    async def renew_subscription(self, subscription_id: str, expiration: dt.datetime) -> dict:
        builder = self._client.subscriptions.by_subscription_id(subscription_id)
        ri = self._json_request(
            builder.to_get_request_information(), Method.PATCH, {"expirationDateTime": _iso(expiration)}
        )
        return await self._send(ri, "renew subscription") or {}

    async def reauthorize_subscription(self, subscription_id: str) -> None:
        builder = self._client.subscriptions.by_subscription_id(subscription_id).reauthorize
        await self._send(builder.to_post_request_information(), "reauthorize subscription")

    async def delete_subscription(self, subscription_id: str) -> bool:
        builder = self._client.subscriptions.by_subscription_id(subscription_id)
        try:
            await self._send(builder.to_delete_request_information(), "delete subscription")
        except PermanentError as exc:
            if exc.reason == "graph_not_found":
                return False
            raise
        return True

    async def list_subscriptions(self) -> list[dict]:
        ri = self._client.subscriptions.to_get_request_information()
        seen = {link_key(self._url(ri))}
        page = await self._send(ri, "list subscriptions") or {}
        more = await self._collect(page.get("@odata.nextLink"), "list subscriptions", seen)
        return list(page.get("value") or []) + more
