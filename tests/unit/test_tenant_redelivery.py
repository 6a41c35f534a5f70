"""The simulated tenant redelivers as Graph does (graph-contracts.md §1.3): a notification the endpoint
refused or never answered is retried in the background with back-off, so a host that was down for a
restart still receives what was sent meanwhile; past the window it is discarded."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from devhost.tenant import notify
from devhost.tenant.store import TenantStore

SUB = {"id": "sub-1", "expirationDateTime": "2026-12-06T00:00:00Z", "clientState": "s"}


def _item() -> dict:
    return notify.change_item(SUB, "created", "Users/u/Messages/m1", "#Microsoft.Graph.Message", "m1")


async def _deliver_while_down(tmp_path, down_for: int) -> tuple[int, list]:
    seen: list[int] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        seen.append(len(seen))
        if len(seen) <= down_for:
            raise httpx.ConnectError("host down", request=request)
        return httpx.Response(202)

    store = TenantStore(tmp_path / "tenant.db")
    async with httpx.AsyncClient(transport=httpx.MockTransport(endpoint)) as client:
        status = await notify.deliver(client, store, "http://loket/api/graph/notifications", _item(), "mail")
        while notify._REDELIVERIES:
            await asyncio.sleep(0.01)
    return status, [d["status"] for d in store.deliveries()]


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setattr(notify, "RETRY_DELAYS", (0.0, 0.0, 0.0))
    monkeypatch.setattr(notify, "REDELIVERY_DELAYS", (0.0, 0.0, 0.0))


def test_a_notification_sent_while_the_host_is_down_arrives_once_it_is_back(tmp_path, quick) -> None:
    status, attempts = asyncio.run(_deliver_while_down(tmp_path, down_for=5))
    assert status == 0  # the immediate attempts all failed: the caller is told so
    assert attempts == [0, 0, 0, 0, 0, 202]  # four at once, one in the background refused, then delivered


def test_past_the_redelivery_window_the_notification_is_discarded(tmp_path, quick) -> None:
    _, attempts = asyncio.run(_deliver_while_down(tmp_path, down_for=100))
    assert attempts == [0] * 7 and not notify._REDELIVERIES  # 4 at once + 3 later, then given up


def test_a_delivered_notification_is_never_redelivered(tmp_path, quick) -> None:
    status, attempts = asyncio.run(_deliver_while_down(tmp_path, down_for=0))
    assert (status, attempts) == (202, [202])
