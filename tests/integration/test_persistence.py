"""The storage backends' plumbing: engine settings, error translation, health, recovery."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.persistence.asyncpg import errors as asyncpg_errors
from adapters.persistence.asyncpg.urls import async_database_url
from adapters.persistence.contract.builders import T0, new_task
from adapters.persistence.sqlalchemy.engine import translate
from adapters.persistence.sqlalchemy.sqlite import async_sqlite_url
from adapters.persistence.sqlalchemy.sqlite import backend as sqlite_backend
from application.errors import Conflict, StorageUnavailable
from domain.conversations import Message, Role
from tests import storage as migrate
from tests.postgres import create_empty_database, drop_connections

CLOSED_PORT_URL = "postgresql+asyncpg://nobody@127.0.0.1:9/nothing"


async def test_sqlite_engine_creates_its_directory_and_enables_wal_and_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a' / 'b' / 'todo.db'}"
    sqlite_backend.prepare(url)
    engine = sqlite_backend.create_engine(url, pool_size=2)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
    finally:
        await engine.dispose()
    assert (tmp_path / "a" / "b" / "todo.db").is_file()


def test_plain_urls_get_async_drivers() -> None:
    assert async_database_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_database_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_sqlite_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert async_sqlite_url("sqlite+aiosqlite:///x.db") == "sqlite+aiosqlite:///x.db"


def test_library_errors_translate_to_core_errors() -> None:
    integrity = sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key"))
    assert isinstance(translate(integrity), Conflict)
    assert isinstance(translate(ConnectionRefusedError()), StorageUnavailable)
    assert isinstance(translate(TimeoutError()), StorageUnavailable)
    assert isinstance(translate(sa_exc.OperationalError("SELECT", {}, Exception("gone"))), StorageUnavailable)
    assert isinstance(asyncpg_errors.translate(asyncpg.CannotConnectNowError("starting up")), StorageUnavailable)
    assert isinstance(asyncpg_errors.translate(asyncpg.UniqueViolationError("duplicate")), Conflict)
    assert isinstance(asyncpg_errors.translate(integrity), Conflict)
    assert asyncpg_errors.translate(ValueError("ours")) is None
    invalidated = sa_exc.DBAPIError("SELECT", {}, Exception("closed"), connection_invalidated=True)
    assert isinstance(translate(invalidated), StorageUnavailable)
    assert translate(ValueError("ours")) is None
    assert translate(sa_exc.ProgrammingError("SELECT", {}, Exception("syntax"))) is None


async def test_a_down_postgres_is_storage_unavailable_fast() -> None:
    started = time.monotonic()
    async with migrate.opened(CLOSED_PORT_URL, pool_size=1) as storage:
        with pytest.raises(StorageUnavailable):
            async with storage.unit_of_work.begin():
                pass
        with pytest.raises(StorageUnavailable):
            await storage.health.ping()
        with pytest.raises(StorageUnavailable):
            await storage.health.schema_is_ready()
    assert time.monotonic() - started < 6


async def _execute(url: str, statement: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'todo.db'}"
    else:
        yield await asyncio.to_thread(create_empty_database, request.getfixturevalue("postgres_url"))


async def test_health_probe_is_ready_at_head_or_a_newer_schema_never_behind(empty_url: str) -> None:
    async with migrate.opened(empty_url) as storage:
        probe = storage.health
        await probe.ping()
        assert await probe.schema_is_ready() is False
        await asyncio.to_thread(migrate.upgrade, empty_url)
        assert await probe.schema_is_ready() is True
        await asyncio.to_thread(migrate.downgrade, empty_url, "-1")
        assert await probe.schema_is_ready() is False  # behind this release
        # A newer release migrated first (rollout).
        await _execute(empty_url, "UPDATE alembic_version SET version_num = 'from_a_newer_release'")
        assert await probe.schema_is_ready() is True


async def test_foreign_key_violations_are_conflicts(empty_url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, empty_url)
    async with migrate.opened(empty_url) as storage:
        uow = storage.unit_of_work
        with pytest.raises(Conflict):
            async with uow.begin() as tx:
                await tx.conversations.add_message("nobody", 1, Message(Role.USER, "hi", T0))
        async with uow.begin() as tx:  # the failed transaction left nothing behind
            assert await tx.conversations.messages("nobody", 1, 10, None) == []


@pytest.mark.postgres
async def test_service_resumes_after_the_server_drops_every_connection(postgres_database: str) -> None:
    async with migrate.opened(postgres_database) as storage:
        uow = storage.unit_of_work
        async with uow.begin() as tx:
            await tx.tasks.add(new_task("alice", "before"))
            await tx.commit()
        assert await drop_connections(postgres_database) >= 1
        outcomes = []
        for _ in range(3):
            try:
                async with uow.begin() as tx:
                    outcomes.append((await tx.tasks.get("alice", 1) or new_task("", "")).title)
            except StorageUnavailable:
                outcomes.append("unavailable")
        assert outcomes[-1] == "before", outcomes
        assert outcomes.count("unavailable") <= 1, outcomes
