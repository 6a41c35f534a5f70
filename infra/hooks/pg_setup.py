"""postdeploy helper: the app identity's PostgreSQL role, the schema and the grants, as the Entra admin.

Signs in as the server's Entra admin GROUP (`--admin` is the group's name; every member's own Entra
token is accepted for it), so the objects the migrations make belong to the group's role and any
member can upgrade the schema later. The token is PGPASSWORD when set, else azure-identity's
DefaultAzureCredential: the Azure CLI sign-in on a workstation or in CI (user or service principal).

Two paths to the server (docs/deploy.md, "Network exposure"):
- public endpoint (`--host`): this machine connects itself, with a firewall rule the hook opens for
  the run (adapters/store/provision.py does the work);
- private access (`--via https://<app>`): the server has no public endpoint, so the app, which is in
  the network, does the same three steps with this caller's token: POST /api/ops/db/upgrade with the
  route's function key (env LOKET_UPGRADE_KEY, never on the command line) and the token in the body.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request

from adapters.store.provision import (  # noqa: F401 - re-exported for the hooks' tests
    DIRECT_PORT,
    POSTGRES_SCOPE,
    admin_conninfo,
    grant_statements,
    migration_url,
    principal_statements,
    run,
    upgrade_as_admin,
)

UPGRADE_ROUTE = "/api/ops/db/upgrade"
KEY_VARIABLE = "LOKET_UPGRADE_KEY"
TIMEOUT_SECONDS = 230  # the Functions front end answers an HTTP call within 230 s


def admin_token() -> str:
    """The signed-in principal's Entra token for Azure Database for PostgreSQL."""
    if os.environ.get("PGPASSWORD"):
        return os.environ["PGPASSWORD"]
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(exclude_interactive_browser_credential=True).get_token(POSTGRES_SCOPE).token


def upgrade_all(host: str, admin: str, role: str, object_id: str, database: str) -> str | None:
    """Role, schema, grants from this machine (public endpoint); returns the schema revision reached."""
    return upgrade_as_admin(host, admin, role, object_id, database, admin_token)


def upgrade_via_app(base_url: str, admin: str, role: str, object_id: str, function_key: str) -> str | None:
    """The same three steps run by the app inside the network, as the caller (their token)."""
    body = json.dumps({"admin": admin, "role": role, "object_id": object_id, "token": admin_token()})
    request = urllib.request.Request(  # noqa: S310 - https URL of our own app, from the azd environment
        base_url.rstrip("/") + UPGRADE_ROUTE, data=body.encode(), method="POST",
        headers={"content-type": "application/json", "x-functions-key": function_key},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return json.loads(response.read())["revision"]
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:2000]
        raise SystemExit(f"error: the app refused the schema upgrade ({exc.code}): {detail}") from None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", nargs="?", default="upgrade", choices=["upgrade", "principal", "grants"])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--host", help="the server's host name (public endpoint)")
    target.add_argument("--via", metavar="APP_URL", help="the app's base URL (private access)")
    parser.add_argument("--admin", required=True, help="the Entra admin group's name")
    parser.add_argument("--role", required=True, help="the managed identity's name")
    parser.add_argument("--object-id", help="the managed identity's principal (object) id")
    parser.add_argument("--database", default="loket")
    args = parser.parse_args(argv)
    if args.step != "grants" and not args.object_id:
        parser.error(f"--object-id is required for {args.step}")
    if args.via:
        if args.step != "upgrade":
            parser.error("--via runs the whole upgrade (role, schema, grants)")
        key = os.environ.get(KEY_VARIABLE)
        if not key:
            parser.error(f"--via needs the route's function key in {KEY_VARIABLE}")
        revision = upgrade_via_app(args.via, args.admin, args.role, args.object_id, key)
        print(f"schema at {revision} (run by the app inside the network)")
    elif args.step == "upgrade":
        revision = upgrade_all(args.host, args.admin, args.role, args.object_id, args.database)
        print(f"schema at {revision}")
    elif args.step == "principal":
        conninfo = admin_conninfo(args.host, args.admin, "postgres")
        run(conninfo, principal_statements(args.role, args.object_id), admin_token())
    else:
        run(admin_conninfo(args.host, args.admin, args.database), grant_statements(args.role, args.database),
            admin_token())


if __name__ == "__main__":
    sys.exit(main())
