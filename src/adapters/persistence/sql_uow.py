"""Transactions on a SQLAlchemy async engine (PostgreSQL or SQLite)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.persistence.engine import is_postgres, translated_errors
from adapters.persistence.sql_accounts import SqlAccountRepository, SqlSessionRepository
from adapters.persistence.sql_conversations import SqlConversationRepository, SqlIdempotencyRecords
from adapters.persistence.sql_tasks import SqlTaskRepository


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
    for each ``begin()`` block only; leaving without ``commit()`` rolls back."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._postgres = is_postgres(engine)

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[SqlTransaction]:
        with translated_errors():
            connection = await self._engine.connect()
        try:
            with translated_errors():
                await connection.begin()
            yield SqlTransaction(connection, postgres=self._postgres)
        finally:
            # Closing rolls back anything not committed; a dead connection is discarded by the pool.
            with contextlib.suppress(sa_exc.SQLAlchemyError, OSError):
                await connection.close()
