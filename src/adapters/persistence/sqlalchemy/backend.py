"""``StorageBackend`` on SQLAlchemy Core: the base for SQL databases (SQLite here, MariaDB in
examples/). A subclass names its schemes, its ``SqlDialect``, its Alembic scripts and how to
make engines; the repositories, unit of work, health probe and schema manager come with it."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.persistence.schema.migrate import AlembicSchema, can_serve, migrations_directory
from adapters.persistence.sqlalchemy.dialect import SqlDialect
from adapters.persistence.sqlalchemy.engine import ERRORS
from adapters.persistence.sqlalchemy.health import SqlHealthProbe
from adapters.persistence.sqlalchemy.uow import SqlUnitOfWork
from application.errors import UnsupportedDatabaseUrl
from application.metrics import Metrics
from application.ports import Storage


class SqlBackend:
    """A SQL database on SQLAlchemy Core. Override what differs; the defaults suit a server
    database with a SQLAlchemy async driver."""

    name: str = "SQL"
    schemes: tuple[str, ...] = ()
    dialect: SqlDialect

    def migrations(self) -> Path:
        """The Alembic scripts of this backend's schema (the built-in ones by default)."""
        return migrations_directory()

    def async_url(self, url: str) -> str:
        """``url`` spelled with the async driver SQLAlchemy should use."""
        return url

    def check_url(self, url: str) -> None:
        try:
            make_url(self.async_url(url))
        except ArgumentError:
            raise UnsupportedDatabaseUrl("DATABASE_URL is not a database URL SQLAlchemy can read") from None

    def prepare(self, url: str) -> None:
        """What must exist before the first connection (nothing by default)."""

    def create_engine(self, url: str, pool_size: int) -> AsyncEngine:
        """The request pool: no pre-ping (a round trip per request), compiled cache on."""
        return create_async_engine(
            self.async_url(url), pool_size=pool_size, max_overflow=0, pool_timeout=10, pool_pre_ping=False
        )

    def migration_engine(self, url: str) -> AsyncEngine:
        """A one-connection engine for migrations."""
        return create_async_engine(self.async_url(url), poolclass=NullPool)

    @asynccontextmanager
    async def open(self, url: str, *, pool_size: int, metrics: Metrics) -> AsyncIterator[Storage]:
        self.prepare(url)
        engine = self.create_engine(url, pool_size)
        try:
            uow = SqlUnitOfWork(engine, self.dialect, metrics)
            ready = functools.partial(can_serve, scripts=self.migrations())
            yield Storage(uow, SqlHealthProbe(engine, metrics=metrics, can_serve=ready), uow.pool_usage)
        finally:
            await engine.dispose()

    def schema(self, url: str) -> AlembicSchema:
        return AlembicSchema(
            self.migrations(), lambda: self.migration_engine(url), ERRORS, prepare=lambda: self.prepare(url)
        )


__all__ = ["SqlBackend"]
