"""Conversations, messages and idempotency records on SQLAlchemy Core."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, delete, insert, literal, select, tuple_, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.schema.models import conversations, idempotency_keys, messages
from adapters.persistence.schema.rows import (
    CONVERSATION_COLUMNS,
    MESSAGE_COLUMNS,
    conversation_from_row,
    message_from_row,
    tool_calls_to_json,
)
from adapters.persistence.sqlalchemy.dialect import SqlDialect
from adapters.persistence.sqlalchemy.engine import translated_errors
from application.ports import IdempotencyRecord
from domain.conversations import Conversation, Message

_CONVERSATION = [conversations.c[name] for name in CONVERSATION_COLUMNS]
_MESSAGE = [messages.c[name] for name in MESSAGE_COLUMNS]
_IN_CONVERSATION = (
    messages.c.owner_id == bindparam("owner_id"),
    messages.c.conversation_number == bindparam("number"),
)
_GET = select(*_CONVERSATION).where(
    conversations.c.owner_id == bindparam("owner_id"), conversations.c.number == bindparam("number")
)
_DELETE = delete(conversations).where(
    conversations.c.owner_id == bindparam("owner_id"), conversations.c.number == bindparam("number")
)
_ADD_MESSAGE = insert(messages)
_TOUCH = (
    update(conversations)
    .where(conversations.c.owner_id == bindparam("b_owner_id"), conversations.c.number == bindparam("b_number"))
    .values(
        updated_at=case(
            (conversations.c.updated_at < bindparam("at"), bindparam("at")), else_=conversations.c.updated_at
        )
    )
)
_RECENT_MESSAGES = select(*_MESSAGE).where(*_IN_CONVERSATION).order_by(messages.c.id.desc()).limit(bindparam("limit"))
_MESSAGES = (
    select(*_MESSAGE)
    .where(*_IN_CONVERSATION, messages.c.id > bindparam("after_id"))
    .order_by(messages.c.id)
    .limit(bindparam("limit"))
)


class _Repository:
    def __init__(self, connection: AsyncConnection, dialect: SqlDialect) -> None:
        self._conn = connection
        self._dialect = dialect

    async def _execute(self, stmt: Any, params: Any = None) -> CursorResult[Any]:
        with translated_errors():
            result: CursorResult[Any] = await self._conn.execute(stmt, params)
        return result


class SqlConversationRepository(_Repository):
    """``ConversationRepository`` on one SQLAlchemy connection inside a transaction."""

    async def create(self, conversation: Conversation) -> Conversation:
        with translated_errors():
            number = await self._dialect.next_number(
                self._conn, conversation.owner_id, "last_conversation_number", conversation.created_at
            )
        stored = replace(conversation, number=number, messages=[])
        values = {name: getattr(stored, name) for name in CONVERSATION_COLUMNS}
        await self._execute(insert(conversations), values)
        return stored

    async def get(self, owner_id: str, number: int) -> Conversation | None:
        row = (await self._execute(_GET, {"owner_id": owner_id, "number": number})).mappings().first()
        return conversation_from_row(row) if row is not None else None

    async def recent(self, owner_id: str, limit: int, before: tuple[datetime, int] | None) -> list[Conversation]:
        stmt = select(*_CONVERSATION).where(conversations.c.owner_id == owner_id)
        if before is not None:
            at = literal(before[0], conversations.c.updated_at.type)
            stmt = stmt.where(tuple_(conversations.c.updated_at, conversations.c.number) < tuple_(at, before[1]))
        stmt = stmt.order_by(conversations.c.updated_at.desc(), conversations.c.number.desc()).limit(limit)
        return [conversation_from_row(row) for row in (await self._execute(stmt)).mappings()]

    async def delete(self, owner_id: str, number: int) -> bool:
        result = await self._execute(_DELETE, {"owner_id": owner_id, "number": number})
        return result.rowcount > 0

    async def add_message(self, owner_id: str, number: int, message: Message) -> Message:
        values = {
            "owner_id": owner_id,
            "conversation_number": number,
            "role": message.role.value,
            "content": message.content,
            "tool_calls": tool_calls_to_json(message.tool_calls),
            "created_at": message.created_at,
        }
        message_id = int((await self._execute(_ADD_MESSAGE, values)).inserted_primary_key[0])  # type: ignore[index]
        await self._execute(_TOUCH, {"b_owner_id": owner_id, "b_number": number, "at": message.created_at})
        return replace(message, id=message_id)

    async def recent_messages(self, owner_id: str, number: int, limit: int) -> list[Message]:
        if limit <= 0:
            return []
        params = {"owner_id": owner_id, "number": number, "limit": limit}
        rows = (await self._execute(_RECENT_MESSAGES, params)).mappings().all()
        return [message_from_row(row) for row in reversed(rows)]

    async def messages(self, owner_id: str, number: int, limit: int, after_id: int | None) -> list[Message]:
        params = {"owner_id": owner_id, "number": number, "limit": limit, "after_id": after_id or 0}
        return [message_from_row(row) for row in (await self._execute(_MESSAGES, params)).mappings()]


_RECORD = select(idempotency_keys).where(
    idempotency_keys.c.owner_id == bindparam("owner_id"), idempotency_keys.c.key == bindparam("key")
)
_REPLACE = (
    update(idempotency_keys)
    .where(idempotency_keys.c.owner_id == bindparam("b_owner_id"), idempotency_keys.c.key == bindparam("b_key"))
    .values(fingerprint=bindparam("fingerprint"), response=bindparam("response"), created_at=bindparam("created_at"))
)


class SqlIdempotencyRecords(_Repository):
    """``IdempotencyRecords``. ``find`` locks an existing record (where rows lock), so a concurrent
    request with that key waits and then sees the new answer. A key this transaction found
    missing is inserted, so two first uses of one key clash on the primary key (``Conflict``);
    a key it found is replaced in place; a key it never looked up is upserted."""

    def __init__(self, connection: AsyncConnection, dialect: SqlDialect) -> None:
        super().__init__(connection, dialect)
        self._found: dict[tuple[str, str], bool] = {}

    async def find(self, owner_id: str, key: str) -> IdempotencyRecord | None:
        stmt = _RECORD.with_for_update() if self._dialect.locks_rows else _RECORD
        row = (await self._execute(stmt, {"owner_id": owner_id, "key": key})).mappings().first()
        self._found[(owner_id, key)] = row is not None
        if row is None:
            return None
        return IdempotencyRecord(owner_id, key, row["fingerprint"], bytes(row["response"]), row["created_at"])

    async def save(self, record: IdempotencyRecord) -> None:
        values = {
            "owner_id": record.owner_id,
            "key": record.key,
            "fingerprint": record.fingerprint,
            "response": record.response,
            "created_at": record.created_at,
        }
        found = self._found.get((record.owner_id, record.key))
        if found is not False:
            replace_values = {**values, "b_owner_id": values["owner_id"], "b_key": values["key"]}
            del replace_values["owner_id"], replace_values["key"]
            if (await self._execute(_REPLACE, replace_values)).rowcount > 0:
                return
        await self._execute(insert(idempotency_keys), values)
        self._found[(record.owner_id, record.key)] = True
