"""The stores every repository contract test runs against.

Each test module gets one database per adapter (created and migrated once); tests keep
out of each other's way by using fresh owner ids, since every port is scoped by owner.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from adapters.persistence import migrate
from adapters.persistence.engine import create_engine
from adapters.persistence.sql_uow import SqlUnitOfWork
from application.ports import UnitOfWork
from tests.fakes import InMemoryUnitOfWork
from tests.postgres import create_database

ADAPTERS = [
    "memory",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
]


@dataclass
class Store:
    """One adapter under test: ``open()`` gives a unit of work on its (shared) storage."""

    kind: str
    open: Callable[[], UnitOfWork]


async def sql_database_url(kind: str, request: pytest.FixtureRequest) -> str:
    """A fresh database of that kind migrated to head."""
    if kind == "sqlite":
        path = request.getfixturevalue("tmp_path_factory").mktemp("sqlite") / "todo.db"
        url = f"sqlite+aiosqlite:///{path}"
        await asyncio.to_thread(migrate.upgrade, url)
        return url
    return await asyncio.to_thread(create_database, request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="module", params=ADAPTERS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    kind: str = request.param
    if kind == "memory":
        shared = InMemoryUnitOfWork()
        yield Store(kind, lambda: shared)
        return
    engine = create_engine(await sql_database_url(kind, request), pool_size=4)
    yield Store(kind, lambda: SqlUnitOfWork(engine))
    await engine.dispose()


@pytest.fixture
def uow(store: Store) -> UnitOfWork:
    return store.open()


@pytest.fixture
def owner() -> str:
    return f"user-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def other_owner() -> str:
    return f"other-{uuid.uuid4().hex[:10]}"
