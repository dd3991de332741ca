"""Transactions on a SQLAlchemy async engine (any SQL database with a ``SqlDialect``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.persistence.sqlalchemy.accounts import SqlAccountRepository, SqlSessionRepository
from adapters.persistence.sqlalchemy.conversations import SqlConversationRepository, SqlIdempotencyRecords
from adapters.persistence.sqlalchemy.dialect import SqlDialect
from adapters.persistence.sqlalchemy.engine import is_database_failure, translated_errors
from adapters.persistence.sqlalchemy.tasks import SqlTaskRepository
from application.metrics import NO_METRICS, Metrics, PoolUsage


class SqlTransaction:
    """The repositories of one transaction, sharing its connection."""

    def __init__(self, connection: AsyncConnection, dialect: SqlDialect) -> None:
        self._conn = connection
        self._dialect = dialect
        self.tasks = SqlTaskRepository(connection, dialect)
        self.conversations = SqlConversationRepository(connection, dialect)
        self.idempotency = SqlIdempotencyRecords(connection, dialect)

    @property
    def accounts(self) -> SqlAccountRepository:
        return SqlAccountRepository(self._conn, self._dialect)

    @property
    def sessions(self) -> SqlSessionRepository:
        return SqlSessionRepository(self._conn, self._dialect)

    async def commit(self) -> None:
        with translated_errors():
            await self._conn.commit()


class SqlUnitOfWork:
    """``UnitOfWork`` on a SQLAlchemy ``AsyncEngine``: a pooled connection is checked out
    for each ``begin()`` block only; leaving without ``commit()`` rolls back. Database
    failures seen by a block are reported to ``metrics``."""

    def __init__(self, engine: AsyncEngine, dialect: SqlDialect, metrics: Metrics = NO_METRICS) -> None:
        self._engine = engine
        self._dialect = dialect
        self._metrics = metrics
        self._waiting = 0

    def pool_usage(self) -> PoolUsage:
        """The pool now: connections in use and idle, blocks waiting for a connection."""
        pool = self._engine.pool
        in_use = int(getattr(pool, "checkedout", lambda: 0)())
        idle = int(getattr(pool, "checkedin", lambda: 0)())
        return PoolUsage(in_use=in_use, idle=idle, waiting=self._waiting)

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[SqlTransaction]:
        try:
            async with self._transaction() as tx:
                yield tx
        except Exception as exc:
            if is_database_failure(exc):
                self._metrics.database_error()
            raise

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[SqlTransaction]:
        self._waiting += 1
        try:
            with translated_errors():
                connection = await self._engine.connect()
        finally:
            self._waiting -= 1
        try:
            with translated_errors():
                await connection.begin()
            yield SqlTransaction(connection, self._dialect)
        finally:
            # Closing rolls back anything not committed; a dead connection is discarded by the pool.
            with contextlib.suppress(sa_exc.SQLAlchemyError, OSError):
                await connection.close()
