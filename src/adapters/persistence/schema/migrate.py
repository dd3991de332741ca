"""Schema migrations with Alembic: the schema manager of the SQL backends (a base for other
SQL dialects too: give it your own scripts directory and engine).

Its methods are synchronous and run their own event loop (the Alembic environment calls
``asyncio.run``): call them before the server's loop starts, or from a worker thread.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.errors import ErrorTable

ENGINE_ATTRIBUTE = "migration_engine"
"""The ``Config.attributes`` key of the engine factory ``run_migrations`` connects with."""


def migrations_directory() -> Path:
    """The built-in schema's Alembic scripts: inside an installed wheel first, else the
    checkout's ``migrations/``."""
    here = Path(__file__).resolve().parent.parent  # adapters/persistence
    for candidate in (here / "migrations", here.parents[2] / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError(f"no Alembic migrations next to {here} or in the source checkout")


def alembic_config(scripts: Path | None = None, engine: Callable[[], AsyncEngine] | None = None) -> Config:
    """An Alembic configuration without an ini file (the application keeps its logging)."""
    config = Config()
    config.set_main_option("script_location", str(scripts or migrations_directory()))
    if engine is not None:
        config.attributes[ENGINE_ATTRIBUTE] = engine
    return config


@functools.cache
def _revisions(scripts: Path) -> tuple[str, frozenset[str]]:
    directory = ScriptDirectory.from_config(alembic_config(scripts))
    head = directory.get_current_head()
    if head is None:  # pragma: no cover - a backend ships migrations
        raise RuntimeError(f"no migrations in {scripts}")
    return head, frozenset(script.revision for script in directory.walk_revisions()) - {head}


def head(scripts: Path | None = None) -> str:
    """The latest migration's revision."""
    return _revisions(scripts or migrations_directory())[0]


def can_serve(revision: str | None, scripts: Path | None = None) -> bool:
    """Whether this release can serve a database at ``revision``: its own head, or a revision
    it does not know (a newer release migrated first; migrations stay additive for one release,
    so the previous release keeps serving during a rollout). Never migrated, or behind: no."""
    return revision is not None and revision not in _revisions(scripts or migrations_directory())[1]


def _revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


class AlembicSchema:
    """``SchemaManager`` running the Alembic scripts in ``scripts`` on the engines ``engine``
    makes (one connection each; the scripts' env.py calls ``run_migrations``). ``errors`` is
    the backend's table of library errors (raised as ``StorageUnavailable`` / ``Conflict``);
    ``prepare`` runs first (e.g. creating a SQLite file's directory)."""

    def __init__(
        self,
        scripts: Path,
        engine: Callable[[], AsyncEngine],
        errors: ErrorTable,
        prepare: Callable[[], None] | None = None,
    ) -> None:
        self._scripts = scripts
        self.engine = engine
        self._errors = errors
        self._prepare = prepare

    def prepare(self) -> None:
        """What must exist before connecting (e.g. a SQLite file's directory)."""
        if self._prepare is not None:
            self._prepare()

    @contextmanager
    def _translated(self) -> Iterator[None]:
        self.prepare()
        with self._errors.translated_errors():
            yield

    def upgrade(self, revision: str = "head") -> None:
        with self._translated():
            command.upgrade(alembic_config(self._scripts, self.engine), revision)

    def downgrade(self, revision: str) -> None:
        with self._translated():
            command.downgrade(alembic_config(self._scripts, self.engine), revision)

    def current(self) -> str | None:
        with self._translated():
            return asyncio.run(self._current())

    async def _current(self) -> str | None:
        engine = self.engine()
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(_revision_of)
        finally:
            await engine.dispose()


def run_migrations(context: Any, metadata: MetaData, **options: Any) -> None:
    """The body of an Alembic ``env.py``: run the scripts on the engine ``AlembicSchema``
    passed in (online only). ``context`` is ``alembic.context`` (an ``EnvironmentContext``
    proxy); ``options`` go to ``context.configure``."""
    factory = context.config.attributes.get(ENGINE_ATTRIBUTE) or _engine_of_the_environment(context)

    def migrate(connection: Connection) -> None:
        batch = connection.dialect.name == "sqlite"
        context.configure(
            connection=connection, target_metadata=metadata, compare_type=True, render_as_batch=batch, **options
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = factory()
        try:
            async with engine.connect() as connection:
                await connection.run_sync(migrate)
        finally:
            await engine.dispose()

    asyncio.run(run())


def _engine_of_the_environment(context: EnvironmentContext) -> Callable[[], AsyncEngine]:
    """Plain ``alembic`` from a checkout: the engine of ``DATABASE_URL``'s backend."""
    from adapters.persistence.registry import backend_for

    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("no database URL: set DATABASE_URL (or sqlalchemy.url in alembic.ini)")
    schema = backend_for(url).schema(url)
    if not isinstance(schema, AlembicSchema):  # pragma: no cover - the built-in backends use Alembic
        raise RuntimeError("DATABASE_URL's backend does not migrate with Alembic scripts")
    schema.prepare()
    return schema.engine


__all__ = ["AlembicSchema", "alembic_config", "can_serve", "head", "migrations_directory", "run_migrations"]
