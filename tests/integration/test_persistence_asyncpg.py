"""The asyncpg adapter's plumbing: DSNs, health, failures, recovery, transaction edges."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.persistence.asyncpg.uow import (
    AsyncpgHealthProbe,
    AsyncpgUnitOfWork,
    create_asyncpg_pool,
)
from adapters.persistence.contract.builders import T0, new_task
from application.errors import Conflict, StorageUnavailable
from domain.conversations import Message, Role
from tests import storage as migrate
from tests.postgres import create_empty_database, drop_connections

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pool(postgres_database: str) -> AsyncIterator[Any]:
    pool = await create_asyncpg_pool(postgres_database, pool_size=2)
    yield pool
    await pool.close()


async def test_a_down_server_is_storage_unavailable_fast() -> None:
    pool = await create_asyncpg_pool("postgresql://nobody@127.0.0.1:9/nothing", pool_size=1)
    started = time.monotonic()
    try:
        with pytest.raises(StorageUnavailable):
            async with AsyncpgUnitOfWork(pool).begin():
                pass
        with pytest.raises(StorageUnavailable):
            await AsyncpgHealthProbe(pool).ping()
    finally:
        await pool.close()
    assert time.monotonic() - started < 6


async def test_a_silent_server_times_out_the_health_probe(silent_server_port: int) -> None:
    pool = await create_asyncpg_pool(f"postgresql://nobody@127.0.0.1:{silent_server_port}/nothing", pool_size=1)
    started = time.monotonic()
    try:
        with pytest.raises(StorageUnavailable):
            await AsyncpgHealthProbe(pool, timeout=0.3).ping()
    finally:
        pool.terminate()
    assert time.monotonic() - started < 2


async def test_health_probe_is_ready_at_head_or_a_newer_schema_never_behind(postgres_url: str) -> None:
    url = await asyncio.to_thread(create_empty_database, postgres_url)
    pool = await create_asyncpg_pool(url, pool_size=1)
    probe = AsyncpgHealthProbe(pool)
    try:
        await probe.ping()
        assert await probe.schema_is_ready() is False
        await asyncio.to_thread(migrate.upgrade, url)
        assert await probe.schema_is_ready() is True
        await asyncio.to_thread(migrate.downgrade, url, "-1")
        assert await probe.schema_is_ready() is False
        async with pool.acquire() as connection:  # a newer release migrated first (rollout)
            await connection.execute("UPDATE alembic_version SET version_num = 'from_a_newer_release'")
        assert await probe.schema_is_ready() is True
    finally:
        await pool.close()


async def _swallow_a_failure_then_commit(uow: AsyncpgUnitOfWork) -> None:
    async with uow.begin() as tx:
        await tx.tasks.add(new_task("alice", "lost"))
        with pytest.raises(Conflict):
            await tx.conversations.add_message("alice", 7, Message(Role.USER, "hi", T0))
        await tx.commit()


async def test_committing_after_a_swallowed_failure_is_a_conflict(pool: Any) -> None:
    uow = AsyncpgUnitOfWork(pool)
    with pytest.raises(Conflict):
        await _swallow_a_failure_then_commit(uow)
    async with uow.begin() as tx:
        assert await tx.tasks.get("alice", 1) is None


async def test_read_only_work_leaves_no_transaction_open(pool: Any) -> None:
    uow = AsyncpgUnitOfWork(pool)
    async with uow.begin() as tx:
        assert await tx.tasks.get("alice", 1) is None
        await tx.commit()  # nothing to commit: a no-op
    async with pool.acquire() as connection:
        assert not connection.is_in_transaction()


async def test_service_resumes_after_the_server_drops_every_connection(pool: Any, postgres_database: str) -> None:
    uow = AsyncpgUnitOfWork(pool)
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
    await AsyncpgHealthProbe(pool).ping()
