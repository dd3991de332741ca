"""The SQLAlchemy engine for PostgreSQL (asyncpg) or SQLite (aiosqlite), and the translation
of library errors into the core's error types."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.persistence.asyncpg.urls import async_database_url, database_target
from application.errors import Conflict, StorageUnavailable

CONNECT_TIMEOUT_SECONDS = 2.0
POSTGRESQL_DIALECT = "postgresql+asyncpg://"
"""The engines' dialect; connections come from ``Target.asyncpg_connector``."""
SQLITE_BUSY_TIMEOUT_MS = 5000

_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # includes ConnectionRefusedError
    TimeoutError,
    sa_exc.TimeoutError,  # waiting for a pooled connection
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
)
_DRIVER_ERRORS: tuple[type[BaseException], ...] = (sa_exc.SQLAlchemyError, sqlite3.Error)
try:  # asyncpg's own errors, when raised outside SQLAlchemy (connect, the raw adapter)
    import asyncpg

    _UNAVAILABLE += (
        asyncpg.PostgresConnectionError,
        asyncpg.InterfaceError,
        asyncpg.CannotConnectNowError,
        asyncpg.TooManyConnectionsError,
        asyncpg.AdminShutdownError,
        asyncpg.InternalClientError,  # e.g. a connection whose server went away mid-protocol
    )
    _CONFLICT: tuple[type[BaseException], ...] = (sa_exc.IntegrityError, asyncpg.IntegrityConstraintViolationError)
    _DRIVER_ERRORS += (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError)
except ImportError:  # pragma: no cover - asyncpg is a dependency
    _CONFLICT = (sa_exc.IntegrityError,)


def translate(exc: BaseException) -> BaseException | None:
    """The core error a library error stands for, or None when it is not ours to translate."""
    if isinstance(exc, _CONFLICT):
        return Conflict("the change clashes with data stored concurrently")
    if isinstance(exc, _UNAVAILABLE) or (isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated):
        return StorageUnavailable("database unavailable")
    return None


def is_database_failure(exc: BaseException) -> bool:
    """Whether ``exc`` is the database failing (what ``todo_db_errors_total`` counts): it is
    unreachable, or a library error that is not a conflict between concurrent writes."""
    if isinstance(exc, StorageUnavailable):
        return True
    return isinstance(exc, _DRIVER_ERRORS) and not isinstance(translate(exc), Conflict)


@contextmanager
def translated_errors() -> Iterator[None]:
    """Re-raise library errors as ``Conflict`` or ``StorageUnavailable``."""
    try:
        yield
    except Exception as exc:
        core = translate(exc)
        if core is None:
            raise
        raise core from exc


def ensure_sqlite_directory(url: str) -> None:
    """Create the directory of a SQLite database file (no-op for other databases)."""
    parsed = make_url(async_database_url(url))
    database = parsed.database
    if parsed.get_backend_name() == "sqlite" and database and not _in_memory(database):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _in_memory(database: str | None) -> bool:
    return not database or database == ":memory:" or database.startswith("file::memory:")


def create_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    """An async engine: no pre-ping, compiled cache on; SQLite in WAL mode with foreign
    keys, a busy timeout and ``BEGIN IMMEDIATE`` transactions (writers queue instead of
    failing); PostgreSQL connects with a short timeout so a down database fails fast."""
    target = database_target(url)
    if target.url.get_backend_name() == "sqlite":
        return _sqlite_engine(target.url.render_as_string(hide_password=False), target.url.database, pool_size)
    return create_async_engine(
        POSTGRESQL_DIALECT,
        async_creator=target.asyncpg_connector(CONNECT_TIMEOUT_SECONDS),
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=10,
        pool_pre_ping=False,
    )


def _sqlite_engine(url: str, database: str | None, pool_size: int) -> AsyncEngine:
    in_memory = _in_memory(database)
    ensure_sqlite_directory(url)
    options: dict[str, Any] = {} if in_memory else {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": 30}
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options)
    _configure_sqlite(engine, wal=not in_memory)
    return engine


def _configure_sqlite(engine: AsyncEngine, *, wal: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgres(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"


__all__ = [
    "CONNECT_TIMEOUT_SECONDS",
    "async_database_url",
    "create_engine",
    "ensure_sqlite_directory",
    "is_database_failure",
    "is_postgres",
    "translate",
    "translated_errors",
]
