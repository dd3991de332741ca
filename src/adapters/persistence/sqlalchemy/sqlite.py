"""The built-in SQLite backend (aiosqlite): the zero-setup default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.persistence.sqlalchemy.backend import SqlBackend
from adapters.persistence.sqlalchemy.dialect import SQLITE
from application.errors import UnsupportedDatabaseUrl

SQLITE_BUSY_TIMEOUT_MS = 5000


def async_sqlite_url(url: str) -> str:
    """``sqlite:///PATH`` spelled with the async driver (``sqlite+aiosqlite:///PATH``)."""
    url = url.strip()
    return "sqlite+aiosqlite:///" + url[len("sqlite:///") :] if url.startswith("sqlite:///") else url


def _in_memory(database: str | None) -> bool:
    return not database or database == ":memory:" or database.startswith("file::memory:")


def ensure_sqlite_directory(url: str) -> None:
    """Create the directory of a SQLite database file (none for an in-memory database)."""
    database = make_url(async_sqlite_url(url)).database
    if database and not _in_memory(database):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


class SqliteBackend(SqlBackend):
    """``StorageBackend`` for SQLite files (``sqlite:///PATH``, ``sqlite+aiosqlite:///PATH``):
    WAL mode, foreign keys, a busy timeout and ``BEGIN IMMEDIATE`` transactions (writers
    queue instead of failing, so no row lock is needed)."""

    name = "SQLite (aiosqlite)"
    schemes = ("sqlite", "sqlite+aiosqlite")
    dialect = SQLITE

    def async_url(self, url: str) -> str:
        return async_sqlite_url(url)

    def check_url(self, url: str) -> None:
        if not url.split(":///", 1)[-1] or ":///" not in url:
            raise UnsupportedDatabaseUrl("DATABASE_URL must be sqlite+aiosqlite:///PATH (or sqlite:///PATH)")
        super().check_url(url)

    def prepare(self, url: str) -> None:
        ensure_sqlite_directory(url)

    def create_engine(self, url: str, pool_size: int) -> AsyncEngine:
        url = self.async_url(url)
        in_memory = _in_memory(make_url(url).database)
        options: dict[str, Any] = {} if in_memory else {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": 30}
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options)
        _configure(engine, wal=not in_memory)
        return engine


def _configure(engine: AsyncEngine, *, wal: bool) -> None:
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


backend = SqliteBackend()
"""The object registered under the ``todo_chatbot.storage`` entry points."""
