"""Schema migrations (Alembic), callable from the CLI and tests.

These functions are synchronous and run their own event loop (the Alembic environment calls
``asyncio.run``): call them before the server's loop starts, or from a worker thread.
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.persistence.asyncpg.urls import database_target
from adapters.persistence.sqlalchemy.engine import POSTGRESQL_DIALECT, ensure_sqlite_directory, translated_errors

MIGRATION_CONNECT_SECONDS = 10.0
URL_ATTRIBUTE = "database_url"
"""The ``Config.attributes`` key env.py reads the database URL from."""


def migrations_directory() -> Path:
    """The Alembic scripts: inside an installed wheel first, else the checkout's ``migrations/``."""
    here = Path(__file__).resolve().parent.parent  # adapters/persistence
    for candidate in (here / "migrations", here.parents[2] / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError(f"no Alembic migrations next to {here} or in the source checkout")


def alembic_config(database_url: str | None = None) -> Config:
    """An Alembic configuration without an ini file (the application keeps its logging)."""
    config = Config()
    config.set_main_option("script_location", str(migrations_directory()))
    if database_url is not None:
        config.attributes[URL_ATTRIBUTE] = database_url
    return config


def migration_engine(database_url: str) -> AsyncEngine:
    """A one-connection engine for migrations, with the TLS settings of the URL (env.py)."""
    target = database_target(database_url)
    if target.url.get_backend_name() != "postgresql":
        return create_async_engine(target.url, poolclass=NullPool)
    return create_async_engine(
        POSTGRESQL_DIALECT, poolclass=NullPool, async_creator=target.asyncpg_connector(MIGRATION_CONNECT_SECONDS)
    )


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` (the latest by default); an unreachable
    database raises ``StorageUnavailable``."""
    ensure_sqlite_directory(database_url)
    with translated_errors():
        command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Migrate the database down to ``revision`` (``base`` removes every table)."""
    with translated_errors():
        command.downgrade(alembic_config(database_url), revision)


def head() -> str:
    """The latest migration's revision."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision is None:  # pragma: no cover - the project ships migrations
        raise RuntimeError("no migrations found")
    return revision


@functools.cache
def _older_revisions() -> frozenset[str]:
    scripts = ScriptDirectory.from_config(alembic_config())
    return frozenset(script.revision for script in scripts.walk_revisions()) - {head()}


def can_serve(revision: str | None) -> bool:
    """Whether this release can serve a database at ``revision``: its own head, or a revision
    it does not know (a newer release migrated first; migrations stay additive for one release,
    so the previous release keeps serving during a rollout). Never migrated, or behind: no."""
    return revision is not None and revision not in _older_revisions()


def _revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def _current(database_url: str) -> str | None:
    engine = migration_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_revision_of)
    finally:
        await engine.dispose()


def current(database_url: str) -> str | None:
    """The database's revision, or None when it was never migrated."""
    ensure_sqlite_directory(database_url)
    with translated_errors():
        return asyncio.run(_current(database_url))


__all__ = [
    "alembic_config",
    "can_serve",
    "current",
    "downgrade",
    "head",
    "migration_engine",
    "migrations_directory",
    "upgrade",
]
