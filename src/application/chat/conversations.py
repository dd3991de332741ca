"""Browsing and deleting stored conversations."""

from __future__ import annotations

from application.chat.schemas import ConversationList, ConversationSummary, ConversationView, MessageView
from application.cursor import (
    decode_conversation_cursor,
    decode_message_cursor,
    encode_conversation_cursor,
    encode_message_cursor,
)
from application.ports import UnitOfWork, storable_number
from domain.conversations import Conversation
from domain.errors import ConversationNotFound, ValidationError

LIMIT_MAX = 100


def _check_limit(limit: int, prefix: str) -> None:
    if not 1 <= limit <= LIMIT_MAX:
        raise ValidationError.single(f"{prefix}limit", f"must be between 1 and {LIMIT_MAX}")


def _prefix(field_prefix: str) -> str:
    return f"{field_prefix}." if field_prefix else ""


def _summary(conversation: Conversation) -> ConversationSummary:
    return ConversationSummary(
        id=conversation.number,
        title=conversation.title,
        created_at=conversation.created_at,
        updated_at=conversation.updated_at,
    )


class ListConversations:
    """The caller's conversations, most recently active first, one page at a time."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self, owner_id: str, limit: int = 50, cursor: str | None = None, field_prefix: str = ""
    ) -> ConversationList:
        prefix = _prefix(field_prefix)
        _check_limit(limit, prefix)
        before = None if cursor is None else decode_conversation_cursor(cursor, f"{prefix}cursor")
        async with self._uow.begin() as tx:
            found = await tx.conversations.recent(owner_id, limit + 1, before)
        page = found[:limit]
        next_cursor = None
        if len(found) > limit and page:
            last = page[-1]
            next_cursor = encode_conversation_cursor(last.updated_at, last.number)
        return ConversationList(items=[_summary(c) for c in page], next_cursor=next_cursor)


class GetConversation:
    """One of the caller's conversations with a page of its messages, oldest first."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self, owner_id: str, conversation_id: int, limit: int = 50, cursor: str | None = None, field_prefix: str = ""
    ) -> ConversationView:
        prefix = _prefix(field_prefix)
        _check_limit(limit, prefix)
        after_id = None if cursor is None else decode_message_cursor(cursor, f"{prefix}cursor")
        async with self._uow.begin() as tx:
            storable = storable_number(conversation_id)
            conversation = await tx.conversations.get(owner_id, conversation_id) if storable else None
            if conversation is None:
                raise ConversationNotFound(conversation_id)
            found = await tx.conversations.messages(owner_id, conversation_id, limit + 1, after_id)
        page = found[:limit]
        next_cursor = encode_message_cursor(page[-1].id) if len(found) > limit and page else None
        return ConversationView(
            id=conversation.number,
            title=conversation.title,
            messages=[MessageView.of(message) for message in page],
            next_cursor=next_cursor,
        )


class DeleteConversation:
    """Delete one of the caller's conversations and all its messages."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, owner_id: str, conversation_id: int) -> None:
        async with self._uow.begin() as tx:
            if not (storable_number(conversation_id) and await tx.conversations.delete(owner_id, conversation_id)):
                raise ConversationNotFound(conversation_id)
            await tx.commit()
