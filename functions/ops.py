"""The operators' API (app role Loket.Operator): queues, dead letters, replay jobs (design.md, HTTP)."""
import json
import threading

import azure.functions as func
from pydantic import ValidationError

from bootstrap import get_services
from functions.auth import require
from handlers.ops import LETTERS, dead_letters, letter_views
from handlers.ports.bus import UnknownEntityError
from handlers.replay_jobs import InvalidReplay, create_job, run_job
from schemas.auth import OPERATOR_ROLE
from schemas.ops import ReplayRequest

bp = func.Blueprint()
MAX_DEAD_LETTERS = 500


def _json(payload: object, status: int = 200, headers: dict | None = None) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(payload, ensure_ascii=False, default=str), status_code=status,
                             mimetype="application/json", headers=headers)


@bp.function_name("ops_queues")
@bp.route(route="ops/queues", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def ops_queues(req: func.HttpRequest) -> func.HttpResponse:
    """Every queue and subscription: counts, oldest age, traffic, dead-letter reasons, health verdict."""
    who = require(req, OPERATOR_ROLE)
    if isinstance(who, func.HttpResponse):
        return who
    return _json(get_services().queue_report().model_dump(mode="json"))


@bp.function_name("ops_dead_letters")
@bp.route(route="ops/dead-letters", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def ops_dead_letters(req: func.HttpRequest) -> func.HttpResponse:
    """Dead letters (ids and reasons, never bodies) of `?entity=`, or of every entity that has some."""
    who = require(req, OPERATOR_ROLE)
    if isinstance(who, func.HttpResponse):
        return who
    services = get_services()
    try:
        limit = max(1, min(int(req.params.get("limit", "100")), MAX_DEAD_LETTERS))
        entity = req.params.get("entity")
        letters = letter_views(services.open_letter_failures())[:limit] if entity in (None, LETTERS) else []
        entities = [entity] if entity and entity != LETTERS else [] if entity else [
            c.entity for c in services.bus.counts() if c.kind != "topic" and c.dead_lettered]
        found = [d for e in entities for d in dead_letters(services.bus, services.failure_log, e, limit)]
        found += letters
    except UnknownEntityError as exc:
        return _json({"error": str(exc)}, 400)
    except ValueError:
        return _json({"error": "limit must be a number"}, 400)
    return _json([d.model_dump(mode="json") for d in found])


@bp.function_name("ops_replay")
@bp.route(route="ops/replay", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def ops_replay(req: func.HttpRequest) -> func.HttpResponse:
    """Start a replay job; 202 with its id, progress at GET /api/ops/jobs/{id}."""
    who = require(req, OPERATOR_ROLE)
    if isinstance(who, func.HttpResponse):
        return who
    services = get_services()
    try:
        request = ReplayRequest.model_validate_json(req.get_body() or b"{}")
        deps = services.replay_deps()
        job = create_job(request, who.actor, deps)
    except ValidationError as exc:
        fields = [".".join(map(str, e["loc"])) for e in exc.errors()]
        return _json({"error": "invalid replay request", "code": "bad_request", "fields": fields}, 400)
    except InvalidReplay as exc:
        return _json({"error": str(exc)}, 400)
    threading.Thread(target=run_job, args=(job, deps), name=f"replay-{job.id}", daemon=True).start()
    location = f"/api/ops/jobs/{job.id}"
    return _json({"job_id": job.id, "status": job.status, "progress": location}, 202, {"Location": location})


@bp.function_name("ops_job")
@bp.route(route="ops/jobs/{id}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def ops_job(req: func.HttpRequest) -> func.HttpResponse:
    """A replay job's progress and, once done, its summary."""
    who = require(req, OPERATOR_ROLE)
    if isinstance(who, func.HttpResponse):
        return who
    job = get_services().jobs.get(req.route_params.get("id", ""))
    if job is None:
        return _json({"error": "no such job", "code": "no_such_job"}, 404)
    return _json(job.model_dump(mode="json"))
