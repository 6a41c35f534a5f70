"""The simulated tenant's ASGI app: Graph routes under /v1.0, the control API under /_sim/."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from devhost.tenant import calls, control, day_api, delta, mail, odata, rich, subscriptions
from devhost.tenant.store import TenantStore

GRAPH = "/v1.0"


def _base_url(request) -> str:
    return str(request.base_url).rstrip("/") + GRAPH


def _routes() -> list[Route]:
    u = f"{GRAPH}/users/{{user}}"
    c = f"{GRAPH}/communications/callRecords"
    s = f"{GRAPH}/subscriptions"
    return [
        Route(f"{u}/mailFolders/{{folder_id}}/messages/delta()", delta.message_delta),
        Route(f"{u}/mailFolders/{{folder_id}}/messages/delta", delta.message_delta),
        Route(f"{u}/mailFolders/{{folder_id}}", mail.get_mail_folder),
        Route(f"{u}/messages/{{message_id:path}}", mail.get_message),
        Route(u, mail.get_user),
        Route(c, calls.list_call_records),
        Route(f"{c}/{{record_id}}", calls.get_call_record),
        Route(f"{c}/{{record_id}}/{{prop}}", calls.list_expansion),
        Route(s, subscriptions.list_all, methods=["GET"]),
        Route(s, subscriptions.create, methods=["POST"]),
        Route(f"{s}/{{sub_id}}", subscriptions.get_one, methods=["GET"]),
        Route(f"{s}/{{sub_id}}", subscriptions.update, methods=["PATCH"]),
        Route(f"{s}/{{sub_id}}", subscriptions.delete, methods=["DELETE"]),
        Route(f"{s}/{{sub_id}}/reauthorize", subscriptions.reauthorize, methods=["POST"]),
        Route("/common/discovery/v2.0/keys", rich.jwks),  # validation-token signing keys (JWKS)
        Route("/_sim/health", control.health),
        Route("/_sim/mailboxes/{user}/messages", control.add_message, methods=["POST"]),
        Route(
            "/_sim/mailboxes/{user}/messages/{message_id:path}", control.remove_message, methods=["DELETE"]
        ),
        Route("/_sim/mailboxes/{user}/folders", control.add_folder, methods=["POST"]),
        Route("/_sim/users", control.add_user, methods=["POST"]),
        Route("/_sim/callRecords", control.add_call_record, methods=["POST"]),
        Route("/_sim/lifecycle", control.lifecycle, methods=["POST"]),
        Route("/_sim/faults", control.faults, methods=["GET", "POST", "DELETE"]),
        Route("/_sim/deliveries", control.deliveries),
        *day_api.routes(),  # simulated days: /_sim/runs (day_run.py)
    ]


class GraphEdge:
    """ASGI wrapper: collapses `//` in paths (the SDK can send `/v1.0//users`) and plays injected
    faults (429/503 with Retry-After…) on Graph routes before they reach the app."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.state = app.state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            while "//" in path:
                path = path.replace("//", "/")
            scope = {**scope, "path": path}
            rule = self._fault_for(scope["method"], path)
            if rule is not None and rule.get("status") is None and rule.get("delay"):
                await asyncio.sleep(float(rule["delay"]))  # a slow answer: held, then answered
            elif rule is not None:
                await self._play(rule, send)
                return
        await self.app(scope, receive, send)

    def _fault_for(self, method: str, path: str) -> dict | None:
        if not path.startswith(GRAPH):
            return None
        for rule in self.state.faults:
            if (
                rule.get("method", method).upper() == method
                and rule.get("path", GRAPH) in path
                and rule["times"] > 0
            ):
                rule["times"] -= 1
                return rule
        return None

    async def _play(self, rule: dict, send) -> None:
        status = int(rule.get("status", 503))
        headers = [(b"content-type", b"application/json")]
        if rule.get("retryAfter") is not None:
            headers.append((b"retry-after", str(rule["retryAfter"]).encode()))
        code = "ApplicationThrottled" if status == 429 else rule.get("code", "ServiceUnavailable")
        body = json.dumps({"error": {"code": code, "message": "Simulated fault."}}).encode()
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def build_app(data_dir: Path, http_client: httpx.AsyncClient | None = None) -> GraphEdge:
    """The tenant over `<data_dir>/tenant.db`; `http_client` (tests) is used to reach Loket."""
    store = TenantStore(Path(data_dir) / "tenant.db")
    odata.use_clock_file(data_dir)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        own = http_client is None
        app.state.http = http_client or httpx.AsyncClient()
        try:
            yield
        finally:
            if own:
                await app.state.http.aclose()
            store.close()

    app = Starlette(routes=_routes(), lifespan=lifespan)
    app.state.store, app.state.faults, app.state.base_url = store, [], _base_url
    app.state.data_dir = Path(data_dir)  # the post inbox and the ground truth of simulated days
    if http_client is not None:
        app.state.http = http_client
    return GraphEdge(app)
