"""Repository contract: filters, orders, keyset pages, time zones and tag counts."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from adapters.persistence.contract.builders import T0, add_tasks, new_task
from application.due_keys import bound_key, effective_due_key, utc_due_key
from application.ports import SortKey, TaskQuery, TaskSort, TaskStatus, UnitOfWork
from application.schemas import TaskView
from application.task_list import sort_key, view_sort_key
from domain.tasks import Priority, Task

pytestmark = pytest.mark.asyncio(loop_scope="session")

DAY = date(2026, 12, 1)
# An instant exactly at the end of DAY in UTC ties with the all-day DAY at offset 0.
END_OF_DAY = datetime(2026, 12, 1, 23, 59, 59, tzinfo=UTC)


def _sample(owner: str) -> list[Task]:
    """Ties on every key, tasks without due, mixed all-day and instant dues, odd titles."""
    rows: list[dict[str, Any]] = [
        {"title": "banana", "priority": Priority.HIGH, "due": DAY, "tags": ("Home", "work")},
        {"title": "Apple", "priority": Priority.LOW, "due": END_OF_DAY, "tags": ("home",)},
        {"title": "apple", "priority": Priority.HIGH, "due": None, "completed": True, "completed_at": T0},
        {"title": "Éclair", "priority": Priority.MEDIUM, "due": datetime(2026, 11, 30, 8, 0, tzinfo=UTC)},
        {"title": "zebra 100%", "priority": Priority.MEDIUM, "due": DAY, "description": "Under_score note"},
        {"title": "a_b", "priority": Priority.LOW, "due": None, "tags": ("Work",)},
        {"title": "Banana", "priority": Priority.HIGH, "due": date(2026, 11, 30), "completed": True},
        {"title": "ß straße", "priority": Priority.MEDIUM, "due": datetime(2026, 12, 2, 1, 0, tzinfo=UTC)},
        {"title": "[x] 10", "priority": Priority.LOW, "due": date(2026, 12, 2), "description": "STRASSE plan"},
    ]
    return [new_task(owner, created_at=T0 + timedelta(seconds=i), **fields) for i, fields in enumerate(rows)]


async def _stored(uow: UnitOfWork, owner: str) -> list[Task]:
    tasks = await add_tasks(uow, *_sample(owner))
    trashed = new_task(owner, "trashed apple", due=DAY, tags=("home",), deleted_at=T0)
    await add_tasks(uow, trashed)
    return tasks


async def _page(uow: UnitOfWork, query: TaskQuery) -> list[TaskView]:
    async with uow.begin() as tx:
        return await tx.tasks.page(query)


async def _numbers(uow: UnitOfWork, owner: str, **fields: Any) -> list[int]:
    return [view.id for view in await _page(uow, TaskQuery(owner_id=owner, limit=100, **fields))]


def _expected(tasks: list[Task], sort: TaskSort, descending: bool, offset: int) -> list[int]:
    def position(task: Task) -> tuple[SortKey, int]:
        key = sort_key(task, sort, offset)
        return (0 if key is None else key, task.number)

    return [task.number for task in sorted(tasks, key=position, reverse=descending)]


async def _walk(uow: UnitOfWork, query: TaskQuery) -> list[int]:
    """Every page of ``query`` in turn, each starting after the last task of the previous."""
    seen: list[int] = []
    for _ in range(100):  # the samples hold a dozen tasks: a walk that goes on is a bug
        page = await _page(uow, query)
        assert len(page) <= query.limit
        seen += [view.id for view in page]
        if len(page) < query.limit:
            return seen
        last = page[-1]
        query = dataclasses.replace(query, after=(view_sort_key(last, query.sort, query.zone_offset), last.id))
    raise AssertionError(f"more than 100 pages; seen so far: {seen[:40]}")


@pytest.mark.parametrize("sort", list(TaskSort))
@pytest.mark.parametrize("descending", [False, True])
async def test_each_order_pages_through_everything_once(
    uow: UnitOfWork, owner: str, sort: TaskSort, descending: bool
) -> None:
    tasks = await _stored(uow, owner)
    for offset in (0, 5 * 3600, -8 * 3600):
        expected = _expected(tasks, sort, descending, offset)
        query = TaskQuery(owner_id=owner, limit=100, sort=sort, descending=descending, zone_offset=offset)
        assert [t.id for t in await _page(uow, query)] == expected
        for limit in (1, 2, 4):
            assert await _walk(uow, dataclasses.replace(query, limit=limit)) == expected


async def test_created_at_order_is_by_number(uow: UnitOfWork, owner: str) -> None:
    tasks = await _stored(uow, owner)
    assert await _numbers(uow, owner) == [task.number for task in tasks]
    assert await _numbers(uow, owner, descending=True) == [task.number for task in reversed(tasks)]


async def test_title_order_is_by_the_code_points_of_the_case_folded_title(uow: UnitOfWork, owner: str) -> None:
    """Whatever the database's collation: "ß straße" folds to "ss strasse" (before "zebra"),
    "Éclair" to "éclair" (after every ASCII letter); ties go by number."""
    await _stored(uow, owner)
    titles = [t.title for t in await _page(uow, TaskQuery(owner_id=owner, limit=100, sort=TaskSort.TITLE))]
    assert titles == ["[x] 10", "a_b", "Apple", "apple", "banana", "Banana", "ß straße", "zebra 100%", "Éclair"]


async def test_due_order_puts_tasks_without_due_last(uow: UnitOfWork, owner: str) -> None:
    await _stored(uow, owner)
    page = await _page(uow, TaskQuery(owner_id=owner, limit=100, sort=TaskSort.DUE))
    assert [t.due is None for t in page][-2:] == [True, True]
    assert all(t.due is not None for t in page[:-2])


@pytest.mark.parametrize("descending", [False, True])
async def test_due_order_with_filters_pages_through_the_matches_once(
    uow: UnitOfWork, owner: str, descending: bool
) -> None:
    tasks = await _stored(uow, owner)
    pending = [t for t in tasks if not t.completed]
    tagged = [t for t in tasks if "home" in {tag.casefold() for tag in t.tags}]
    after_day = [t for t in tasks if t.due is not None and effective_due_key(t.due, 0) > utc_due_key(DAY) - 86400]
    cases = (
        (pending, {"status": TaskStatus.PENDING}),
        (tagged, {"tag": "HOME"}),
        (after_day, {"due_after": utc_due_key(DAY) - 86400}),
    )
    for matches, fields in cases:
        expected = _expected(matches, TaskSort.DUE, descending, 0)
        assert expected, fields
        for limit in (1, 3):
            query = TaskQuery(owner_id=owner, limit=limit, sort=TaskSort.DUE, descending=descending, **fields)
            assert await _walk(uow, query) == expected, (fields, limit)


async def test_zone_offset_moves_only_all_day_dues(uow: UnitOfWork, owner: str) -> None:
    all_day, instant = await add_tasks(
        uow,
        new_task(owner, "all day", due=DAY),
        new_task(owner, "instant", due=END_OF_DAY - timedelta(hours=2)),
    )
    # In UTC the all-day task (23:59:59) comes after the instant (21:59:59) ...
    assert await _numbers(uow, owner, sort=TaskSort.DUE) == [instant.number, all_day.number]
    # ... three hours east, the day ends at 20:59:59 UTC: before it.
    assert await _numbers(uow, owner, sort=TaskSort.DUE, zone_offset=3 * 3600) == [all_day.number, instant.number]
    bound = effective_due_key(END_OF_DAY - timedelta(hours=1), 0)
    assert await _numbers(uow, owner, due_before=bound, zone_offset=3 * 3600) == [all_day.number, instant.number]
    assert await _numbers(uow, owner, due_before=bound) == [instant.number]
    assert await _numbers(uow, owner, due_after=bound, zone_offset=-3600) == [all_day.number]


async def test_status_and_priority_filters(uow: UnitOfWork, owner: str) -> None:
    tasks = await _stored(uow, owner)
    done = [t.number for t in tasks if t.completed]
    assert await _numbers(uow, owner, status=TaskStatus.COMPLETED) == done
    assert await _numbers(uow, owner, status=TaskStatus.PENDING) == [t.number for t in tasks if not t.completed]
    assert await _numbers(uow, owner, status=TaskStatus.ALL) == [t.number for t in tasks]
    for priority in Priority:
        assert await _numbers(uow, owner, priority=priority) == [t.number for t in tasks if t.priority is priority]
    assert await _numbers(uow, owner, priority=Priority.HIGH, status=TaskStatus.PENDING) == [1]


async def test_tag_filter_ignores_case_and_the_trash(uow: UnitOfWork, owner: str) -> None:
    await _stored(uow, owner)
    assert await _numbers(uow, owner, tag="HOME") == [1, 2]
    assert await _numbers(uow, owner, tag="work") == [1, 6]
    assert await _numbers(uow, owner, tag="hom") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("APPLE", [2, 3]),
        ("under_score", [5]),
        ("a_b", [6]),
        ("_", [5, 6]),
        ("100%", [5]),
        ("%", [5]),
        ("éclair", [4]),
        ("strasse", [8, 9]),
        ("[x]", [9]),
        ("nothing like it", []),
    ],
)
async def test_text_filter_is_a_casefolded_substring_of_title_or_description(
    uow: UnitOfWork, owner: str, text: str, expected: list[int]
) -> None:
    await _stored(uow, owner)
    assert await _numbers(uow, owner, text=text) == expected


async def test_due_filters_are_strict_and_skip_tasks_without_due(uow: UnitOfWork, owner: str) -> None:
    tasks = await _stored(uow, owner)
    bound = utc_due_key(DAY)
    keys = {t.number: effective_due_key(t.due, 0) for t in tasks if t.due is not None}
    assert await _numbers(uow, owner, due_before=bound) == [n for n, k in keys.items() if k < bound]
    assert await _numbers(uow, owner, due_after=bound) == [n for n, k in keys.items() if k > bound]
    within = await _numbers(uow, owner, due_after=bound - 86400, due_before=bound + 1)
    assert within == [n for n, k in keys.items() if bound - 86400 < k < bound + 1]
    assert 3 not in await _numbers(uow, owner, due_before=2**62 + 1)


async def test_date_bounds_shift_with_the_zone_like_all_day_dues(uow: UnitOfWork, owner: str) -> None:
    await add_tasks(
        uow, new_task(owner, "d", due=DAY), new_task(owner, "i", due=datetime(2026, 12, 1, 22, 0, tzinfo=UTC))
    )
    offset = 2 * 3600  # the day ends at 21:59:59 UTC
    assert await _numbers(uow, owner, due_before=bound_key(DAY, offset), zone_offset=offset) == []
    assert await _numbers(uow, owner, due_after=bound_key(DAY, offset) - 1, zone_offset=offset) == [1, 2]


async def test_filters_combine_with_keyset_pages(uow: UnitOfWork, owner: str) -> None:
    tasks = await _stored(uow, owner)
    query = TaskQuery(owner_id=owner, limit=1, status=TaskStatus.PENDING, sort=TaskSort.PRIORITY, descending=True)
    pending = [t for t in tasks if not t.completed]
    assert await _walk(uow, query) == _expected(pending, TaskSort.PRIORITY, True, 0)


async def test_tag_counts_cover_live_tasks_by_case_insensitive_name(uow: UnitOfWork, owner: str) -> None:
    await _stored(uow, owner)
    async with uow.begin() as tx:
        assert await tx.tasks.tag_counts(owner) == [("Home", 2), ("Work", 2)]


async def test_tag_counts_follow_updates_and_the_trash(uow: UnitOfWork, owner: str) -> None:
    first, second = await add_tasks(
        uow, new_task(owner, "a", tags=("b-tag", "A-tag")), new_task(owner, "b", tags=("a-tag", "Z"))
    )
    async with uow.begin() as tx:
        task = await tx.tasks.get(owner, first.number, lock=True)
        assert task is not None
        task.retag(["zz", "A-tag"], T0)
        await tx.tasks.update(task)
        second.trash(T0)
        await tx.tasks.update(second)
        await tx.commit()
    async with uow.begin() as tx:
        assert await tx.tasks.tag_counts(owner) == [("A-tag", 1), ("zz", 1)]
        restored = await tx.tasks.get_trashed(owner, second.number)
        assert restored is not None
        restored.restore(T0)
        await tx.tasks.update(restored)
        assert await tx.tasks.tag_counts(owner) == [("A-tag", 2), ("Z", 1), ("zz", 1)]
        await tx.commit()
    async with uow.begin() as tx:
        assert await tx.tasks.tag_counts(owner) == [("A-tag", 2), ("Z", 1), ("zz", 1)]
        assert [t.id for t in await tx.tasks.page(TaskQuery(owner_id=owner, limit=9, tag="a-TAG"))] == [1, 2]
