"""Small builders for contract tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from application.ports import UnitOfWork
from domain.tasks import Task

T0 = datetime(2026, 11, 24, 10, 0, 0, 123456, tzinfo=UTC)


def new_task(owner: str, title: str = "A task", **fields: Any) -> Task:
    fields.setdefault("created_at", T0)
    fields.setdefault("updated_at", fields["created_at"])
    return Task(owner_id=owner, number=0, title=title, **fields)


async def add_tasks(uow: UnitOfWork, *tasks: Task) -> list[Task]:
    """Store the tasks in one committed transaction; return them numbered."""
    async with uow.begin() as tx:
        stored = [await tx.tasks.add(task) for task in tasks]
        await tx.commit()
    return stored


async def add_titled(uow: UnitOfWork, owner: str, *titles: str) -> list[Task]:
    return await add_tasks(
        uow, *(new_task(owner, title, created_at=T0 + timedelta(seconds=i)) for i, title in enumerate(titles))
    )
