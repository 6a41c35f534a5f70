"""postdeploy helper: the app identity's PostgreSQL role and its grants, as the server's Entra admin.

Runs with the deployer's Entra token in PGPASSWORD (az account get-access-token --resource-type
oss-rdbms). `principal` creates the role for the managed identity (by object id, so the server
need not look the name up in Entra); `grants` lets it read and write what `loket db upgrade` made.
"""
from __future__ import annotations

import argparse

import psycopg
from psycopg import sql


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


def run(conninfo: str, statements: list[sql.Composable]) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["principal", "grants"])
    parser.add_argument("--host", required=True)
    parser.add_argument("--admin", required=True, help="the Entra admin's name (UPN or group name)")
    parser.add_argument("--role", required=True, help="the managed identity's name")
    parser.add_argument("--object-id", help="the managed identity's principal (object) id")
    parser.add_argument("--database", default="loket")
    args = parser.parse_args(argv)
    base = f"host={args.host} port=5432 user={args.admin} sslmode=require"
    if args.step == "principal":
        if not args.object_id:
            parser.error("--object-id is required for principal")
        run(f"{base} dbname=postgres", principal_statements(args.role, args.object_id))
    else:
        run(f"{base} dbname={args.database}", grant_statements(args.role, args.database))


if __name__ == "__main__":
    main()
