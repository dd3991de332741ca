"""Repository contract under concurrency: separate transactions racing on one owner.

Only the first test runs on a database that serialises writing transactions; the others
need two writing transactions open at once (a ``storage_lock_waits`` fixture)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from adapters.persistence.contract.builders import T0, add_tasks, new_task
from adapters.persistence.contract.plugin import LockWaits
from application.errors import Conflict
from application.ports import IdempotencyRecord, UnitOfWork

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
def lock_waits(storage_lock_waits: LockWaits | None) -> LockWaits:
    if storage_lock_waits is None:
        pytest.skip("the backend serialises writing transactions (no storage_lock_waits fixture)")
    return storage_lock_waits


async def _add(uow: UnitOfWork, owner: str, title: str) -> int:
    async with uow.begin() as tx:
        task = await tx.tasks.add(new_task(owner, title))
        await tx.commit()
    return task.number


async def test_concurrent_creates_get_distinct_numbers(uow: UnitOfWork, owner: str) -> None:
    numbers = await asyncio.gather(*(_add(uow, owner, f"task {i}") for i in range(6)))
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6]


async def test_a_create_waits_for_the_other_transaction_of_its_owner(
    uow: UnitOfWork, lock_waits: LockWaits, owner: str
) -> None:
    async with uow.begin() as first:
        mine = await first.tasks.add(new_task(owner, "first"))
        second = asyncio.create_task(_add(uow, owner, "second"))
        await lock_waits()
        await first.commit()
    assert (mine.number, await second) == (1, 2)


async def test_a_second_first_use_of_an_idempotency_key_waits_or_conflicts(
    uow: UnitOfWork, lock_waits: LockWaits, owner: str
) -> None:
    """Two requests use one key for the first time at once. The later one either waits at
    its ``find`` and then sees the first one's record, or finds none and its ``save`` (at
    latest its commit) raises ``Conflict``: never two records, never two tasks."""
    record = IdempotencyRecord(owner, "same-key", "fp", b"first", T0)

    async def racer() -> IdempotencyRecord | None:
        async with uow.begin() as tx:
            found = await tx.idempotency.find(owner, "same-key")
            if found is not None:
                return found
            await tx.tasks.add(new_task(owner, "racer"))
            await tx.idempotency.save(IdempotencyRecord(owner, "same-key", "fp", b"second", T0))
            await tx.commit()
        return None

    async with uow.begin() as winner:
        assert await winner.idempotency.find(owner, "same-key") is None
        await winner.tasks.add(new_task(owner, "winner"))
        await winner.idempotency.save(record)
        loser = asyncio.create_task(racer())
        await lock_waits()
        await winner.commit()
    # It waited, then found the first answer; or it found none, and its save clashed.
    with contextlib.suppress(Conflict):
        assert await loser == record
    async with uow.begin() as tx:
        assert await tx.idempotency.find(owner, "same-key") == record
        assert await tx.tasks.get(owner, 2) is None


async def test_a_request_finding_a_locked_record_sees_the_replacement(
    uow: UnitOfWork, lock_waits: LockWaits, owner: str
) -> None:
    old = IdempotencyRecord(owner, "k", "old", b"old", T0)
    new = IdempotencyRecord(owner, "k", "new", b"new", T0)
    async with uow.begin() as tx:
        await tx.idempotency.save(old)
        await tx.commit()

    async def reader() -> IdempotencyRecord | None:
        async with uow.begin() as tx:
            return await tx.idempotency.find(owner, "k")

    async with uow.begin() as tx:
        assert await tx.idempotency.find(owner, "k") == old
        waiting = asyncio.create_task(reader())
        await lock_waits()
        await tx.idempotency.save(new)
        await tx.commit()
    assert await waiting == new


async def test_an_update_after_an_unlocked_read_keeps_tags_consistent(
    uow: UnitOfWork, lock_waits: LockWaits, owner: str
) -> None:
    await add_tasks(uow, new_task(owner, "t", tags=("old",)))
    async with uow.begin() as first:
        stale = await first.tasks.get(owner, 1)
        assert stale is not None
        async with uow.begin() as second:
            fresh = await second.tasks.get(owner, 1, lock=True)
            assert fresh is not None
            fresh.retag(["new"], T0)
            await second.tasks.update(fresh)
            await second.commit()
        stale.rename("renamed", T0)
        await first.tasks.update(stale)  # last writer wins, tags included
        await first.commit()
    async with uow.begin() as tx:
        stored = await tx.tasks.get(owner, 1)
        assert stored is not None
        assert (stored.title, stored.tags) == ("renamed", ("old",))
        assert await tx.tasks.tag_counts(owner) == [("old", 1)]
