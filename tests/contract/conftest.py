"""The stores every repository contract test runs against.

Each test module gets one database per adapter (created and migrated once); tests keep
out of each other's way by using fresh owner ids, since every port is scoped by owner.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from adapters.persistence.asyncpg.uow import AsyncpgUnitOfWork, create_asyncpg_pool
from adapters.persistence.schema import migrate
from adapters.persistence.sqlalchemy.engine import create_engine
from adapters.persistence.sqlalchemy.uow import SqlUnitOfWork
from application.ports import UnitOfWork
from tests.fakes import InMemoryUnitOfWork
from tests.postgres import create_database

POSTGRES_ADAPTERS = [
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("asyncpg", marks=pytest.mark.postgres),
]
"""The adapters that run on PostgreSQL (for tests of its locking)."""
ADAPTERS = ["memory", "sqlite", *POSTGRES_ADAPTERS]


@dataclass
class Store:
    """One adapter under test: ``open()`` gives a unit of work on its (shared) storage."""

    kind: str
    open: Callable[[], UnitOfWork]
    url: str | None = None


async def sql_database_url(kind: str, request: pytest.FixtureRequest) -> str:
    """A fresh database of that kind migrated to head."""
    if kind == "sqlite":
        path = request.getfixturevalue("tmp_path_factory").mktemp("sqlite") / "todo.db"
        url = f"sqlite+aiosqlite:///{path}"
        await asyncio.to_thread(migrate.upgrade, url)
        return url
    return await asyncio.to_thread(create_database, request.getfixturevalue("postgres_url"))


@contextlib.asynccontextmanager
async def open_store(kind: str, request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    """The adapter ``kind`` on fresh storage, closed afterwards."""
    if kind == "memory":
        shared = InMemoryUnitOfWork()
        yield Store(kind, lambda: shared)
        return
    url = await sql_database_url(kind, request)
    if kind == "asyncpg":
        pool = await create_asyncpg_pool(url, pool_size=4)
        try:
            yield Store(kind, lambda: AsyncpgUnitOfWork(pool), url)
        finally:
            await pool.close()
        return
    engine = create_engine(url, pool_size=4)
    try:
        yield Store(kind, lambda: SqlUnitOfWork(engine), url)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module", params=ADAPTERS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    async with open_store(request.param, request) as opened:
        yield opened


@pytest.fixture
def uow(store: Store) -> UnitOfWork:
    return store.open()


@pytest.fixture
def owner() -> str:
    return f"user-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def other_owner() -> str:
    return f"other-{uuid.uuid4().hex[:10]}"
