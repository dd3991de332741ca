"""Transactions on a raw asyncpg pool: the PostgreSQL hot path (no SQLAlchemy execution
layer), holding a pooled connection only inside ``begin()``."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import asyncpg

from adapters.persistence.asyncpg.accounts import AsyncpgAccountRepository, AsyncpgSessionRepository
from adapters.persistence.asyncpg.errors import is_database_failure, translate, translated_errors
from adapters.persistence.asyncpg.repositories import (
    AsyncpgConversationRepository,
    AsyncpgIdempotencyRecords,
    AsyncpgTaskRepository,
    Session,
)
from adapters.persistence.asyncpg.urls import database_target
from adapters.persistence.schema.migrate import can_serve
from application.errors import Conflict, StorageUnavailable
from application.metrics import NO_METRICS, Metrics, PoolUsage

PING_TIMEOUT_SECONDS = 2.0
CONNECT_TIMEOUT_SECONDS = 2.0


async def _reset(connection: Any) -> None:
    # Units of work end their transactions themselves; this only guards against a leak, and
    # skips asyncpg's default reset query (a round trip on every release).
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


async def create_asyncpg_pool(database_url: str, pool_size: int = 10) -> Any:
    """An asyncpg pool of up to ``pool_size`` connections, opened lazily (the server may be
    down at start: requests then fail with ``StorageUnavailable`` until it is back)."""
    target = database_target(database_url)
    return await asyncpg.create_pool(
        target.asyncpg_dsn,
        min_size=0,
        max_size=pool_size,
        timeout=CONNECT_TIMEOUT_SECONDS,
        reset=_reset,
        **target.connect_args,
    )


class AsyncpgTransaction:
    """The repositories of one transaction, sharing its connection."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.tasks = AsyncpgTaskRepository(session)
        self.conversations = AsyncpgConversationRepository(session)
        self.idempotency = AsyncpgIdempotencyRecords(session)

    # Account stores are made on first use: the task hot path never pays for them.
    @property
    def accounts(self) -> AsyncpgAccountRepository:
        return AsyncpgAccountRepository(self._session)

    @property
    def sessions(self) -> AsyncpgSessionRepository:
        return AsyncpgSessionRepository(self._session)

    async def commit(self) -> None:
        if not self._session.in_transaction:
            return
        status = await self._session.run("execute", "COMMIT", (), write=False)
        self._session.in_transaction = False
        if status == "ROLLBACK":  # a statement failed earlier and its error was swallowed
            raise Conflict("the transaction failed and was rolled back")


class AsyncpgUnitOfWork:
    """``UnitOfWork`` on an asyncpg pool (``create_asyncpg_pool``); leaving a block without
    ``commit()`` rolls back. The caller owns the pool and closes it. Database failures
    seen by a block are reported to ``metrics``."""

    def __init__(self, pool: Any, metrics: Metrics = NO_METRICS) -> None:
        self._pool = pool
        # asyncpg's pool queue lets newcomers overtake woken waiters; under load that starves
        # some requests (p99 > 1 s at c=64). asyncio.Semaphore is first come, first served.
        self._gate = asyncio.Semaphore(pool.get_max_size())
        self.metrics = metrics
        self.waiting = 0

    def begin(self) -> _Block:
        return _Block(self._pool, self._gate, self)

    def pool_usage(self) -> PoolUsage:
        """The pool now: connections in use and idle, blocks waiting for a connection."""
        size, idle = self._pool.get_size(), self._pool.get_idle_size()
        return PoolUsage(in_use=size - idle, idle=idle, waiting=self.waiting)


class _Block:
    """One ``async with uow.begin()`` block: a class rather than a generator-based context
    manager, which costs a few per cent of a request on this path (measured)."""

    __slots__ = ("_gate", "_pool", "_session", "_uow")

    def __init__(self, pool: Any, gate: asyncio.Semaphore, uow: AsyncpgUnitOfWork) -> None:
        self._pool = pool
        self._gate = gate
        self._uow = uow

    async def __aenter__(self) -> AsyncpgTransaction:
        self._uow.waiting += 1
        try:
            await self._gate.acquire()
        finally:
            self._uow.waiting -= 1
        try:
            connection = await self._pool.acquire()  # the gate guarantees a free slot
        except Exception as exc:
            self._gate.release()
            self._uow.metrics.database_error()
            core = translate(exc)
            if core is None:
                raise
            raise core from exc
        except BaseException:
            self._gate.release()
            raise
        self._session = Session(connection)
        return AsyncpgTransaction(self._session)

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is not None and is_database_failure(exc):
            self._uow.metrics.database_error()
        session = self._session
        connection = session.connection
        try:
            if session.broken:
                _discard(connection)
            elif session.in_transaction and not connection.is_closed():
                await connection.execute("ROLLBACK")
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            _discard(connection)
        finally:
            try:
                await self._pool.release(connection)
            finally:
                self._gate.release()


def _discard(connection: Any) -> None:
    """Close a broken connection (the pool opens a new one). A connection the server closed
    has already left the pool's hands, and terminating it again would raise."""
    with contextlib.suppress(asyncpg.InterfaceError):
        connection.terminate()


class AsyncpgHealthProbe:
    """``HealthProbe`` on an asyncpg pool; every check gives up after two seconds. A failed
    check counts as a database error in ``metrics``."""

    def __init__(self, pool: Any, timeout: float = PING_TIMEOUT_SECONDS, metrics: Metrics = NO_METRICS) -> None:
        self._pool = pool
        self._timeout = timeout
        self._metrics = metrics

    async def ping(self) -> None:
        await self._fetchval("SELECT 1")

    async def schema_is_ready(self) -> bool:
        exists = await self._fetchval("SELECT to_regclass('alembic_version') IS NOT NULL")
        if not exists:
            return False
        return can_serve(await self._fetchval("SELECT version_num FROM alembic_version"))

    async def _fetchval(self, statement: str) -> Any:
        try:
            async with asyncio.timeout(self._timeout):
                with translated_errors():
                    connection = await self._pool.acquire()
                    try:
                        return await connection.fetchval(statement)
                    except BaseException:
                        _discard(connection)  # broken or interrupted: never reuse it
                        raise
                    finally:
                        await self._pool.release(connection)
        except TimeoutError:
            self._metrics.database_error()
            raise StorageUnavailable("database did not answer in time") from None
        except StorageUnavailable:
            self._metrics.database_error()
            raise
