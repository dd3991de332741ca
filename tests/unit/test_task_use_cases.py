from __future__ import annotations

from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from application.errors import Conflict, TaskNotFound, ValidationError
from application.schemas import NewTask, TaskChanges, TaskFilter, TaskPage
from application.tasks import ListTags, RestoreTask
from application.tools import TaskOperations
from application.validation import convert
from tests.fakes import FixedClock, InMemoryUnitOfWork


def new(title: str, **fields: Any) -> NewTask:
    return convert({"title": title, **fields}, NewTask)


def flt(**fields: Any) -> TaskFilter:
    return convert(fields, TaskFilter)


async def ids(ops: TaskOperations, owner: str = "u", zone: Any = UTC, **fields: Any) -> list[int]:
    page: TaskPage = await ops.list.execute(owner, flt(**fields), zone)
    return [t.id for t in page.items]


async def test_numbers_are_per_owner_and_never_reused(ops: TaskOperations) -> None:
    first = await ops.add.execute("alice", new("a"))
    await ops.add.execute("bob", new("b"))
    await ops.delete.execute("alice", first.id)
    again = await ops.add.execute("alice", new("c"))
    assert (first.id, again.id) == (1, 2)
    assert (await ops.get.execute("bob", 1)).title == "b"
    with pytest.raises(TaskNotFound):
        await ops.get.execute("bob", 2)


async def test_idempotency_key_replays_first_answer_and_rejects_other_body(
    ops: TaskOperations, clock: FixedClock, uow: InMemoryUnitOfWork
) -> None:
    first = await ops.add.execute("u", new("Pay rent"), "key-1")
    clock.advance(hours=1)
    replay = await ops.add.execute("u", new("Pay rent"), "key-1")
    assert replay == first
    assert await ids(ops) == [1]
    with pytest.raises(Conflict):
        await ops.add.execute("u", new("Something else"), "key-1")
    clock.advance(hours=24)
    assert (await ops.add.execute("u", new("Pay rent"), "key-1")).id == 2, "the key expires after 24 h"
    assert (await ops.add.execute("other", new("Pay rent"), "key-1")).id == 1, "keys are per user"


async def test_update_changes_only_given_fields_and_rejects_empty(ops: TaskOperations) -> None:
    await ops.add.execute("u", new("t", description="d", due="2026-12-01", tags=["x"]))
    changed = await ops.update.execute("u", 1, convert({"due": None, "tags": []}, TaskChanges), UTC)
    assert (changed.due, changed.tags, changed.description, changed.title) == (None, [], "d", "t")
    with pytest.raises(ValidationError) as caught:
        await ops.update.execute("u", 1, TaskChanges(), UTC)
    assert caught.value.errors[0].field == "body"
    with pytest.raises(ValidationError) as bad_due:
        await ops.update.execute("u", 1, convert({"due": "soon"}, TaskChanges), UTC)
    assert bad_due.value.errors[0].field == "due"


async def test_update_completed_true_completes_and_false_reopens(ops: TaskOperations) -> None:
    await ops.add.execute("u", new("t"))
    done = await ops.update.execute("u", 1, convert({"completed": True}, TaskChanges), UTC)
    assert done.completed and done.completed_at is not None
    reopened = await ops.update.execute("u", 1, convert({"completed": False}, TaskChanges), UTC)
    assert not reopened.completed and reopened.completed_at is None


async def test_failed_update_writes_nothing(ops: TaskOperations) -> None:
    await ops.add.execute("u", new("keep me"))
    with pytest.raises(ValidationError):
        await ops.update.execute("u", 1, convert({"priority": "high", "title": "  "}, TaskChanges), UTC)
    task = await ops.get.execute("u", 1)
    assert (task.title, task.priority) == ("keep me", "medium")


async def test_toggle_complete_and_recurring(ops: TaskOperations) -> None:
    await ops.add.execute("u", new("once"))
    await ops.add.execute("u", new("vitamins", recurrence="monthly", due="2026-01-31"))
    assert (await ops.toggle.execute("u", 1, UTC)).completed
    assert not (await ops.toggle.execute("u", 1, UTC)).completed
    advanced = await ops.complete.execute("u", 2, UTC)
    assert (advanced.completed, advanced.due) == (False, "2026-02-28")
    assert (await ops.complete.execute("u", 1, UTC)).completed
    assert (await ops.complete.execute("u", 1, UTC)).completed, "already done is not an error"


