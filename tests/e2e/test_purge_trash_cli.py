"""``todo-chatbot purge-trash`` as a cron job runs it: a real process on a real database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.tasks import Task
from tests import storage as migrate
from tests.e2e.test_cli import cli

pytestmark = pytest.mark.e2e


async def _store(url: str, trashed_days_ago: list[int | None]) -> None:
    now = datetime.now(UTC)
    async with migrate.opened(url, pool_size=1) as storage, storage.unit_of_work.begin() as tx:
        for index, days in enumerate(trashed_days_ago):
            task = Task(owner_id="alice", number=0, title=f"task {index}", created_at=now, updated_at=now)
            if days is not None:
                task.trash(now - timedelta(days=days))
            await tx.tasks.add(task)
        await tx.commit()


async def _numbers_left(url: str) -> tuple[list[int], list[int]]:
    async with migrate.opened(url, pool_size=1) as storage, storage.unit_of_work.begin() as tx:
        trashed = [n for n in range(1, 5) if await tx.tasks.get_trashed("alice", n)]
        live = [n for n in range(1, 5) if await tx.tasks.get("alice", n)]
    return trashed, live


def test_purge_trash_deletes_what_was_trashed_over_30_days_ago(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'todo.db'}"
    migrate.upgrade(url)
    asyncio.run(_store(url, [31, 29, None, 45]))

    result = cli(tmp_path, "purge-trash")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "deleted 2 task(s) that had been in the trash for over 30 days"
    assert asyncio.run(_numbers_left(url)) == ([2], [3])
