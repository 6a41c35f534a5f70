"""Run the Alembic migrations programmatically (works from an installed package: no alembic.ini)."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData

import migrations
from adapters.store.engine import TokenProvider, create_store_engine
from adapters.store.tables import Base

log = logging.getLogger(__name__)


def load_all_tables() -> MetaData:
    """Import every `adapters/store/tables*.py` so Base.metadata holds the whole schema."""
    package = Path(__file__).resolve().parent
    for info in pkgutil.iter_modules([str(package)]):
        if info.name.startswith("tables"):
            importlib.import_module(f"adapters.store.{info.name}")
    return Base.metadata


def alembic_config() -> Config:
    """An in-memory Alembic config whose scripts are the installed `migrations` package."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).resolve().parent))
    return config


def upgrade_engine(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade the database behind `engine`; returns the revision it is at afterwards."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return current_revision(engine)


def downgrade_engine(engine: Engine, revision: str = "base") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def upgrade(url: str, revision: str = "head", token_provider: TokenProvider | None = None) -> str | None:
    """`loket db upgrade`: bring the store at `url` to `revision`."""
    engine = create_store_engine(url, token_provider=token_provider)
    try:
        return upgrade_engine(engine, revision)
    finally:
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
