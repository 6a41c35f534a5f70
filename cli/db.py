"""`loket db upgrade`: bring the CRM store to the current schema; helpers the store commands share."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from cli.output import emit_json, fail
from settings import Settings

app = typer.Typer(help="The CRM store's schema, and the check after a restore.", no_args_is_help=True)


def actor(given: str | None) -> str:
    """Who the audit names: `--as`, else the OS user running the command."""
    return (given or "").strip() or getpass.getuser()


def open_store(settings: Settings | None = None):  # -> adapters.store.uow.SqlStore
    """The configured store, refusing (exit 1) when its schema is not the current one."""
    from sqlalchemy.exc import OperationalError

    from adapters.store.entra import token_provider_for
    from adapters.store.migrate import current_revision, head_revision
    from adapters.store.uow import SqlStore

    settings = settings or Settings()
    store = SqlStore.from_url(settings.database_url, token_provider=token_provider_for(settings.database_url))
    try:
        at = current_revision(store.engine)
    except OperationalError as exc:
        store.dispose()
        raise fail(
            f"cannot open the CRM store at {_where(settings)} ({type(exc.orig).__name__}); check "
            "CRM_DATABASE_URL or LOKET_DATA_DIR, or run `loket db upgrade`"
        ) from None
    if at != head_revision():
        store.dispose()
        raise fail(
            f"the CRM store at {_where(settings)} is at schema {at or 'none'}, not {head_revision()}: "
            "run `loket db upgrade`"
        )
    return store


def _where(settings: Settings) -> str:
    """The store a command tried, as a person finds it: the file, or the URL without its password."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return str(Path(url.database or "").resolve())
    return url.render_as_string(hide_password=True)


@app.command("upgrade")
def upgrade(
    revision: str = typer.Option("head", help="Alembic revision to reach."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Apply the migrations to CRM_DATABASE_URL (default: a SQLite file in LOKET_DATA_DIR)."""
    from adapters.store.migrate import upgrade as run_upgrade

    settings = Settings()
    if settings.store_backend == "sqlite":
        _ensure_sqlite_dir(settings.database_url)
    from adapters.store.entra import token_provider_for

    url = settings.database_url
    reached = run_upgrade(url, revision, token_provider=token_provider_for(url))
    if as_json:
        emit_json({"backend": settings.store_backend, "revision": reached})
    else:
        typer.echo(f"CRM store ({settings.store_backend}) at schema {reached}")


@app.command("restore-check")
def restore_check(
    as_user: str | None = typer.Option(None, "--as", help="Audit name (default: the OS user)."),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """After a database restore, before capture resumes: re-apply the erasures, rectifications,
    suppressions and restrictions kept outside the database (the privacy log beside the archive)."""
    import bootstrap

    open_store().dispose()  # refuses unless the schema is current: `loket db upgrade` first
    services = bootstrap.build()
    try:
        report = services.restore_check(actor(as_user))
    finally:
        services.close()
    if as_json:
        emit_json(report.to_json())
    else:
        counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in report.to_json().items())
        typer.echo(f"restore check: {counts}")


def _ensure_sqlite_dir(url: str) -> None:
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")
