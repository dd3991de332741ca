"""Ports: storage backends, the plug-ins that give the server a database.

A backend is one object, found by the scheme of ``DATABASE_URL`` among the objects
registered under the ``todo_chatbot.storage`` entry-point group (the built-in PostgreSQL and
SQLite backends are registered that way too). See docs/storage.md.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from application.metrics import Metrics, PoolUsage
from application.ports.storage import HealthProbe, UnitOfWork

STORAGE_ENTRY_POINTS = "todo_chatbot.storage"
"""The entry-point group backends register in (``name = "package.module:object"``)."""


@dataclass(frozen=True, slots=True)
class Storage:
    """An open database: what the server uses while it runs."""

    unit_of_work: UnitOfWork
    health: HealthProbe
    pool_usage: Callable[[], PoolUsage]
    """Connections in use and idle, and units of work waiting for one (read when scraped)."""


class SchemaManager(Protocol):
    """The schema of one database: ``todo-chatbot migrate`` and ``serve`` (AUTO_MIGRATE) call
    it. Synchronous: it runs before the server's event loop starts, or in a worker thread."""

    def upgrade(self, revision: str = "head") -> None:
        """Migrate up to ``revision`` (the latest by default); an unreachable database raises
        ``StorageUnavailable``."""
        ...

    def downgrade(self, revision: str) -> None:
        """Migrate down to ``revision`` (``base``: no table of the application is left)."""
        ...

    def current(self) -> str | None:
        """The database's revision, or None when it was never migrated."""
        ...


class StorageBackend(Protocol):
    """One kind of database, and everything the server needs from it."""

    @property
    def name(self) -> str:
        """What operators call it (``PostgreSQL (asyncpg)``), in messages."""
        ...

    @property
    def schemes(self) -> tuple[str, ...]:
        """The URL schemes it serves, lower case (``postgresql``, ``postgresql+asyncpg`` ...)."""
        ...

    def check_url(self, url: str) -> None:
        """Refuse a URL of its schemes that it cannot use: raise ``UnsupportedDatabaseUrl``
        with a message naming the variable and the problem, never the URL (it may hold a
        password). Called once at start, before anything connects."""
        ...

    def open(self, url: str, *, pool_size: int, metrics: Metrics) -> AbstractAsyncContextManager[Storage]:
        """The database at ``url`` while the block runs, with up to ``pool_size`` connections.
        Connecting may be lazy (the server starts while the database is down: units of work
        raise ``StorageUnavailable`` until it is back). Database failures are counted through
        ``metrics.database_error()``. Leaving the block closes every connection."""
        ...

    def schema(self, url: str) -> SchemaManager:
        """The schema manager of the database at ``url``. ``HealthProbe.schema_is_ready``
        must agree with it: ready at this release's latest revision or a newer unknown one."""
        ...


__all__ = ["STORAGE_ENTRY_POINTS", "SchemaManager", "Storage", "StorageBackend"]
