"""Who is calling: authorisation in code, the same on every hosting plan (design.md, HTTP).

An Entra ID bearer token with app role `Loket.Staff` (look-ups), `Loket.Operator` (ops, replay) or
`Loket.Privacy` (audit, erasure approval, rectification, restriction);
locally the header `x-functions-key: $LOKET_API_KEY` stands in for every role.
"""
import hmac
import json
import logging

import azure.functions as func

from bootstrap import get_services
from handlers.auth import LOCAL_ACTOR, local_principal
from handlers.auth_tokens import InvalidToken
from schemas.auth import STAFF_ROLE, Principal

__all__ = ["LOCAL_ACTOR", "caller", "principal", "require", "unauthorised"]
log = logging.getLogger(__name__)


def principal(req: func.HttpRequest) -> Principal | None:
    """The caller from a valid bearer token or the local key; None when neither is presented or valid."""
    services = get_services()
    presented = req.headers.get("x-functions-key") or ""
    if presented and hmac.compare_digest(presented.encode(), services.api_key.encode()):
        return local_principal()
    scheme, _, token = (req.headers.get("authorization") or "").partition(" ")
    verifier = services.token_verifier
    if scheme.lower() != "bearer" or not token or verifier is None:
        return None
    try:
        return verifier.verify(token.strip())
    except InvalidToken as exc:
        log.info("bearer token refused: %s", exc)
        return None


def require(req: func.HttpRequest, role: str) -> Principal | func.HttpResponse:
    """The caller if it holds `role`; else the response to send (401 unsigned, 403 without the role)."""
    who = principal(req)
    if who is None:
        return unauthorised()
    if not who.has(role):
        body = json.dumps({"error": f"this needs app role {role}", "code": "forbidden"})
        return func.HttpResponse(body, status_code=403, mimetype="application/json")
    return who


def caller(req: func.HttpRequest) -> str | None:
    """The actor recorded in the audit log for a staff look-up, or None when not authorised as staff."""
    who = principal(req)
    return who.actor if who is not None and who.has(STAFF_ROLE) else None


def unauthorised() -> func.HttpResponse:
    return func.HttpResponse('{"error": "sign-in required", "code": "sign_in"}', status_code=401,
                             mimetype="application/json", headers={"WWW-Authenticate": "Bearer"})
