"""POST /api/contacts/search and GET /api/parties/{id}/timeline: audited look-ups for staff."""
import json
from uuid import UUID

import azure.functions as func
from pydantic import ValidationError

from bootstrap import get_services
from functions.auth import require
from handlers.auth import visibility
from handlers.lookup import LookupRefused, lookup, open_scan, party_timeline
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
                        staff=services.policy.staff,
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
                              staff=services.policy.staff,
                              can_see=visibility(who, services.policy.restricted_departments))
    except LookupRefused as exc:
        return refused(exc)
    except ValueError:
        return _json({"error": "party id must be a number", "code": "bad_party_id"}, 400)
    if view is None:
        return _json({"error": "no such party", "code": "no_such_party"}, 404)
    return _json(view.model_dump(mode="json"))


@bp.function_name("contact_scan")
@bp.route(route="contacts/{event_id}/scan", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def get_contact_scan(req: func.HttpRequest) -> func.HttpResponse:
    """A letter's scan, served through Loket (need-to-know, audited): never a blob URL or SAS token.

    The page links here; a browser link cannot send a header, so the reason may come as `?reason=`
    (the reason is the colleague's own words, never the citizen's data).
    """
    who = require(req, STAFF_ROLE)
    if isinstance(who, func.HttpResponse):
        return who
    services = get_services()
    try:
        event_id = UUID(req.route_params.get("event_id", ""))
        pdf = open_scan(services.uow(), services.blobs, event_id, actor=who.actor,
                        reason=req.headers.get(REASON_HEADER) or req.params.get("reason", ""),
                        now=services.now(), can_see=visibility(who, services.policy.restricted_departments),
                        sees_restricted=who.has(PRIVACY_ROLE))
    except LookupRefused as exc:
        return refused(exc)
    except ValueError:
        return _json({"error": "not a contact id", "code": "bad_request"}, 400)
    if pdf is None:
        return _json({"error": "no scan for this contact", "code": "no_such_source"}, 404)
    return func.HttpResponse(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": "inline", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
