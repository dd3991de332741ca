"""Transactions on a SQLAlchemy async engine (PostgreSQL or SQLite)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.persistence.sqlalchemy.accounts import SqlAccountRepository, SqlSessionRepository
from adapters.persistence.sqlalchemy.conversations import SqlConversationRepository, SqlIdempotencyRecords
from adapters.persistence.sqlalchemy.engine import is_database_failure, is_postgres, translated_errors
from adapters.persistence.sqlalchemy.tasks import SqlTaskRepository
from application.metrics import NO_METRICS, Metrics, PoolUsage


class SqlTransaction:
    """The repositories of one transaction, sharing its connection."""

    def __init__(self, connection: AsyncConnection, *, postgres: bool) -> None:
        self._conn = connection
        self._postgres = postgres
        self.tasks = SqlTaskRepository(connection, postgres=postgres)
        self.conversations = SqlConversationRepository(connection, postgres=postgres)
        self.idempotency = SqlIdempotencyRecords(connection, postgres=postgres)

    @property
    def accounts(self) -> SqlAccountRepository:
        return SqlAccountRepository(self._conn, postgres=self._postgres)

    @property
    def sessions(self) -> SqlSessionRepository:
        return SqlSessionRepository(self._conn, postgres=self._postgres)

    async def commit(self) -> None:
        with translated_errors():
            await self._conn.commit()


class SqlUnitOfWork:
    """``UnitOfWork`` on a SQLAlchemy ``AsyncEngine``: a pooled connection is checked out
    for each ``begin()`` block only; leaving without ``commit()`` rolls back. Database
    failures seen by a block are reported to ``metrics``."""

    def __init__(self, engine: AsyncEngine, metrics: Metrics = NO_METRICS) -> None:
        self._engine = engine
        self._postgres = is_postgres(engine)
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
            yield SqlTransaction(connection, postgres=self._postgres)
        finally:
            # Closing rolls back anything not committed; a dead connection is discarded by the pool.
            with contextlib.suppress(sa_exc.SQLAlchemyError, OSError):
                await connection.close()
