"""GET /api/openapi.json: an OpenAPI 3.1 document of every HTTP route, built from the pydantic schemas.

Anonymous, like the page's static shell: it describes the routes, never data. The bodies and answers
come from the same models the functions validate with, so the document cannot drift from the code.
"""

import json
from functools import cache
from typing import Any

import azure.functions as func
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from schemas.graph_notification import ChangeNotification
from schemas.ops import DeadLetterView, Job, QueueReport, ReplayRequest
from schemas.search_request import SearchRequest
from schemas.timeline import LookupResult, PartyView

bp = func.Blueprint()
REF = "#/components/schemas/{model}"
MODELS: tuple[tuple[type[BaseModel], str], ...] = (
    (SearchRequest, "validation"),
    (ReplayRequest, "validation"),
    (ChangeNotification, "validation"),
    (LookupResult, "serialization"),
    (PartyView, "serialization"),
    (QueueReport, "serialization"),
    (DeadLetterView, "serialization"),
    (Job, "serialization"),
)
SIGNED_IN = [{"functionKey": []}, {"entraBearer": []}]
ERROR = {"type": "object", "properties": {"error": {"type": "string"}}}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _answer(description: str, schema: dict[str, Any] | None = None, media: str = "application/json") -> dict:
    return {"description": description, **({"content": {media: {"schema": schema}}} if schema else {})}


def _signed(operation: dict[str, Any]) -> dict[str, Any]:
    """An operation for staff or operators: 401 without a valid key or token, 403 without the role."""
    responses = {
        **operation["responses"],
        "401": _answer("sign-in required", ERROR),
        "403": _answer("the caller lacks the app role", ERROR),
    }
    return {**operation, "security": SIGNED_IN, "responses": responses}


def _graph_route(name: str) -> dict[str, Any]:
    collection = {
        "type": "object",
        "required": ["value"],
        "properties": {
            "value": {"type": "array", "items": _ref(ChangeNotification)},
            "validationTokens": {"type": "array", "items": {"type": "string"}},
        },
    }
    return {
        "post": {
            "operationId": f"graph_{name}",
            "security": [],
            "tags": ["graph"],
            "summary": f"Graph {name}: the validation handshake, else check clientState and enqueue",
            "parameters": [
                {"name": "validationToken", "in": "query", "required": False, "schema": {"type": "string"}}
            ],
            "requestBody": {"required": False, **_json_body(collection)},
            "responses": {
                "200": _answer("the handshake: the decoded token", {"type": "string"}, "text/plain"),
                "202": _answer("accepted (genuine items enqueued)"),
                "400": _answer("malformed body, nothing enqueued", {"type": "string"}, "text/plain"),
                "413": _answer("body over 1 MiB, nothing enqueued"),
                "503": _answer("the bus is unavailable: Graph retries"),
            },
        }
    }


def _paths() -> dict[str, Any]:
    party_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    job_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    reason = {
        "name": "x-loket-reason",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": 500},
    }
    ops = {"tags": ["ops"]}
    return {
        "/api/graph/notifications": _graph_route("notifications"),
        "/api/graph/lifecycle": _graph_route("lifecycle"),
        "/api/contacts/search": {
            "post": _signed(
                {
                    "operationId": "search_contacts",
                    "tags": ["look-up"],
                    "requestBody": {"required": True, **_json_body(_ref(SearchRequest))},
                    "responses": {
                        "200": _answer("the parties found, with their timelines", _ref(LookupResult)),
                        "400": _answer("no reason, or not exactly one of phone, email, name", ERROR),
                    },
                }
            )
        },
        "/api/parties/{id}/timeline": {
            "get": _signed(
                {
                    "operationId": "party_timeline",
                    "tags": ["look-up"],
                    "parameters": [party_id, reason],
                    "responses": {
                        "200": _answer("one party's timeline (audited)", _ref(PartyView)),
                        "400": _answer("no reason or a bad id", ERROR),
                        "404": _answer("no such party", ERROR),
                    },
                }
            )
        },
        "/api/ops/queues": {
            "get": _signed(
                {
                    "operationId": "ops_queues",
                    **ops,
                    "responses": {"200": _answer("every queue and subscription", _ref(QueueReport))},
                }
            )
        },
        "/api/ops/dead-letters": {
            "get": _signed(
                {
                    "operationId": "ops_dead_letters",
                    **ops,
                    "parameters": [
                        {"name": "entity", "in": "query", "schema": {"type": "string"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    ],
                    "responses": {
                        "200": _answer(
                            "dead letters: ids and reasons, never bodies",
                            {"type": "array", "items": _ref(DeadLetterView)},
                        ),
                        "400": _answer("unknown entity or bad limit", ERROR),
                    },
                }
            )
        },
        "/api/ops/replay": {
            "post": _signed(
                {
                    "operationId": "ops_replay",
                    **ops,
                    "requestBody": {"required": True, **_json_body(_ref(ReplayRequest))},
                    "responses": {
                        "202": _answer("the replay job, started", {"type": "object"}),
                        "400": _answer("an invalid replay request", ERROR),
                    },
                }
            )
        },
        "/api/ops/jobs/{id}": {
            "get": _signed(
                {
                    "operationId": "ops_job",
                    **ops,
                    "parameters": [job_id],
                    "responses": {
                        "200": _answer("a replay job", _ref(Job)),
                        "404": _answer("no such job", ERROR),
                    },
                }
            )
        },
        "/api/health": {
            "get": {
                "operationId": "health",
                "security": [],
                "responses": {
                    "200": _answer("each component's state", {"type": "object", "required": ["status"]})
                },
            }
        },
        "/api/ui": {
            "get": {
                "operationId": "ui_page",
                "security": [],
                "responses": {"200": _answer("the web page's static shell", {"type": "string"}, "text/html")},
            }
        },
        "/api/ui/{file}": {
            "get": {
                "operationId": "ui",
                "security": [],
                "parameters": [
                    {
                        "name": "file",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": ["app.js", "app.css"]},
                    }
                ],
                "responses": {"200": _answer("the page's static assets"), "404": _answer("no such asset")},
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "security": [],
                "responses": {"200": _answer("this document", {"type": "object"})},
            }
        },
    }


@cache
def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document (built once: it depends only on the code)."""
    _, defs = models_json_schema(MODELS, by_alias=True, ref_template=REF)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Loket",
            "version": "1",
            "description": "Citizen contacts from mail, phone and post (design.md, HTTP).",
        },
        "paths": _paths(),
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {
                "functionKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "x-functions-key",
                    "description": "the local stand-in for sign-in: $LOKET_API_KEY",
                },
                "entraBearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "Entra ID token with app role Loket.Staff, Loket.Operator, Loket.Privacy",
                },
            },
        },
    }


@bp.function_name("openapi")
@bp.route(route="openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def openapi(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(document(), ensure_ascii=False), mimetype="application/json")
