"""The local host's HTTP side: an ASGI app serving every HTTP function under `/api/<route>`."""
from __future__ import annotations

import hmac
import logging
from typing import Any

import azure.functions as func
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from devhost.function_index import IndexedFunction
from devhost.host_invoke import bind, invoke
from devhost.host_routes import CompiledRoute, route_table

log = logging.getLogger(__name__)

ROUTE_PREFIX = "api"
MAX_BODY = 1024 * 1024  # the default of FUNCTIONS_REQUEST_BODY_SIZE_LIMIT here (Azure's own is 100 MB)
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]


def build_http_app(functions: list[IndexedFunction], api_key: str | None,
                   route_prefix: str = ROUTE_PREFIX, max_body: int = MAX_BODY) -> Starlette:
    """The ASGI app: `/` redirects to the web page, `/<prefix>/...` goes to the matching function.

    A request body over `max_body` bytes (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT, as the Functions host
    applies it) is refused with 413 as soon as it is seen: by its Content-Length, or while a chunked
    body is read; a stranger's huge POST is never buffered (issue 15)."""
    table = route_table(functions)
    prefix = route_prefix.strip("/")

    async def home(request: Request) -> Response:
        return RedirectResponse(f"/{prefix}/ui" if prefix else "/ui", status_code=302)

    async def dispatch(request: Request) -> Response:
        return await _dispatch(request, table, api_key, max_body)

    routes = [Route("/", home, methods=["GET", "HEAD"])]
    routes.append(Route(f"/{prefix}/{{rest:path}}" if prefix else "/{rest:path}", dispatch, methods=_METHODS))
    return Starlette(routes=routes)


async def _dispatch(request: Request, table: list[CompiledRoute], api_key: str | None,
                    max_body: int = 0) -> Response:
    path = request.path_params["rest"]
    matches = [(route, params) for route in table if (params := route.match(path)) is not None]
    if not matches:
        return Response(status_code=404)
    allowed = [(r, p) for r, p in matches if request.method in r.spec.methods]
    if not allowed:  # the Functions host answers 404 here, not 405 (azure-functions-host#10098)
        return Response(status_code=404)
    route, route_params = allowed[0]
    if not _authorised(route.spec.auth_level, request, api_key):
        return Response(status_code=401)
    body = await bounded_body(request, max_body or MAX_BODY)
    if body is None:
        return Response("request body too large", status_code=413, headers={"Connection": "close"})
    http_request = await to_http_request(request, route_params, body)
    return await _run(route.function, http_request)


async def bounded_body(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to exceed `limit` (declared length, or bytes read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _authorised(auth_level: str, request: Request, api_key: str | None) -> bool:
    """FUNCTION and ADMIN levels need the key in `x-functions-key` or `?code=` (the local stand-in)."""
    if auth_level == "anonymous":
        return True
    given = request.headers.get("x-functions-key") or request.query_params.get("code")
    return bool(api_key and given and hmac.compare_digest(given.encode(), api_key.encode()))


async def to_http_request(request: Request, route_params: dict[str, str],
                          body: bytes | None = None) -> func.HttpRequest:
    """A real `func.HttpRequest` from the ASGI request (repeated headers joined by commas, as HTTP allows)."""
    headers: dict[str, str] = {}
    for key, value in request.headers.items():
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    params = {key: request.query_params[key] for key in request.query_params}
    return func.HttpRequest(request.method, str(request.url), headers=headers, params=params,
                            route_params=route_params,
                            body=body if body is not None else await request.body())


async def _run(function: IndexedFunction, http_request: func.HttpRequest) -> Response:
    """Sync functions run in the thread pool so a slow one never blocks the loop; async ones are awaited."""
    arguments = {function.trigger_arg: http_request}
    try:
        if function.is_async:
            result = await function.user_function(**bind(function, arguments))
        else:
            result = await run_in_threadpool(invoke, function, arguments)
    except Exception:
        log.exception("function %s failed", function.name, extra={"function": function.name})
        return Response(status_code=500)
    return to_response(result)


def to_response(result: Any) -> Response:
    """A `func.HttpResponse` (or a bare str/bytes/None) as the Functions host sends it."""
    if result is None:
        return Response(status_code=204)
    if isinstance(result, str | bytes):
        result = func.HttpResponse(result)
    if not isinstance(result, func.HttpResponse):
        raise TypeError(f"an HTTP function returned {type(result).__name__}, not HttpResponse")
    headers = dict(result.headers.items())
    if not any(k.lower() == "content-type" for k in headers) and result.mimetype:
        charset = f"; charset={result.charset}" if result.charset and _is_text(result.mimetype) else ""
        headers["Content-Type"] = f"{result.mimetype}{charset}"
    return Response(result.get_body() or b"", status_code=result.status_code, headers=headers)


def _is_text(mimetype: str) -> bool:
    return mimetype.startswith("text/") or mimetype.endswith(("json", "xml", "javascript"))
