"""postdeploy helper: the app identity's PostgreSQL role, the schema and the grants, as the Entra admin.

Signs in as the server's Entra admin GROUP (`--admin` is the group's name; every member's own Entra
token is accepted for it), so the objects the migrations make belong to the group's role and any
member can upgrade the schema later. The token is PGPASSWORD when set, else azure-identity's
DefaultAzureCredential: the Azure CLI sign-in on a workstation or in CI, a managed identity inside
Azure (a job in the VNet when the server has no public access). `upgrade` does the three steps in
order: `principal` creates the role for the managed identity (by object id, so the server need not
look the name up in Entra); the migrations run on the direct port 5432 (DDL never goes through
PgBouncer); `grants` lets the app's role read and write what they made.
"""
from __future__ import annotations

import argparse
import os
import urllib.parse

import psycopg
from psycopg import sql

DIRECT_PORT = 5432  # migrations and role management: never through PgBouncer (6432)
POSTGRES_SCOPE = "https://ossrdbms-aad.database.windows.net/.default"


def principal_statements(role: str, object_id: str) -> list[sql.Composable]:
    """Create the identity's login role once; a second run changes nothing."""
    return [
        sql.SQL(
            "SELECT * FROM pgaadauth_create_principal_with_oid({role}, {oid}, 'service', false, false) "
            "WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {role})"
        ).format(role=sql.Literal(role), oid=sql.Literal(object_id))
    ]


def grant_statements(role: str, database: str) -> list[sql.Composable]:
    """Data rights only (no DDL): the schema belongs to the admin who runs migrations."""
    r, db = sql.Identifier(role), sql.Identifier(database)
    return [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, r),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(r),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(r),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(r),
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}").format(r),
    ]


def run(conninfo: str, statements: list[sql.Composable], password: str | None = None) -> None:
    with psycopg.connect(conninfo, autocommit=True, **({"password": password} if password else {})) as conn:
        for statement in statements:
            conn.execute(statement)


def admin_token() -> str:
    """The signed-in principal's Entra token for Azure Database for PostgreSQL."""
    if os.environ.get("PGPASSWORD"):
        return os.environ["PGPASSWORD"]
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(exclude_interactive_browser_credential=True).get_token(POSTGRES_SCOPE).token


def migration_url(host: str, admin: str, database: str) -> str:
    """`loket db upgrade`'s URL for the admin group: direct port, TLS, the token as password."""
    user = urllib.parse.quote(admin, safe="")
    return f"postgresql+psycopg://{user}@{host}:{DIRECT_PORT}/{database}?sslmode=require"


def upgrade_all(host: str, admin: str, role: str, object_id: str, database: str) -> str | None:
    """Role, schema, grants, in that order; returns the schema revision reached."""
    from adapters.store.migrate import upgrade

    base = f"host={host} port={DIRECT_PORT} user={admin} sslmode=require"
    run(f"{base} dbname=postgres", principal_statements(role, object_id), admin_token())
    revision = upgrade(migration_url(host, admin, database), token_provider=admin_token)
    run(f"{base} dbname={database}", grant_statements(role, database), admin_token())
    return revision


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", nargs="?", default="upgrade", choices=["upgrade", "principal", "grants"])
    parser.add_argument("--host", required=True)
    parser.add_argument("--admin", required=True, help="the Entra admin group's name")
    parser.add_argument("--role", required=True, help="the managed identity's name")
    parser.add_argument("--object-id", help="the managed identity's principal (object) id")
    parser.add_argument("--database", default="loket")
    args = parser.parse_args(argv)
    base = f"host={args.host} port={DIRECT_PORT} user={args.admin} sslmode=require"
    if args.step != "grants" and not args.object_id:
        parser.error(f"--object-id is required for {args.step}")
    if args.step == "upgrade":
        revision = upgrade_all(args.host, args.admin, args.role, args.object_id, args.database)
        print(f"schema at {revision}")
    elif args.step == "principal":
        run(f"{base} dbname=postgres", principal_statements(args.role, args.object_id), admin_token())
    else:
        run(f"{base} dbname={args.database}", grant_statements(args.role, args.database), admin_token())


if __name__ == "__main__":
    main()
