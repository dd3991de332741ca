"""What both API styles share: one model step, tool calls, and the dialect interface."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec
from openai import AsyncOpenAI

from application.tools import Tool
from domain.conversations import Message, ToolCallRecord


@dataclass(frozen=True, slots=True)
class ModelCall:
    """A tool call the model asked for; ``arguments`` is the raw JSON text it sent."""

    call_id: str
    name: str
    arguments: str


@dataclass(slots=True)
class ModelStep:
    """One model answer: its text, its tool calls, and the items that record it in the input."""

    text: str
    calls: list[ModelCall] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)


class ModelFailure(Exception):
    """The model's stream reported a failure (an ``error`` or ``response.failed`` event)."""


class Dialect(Protocol):
    """One API style (Responses or Chat Completions) in the model's wire format."""

    def start(self, system: str, history: tuple[Message, ...], message: str) -> list[Any]:
        """The input items of the first step: system prompt, history, the new message."""
        ...

    def step(
        self, client: AsyncOpenAI, model: str, system: str, items: list[Any], tools: tuple[Tool, ...], stream: bool
    ) -> AsyncIterator[str | ModelStep]:
        """Call the model once: text pieces as they come, then the whole ``ModelStep``."""
        ...

    def tool_outputs(self, outputs: list[tuple[str, str]]) -> list[Any]:
        """Input items carrying ``(call_id, output JSON)`` back to the model."""
        ...


def to_json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def history_calls(index: int, message: Message) -> Iterator[tuple[str, ToolCallRecord]]:
    """The stored calls of a message with call ids unique across the history."""
    for call in message.tool_calls:
        yield f"h{index}_{call.call_id}", call
