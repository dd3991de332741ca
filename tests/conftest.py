"""Fixtures shared by every test folder: a PostgreSQL server for the session and fresh
migrated databases on it (see ``tests/postgres.py``)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator

import pytest

from adapters.persistence.asyncpg.urls import async_database_url
from tests.fakes import FixedClock, InMemoryUnitOfWork
from tests.postgres import create_database, drop_databases, start_cluster


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    """In-memory storage (the contract suite overrides it with every adapter)."""
    return InMemoryUnitOfWork()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A superuser URL of a PostgreSQL server: ``TEST_DATABASE_URL`` if set, else a
    throwaway cluster started for the session (stopped and removed at its end)."""
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        url = async_database_url(external)
        yield url
        drop_databases(url)
        return
    cluster = start_cluster()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture
def postgres_database(postgres_url: str) -> str:
    """The URL of a new empty database migrated to head, for this test only."""
    return create_database(postgres_url)


@pytest.fixture(scope="module")
def postgres_module_database(postgres_url: str) -> str:
    """The URL of a new empty database migrated to head, shared by one test module."""
    return create_database(postgres_url)


@pytest.fixture
async def silent_server_port() -> AsyncIterator[int]:
    """A port on 127.0.0.1 that accepts TCP connections and never answers (for timeouts)."""

    async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    server = await asyncio.start_server(mute, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
