"""Repository contract: deleting for good what has stayed in the trash too long.

The purge spans every owner, so each test keeps to its own band of trash dates (the module
shares one database per adapter): a test's cutoff never reaches another test's leftovers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from adapters.persistence.contract.builders import T0, add_titled, new_task
from application.ports import TaskQuery, UnitOfWork

pytestmark = pytest.mark.asyncio(loop_scope="session")

PURGE_BAND = T0 - timedelta(days=400)
ROLLBACK_BAND = T0 - timedelta(days=200)


async def _trash(uow: UnitOfWork, owner: str, number: int, at: datetime) -> None:
    async with uow.begin() as tx:
        task = await tx.tasks.get(owner, number, lock=True)
        assert task is not None
        task.trash(at)
        await tx.tasks.update(task)
        await tx.commit()


async def _trashed_numbers(uow: UnitOfWork, owner: str, numbers: range) -> list[int]:
    async with uow.begin() as tx:
        return [n for n in numbers if await tx.tasks.get_trashed(owner, n) is not None]


async def _live_numbers(uow: UnitOfWork, owner: str) -> list[int]:
    async with uow.begin() as tx:
        return [view.id for view in await tx.tasks.page(TaskQuery(owner_id=owner, limit=100))]


async def test_purge_deletes_only_what_was_trashed_before_the_cutoff(
    uow: UnitOfWork, owner: str, other_owner: str
) -> None:
    await add_titled(uow, owner, "old trash", "recent trash", "at the cutoff", "live")
    await add_titled(uow, other_owner, "their old trash")
    cutoff = PURGE_BAND
    await _trash(uow, owner, 1, cutoff - timedelta(seconds=1))
    await _trash(uow, owner, 2, cutoff + timedelta(days=1))
    await _trash(uow, owner, 3, cutoff)
    await _trash(uow, other_owner, 1, cutoff - timedelta(days=3))
    async with uow.begin() as tx:
        purged = await tx.tasks.purge_trashed(cutoff)
        await tx.commit()
    assert purged == 2
    assert await _trashed_numbers(uow, owner, range(1, 5)) == [2, 3]
    assert await _trashed_numbers(uow, other_owner, range(1, 2)) == []
    assert await _live_numbers(uow, owner) == [4]
    async with uow.begin() as tx:
        purged_again = await tx.tasks.purge_trashed(cutoff)
        next_task = await tx.tasks.add(new_task(owner, "after the purge"))
        await tx.commit()
    assert purged_again == 0
    assert next_task.number == 5  # a purged task's number is never given again


async def test_a_purge_that_is_not_committed_deletes_nothing(uow: UnitOfWork, owner: str) -> None:
    await add_titled(uow, owner, "trash")
    await _trash(uow, owner, 1, ROLLBACK_BAND)
    async with uow.begin() as tx:
        assert await tx.tasks.purge_trashed(ROLLBACK_BAND + timedelta(days=1)) >= 1
    assert await _trashed_numbers(uow, owner, range(1, 2)) == [1]
