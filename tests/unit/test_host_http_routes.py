"""Route templates match as the Functions host matches them; responses convert back faithfully."""
from __future__ import annotations

import asyncio

import azure.functions as func
import httpx

from devhost.function_index import index_app
from devhost.host_routes import route_table
from devhost.http_server import build_http_app, to_response
from settings import Settings


def functions_for(*routes: str):
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    for index, route in enumerate(routes):
        def handler(req: func.HttpRequest, _route: str = route) -> func.HttpResponse:
            return func.HttpResponse(f"{_route} {dict(req.route_params)}")

        handler.__name__ = f"f{index}"
        app.route(route=route, methods=["GET"])(handler)
    return list(index_app(app, Settings()).values())


def get(asgi_app, path: str, **kwargs) -> httpx.Response:
    """One request through the ASGI app in process (no socket; the e2e test covers real HTTP)."""

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=asgi_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get(path, **kwargs)

    return asyncio.run(call())


def test_a_literal_route_wins_over_a_parameter_in_the_same_place():
    table = route_table(functions_for("parties/{id}", "parties/search"))
    first = next(r for r in table if r.match("parties/search") is not None)
    assert first.spec.route == "parties/search"
    assert next(r for r in table if r.match("parties/p-1")).match("parties/p-1") == {"id": "p-1"}


def test_constraints_optional_and_catch_all_parameters():
    table = {r.spec.route: r for r in route_table(functions_for("n/{id:int}", "o/{a}/{b?}", "files/{*rest}"))}
    assert table["n/{id:int}"].match("n/12") == {"id": "12"}
    assert table["n/{id:int}"].match("n/abc") is None
    assert table["o/{a}/{b?}"].match("o/x") == {"a": "x"}
    assert table["o/{a}/{b?}"].match("o/x/y") == {"a": "x", "b": "y"}
    assert table["files/{*rest}"].match("files/2026/11/a.pdf") == {"rest": "2026/11/a.pdf"}


def test_routes_match_without_regard_to_case_as_in_azure():
    (route,) = route_table(functions_for("graph/notifications"))
    assert route.match("Graph/Notifications") == {}


def test_a_route_prefix_from_host_json_is_honoured():
    asgi_app = build_http_app(functions_for("hello"), api_key=None, route_prefix="v1")
    assert get(asgi_app, "/v1/hello").status_code == 200
    assert get(asgi_app, "/api/hello").status_code == 404


def test_a_function_key_is_refused_when_no_key_is_configured():
    app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)

    @app.route(route="secret", methods=["GET"])
    def secret(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("s")

    asgi_app = build_http_app(list(index_app(app, Settings()).values()), api_key=None)
    assert get(asgi_app, "/api/secret", headers={"x-functions-key": ""}).status_code == 401


def test_responses_convert_with_status_headers_and_content_type():
    assert to_response(None).status_code == 204
    plain = to_response("hi")
    assert plain.status_code == 200 and plain.headers["content-type"] == "text/plain; charset=utf-8"
    custom = to_response(func.HttpResponse(b"\x00", status_code=202, mimetype="application/pdf",
                                           headers={"Retry-After": "5"}))
    assert custom.status_code == 202 and custom.body == b"\x00"
    assert custom.headers["content-type"] == "application/pdf" and custom.headers["retry-after"] == "5"
