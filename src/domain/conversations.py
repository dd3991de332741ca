"""Conversations with the assistant and their messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

CONVERSATION_TITLE_MAX = 80


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"


@dataclass(frozen=True, slots=True)
class ToolCallRecord:
    """One tool call the assistant made during a turn, with its result."""

    call_id: str
    name: str
    arguments: dict[str, Any]
    result: Any
    is_error: bool = False


@dataclass(slots=True)
class Message:
    role: Role
    content: str
    created_at: datetime
    tool_calls: tuple[ToolCallRecord, ...] = ()
    id: int = 0


@dataclass(slots=True)
class Conversation:
    """A user's conversation; ``number`` is its id, scoped to its owner."""

    owner_id: str
    number: int
    title: str
    created_at: datetime
    updated_at: datetime
    messages: list[Message] = field(default_factory=list)


def title_from_message(text: str) -> str:
    """A conversation's title: the first message, on one line, shortened."""
    line = " ".join(text.split())
    if len(line) <= CONVERSATION_TITLE_MAX:
        return line
    return line[: CONVERSATION_TITLE_MAX - 1].rstrip() + "…"
