"""The repositories on one raw asyncpg connection inside a transaction (PostgreSQL hot path)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import msgspec

from adapters.persistence.asyncpg import sql
from adapters.persistence.asyncpg.errors import translate
from adapters.persistence.schema.rows import (
    KnownTags,
    conversation_from_row,
    message_from_row,
    tag_rows,
    task_from_row,
    task_values,
    task_view_from_row,
    tool_calls_to_json,
)
from application.errors import StorageUnavailable
from application.ports import IdempotencyRecord, TaskQuery
from application.schemas import TaskView
from domain.conversations import Conversation, Message
from domain.tasks import Task


def _json_text(value: Any) -> str:
    return msgspec.json.encode(value).decode()


class Session:
    """One pooled connection inside ``begin()``. The transaction starts lazily with the first
    statement that writes or locks: a read-only unit of work is a single round trip, and
    under READ COMMITTED every statement sees fresh data either way."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.in_transaction = False
        self.broken = False

    async def run(self, method: str, statement: str, args: tuple[Any, ...], *, write: bool) -> Any:
        try:
            if write and not self.in_transaction:
                await self.connection.execute("BEGIN")
                self.in_transaction = True
            return await getattr(self.connection, method)(statement, *args)
        except Exception as exc:
            core = translate(exc)
            if core is None:
                raise
            self.broken = self.broken or isinstance(core, StorageUnavailable)
            raise core from exc


class _Repository:
    def __init__(self, session: Session) -> None:
        self._session = session

    async def _fetch(self, statement: str, *args: Any, write: bool = False) -> list[Any]:
        return list(await self._session.run("fetch", statement, args, write=write))

    async def _fetchrow(self, statement: str, *args: Any, write: bool = False) -> Any:
        return await self._session.run("fetchrow", statement, args, write=write)

    async def _execute(self, statement: str, *args: Any) -> str:
        return str(await self._session.run("execute", statement, args, write=True))


def _task_args(task: Task) -> list[Any]:
    values = task_values(task)
    values["tags"] = _json_text(values["tags"])
    return [values[name] for name in sql.TASK_VALUE_COLUMNS]


def _tag_arrays(rows: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    return [row["tag_key"] for row in rows], [row["name"] for row in rows]


class AsyncpgTaskRepository(_Repository):
    """``TaskRepository`` on asyncpg: one round trip to add, read, update or list."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._tags = KnownTags()

    async def add(self, task: Task) -> Task:
        rows = tag_rows(task)
        keys, names = _tag_arrays(rows)
        row = await self._fetchrow(sql.ADD_TASK, task.owner_id, *_task_args(task), keys, names, write=True)
        stored = task.copy()
        stored.number = row["number"]
        self._tags.remember(stored)
        return stored

    async def get(self, owner_id: str, number: int, *, lock: bool = False) -> Task | None:
        return await self._get(owner_id, number, trashed=False, lock=lock)

    async def get_trashed(self, owner_id: str, number: int, *, lock: bool = False) -> Task | None:
        return await self._get(owner_id, number, trashed=True, lock=lock)

    async def _get(self, owner_id: str, number: int, *, trashed: bool, lock: bool) -> Task | None:
        row = await self._fetchrow(sql.GET_TASK[(trashed, lock)], owner_id, number, write=lock)
        if row is None:
            return None
        task = task_from_row(row)
        if lock:
            self._tags.remember(task)
        return task

    async def update(self, task: Task) -> None:
        await self._execute(sql.UPDATE_TASK, task.owner_id, task.number, *_task_args(task))
        change = self._tags.change(task)
        if change is None:
            return
        clear, rows = change
        if clear:
            await self._execute(sql.DELETE_TAGS, task.owner_id, task.number)
        if rows:
            await self._execute(sql.INSERT_TAGS, task.owner_id, task.number, *_tag_arrays(rows))

    async def page(self, query: TaskQuery) -> list[TaskView]:
        statement, args = sql.page_sql(query)
        return [task_view_from_row(row) for row in await self._fetch(statement, *args)]

    async def tag_counts(self, owner_id: str) -> list[tuple[str, int]]:
        return [(row["name"], row["count"]) for row in await self._fetch(sql.TAG_COUNTS, owner_id)]

    async def purge_trashed(self, trashed_before: datetime) -> int:
        status = await self._execute(sql.PURGE_TRASHED, trashed_before)  # "DELETE <count>"
        return int(status.rsplit(" ", 1)[-1])


class AsyncpgConversationRepository(_Repository):
    """``ConversationRepository`` on asyncpg."""

    async def create(self, conversation: Conversation) -> Conversation:
        c = conversation
        row = await self._fetchrow(sql.CREATE_CONVERSATION, c.owner_id, c.title, c.created_at, c.updated_at, write=True)
        return replace(conversation, number=row["number"], messages=[])

    async def get(self, owner_id: str, number: int) -> Conversation | None:
        row = await self._fetchrow(sql.GET_CONVERSATION, owner_id, number)
        return conversation_from_row(row) if row is not None else None

    async def recent(self, owner_id: str, limit: int, before: tuple[datetime, int] | None) -> list[Conversation]:
        if before is None:
            rows = await self._fetch(sql.RECENT_CONVERSATIONS, owner_id, limit)
        else:
            rows = await self._fetch(sql.RECENT_CONVERSATIONS_BEFORE, owner_id, limit, *before)
        return [conversation_from_row(row) for row in rows]

    async def delete(self, owner_id: str, number: int) -> bool:
        return await self._execute(sql.DELETE_CONVERSATION, owner_id, number) != "DELETE 0"

    async def add_message(self, owner_id: str, number: int, message: Message) -> Message:
        calls = _json_text(tool_calls_to_json(message.tool_calls))
        args = (owner_id, number, message.role.value, message.content, calls, message.created_at)
        row = await self._fetchrow(sql.ADD_MESSAGE, *args, write=True)
        return replace(message, id=row["id"])

    async def recent_messages(self, owner_id: str, number: int, limit: int) -> list[Message]:
        if limit <= 0:
            return []
        return [message_from_row(row) for row in await self._fetch(sql.RECENT_MESSAGES, owner_id, number, limit)]

    async def messages(self, owner_id: str, number: int, limit: int, after_id: int | None) -> list[Message]:
        rows = await self._fetch(sql.MESSAGES_AFTER, owner_id, number, limit, after_id or 0)
        return [message_from_row(row) for row in rows]


class AsyncpgIdempotencyRecords(_Repository):
    """``IdempotencyRecords`` on asyncpg, with the SQLAlchemy adapter's locking rules: a found
    record is locked and replaced in place; a key found missing is inserted (a concurrent
    first use clashes: ``Conflict``); a key never looked up is replaced or inserted."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._found: dict[tuple[str, str], bool] = {}

    async def find(self, owner_id: str, key: str) -> IdempotencyRecord | None:
        row = await self._fetchrow(sql.FIND_IDEMPOTENCY, owner_id, key, write=True)
        self._found[(owner_id, key)] = row is not None
        if row is None:
            return None
        return IdempotencyRecord(owner_id, key, row["fingerprint"], bytes(row["response"]), row["created_at"])

    async def save(self, record: IdempotencyRecord) -> None:
        args = (record.owner_id, record.key, record.fingerprint, record.response, record.created_at)
        maybe_stored = self._found.get((record.owner_id, record.key)) is not False
        if maybe_stored and await self._execute(sql.REPLACE_IDEMPOTENCY, *args) != "UPDATE 0":
            return
        await self._execute(sql.INSERT_IDEMPOTENCY, *args)
        self._found[(record.owner_id, record.key)] = True
