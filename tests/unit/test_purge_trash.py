"""Trash retention: what has been in the trash for over 30 days goes for good."""

from __future__ import annotations

import pytest

from application.errors import TaskNotFound
from application.schemas import NewTask
from application.tasks import PurgeTrash, RestoreTask
from application.tools import TaskOperations
from application.validation import convert
from domain.tasks import TRASH_RETENTION_DAYS
from tests.fakes import FixedClock, InMemoryUnitOfWork


def new(title: str) -> NewTask:
    return convert({"title": title}, NewTask)


async def test_only_trash_older_than_the_retention_period_is_purged(
    ops: TaskOperations, uow: InMemoryUnitOfWork, clock: FixedClock, restore: RestoreTask
) -> None:
    for title in ("old", "just in time", "recent", "live"):
        await ops.add.execute("alice", new(title))
    await ops.add.execute("bob", new("bob's old"))
    await ops.delete.execute("alice", 1)
    await ops.delete.execute("bob", 1)
    clock.advance(seconds=1)
    await ops.delete.execute("alice", 2)
    clock.advance(days=TRASH_RETENTION_DAYS - 5)
    await ops.delete.execute("alice", 3)
    clock.advance(days=5)  # task 2 has been in the trash exactly 30 days; tasks 1 a second longer

    assert await PurgeTrash(uow, clock).execute() == 2

    with pytest.raises(TaskNotFound):
        await restore.execute("alice", 1)
    with pytest.raises(TaskNotFound):
        await restore.execute("bob", 1)
    assert (await restore.execute("alice", 2)).title == "just in time"
    assert (await restore.execute("alice", 3)).title == "recent"
    assert (await ops.get.execute("alice", 4)).title == "live"
    assert (await ops.add.execute("alice", new("next"))).id == 5
    assert await PurgeTrash(uow, clock).execute() == 0
