"""The data-protection officer's API (app role Loket.Privacy): the audit read and verified, erasure on
four eyes."""

import datetime as dt
import json

import azure.functions as func
from pydantic import ValidationError

from bootstrap import get_services
from functions.auth import require
from handlers.citizen_rights import KEEP, RectificationRefused, identifier, rectify, restrict, suppress
from handlers.gdpr import UnknownParty
from handlers.lookup import LookupRefused
from handlers.privacy import (
    ErasureRefused,
    approve_erasure,
    erasure_requests,
    read_audit,
    refuse_erasure,
    request_erasure,
)
from schemas.auth import PRIVACY_ROLE
from schemas.privacy import DecisionBody, ErasureRequestBody, RightsBody

bp = func.Blueprint()
REASON_HEADER = "x-loket-reason"


def _json(payload: object, status: int = 200) -> func.HttpResponse:
    return func.HttpResponse(
        json.dumps(payload, ensure_ascii=False, default=str), status_code=status, mimetype="application/json"
    )


def _error(message: str, status: int = 400) -> func.HttpResponse:
    return _json({"error": message}, status)


@bp.function_name("privacy_audit")
@bp.route(route="privacy/audit", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def privacy_audit(req: func.HttpRequest) -> func.HttpResponse:
    """Audit entries by `?party=`, `?actor=`, `?since=` (ISO); reading them is audited (x-loket-reason)."""
    who = require(req, PRIVACY_ROLE)
    if isinstance(who, func.HttpResponse):
        return who
    services = get_services()
    try:
        party = int(req.params["party"]) if req.params.get("party") else None
        since = _instant(req.params.get("since"))
        limit = int(req.params.get("limit", "500"))
        found = read_audit(
            services.uow(),
            actor=who.actor,
            reason=req.headers.get(REASON_HEADER) or "privacy audit review",
            route="GET /api/privacy/audit",
            party=party,
            by=req.params.get("actor") or None,
            since=since,
            limit=limit,
            now=services.now(),
        )
    except LookupRefused as exc:
        return _error(str(exc))
    except ValueError:
        return _error("party and limit are numbers; since is an ISO 8601 instant")
    return _json([e.model_dump(mode="json") for e in found])


@bp.function_name("privacy_audit_verify")
@bp.route(route="privacy/audit/verify", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def privacy_audit_verify(req: func.HttpRequest) -> func.HttpResponse:
    """The hash chain checked: 200 with `ok` true, or 409 with the problems found."""
    who = require(req, PRIVACY_ROLE)
    if isinstance(who, func.HttpResponse):
        return who
    report = get_services().verify_audit()
    return _json(report.to_json(), 200 if report.ok else 409)


@bp.function_name("privacy_erasures")
@bp.route(route="privacy/erasures", methods=["GET", "POST"], auth_level=func.AuthLevel.ANONYMOUS)
def privacy_erasures(req: func.HttpRequest) -> func.HttpResponse:
    """GET: the requests waiting for a second person. POST {party_id, reason}: request an erasure (201)."""
    who = require(req, PRIVACY_ROLE)
    if isinstance(who, func.HttpResponse):
        return who
    services = get_services()
    if req.method.upper() == "GET":
        return _json([r.model_dump(mode="json") for r in erasure_requests(services.uow())])
    try:
        body = ErasureRequestBody.model_validate_json(req.get_body() or b"{}")
        request = request_erasure(
            services.uow(),
            body.party_id,
            actor=who.actor,
            reason=body.reason,
            route="POST /api/privacy/erasures",
            now=services.now(),
        )
    except ValidationError:
        return _error("give party_id and reason")
    except UnknownParty as exc:
        return _error(str(exc), 404)
    return _json(request.model_dump(mode="json"), 201)


@bp.function_name("privacy_erasure_decision")
@bp.route(route="privacy/erasures/{id}/{decision}", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def privacy_erasure_decision(req: func.HttpRequest) -> func.HttpResponse:
    """`approve` (a second person: the erasure then runs) or `refuse` an erasure request."""
    who = require(req, PRIVACY_ROLE)
    if isinstance(who, func.HttpResponse):
        return who
    decision = req.route_params.get("decision")
    if decision not in ("approve", "refuse"):
        return _error("no such decision: approve or refuse", 404)
    services = get_services()
    route = f"POST /api/privacy/erasures/{{id}}/{decision}"
    try:
        request_id = int(req.route_params.get("id", ""))
        body = DecisionBody.model_validate_json(req.get_body() or b"{}")
        if decision == "refuse":
            done = refuse_erasure(
                services.uow(),
                request_id,
                actor=who.actor,
                reason=body.reason,
                route=route,
                now=services.now(),
            )
            return _json(done.model_dump(mode="json"))
        done, _ = approve_erasure(
            services.uow(),
            request_id,
            actor=who.actor,
            reason=body.reason,
            route=route,
            single_person=services.settings.erasure_single_person,
            now=services.now,
            erase=lambda pid, by, why: services.erase_everywhere(pid, actor=by, reason=why),
        )
    except ValidationError:
        return _error("give a reason")
    except ErasureRefused as exc:
        return _error(str(exc), 409)
    except ValueError:
        return _error("the request id is a number")
    return _json(done.model_dump(mode="json"))


@bp.function_name("privacy_party_right")
@bp.route(route="privacy/parties/{id}/{right}", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def privacy_party_right(req: func.HttpRequest) -> func.HttpResponse:
    """`rectify`, `restrict` (or lift it) or `suppress` one party; audited and kept outside the database."""
    who = require(req, PRIVACY_ROLE)
    if isinstance(who, func.HttpResponse):
        return who
    right = req.route_params.get("right")
    if right not in ("rectify", "restrict", "suppress"):
        return _error("no such right: rectify, restrict or suppress", 404)
    services = get_services()
    route = f"POST /api/privacy/parties/{{id}}/{right}"
    try:
        party_id = int(req.route_params.get("id", ""))
        body = RightsBody.model_validate_json(req.get_body() or b"{}")
        common = {
            "actor": who.actor,
            "reason": body.reason,
            "route": route,
            "log": services.privacy_log,
            "now": services.now(),
        }
        if right == "rectify":
            new_name = None if body.clear_name else (body.name if body.name is not None else KEEP)
            done = rectify(
                services.uow(),
                party_id,
                remove=[identifier(i.type, i.value) for i in body.remove],
                add=[identifier(i.type, i.value) for i in body.add],
                name=new_name,
                **common,
            )
            return _json(
                {
                    "party_id": party_id,
                    "removed": list(done.removed),
                    "added": list(done.added),
                    "name": done.name,
                }
            )
        if right == "restrict":
            return _json(
                {
                    "party_id": party_id,
                    "changed": restrict(services.uow(), party_id, lift=body.lift, **common),
                }
            )
        return _json({"party_id": party_id, "suppressed": suppress(services.uow(), party_id, **common)})
    except ValidationError:
        return _error("give a reason (and for rectify: remove, add, name or clear_name)")
    except UnknownParty as exc:
        return _error(str(exc), 404)
    except RectificationRefused as exc:
        return _error(str(exc), 409)
    except LookupRefused as exc:
        return _error(str(exc))
    except ValueError:
        return _error("the party id is a number")


def _instant(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
