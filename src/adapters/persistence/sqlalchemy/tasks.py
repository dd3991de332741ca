"""Tasks on SQLAlchemy Core (any SQL database with a ``SqlDialect``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.schema.models import task_tags, tasks
from adapters.persistence.schema.rows import (
    TASK_COLUMNS,
    VIEW_COLUMNS,
    KnownTags,
    task_from_row,
    task_values,
    task_view_from_row,
)
from adapters.persistence.sqlalchemy.dialect import SqlDialect
from adapters.persistence.sqlalchemy.engine import translated_errors
from application.due_keys import NO_DUE_KEY
from application.ports import TaskQuery, TaskSort, TaskStatus
from application.schemas import TaskView
from domain.tasks import Task

_COLUMNS = [tasks.c[name] for name in TASK_COLUMNS]
_VIEW_COLUMNS = [tasks.c[name] for name in VIEW_COLUMNS]


def _get_statement(*, trashed: bool, lock: bool) -> Select[Any]:
    live = tasks.c.deleted_at.is_not(None) if trashed else tasks.c.deleted_at.is_(None)
    stmt = select(*_COLUMNS).where(
        tasks.c.owner_id == bindparam("owner_id"), tasks.c.number == bindparam("number"), live
    )
    return stmt.with_for_update() if lock else stmt


_GET = {
    (trashed, lock): _get_statement(trashed=trashed, lock=lock) for trashed in (False, True) for lock in (False, True)
}
_INSERT = insert(tasks)
_PURGE_TRASHED = delete(tasks).where(tasks.c.deleted_at.is_not(None), tasks.c.deleted_at < bindparam("before"))
_UPDATE = (
    update(tasks)
    .where(tasks.c.owner_id == bindparam("b_owner_id"), tasks.c.number == bindparam("b_number"))
    .values({c.name: bindparam(c.name) for c in tasks.c if c.name not in {"owner_id", "number"}})
)
_DELETE_TAGS = delete(task_tags).where(
    task_tags.c.owner_id == bindparam("owner_id"), task_tags.c.task_number == bindparam("number")
)
_INSERT_TAGS = insert(task_tags)
_TAG_COUNTS = (
    select(func.min(task_tags.c.name).label("name"), func.count().label("count"))
    .where(task_tags.c.owner_id == bindparam("owner_id"))
    .group_by(task_tags.c.tag_key)
    .order_by(task_tags.c.tag_key)
)


def _effective_due(offset: int) -> ColumnElement[Any]:
    """``due_key`` shifted by the zone's offset for all-day rows (null without a due)."""
    return tasks.c.due_key - case((tasks.c.due_date.is_not(None), offset), else_=0)


def _sort_expression(query: TaskQuery) -> ColumnElement[Any] | None:
    if query.sort is TaskSort.DUE:
        return func.coalesce(_effective_due(query.zone_offset), NO_DUE_KEY)
    if query.sort is TaskSort.PRIORITY:
        return tasks.c.priority
    if query.sort is TaskSort.TITLE:
        return tasks.c.title_key
    return None


def _filters(query: TaskQuery) -> list[ColumnElement[bool]]:
    where = [tasks.c.owner_id == query.owner_id, tasks.c.deleted_at.is_(None)]
    if query.status is not TaskStatus.ALL:
        where.append(tasks.c.completed.is_(query.status is TaskStatus.COMPLETED))
    if query.priority is not None:
        where.append(tasks.c.priority == query.priority.rank)
    if query.tag is not None:
        tagged = and_(
            task_tags.c.owner_id == tasks.c.owner_id,
            task_tags.c.task_number == tasks.c.number,
            task_tags.c.tag_key == query.tag.casefold(),
        )
        where.append(exists().where(tagged))
    if query.text is not None:
        where.append(tasks.c.search_text.contains(query.text.casefold(), autoescape=True))
    if query.due_before is not None or query.due_after is not None:
        where.append(tasks.c.due_key.is_not(None))
        due = _effective_due(query.zone_offset)
        if query.due_before is not None:
            where.append(due < query.due_before)
        if query.due_after is not None:
            where.append(due > query.due_after)
    return where


def page_statement(query: TaskQuery) -> Select[Any]:
    """The SELECT for one keyset page of ``query``."""
    stmt = select(*_VIEW_COLUMNS).where(*_filters(query))
    key = _sort_expression(query)
    number = tasks.c.number
    if query.after is not None:
        after_key, after_number = query.after
        if key is None or after_key is None:
            stmt = stmt.where(number < after_number if query.descending else number > after_number)
        else:
            position, cursor = tuple_(key, number), tuple_(after_key, after_number)
            stmt = stmt.where(position < cursor if query.descending else position > cursor)
    columns = [number] if key is None else [key, number]
    return stmt.order_by(*(c.desc() if query.descending else c.asc() for c in columns)).limit(query.limit)


class SqlTaskRepository:
    """``TaskRepository`` on one SQLAlchemy connection inside a transaction."""

    def __init__(self, connection: AsyncConnection, dialect: SqlDialect) -> None:
        self._conn = connection
        self._dialect = dialect
        self._tags = KnownTags()

    async def _execute(self, stmt: Any, params: Any = None) -> CursorResult[Any]:
        with translated_errors():
            result: CursorResult[Any] = await self._conn.execute(stmt, params)
        return result

    async def add(self, task: Task) -> Task:
        stored = task.copy()
        with translated_errors():
            stored.number = await self._dialect.next_number(
                self._conn, task.owner_id, "last_task_number", task.created_at
            )
        await self._execute(_INSERT, task_values(stored))
        self._tags.remember(stored, [])
        await self._sync_tags(stored)
        return stored.copy()

    async def get(self, owner_id: str, number: int, *, lock: bool = False) -> Task | None:
        return await self._get(owner_id, number, trashed=False, lock=lock)

    async def get_trashed(self, owner_id: str, number: int, *, lock: bool = False) -> Task | None:
        return await self._get(owner_id, number, trashed=True, lock=lock)

    async def _get(self, owner_id: str, number: int, *, trashed: bool, lock: bool) -> Task | None:
        statement = _GET[(trashed, lock and self._dialect.locks_rows)]
        result = await self._execute(statement, {"owner_id": owner_id, "number": number})
        row = result.first()
        if row is None:
            return None
        task = task_from_row(row)
        if lock:
            self._tags.remember(task)
        return task

    async def update(self, task: Task) -> None:
        values = task_values(task)
        values["b_owner_id"], values["b_number"] = values.pop("owner_id"), values.pop("number")
        await self._execute(_UPDATE, values)
        await self._sync_tags(task)

    async def _sync_tags(self, task: Task) -> None:
        """Keep ``task_tags`` equal to the live task's tags; skipped when this transaction
        knows they are unchanged."""
        change = self._tags.change(task)
        if change is None:
            return
        clear, rows = change
        if clear:
            await self._execute(_DELETE_TAGS, {"owner_id": task.owner_id, "number": task.number})
        if rows:
            await self._execute(_INSERT_TAGS, rows)

    async def page(self, query: TaskQuery) -> list[TaskView]:
        result = await self._execute(page_statement(query))
        return [task_view_from_row(row) for row in result]

    async def tag_counts(self, owner_id: str) -> list[tuple[str, int]]:
        result = await self._execute(_TAG_COUNTS, {"owner_id": owner_id})
        return [(row["name"], row["count"]) for row in result.mappings()]

    async def purge_trashed(self, trashed_before: datetime) -> int:
        result = await self._execute(_PURGE_TRASHED, {"before": trashed_before})
        return result.rowcount
