"""POST /api/graph/notifications and /api/graph/lifecycle: handshake, clientState, enqueue, 202."""

import logging

import azure.functions as func

from bootstrap import get_services
from errors import PermanentError, TransientError
from handlers.webhook import MAX_BODY_BYTES, accept_notifications

bp = func.Blueprint()
log = logging.getLogger(__name__)
MAX_VALIDATION_TOKEN = 1024
NOSNIFF = {"X-Content-Type-Options": "nosniff"}  # the echo is text, never sniffed into HTML


def _receive(req: func.HttpRequest, route: str) -> func.HttpResponse:
    token = req.params.get("validationToken")
    if token is not None:  # Graph's handshake: echo the decoded token, as text, at once
        if len(token) > MAX_VALIDATION_TOKEN:  # Graph's are ~100 characters; never a stranger's page
            get_services().count_discard("oversized_validation_token")
            return func.HttpResponse("validation token too long", status_code=400, mimetype="text/plain",
                                     headers=NOSNIFF)
        return func.HttpResponse(token, status_code=200, mimetype="text/plain", headers=NOSNIFF)
    body = req.get_body()
    if len(body) > MAX_BODY_BYTES:
        get_services().count_discard("oversized_body")
        return func.HttpResponse("notification body over 1 MiB", status_code=413)
    try:
        accepted = accept_notifications(body, get_services().webhook(), route=route)
    except PermanentError as exc:
        get_services().count_discard("malformed_body")
        log.warning("rejected a notification POST: %s", exc.reason, extra={"route": route})
        return func.HttpResponse(str(exc), status_code=400, mimetype="text/plain")
    except TransientError:  # the bus is down: Graph retries a 5xx, so nothing is lost
        log.exception("could not enqueue notifications", extra={"route": route})
        return func.HttpResponse("try again later", status_code=503, headers={"Retry-After": "10"})
    log.info("accepted %d, discarded %d, ignored %d", accepted.enqueued, accepted.discarded, accepted.ignored,
             extra={"route": route, "discard_reasons": accepted.reasons})
    return func.HttpResponse(status_code=202)


@bp.function_name("graph_webhook")
@bp.route(route="graph/notifications", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def graph_webhook(req: func.HttpRequest) -> func.HttpResponse:
    return _receive(req, "notifications")


@bp.function_name("graph_lifecycle")
@bp.route(route="graph/lifecycle", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def graph_lifecycle(req: func.HttpRequest) -> func.HttpResponse:
    return _receive(req, "lifecycle")