async def test_trash_hides_and_restore_brings_back(ops: TaskOperations, restore: RestoreTask) -> None:
    await ops.add.execute("u", new("t"))
    await ops.delete.execute("u", 1)
    assert await ids(ops) == []
    with pytest.raises(TaskNotFound):
        await ops.delete.execute("u", 1)
    with pytest.raises(TaskNotFound):
        await ops.toggle.execute("u", 1, UTC)
    assert (await restore.execute("u", 1)).title == "t"
    with pytest.raises(TaskNotFound):
        await restore.execute("u", 1)
    assert await ids(ops) == [1]


async def seed(ops: TaskOperations) -> None:
    await ops.add.execute("u", new("Buy groceries", tags=["home"]))
    await ops.add.execute("u", new("Call mom", priority="high", due="2026-11-23"))
    await ops.add.execute("u", new("Finish report", description="Quarterly NUMBERS", due="2026-11-24T09:00:00Z"))
    await ops.add.execute("u", new("Team meeting", tags=["Work", "home"], due="2026-11-24", priority="low"))
    await ops.toggle.execute("u", 3, UTC)


async def test_filters(ops: TaskOperations) -> None:
    await seed(ops)
    assert await ids(ops) == [1, 2, 3, 4]
    assert await ids(ops, status="pending") == [1, 2, 4]
    assert await ids(ops, status="completed") == [3]
    assert await ids(ops, priority="high") == [2]
    assert await ids(ops, tag="HOME") == [1, 4]
    assert await ids(ops, q="numbers") == [3]
    assert await ids(ops, q="CALL") == [2]
    assert await ids(ops, due_before="2026-11-24") == [2, 3]
    assert await ids(ops, due_after="2026-11-23") == [3, 4]
    assert await ids(ops, overdue=True) == [2], "now is 2026-11-24 10:00 UTC; task 3 is done"


async def test_overdue_depends_on_the_zone(ops: TaskOperations) -> None:
    await seed(ops)
    tokyo = ZoneInfo("Asia/Tokyo")  # 19:00 on the 24th there: the 24th is not over yet
    assert await ids(ops, zone=tokyo, overdue=True) == [2]
    honolulu = ZoneInfo("Pacific/Honolulu")  # 00:00 on the 24th there: the 23rd just ended
    assert await ids(ops, zone=honolulu, overdue=True) == [2]
    assert await ids(ops, zone=ZoneInfo("Pacific/Kiritimati"), due_before="2026-11-25") == [2, 3, 4]


async def test_sorts_and_pages_cover_everything_once(ops: TaskOperations) -> None:
    await seed(ops)
    assert await ids(ops, sort="due") == [2, 3, 4, 1]
    assert await ids(ops, sort="due", order="desc") == [1, 4, 3, 2]
    assert await ids(ops, sort="priority", order="desc") == [2, 3, 1, 4], "ties follow the order too"
    assert await ids(ops, sort="title") == [1, 2, 3, 4]
    for sort in ["created_at", "due", "priority", "title"]:
        for order in ["asc", "desc"]:
            seen: list[int] = []
            cursor = None
            while True:
                page = await ops.list.execute("u", flt(sort=sort, order=order, limit=1, cursor=cursor), UTC)
                seen += [t.id for t in page.items]
                cursor = page.next_cursor
                if cursor is None:
                    break
            assert seen == await ids(ops, sort=sort, order=order)
            assert sorted(seen) == [1, 2, 3, 4]


async def test_keyset_page_is_stable_under_inserts(ops: TaskOperations) -> None:
    await seed(ops)
    page = await ops.list.execute("u", flt(limit=2), UTC)
    await ops.add.execute("u", new("inserted meanwhile"))
    rest = await ops.list.execute("u", flt(limit=10, cursor=page.next_cursor), UTC)
    assert [t.id for t in rest.items] == [3, 4, 5]


async def test_bad_cursor_is_a_validation_error(ops: TaskOperations) -> None:
    await seed(ops)
    page = await ops.list.execute("u", flt(limit=1), UTC)
    for bad, prefix in [("garbage!", "query"), (page.next_cursor, "query")]:
        with pytest.raises(ValidationError) as caught:
            await ops.list.execute("u", flt(cursor=bad, sort="title"), UTC, field_prefix=prefix)
        assert caught.value.errors[0].field == "query.cursor"


async def test_tags_are_counted_over_live_tasks(ops: TaskOperations, list_tags: ListTags) -> None:
    await seed(ops)
    await ops.delete.execute("u", 1)
    tags = await list_tags.execute("u")
    assert [(t.name, t.count) for t in tags.items] == [("home", 1), ("Work", 1)]
