"""Repository contract under concurrency: separate transactions racing on one owner."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from application.errors import Conflict
from application.ports import IdempotencyRecord, UnitOfWork
from tests.contract.builders import T0, add_tasks, new_task
from tests.contract.conftest import POSTGRES_ADAPTERS, Store, open_store


@pytest.fixture(scope="module", params=["sqlite", *POSTGRES_ADAPTERS])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    async with open_store(request.param, request) as opened:
        yield opened


@pytest.fixture(scope="module", params=POSTGRES_ADAPTERS)
async def postgres_store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    async with open_store(request.param, request) as opened:
        yield opened


@pytest.fixture
def pg_uow(postgres_store: Store) -> UnitOfWork:
    return postgres_store.open()


async def _add(uow: UnitOfWork, owner: str, title: str) -> int:
    async with uow.begin() as tx:
        task = await tx.tasks.add(new_task(owner, title))
        await tx.commit()
    return task.number


async def test_concurrent_creates_get_distinct_numbers(uow: UnitOfWork, owner: str) -> None:
    numbers = await asyncio.gather(*(_add(uow, owner, f"task {i}") for i in range(6)))
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6]


async def _wait_for_a_lock_wait(url: str) -> None:
    """Poll until some session of that database waits on a lock (deadline 10 s)."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            waiting = await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if waiting:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("no session ever waited on a lock")
    finally:
        await connection.close()


async def test_a_create_waits_for_the_other_transaction_of_its_owner(
    postgres_store: Store, pg_uow: UnitOfWork, owner: str
) -> None:
    assert postgres_store.url is not None
    async with pg_uow.begin() as first:
        mine = await first.tasks.add(new_task(owner, "first"))
        second = asyncio.create_task(_add(pg_uow, owner, "second"))
        await _wait_for_a_lock_wait(postgres_store.url)
        await first.commit()
    assert (mine.number, await second) == (1, 2)


async def test_a_second_first_use_of_an_idempotency_key_conflicts(
    postgres_store: Store, pg_uow: UnitOfWork, owner: str
) -> None:
    assert postgres_store.url is not None
    record = IdempotencyRecord(owner, "same-key", "fp", b"first", T0)

    async def racer() -> None:
        async with pg_uow.begin() as tx:
            assert await tx.idempotency.find(owner, "same-key") is None
            found.set()
            await tx.tasks.add(new_task(owner, "racer"))
            await tx.idempotency.save(IdempotencyRecord(owner, "same-key", "fp", b"second", T0))
            await tx.commit()

    found = asyncio.Event()
    async with pg_uow.begin() as winner:
        assert await winner.idempotency.find(owner, "same-key") is None
        await winner.tasks.add(new_task(owner, "winner"))
        await winner.idempotency.save(record)
        loser = asyncio.create_task(racer())
        await found.wait()
        await _wait_for_a_lock_wait(postgres_store.url)
        await winner.commit()
    with pytest.raises(Conflict):
        await loser
    async with pg_uow.begin() as tx:
        assert await tx.idempotency.find(owner, "same-key") == record
        assert await tx.tasks.get(owner, 2) is None


async def test_a_request_finding_a_locked_record_sees_the_replacement(
    postgres_store: Store, pg_uow: UnitOfWork, owner: str
) -> None:
    assert postgres_store.url is not None
    old = IdempotencyRecord(owner, "k", "old", b"old", T0)
    new = IdempotencyRecord(owner, "k", "new", b"new", T0)
    async with pg_uow.begin() as tx:
        await tx.idempotency.save(old)
        await tx.commit()

    async def reader() -> IdempotencyRecord | None:
        async with pg_uow.begin() as tx:
            return await tx.idempotency.find(owner, "k")

    async with pg_uow.begin() as tx:
        assert await tx.idempotency.find(owner, "k") == old
        waiting = asyncio.create_task(reader())
        await _wait_for_a_lock_wait(postgres_store.url)
        await tx.idempotency.save(new)
        await tx.commit()
    assert await waiting == new


async def test_an_update_after_an_unlocked_read_keeps_tags_consistent(pg_uow: UnitOfWork, owner: str) -> None:
    await add_tasks(pg_uow, new_task(owner, "t", tags=("old",)))
    async with pg_uow.begin() as first:
        stale = await first.tasks.get(owner, 1)
        assert stale is not None
        async with pg_uow.begin() as second:
            fresh = await second.tasks.get(owner, 1, lock=True)
            assert fresh is not None
            fresh.retag(["new"], T0)
            await second.tasks.update(fresh)
            await second.commit()
        stale.rename("renamed", T0)
        await first.tasks.update(stale)  # last writer wins, tags included
        await first.commit()
    async with pg_uow.begin() as tx:
        stored = await tx.tasks.get(owner, 1)
        assert stored is not None
        assert (stored.title, stored.tags) == ("renamed", ("old",))
        assert await tx.tasks.tag_counts(owner) == [("old", 1)]
