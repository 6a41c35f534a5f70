"""GET /api/health: anonymous; 200 while the host serves, with each component's state in the body.

`status`: `ok`; `attention` when every component works but something waits for an operator
(scanned letters that could not be captured); `degraded` when a component fails.
"""
import json

import azure.functions as func

from bootstrap import get_services

bp = func.Blueprint()


@bp.function_name("health")
@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def health(req: func.HttpRequest) -> func.HttpResponse:
    components = get_services().health()
    if all(v == "ok" for v in components.values()):
        status = "ok"
    elif any(v.startswith("error") for v in components.values()):
        status = "degraded"
    else:
        status = "attention"
    return func.HttpResponse(json.dumps({"status": status, "components": components}),
                             mimetype="application/json")
