"""The database's own set-up in Azure, signed in as the PostgreSQL Entra admin group.

Used from two places: `infra/hooks/pg_setup.py` on an operator's machine when the server has a public
endpoint, and the `ops_db_upgrade` route inside the app when it has none (private access: the app is
the one thing already in the network). Either way the caller brings a member's own Entra token and
signs in with the group's name as the user, so the objects the migrations make belong to the group's
role and any member can run the next upgrade; the app's identity keeps data rights only.

`upgrade_as_admin` does three steps in order: the app identity's login role (by object id, so the
server need not look the name up in Entra), the migrations on the direct port 5432 (DDL never goes
through PgBouncer), the grants that let the app's role read and write what they made.
"""
from __future__ import annotations

import urllib.parse
from collections.abc import Callable

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import make_url

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


def migration_url(host: str, admin: str, database: str) -> str:
    """`loket db upgrade`'s URL for the admin group: direct port, TLS, the token as password."""
    user = urllib.parse.quote(admin, safe="")
    return f"postgresql+psycopg://{user}@{host}:{DIRECT_PORT}/{database}?sslmode=require"


def admin_conninfo(host: str, admin: str, database: str) -> str:
    return make_conninfo(host=host, port=DIRECT_PORT, user=admin, dbname=database, sslmode="require")


def server_of(database_url: str) -> tuple[str, str]:
    """(host, database) of the app's CRM_DATABASE_URL: where the admin signs in, on the direct port."""
    url = make_url(database_url)
    if not url.host or not url.database:
        raise ValueError("CRM_DATABASE_URL names no host or database")
    return url.host, url.database


def upgrade_as_admin(
    host: str, admin: str, role: str, object_id: str, database: str, token: Callable[[], str]
) -> str | None:
    """Role, schema, grants, in that order, as the admin group; returns the schema revision reached."""
    from adapters.store.migrate import upgrade

    run(admin_conninfo(host, admin, "postgres"), principal_statements(role, object_id), token())
    revision = upgrade(migration_url(host, admin, database), token_provider=token)
    run(admin_conninfo(host, admin, database), grant_statements(role, database), token())
    return revision
