"""GET /api/health: anonymous; 200 while the host serves, with each component's state in the body."""
import json

import azure.functions as func

from bootstrap import get_services

bp = func.Blueprint()


@bp.function_name("health")
@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def health(req: func.HttpRequest) -> func.HttpResponse:
    components = get_services().health()
    status = "ok" if all(v == "ok" for v in components.values()) else "degraded"
    return func.HttpResponse(json.dumps({"status": status, "components": components}),
                             mimetype="application/json")
