"""``StorageBackend`` for MariaDB and MySQL: the shared SQLAlchemy repositories with the
MariaDB dialect, this package's own Alembic migrations, and engines on ``asyncmy``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.persistence.sqlalchemy.backend import SqlBackend
from application.errors import UnsupportedDatabaseUrl
from todo_chatbot_mariadb.dialect import MariaDbDialect

CONNECT_TIMEOUT_SECONDS = 2
RECYCLE_SECONDS = 3600
"""Connections are renewed before the server's ``wait_timeout`` (8 h by default) drops them."""


class MariaDbBackend(SqlBackend):
    """MariaDB 10.5+ / MySQL 8 (``mysql://``, ``mysql+asyncmy://``, ``mariadb://``,
    ``mariadb+asyncmy://``). Transactions run at READ COMMITTED, as on PostgreSQL: every
    statement sees what others committed before it, and locked reads wait for the holder."""

    name = "MariaDB / MySQL (asyncmy)"
    schemes = ("mysql", "mysql+asyncmy", "mariadb", "mariadb+asyncmy")
    dialect = MariaDbDialect()

    def migrations(self) -> Path:
        return Path(__file__).resolve().parent / "migrations"

    def async_url(self, url: str) -> str:
        parsed = make_url(url.strip())
        return parsed.set(drivername="mysql+asyncmy", query={**parsed.query, "charset": "utf8mb4"}).render_as_string(
            hide_password=False
        )

    def check_url(self, url: str) -> None:
        super().check_url(url)
        parsed = make_url(self.async_url(url))
        if not parsed.host or not parsed.database:
            raise UnsupportedDatabaseUrl("DATABASE_URL must be mysql+asyncmy://USER:PASSWORD@HOST[:PORT]/DATABASE")

    def create_engine(self, url: str, pool_size: int) -> AsyncEngine:
        return create_async_engine(
            self.async_url(url),
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=10,
            pool_recycle=RECYCLE_SECONDS,
            isolation_level="READ COMMITTED",
            connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        )

    def migration_engine(self, url: str) -> AsyncEngine:
        return create_async_engine(
            self.async_url(url), poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        )


backend = MariaDbBackend()
"""The object registered under the ``todo_chatbot.storage`` entry points."""
