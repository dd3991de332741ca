"""The built-in PostgreSQL backend: requests run constant SQL on an asyncpg pool (the hot
path); the schema is the shared one, migrated with Alembic through SQLAlchemy on the same
connection settings (libpq's TLS parameters included, see ``urls``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.persistence.asyncpg.errors import ERRORS
from adapters.persistence.asyncpg.uow import AsyncpgHealthProbe, AsyncpgUnitOfWork, create_asyncpg_pool
from adapters.persistence.asyncpg.urls import database_target
from adapters.persistence.schema.migrate import AlembicSchema, migrations_directory
from application.errors import UnsupportedDatabaseUrl
from application.metrics import Metrics
from application.ports import Storage

MIGRATION_CONNECT_SECONDS = 10.0
DIALECT = "postgresql+asyncpg://"
"""SQLAlchemy's dialect for the migrations; connections come from ``Target.asyncpg_connector``."""


def migration_engine(url: str) -> Callable[[], AsyncEngine]:
    """One-connection engines for migrations, connecting exactly as the request pool does."""
    connect = database_target(url).asyncpg_connector(MIGRATION_CONNECT_SECONDS)
    return lambda: create_async_engine(DIALECT, poolclass=NullPool, async_creator=connect)


class PostgresBackend:
    """``StorageBackend`` for PostgreSQL (``postgresql://``, ``postgres://``, ``postgresql+asyncpg://``)."""

    name = "PostgreSQL (asyncpg)"
    schemes = ("postgresql", "postgresql+asyncpg", "postgres")

    def check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if not parts.hostname and "host=" not in parts.query:
            raise UnsupportedDatabaseUrl("DATABASE_URL has no host")
        if "require" in parse_qs(parts.query).get("channel_binding", []):
            raise UnsupportedDatabaseUrl(
                "DATABASE_URL asks for channel_binding=require, which the PostgreSQL driver (asyncpg) cannot do; "
                "remove it (sslmode=verify-full still authenticates the server)"
            )
        database_target(url)  # TLS parameters: a bad sslmode or unreadable files

    @asynccontextmanager
    async def open(self, url: str, *, pool_size: int, metrics: Metrics) -> AsyncIterator[Storage]:
        pool = await create_asyncpg_pool(url, pool_size)
        try:
            uow = AsyncpgUnitOfWork(pool, metrics)
            yield Storage(uow, AsyncpgHealthProbe(pool, metrics=metrics), uow.pool_usage)
        finally:
            await pool.close()

    def schema(self, url: str) -> AlembicSchema:
        return AlembicSchema(migrations_directory(), migration_engine(url), ERRORS)


backend = PostgresBackend()
"""The object registered under the ``todo_chatbot.storage`` entry points."""
