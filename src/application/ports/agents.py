"""Ports: chat agents and the tools they call."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Protocol

from domain.conversations import Message, ToolCallRecord

if TYPE_CHECKING:
    from application.tools import Tool, ToolOutcome


class ToolExecutor(Protocol):
    """The task tools bound to one caller. The caller's identity and time zone are bound
    here, so no tool argument can name another user."""

    @property
    def catalogue(self) -> tuple[Tool, ...]:
        """The tools the agent may offer the model (the one catalogue)."""
        ...

    async def call(self, name: str, arguments: Mapping[str, Any]) -> ToolOutcome:
        """Run a tool for the bound caller; failures come back as error outcomes."""
        ...


@dataclass(frozen=True, slots=True)
class ToolCallEvent:
    """The agent is about to run a tool (SSE ``tool_call``)."""

    call_id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ToolResultEvent:
    """A tool finished (SSE ``tool_result``); ``result`` is JSON-ready."""

    call_id: str
    name: str
    result: Any
    is_error: bool = False


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the reply text (SSE ``delta``); the deltas add up to the reply."""

    text: str


@dataclass(frozen=True, slots=True)
class AgentReply:
    """The last event of a turn: the whole reply and every tool call made, in order."""

    text: str
    tool_calls: tuple[ToolCallRecord, ...] = ()


AgentEvent = ToolCallEvent | ToolResultEvent | TextDelta | AgentReply


@dataclass(frozen=True, slots=True)
class AgentTurn:
    """What an agent gets for one turn: the bounded history (oldest first, without the new
    message), the new message, the user's clock and zone, and the tools bound to the user.
    ``stream`` asks for text deltas as they come (else one delta with the whole text is fine)."""

    history: tuple[Message, ...]
    message: str
    now: datetime
    zone: tzinfo
    tools: ToolExecutor
    stream: bool = False


class ChatAgent(Protocol):
    """Answers one chat turn, calling task tools through ``turn.tools`` only."""

    def run(self, turn: AgentTurn) -> AsyncIterator[AgentEvent]:
        """Events as they happen, ending with exactly one ``AgentReply``. Raises
        ``AgentUnavailable`` when the model cannot answer (unreachable, failing, circuit open)."""
        ...
