"""POST /api/ops/db/upgrade: the schema upgrade run from inside the network (docs/deploy.md).

With private access PostgreSQL has no public endpoint; the app is the one thing already in the VNet,
so it runs the admin group's three steps (role, migrations, grants) for the operator, with the
operator's own Entra token for PostgreSQL (infra/hooks/pg_setup.py --via). The route is guarded by
its function key (the Functions host checks it; only those with rights on the app can list it) and
the database checks the token; the app's identity keeps data rights only. Nothing here logs the token.
"""
import json
import logging

import azure.functions as func
from pydantic import ValidationError

from bootstrap import StoreNotPostgres, upgrade_store_as_admin
from schemas.db_upgrade import DbUpgradeRequest, DbUpgradeResult

bp = func.Blueprint()
log = logging.getLogger(__name__)


def _json(payload: object, status: int) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(payload), status_code=status, mimetype="application/json")


@bp.function_name("ops_db_upgrade")
@bp.route(route="ops/db/upgrade", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
def ops_db_upgrade(req: func.HttpRequest) -> func.HttpResponse:
    """Role, schema and grants as the PostgreSQL admin group; 200 with the revision reached."""
    try:
        request = DbUpgradeRequest.model_validate_json(req.get_body() or b"{}")
    except ValidationError as exc:
        fields = [".".join(map(str, e["loc"])) for e in exc.errors()]
        return _json({"error": "invalid upgrade request", "code": "bad_request", "fields": fields}, 400)
    try:
        revision = upgrade_store_as_admin(request.admin, request.role, str(request.object_id),
                                          request.token.get_secret_value())
    except StoreNotPostgres as exc:
        return _json({"error": str(exc), "code": "not_postgres"}, 409)
    except Exception as exc:  # the database's own answer (sign-in refused, DDL failed) is the operator's lead
        log.warning("schema upgrade as %s failed: %s", request.admin, type(exc).__name__)
        return _json({"error": f"{type(exc).__name__}: {exc}"[:1000], "code": "upgrade_failed"}, 502)
    log.info("schema upgraded to %s as %s", revision, request.admin)
    return _json(DbUpgradeResult(revision=revision).model_dump(), 200)
