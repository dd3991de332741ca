"""Readiness of the database: does it answer, and is its schema at the latest migration."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import TextClause, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.persistence.schema.migrate import can_serve
from adapters.persistence.sqlalchemy.engine import translated_errors
from application.errors import StorageUnavailable
from application.metrics import NO_METRICS, Metrics

PING_TIMEOUT_SECONDS = 2.0
_SELECT_ONE = text("SELECT 1")
_VERSION = text("SELECT version_num FROM alembic_version")


class SqlHealthProbe:
    """``HealthProbe`` on a SQLAlchemy engine; every check gives up after two seconds. A
    failed ping counts as a database error in ``metrics``; ``can_serve`` judges the stored
    Alembic revision (the backend's scripts)."""

    def __init__(
        self,
        engine: AsyncEngine,
        timeout: float = PING_TIMEOUT_SECONDS,
        metrics: Metrics = NO_METRICS,
        can_serve: Callable[[str | None], bool] = can_serve,
    ) -> None:
        self._engine = engine
        self._can_serve = can_serve
        self._timeout = timeout
        self._metrics = metrics

    async def ping(self) -> None:
        try:
            await self._scalar(_SELECT_ONE)
        except StorageUnavailable:
            self._metrics.database_error()
            raise

    async def schema_is_ready(self) -> bool:
        try:
            version = await self._scalar(_VERSION)
        except (StorageUnavailable, sa_exc.DBAPIError):
            await self.ping()  # down: raise; up without an alembic_version table: not migrated
            return False
        return self._can_serve(None if version is None else str(version))

    async def _scalar(self, statement: TextClause) -> object:
        try:
            async with asyncio.timeout(self._timeout):
                with translated_errors():
                    async with self._engine.connect() as connection:
                        return (await connection.execute(statement)).scalar()
        except TimeoutError:
            raise StorageUnavailable("database did not answer in time") from None
