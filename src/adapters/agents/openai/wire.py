"""What both API styles share: one model step, tool calls, and the dialect interface."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, overload

import msgspec
from openai import AsyncOpenAI, AsyncStream

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


T = TypeVar("T")
E = TypeVar("E")


@overload
async def post(client: AsyncOpenAI, path: str, body: dict[str, Any], cast_to: type[T]) -> T: ...


@overload
async def post(
    client: AsyncOpenAI, path: str, body: dict[str, Any], cast_to: type[T], stream_cls: type[AsyncStream[E]]
) -> AsyncStream[E]: ...


async def post(
    client: AsyncOpenAI,
    path: str,
    body: dict[str, Any],
    cast_to: type[T],
    stream_cls: type[AsyncStream[E]] | None = None,
) -> T | AsyncStream[E]:
    """POST a JSON body through the client (auth, timeout, error types, SSE parsing), with
    the body encoded once by msgspec: the typed ``create()`` methods re-walk every message
    and tool schema through the SDK's parameter transformer on each call, which costs
    several milliseconds per model call."""
    options: Any = {"security": {"bearer_auth": True}}
    content = msgspec.json.encode(body)
    if stream_cls is None:
        return await client.post(path, cast_to=cast_to, content=content, options=options)
    return await client.post(
        path, cast_to=cast_to, content=content, options=options, stream=True, stream_cls=stream_cls
    )


def to_json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def history_calls(index: int, message: Message) -> Iterator[tuple[str, ToolCallRecord]]:
    """The stored calls of a message with call ids unique across the history."""
    for call in message.tool_calls:
        yield f"h{index}_{call.call_id}", call
