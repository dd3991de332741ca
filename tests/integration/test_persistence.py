"""The SQL adapters' plumbing: engine settings, error translation, health, recovery."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from adapters.persistence.asyncpg.urls import async_database_url
from adapters.persistence.schema import migrate
from adapters.persistence.sqlalchemy.engine import create_engine, translate
from adapters.persistence.sqlalchemy.health import SqlHealthProbe
from adapters.persistence.sqlalchemy.uow import SqlUnitOfWork
from application.errors import Conflict, StorageUnavailable
from domain.conversations import Message, Role
from tests.contract.builders import T0, new_task
from tests.postgres import create_empty_database, drop_connections

CLOSED_PORT_URL = "postgresql+asyncpg://nobody@127.0.0.1:9/nothing"


async def test_sqlite_engine_creates_its_directory_and_enables_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'a' / 'b' / 'todo.db'}", pool_size=2)
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
    assert async_database_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert async_database_url("sqlite+aiosqlite:///x.db") == "sqlite+aiosqlite:///x.db"


def test_library_errors_translate_to_core_errors() -> None:
    integrity = sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key"))
    assert isinstance(translate(integrity), Conflict)
    assert isinstance(translate(ConnectionRefusedError()), StorageUnavailable)
    assert isinstance(translate(TimeoutError()), StorageUnavailable)
    assert isinstance(translate(sa_exc.OperationalError("SELECT", {}, Exception("gone"))), StorageUnavailable)
    assert isinstance(translate(asyncpg.CannotConnectNowError("starting up")), StorageUnavailable)
    assert isinstance(translate(asyncpg.UniqueViolationError("duplicate")), Conflict)
    invalidated = sa_exc.DBAPIError("SELECT", {}, Exception("closed"), connection_invalidated=True)
    assert isinstance(translate(invalidated), StorageUnavailable)
    assert translate(ValueError("ours")) is None
    assert translate(sa_exc.ProgrammingError("SELECT", {}, Exception("syntax"))) is None


async def test_a_down_postgres_is_storage_unavailable_fast() -> None:
    engine = create_engine(CLOSED_PORT_URL, pool_size=1)
    started = time.monotonic()
    try:
        with pytest.raises(StorageUnavailable):
            async with SqlUnitOfWork(engine).begin():
                pass
        with pytest.raises(StorageUnavailable):
            await SqlHealthProbe(engine).ping()
        with pytest.raises(StorageUnavailable):
            await SqlHealthProbe(engine).schema_is_ready()
    finally:
        await engine.dispose()
    assert time.monotonic() - started < 6


async def test_a_silent_server_times_out_the_health_probe(silent_server_port: int) -> None:
    engine = create_engine(f"postgresql+asyncpg://nobody@127.0.0.1:{silent_server_port}/nothing", pool_size=1)
    started = time.monotonic()
    try:
        with pytest.raises(StorageUnavailable):
            await SqlHealthProbe(engine, timeout=0.3).ping()
    finally:
        await engine.dispose()
    assert time.monotonic() - started < 2


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'todo.db'}"
    else:
        yield await asyncio.to_thread(create_empty_database, request.getfixturevalue("postgres_url"))


async def test_health_probe_is_ready_at_head_or_a_newer_schema_never_behind(empty_url: str) -> None:
    engine = create_engine(empty_url, pool_size=2)
    probe = SqlHealthProbe(engine)
    try:
        await probe.ping()
        assert await probe.schema_is_ready() is False
        await asyncio.to_thread(migrate.upgrade, empty_url)
        assert await probe.schema_is_ready() is True
        await asyncio.to_thread(migrate.downgrade, empty_url, "-1")
        assert await probe.schema_is_ready() is False  # behind this release
        async with engine.begin() as connection:  # a newer release migrated first (rollout)
            await connection.execute(text("UPDATE alembic_version SET version_num = 'from_a_newer_release'"))
        assert await probe.schema_is_ready() is True
    finally:
        await engine.dispose()


async def test_foreign_key_violations_are_conflicts(empty_url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, empty_url)
    engine = create_engine(empty_url, pool_size=2)
    try:
        with pytest.raises(Conflict):
            async with SqlUnitOfWork(engine).begin() as tx:
                await tx.conversations.add_message("nobody", 1, Message(Role.USER, "hi", T0))
        async with SqlUnitOfWork(engine).begin() as tx:  # the failed transaction left nothing behind
            assert await tx.conversations.messages("nobody", 1, 10, None) == []
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_service_resumes_after_the_server_drops_every_connection(postgres_database: str) -> None:
    engine = create_engine(postgres_database, pool_size=2)
    uow = SqlUnitOfWork(engine)
    try:
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
    finally:
        await engine.dispose()
