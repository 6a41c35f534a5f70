"""POST /api/contacts/search and GET /api/parties/{id}/timeline: audited look-ups for staff."""
import json

import azure.functions as func
from pydantic import ValidationError

from bootstrap import get_services
from functions.auth import require
from handlers.auth import visibility
from handlers.lookup import LookupRefused, lookup, party_timeline
from schemas.auth import PRIVACY_ROLE, STAFF_ROLE
from schemas.search_request import SearchRequest

bp = func.Blueprint()
REASON_HEADER = "x-loket-reason"


def _json(payload: object, status: int = 200) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(payload, ensure_ascii=False), status_code=status,
                             mimetype="application/json")


def refused(exc: LookupRefused) -> func.HttpResponse:
    """400 with the English text and the catalogue code (`error.<code>`) the page shows translated."""
    return _json({"error": str(exc), "code": exc.code, **exc.values}, 400)


@bp.function_name("search_contacts")
@bp.route(route="contacts/search", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def search_contacts(req: func.HttpRequest) -> func.HttpResponse:
    who = require(req, STAFF_ROLE)
    if isinstance(who, func.HttpResponse):
        return who
    try:
        query = SearchRequest.model_validate_json(req.get_body())
        services = get_services()
        result = lookup(services.uow(), actor=who.actor, reason=query.reason, phone=query.phone,
                        email=query.email, name=query.name, now=services.now(),
                        route="POST /api/contacts/search", sees_restricted=who.has(PRIVACY_ROLE),
                        can_see=visibility(who, services.policy.restricted_departments))
    except LookupRefused as exc:
        return refused(exc)
    except ValidationError:
        return _json({"error": "give reason and one of phone, email, name", "code": "one_query"}, 400)
    return _json(result.model_dump(mode="json"))


@bp.function_name("party_timeline")
@bp.route(route="parties/{id}/timeline", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def get_party_timeline(req: func.HttpRequest) -> func.HttpResponse:
    who = require(req, STAFF_ROLE)
    if isinstance(who, func.HttpResponse):
        return who
    try:
        party_id = int(req.route_params.get("id", ""))
        if not 0 < party_id < 2**63:  # a store key is a signed 64-bit integer: anything else is no party
            raise ValueError("party id out of range")
        services = get_services()
        view = party_timeline(services.uow(), party_id, actor=who.actor,
                              reason=req.headers.get(REASON_HEADER, ""), now=services.now(),
                              route="GET /api/parties/{id}/timeline", sees_restricted=who.has(PRIVACY_ROLE),
                              can_see=visibility(who, services.policy.restricted_departments))
    except LookupRefused as exc:
        return refused(exc)
    except ValueError:
        return _json({"error": "party id must be a number", "code": "bad_party_id"}, 400)
    if view is None:
        return _json({"error": "no such party", "code": "no_such_party"}, 404)
    return _json(view.model_dump(mode="json"))
