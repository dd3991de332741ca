"""Repository contract: storing, reading and updating tasks; transactions and owners."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.persistence.contract.builders import T0, add_tasks, add_titled, new_task
from application.ports import TaskQuery, UnitOfWork
from domain.recurrence import Recurrence
from domain.tasks import Priority

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _all(uow: UnitOfWork, owner: str) -> list[int]:
    async with uow.begin() as tx:
        return [view.id for view in await tx.tasks.page(TaskQuery(owner_id=owner, limit=100))]


async def test_numbers_count_from_one_per_owner(uow: UnitOfWork, owner: str, other_owner: str) -> None:
    mine = await add_titled(uow, owner, "a", "b", "c")
    theirs = await add_titled(uow, other_owner, "x")
    assert [task.number for task in mine] == [1, 2, 3]
    assert [task.number for task in theirs] == [1]


async def test_numbers_are_never_reused_after_trash_or_rollback(uow: UnitOfWork, owner: str) -> None:
    first, second = await add_titled(uow, owner, "a", "b")
    async with uow.begin() as tx:
        second.trash(T0)
        await tx.tasks.update(second)
        await tx.commit()
    async with uow.begin() as tx:
        await tx.tasks.add(new_task(owner, "rolled back"))
    (third,) = await add_titled(uow, owner, "c")
    assert first.number == 1
    assert third.number >= 3
    assert await _all(uow, owner) == [1, third.number]


async def test_every_field_round_trips_with_an_all_day_due(uow: UnitOfWork, owner: str) -> None:
    task = new_task(
        owner,
        "Buy groceries",
        description="milk\nand bread",
        priority=Priority.HIGH,
        due=date(2026, 11, 30),
        tags=("Home", "errands", "Ünïcode"),
        recurrence=Recurrence.WEEKLY,
        completed=True,
        completed_at=T0 + timedelta(minutes=5, microseconds=7),
        updated_at=T0 + timedelta(minutes=5),
    )
    (stored,) = await add_tasks(uow, task)
    assert stored == replace(task, number=1)
    async with uow.begin() as tx:
        loaded = await tx.tasks.get(owner, 1)
    assert loaded == stored
    assert loaded is not None
    assert type(loaded.due) is date
    assert loaded.tags == ("Home", "errands", "Ünïcode")


async def test_update_persists_every_field_with_an_instant_due(uow: UnitOfWork, owner: str) -> None:
    (task,) = await add_tasks(uow, new_task(owner, "Old", description="old", tags=("a", "b")))
    changed = replace(
        task,
        title="New title",
        description=None,
        priority=Priority.LOW,
        due=datetime(2026, 12, 1, 9, 30, 15, 250, tzinfo=UTC),
        tags=("b", "C", "a"),
        recurrence=Recurrence.MONTHLY,
        completed=True,
        completed_at=T0 + timedelta(hours=1),
        updated_at=T0 + timedelta(hours=1),
    )
    async with uow.begin() as tx:
        await tx.tasks.update(changed)
        await tx.commit()
    async with uow.begin() as tx:
        loaded = await tx.tasks.get(owner, task.number, lock=True)
    assert loaded == changed
    assert loaded is not None
    assert isinstance(loaded.due, datetime)
    assert loaded.due.tzinfo is not None


async def test_clearing_due_and_reopening_round_trips(uow: UnitOfWork, owner: str) -> None:
    (task,) = await add_tasks(
        uow, new_task(owner, "t", due=date(2026, 1, 1), completed=True, completed_at=T0, tags=("x",))
    )
    cleared = replace(task, due=None, completed=False, completed_at=None, tags=())
    async with uow.begin() as tx:
        await tx.tasks.update(cleared)
        await tx.commit()
    async with uow.begin() as tx:
        assert await tx.tasks.get(owner, task.number) == cleared
        assert await tx.tasks.tag_counts(owner) == []


async def test_trashed_tasks_are_hidden_and_restorable(uow: UnitOfWork, owner: str) -> None:
    kept, trashed = await add_titled(uow, owner, "kept", "trashed")
    async with uow.begin() as tx:
        trashed.trash(T0 + timedelta(days=1))
        await tx.tasks.update(trashed)
        await tx.commit()
    async with uow.begin() as tx:
        assert await tx.tasks.get(owner, trashed.number) is None
        assert await tx.tasks.get_trashed(owner, trashed.number, lock=True) == trashed
        assert await tx.tasks.get_trashed(owner, kept.number) is None
    assert await _all(uow, owner) == [kept.number]
    async with uow.begin() as tx:
        trashed.restore(T0 + timedelta(days=2))
        await tx.tasks.update(trashed)
        await tx.commit()
    assert await _all(uow, owner) == [kept.number, trashed.number]


async def test_missing_tasks_are_none(uow: UnitOfWork, owner: str) -> None:
    async with uow.begin() as tx:
        assert await tx.tasks.get(owner, 1) is None
        assert await tx.tasks.get_trashed(owner, 1) is None
        assert await tx.tasks.page(TaskQuery(owner_id=owner, limit=10)) == []
        assert await tx.tasks.tag_counts(owner) == []


async def test_leaving_without_commit_rolls_everything_back(uow: UnitOfWork, owner: str) -> None:
    (task,) = await add_titled(uow, owner, "keep me")
    async with uow.begin() as tx:
        await tx.tasks.add(new_task(owner, "lost", tags=("lost",)))
        await tx.tasks.update(replace(task, title="changed"))
        await tx.conversations.create(_conversation(owner))
    async with uow.begin() as tx:
        assert await tx.tasks.get(owner, task.number) == task
        assert await tx.tasks.tag_counts(owner) == []
        assert await tx.conversations.recent(owner, 10, None) == []
    assert await _all(uow, owner) == [task.number]


async def test_an_exception_rolls_back(uow: UnitOfWork, owner: str) -> None:
    try:
        async with uow.begin() as tx:
            await tx.tasks.add(new_task(owner, "lost"))
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert await _all(uow, owner) == []


async def test_owners_are_isolated(uow: UnitOfWork, owner: str, other_owner: str) -> None:
    await add_tasks(uow, new_task(owner, "mine", tags=("shared",)))
    await add_tasks(uow, new_task(other_owner, "theirs", tags=("shared",)))
    async with uow.begin() as tx:
        assert (await tx.tasks.get(owner, 1) or new_task("", "")).title == "mine"
        assert (await tx.tasks.get(other_owner, 1) or new_task("", "")).title == "theirs"
        assert [t.title for t in await tx.tasks.page(TaskQuery(owner_id=owner, limit=10))] == ["mine"]
        assert await tx.tasks.tag_counts(owner) == [("shared", 1)]
        assert await tx.tasks.get(f"{owner}-nobody", 1) is None


def _conversation(owner: str):  # type: ignore[no-untyped-def]
    from domain.conversations import Conversation

    return Conversation(owner_id=owner, number=0, title="chat", created_at=T0, updated_at=T0)
