"""What the chat use cases take and return (msgspec structs; JSON Schema from them)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from application.schemas import Cursor
from domain.conversations import Message, Role, ToolCallRecord

MESSAGE_MAX = 4000

ChatText = Annotated[
    str, msgspec.Meta(min_length=1, max_length=MESSAGE_MAX, description="What the user says, 1..4000 characters.")
]
ConversationId = Annotated[int, msgspec.Meta(ge=1, description="Continue this conversation; null starts a new one.")]
TimeZoneName = Annotated[
    str, msgspec.Meta(max_length=64, description="IANA time zone (e.g. Europe/Paris) for today/tomorrow/overdue.")
]


class ChatRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One message to the assistant."""

    message: ChatText
    conversation_id: ConversationId | None = None
    timezone: TimeZoneName | None = None


class ToolCallView(msgspec.Struct, kw_only=True):
    """A tool the assistant ran during the turn, and what it returned."""

    name: str
    arguments: dict[str, Any]
    result: Any
    is_error: bool = False

    @classmethod
    def of(cls, record: ToolCallRecord) -> ToolCallView:
        return cls(name=record.name, arguments=record.arguments, result=record.result, is_error=record.is_error)


class ChatAnswer(msgspec.Struct, kw_only=True):
    """The assistant's answer to one message."""

    conversation_id: int
    response: str
    tool_calls: list[ToolCallView]


class ConversationSummary(msgspec.Struct, kw_only=True):
    id: int
    title: str
    created_at: datetime
    updated_at: datetime


class ConversationList(msgspec.Struct, kw_only=True):
    """Conversations, newest first; pass ``next_cursor`` back as ``cursor`` for more."""

    items: list[ConversationSummary]
    next_cursor: str | None


class MessageView(msgspec.Struct, kw_only=True):
    role: Role
    content: str
    tool_calls: list[ToolCallView]
    created_at: datetime

    @classmethod
    def of(cls, message: Message) -> MessageView:
        return cls(
            role=message.role,
            content=message.content,
            tool_calls=[ToolCallView.of(call) for call in message.tool_calls],
            created_at=message.created_at,
        )


class ConversationView(msgspec.Struct, kw_only=True):
    """A conversation with one page of its messages, oldest first."""

    id: int
    title: str
    messages: list[MessageView]
    next_cursor: str | None


class PageQuery(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A page of a list: ``limit`` items after the opaque ``cursor``."""

    limit: Annotated[int, msgspec.Meta(ge=1, le=100, description="Page size, 1..100 (default 50).")] = 50
    cursor: Cursor | None = None
