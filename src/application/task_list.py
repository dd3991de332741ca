"""Listing tasks: filters, order and keyset pages."""

from __future__ import annotations

from datetime import tzinfo

from application.cursor import decode_task_cursor, encode_task_cursor
from application.due_keys import bound_key, effective_due_key, epoch_key, zone_offset
from application.ports import Clock, SortKey, TaskQuery, TaskSort, TaskStatus, UnitOfWork
from application.schemas import TaskFilter, TaskPage, TaskView
from domain.due import Due, parse_due
from domain.tasks import Priority, Task


def _key(sort: TaskSort, due: Due | None, priority: Priority, title: str, offset: int) -> SortKey:
    if sort is TaskSort.DUE:
        return effective_due_key(due, offset)
    if sort is TaskSort.PRIORITY:
        return priority.rank
    if sort is TaskSort.TITLE:
        return title.casefold()
    return None


def sort_key(task: Task, sort: TaskSort, offset: int) -> SortKey:
    """The value ``task`` sorts by (ties are broken by its number)."""
    return _key(sort, task.due, task.priority, task.title, offset)


def view_sort_key(view: TaskView, sort: TaskSort, offset: int) -> SortKey:
    """The value the task shown by ``view`` sorts by (its keyset position on a page)."""
    due = None if view.due is None else parse_due(view.due)
    return _key(sort, due, view.priority, view.title, offset)


def _bound(raw: str | None, field: str, offset: int) -> int | None:
    return None if raw is None else bound_key(parse_due(raw, field), offset)


class ListTasks:
    """One page of the caller's live tasks, filtered and sorted. Due dates compare in the
    caller's time zone: an all-day date counts as the end of that day. Pages are keyset
    based, so tasks added meanwhile never shift or repeat items."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def _query(self, owner_id: str, request: TaskFilter, zone: tzinfo, field_prefix: str) -> TaskQuery:
        """The store query of a page (validates dates and the cursor); it fetches one task more
        than the page holds, to know whether another page follows."""
        prefix = f"{field_prefix}." if field_prefix else ""
        offset, overdue_key = 0, None
        if request.sort is TaskSort.DUE or request.overdue or request.due_before or request.due_after:
            now = self._clock.now()  # only due dates need the clock and the zone's offset
            offset = zone_offset(zone, now)
            overdue_key = epoch_key(now) if request.overdue else None
        descending = request.order == "desc"
        due_before = _bound(request.due_before, f"{prefix}due_before", offset)
        due_after = _bound(request.due_after, f"{prefix}due_after", offset)
        status = request.status
        if overdue_key is not None:
            due_before = overdue_key if due_before is None else min(due_before, overdue_key)
            status = TaskStatus.PENDING if status is TaskStatus.ALL else status
        after = None
        if request.cursor is not None:
            after = decode_task_cursor(request.cursor, request.sort.value, descending, f"{prefix}cursor")
        text = request.q.strip() if request.q else None
        tag = request.tag.strip() if request.tag else None
        return TaskQuery(
            owner_id=owner_id,
            limit=request.limit + 1,
            status=status,
            priority=request.priority,
            tag=tag or None,
            text=text or None,
            due_before=due_before,
            due_after=due_after,
            zone_offset=offset,
            sort=request.sort,
            descending=descending,
            after=after,
        )

    async def execute(self, owner_id: str, request: TaskFilter, zone: tzinfo, field_prefix: str = "") -> TaskPage:
        query = self._query(owner_id, request, zone, field_prefix)
        async with self._uow.begin() as tx:
            views = await tx.tasks.page(query)
        page, more = views[: request.limit], len(views) > request.limit
        next_cursor = None
        if more and page:
            last = page[-1]
            next_cursor = encode_task_cursor(
                query.sort.value, query.descending, view_sort_key(last, query.sort, query.zone_offset), last.id
            )
        return TaskPage(items=page, next_cursor=next_cursor)
