"""What the storage adapters report: database failures (not conflicts, not the use case's
own errors) and the pool's connections and waiters."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc

from adapters.persistence.asyncpg.errors import is_database_failure
from adapters.persistence.asyncpg.uow import AsyncpgHealthProbe, AsyncpgUnitOfWork, create_asyncpg_pool
from adapters.persistence.sqlalchemy.dialect import SQLITE
from adapters.persistence.sqlalchemy.health import SqlHealthProbe
from adapters.persistence.sqlalchemy.sqlite import backend as sqlite_backend
from adapters.persistence.sqlalchemy.uow import SqlUnitOfWork
from application.errors import Conflict, StorageUnavailable, TaskNotFound
from application.metrics import PoolUsage
from tests import storage as migrate
from tests.fakes import InMemoryMetrics


def test_a_failure_is_the_database_down_or_erring_never_a_conflict_or_our_own_error() -> None:
    assert is_database_failure(StorageUnavailable("down"))
    assert is_database_failure(asyncpg.DataError("value out of range"))
    assert is_database_failure(sa_exc.OperationalError("SELECT", {}, Exception("locked")))
    assert not is_database_failure(asyncpg.UniqueViolationError("duplicate"))
    assert not is_database_failure(sa_exc.IntegrityError("INSERT", {}, Exception("duplicate")))
    assert not is_database_failure(Conflict("clash"))
    assert not is_database_failure(TaskNotFound(3))
    assert not is_database_failure(ValueError("bug"))


async def test_a_down_postgres_counts_for_blocks_and_pings() -> None:
    metrics = InMemoryMetrics()
    pool = await create_asyncpg_pool("postgresql://nobody@127.0.0.1:9/nothing", pool_size=1)
    try:
        with pytest.raises(StorageUnavailable):
            async with AsyncpgUnitOfWork(pool, metrics).begin():
                pass
        with pytest.raises(StorageUnavailable):
            await AsyncpgHealthProbe(pool, metrics=metrics).ping()
    finally:
        await pool.close()
    assert metrics.db_errors == 2


@pytest.fixture
async def pool(postgres_database: str) -> AsyncIterator[Any]:
    pool = await create_asyncpg_pool(postgres_database, pool_size=1)
    yield pool
    await pool.close()


@pytest.mark.postgres
async def test_the_asyncpg_pool_reports_use_and_waiters(pool: Any) -> None:
    metrics = InMemoryMetrics()
    uow = AsyncpgUnitOfWork(pool, metrics)
    inside = asyncio.Event()
    release = asyncio.Event()

    async def hold() -> None:
        async with uow.begin() as tx:
            await tx.tasks.get("alice", 1)
            inside.set()
            await release.wait()

    holder = asyncio.create_task(hold())
    await inside.wait()
    waiter = asyncio.create_task(hold())
    for _ in range(100):  # let the second block reach the gate
        if uow.waiting:
            break
        await asyncio.sleep(0)
    assert uow.pool_usage() == PoolUsage(in_use=1, idle=0, waiting=1)
    release.set()
    await asyncio.gather(holder, waiter)
    assert uow.pool_usage() == PoolUsage(in_use=0, idle=1, waiting=0)
    assert metrics.db_errors == 0


@pytest.mark.postgres
async def test_a_statement_the_database_refuses_counts_and_a_use_case_error_does_not(pool: Any) -> None:
    metrics = InMemoryMetrics()
    uow = AsyncpgUnitOfWork(pool, metrics)
    with pytest.raises(asyncpg.DataError):
        async with uow.begin() as tx:
            await tx.tasks.get("alice", 2**40)  # beyond the integer column: the driver refuses it
    with pytest.raises(TaskNotFound):
        async with uow.begin() as tx:
            raise TaskNotFound(1)
    assert metrics.db_errors == 1


async def test_sqlite_counts_library_errors_reports_its_pool_and_ignores_use_case_errors(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'todo.db'}"
    await asyncio.to_thread(migrate.upgrade, url)
    engine = sqlite_backend.create_engine(url, pool_size=3)
    metrics = InMemoryMetrics()
    uow = SqlUnitOfWork(engine, SQLITE, metrics)
    try:
        async with uow.begin() as tx:
            await tx.tasks.get("alice", 1)
            assert uow.pool_usage().in_use == 1
        with pytest.raises(sa_exc.OperationalError):
            async with uow.begin():
                raise sa_exc.OperationalError("SELECT", {}, Exception("database is locked"))
        with pytest.raises(ValueError, match="bug"):
            async with uow.begin():
                raise ValueError("bug")
        assert metrics.db_errors == 1
        assert uow.pool_usage() == PoolUsage(in_use=0, idle=1, waiting=0)
        await SqlHealthProbe(engine, metrics=metrics).ping()
        assert metrics.db_errors == 1
    finally:
        await engine.dispose()


async def test_an_unreachable_sqlite_file_counts_for_blocks_and_pings(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'a-file' / 'todo.db'}"
    sqlite_backend.prepare(url)
    engine = sqlite_backend.create_engine(url, 10)
    (tmp_path / "a-file").rmdir()
    (tmp_path / "a-file").write_text("not a directory")
    metrics = InMemoryMetrics()
    try:
        with pytest.raises(StorageUnavailable):
            async with SqlUnitOfWork(engine, SQLITE, metrics).begin():
                pass
        with pytest.raises(StorageUnavailable):
            await SqlHealthProbe(engine, metrics=metrics).ping()
    finally:
        await engine.dispose()
    assert metrics.db_errors == 2
