"""Chatting with the assistant: one turn per request, history loaded from the store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from application.chat.history import HistoryBudget, bound_history
from application.chat.schemas import ChatAnswer, ChatRequest, ToolCallView
from application.errors import AgentUnavailable
from application.limits import ChatRateLimiter
from application.metrics import NO_METRICS, AgentKind, ChatOutcome, Metrics
from application.ports import (
    AgentReply,
    AgentTurn,
    ChatAgent,
    Clock,
    RateDecision,
    TextDelta,
    ToolCallEvent,
    ToolResultEvent,
    UnitOfWork,
    storable_number,
)
from application.tools import TaskTools, Tool, ToolContext, ToolOutcome
from application.zones import time_zone
from domain.conversations import Conversation, Message, Role, title_from_message
from domain.errors import ConversationNotFound, ValidationError

ChatEvent = ToolCallEvent | ToolResultEvent | TextDelta | ChatAnswer
"""What a streamed turn yields: the agent's progress, then the stored answer last."""


class BoundTools:
    """The catalogue's tools bound to one caller and zone (a ``ToolExecutor``)."""

    def __init__(self, tools: TaskTools, context: ToolContext) -> None:
        self._tools = tools
        self._context = context

    @property
    def catalogue(self) -> tuple[Tool, ...]:
        return self._tools.catalogue

    async def call(self, name: str, arguments: Mapping[str, Any]) -> ToolOutcome:
        return await self._tools.call(name, arguments, self._context)


class SendChatMessage:
    """Send a message to the assistant, which may add, list, change or delete the user's
    tasks, and get its answer with the tools it used. Without ``conversation_id`` a new
    conversation starts, titled from the message. The message is stored before the
    assistant runs, so it is kept even when the model is unavailable."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        agent: ChatAgent,
        tools: TaskTools,
        limiter: ChatRateLimiter | None = None,
        budget: HistoryBudget | None = None,
        metrics: Metrics = NO_METRICS,
        agent_kind: AgentKind = "offline",
    ) -> None:
        self._uow = uow
        self._clock = clock
        self.agent = agent
        self._tools = tools
        self._limiter = limiter
        self._budget = budget or HistoryBudget()
        self._metrics = metrics
        self._agent_kind: AgentKind = agent_kind

    async def execute(self, owner_id: str, request: ChatRequest) -> ChatAnswer:
        """Run the turn and return the stored answer."""
        turn = await self.start(owner_id, request, stream=False)
        return await turn.answer()

    async def stream(self, owner_id: str, request: ChatRequest, *, stream: bool = True) -> AsyncIterator[ChatEvent]:
        """``start`` then ``events`` in one go."""
        turn = await self.start(owner_id, request, stream=stream)
        async for event in turn.events():
            yield event

    async def start(self, owner_id: str, request: ChatRequest, *, stream: bool = True) -> ChatTurn:
        """Check the request and store the question: bad input, the rate limit and an unknown
        conversation fail here, before anything is stored. Then run ``events()``."""
        zone = time_zone(request.timezone, "timezone")
        message = request.message.strip()
        if not message:
            raise ValidationError.single("message", "must not be empty")
        quota = await self._limiter.check(owner_id) if self._limiter is not None else None
        number, history = await self._store_question(owner_id, request.conversation_id, message)
        tools = BoundTools(self._tools, ToolContext(owner_id, zone))
        turn = AgentTurn(bound_history(history, self._budget), message, self._clock.now(), zone, tools, stream)
        return ChatTurn(self, owner_id, number, turn, quota)

    async def _store_question(self, owner_id: str, number: int | None, text: str) -> tuple[int, list[Message]]:
        now = self._clock.now()
        async with self._uow.begin() as tx:
            history: list[Message] = []
            if number is None:
                draft = Conversation(owner_id, 0, title_from_message(text), now, now)
                number = (await tx.conversations.create(draft)).number
            else:
                if not storable_number(number) or await tx.conversations.get(owner_id, number) is None:
                    raise ConversationNotFound(number)
                history = await tx.conversations.recent_messages(owner_id, number, self._budget.messages)
            await tx.conversations.add_message(owner_id, number, Message(Role.USER, text, now))
            await tx.commit()
        return number, history

    async def store_reply(self, owner_id: str, number: int, reply: AgentReply) -> ChatAnswer:
        message = Message(Role.ASSISTANT, reply.text, self._clock.now(), tool_calls=reply.tool_calls)
        async with self._uow.begin() as tx:
            await tx.conversations.add_message(owner_id, number, message)
            await tx.commit()
        calls = [ToolCallView.of(call) for call in reply.tool_calls]
        return ChatAnswer(conversation_id=number, response=reply.text, tool_calls=calls)

    def turn_ended(self, outcome: ChatOutcome) -> None:
        self._metrics.chat_turn(self._agent_kind, outcome)


class ChatTurn:
    """A started turn: the question is stored under ``conversation_id``; ``events()`` runs
    the agent, yielding tool calls, tool results and text as they happen, then the stored
    answer. ``AgentUnavailable`` raised from it carries the conversation id. ``quota`` is
    the chat limit's count after this message (None when the limit is off)."""

    def __init__(
        self,
        chat: SendChatMessage,
        owner_id: str,
        conversation_id: int,
        turn: AgentTurn,
        quota: RateDecision | None = None,
    ) -> None:
        self._chat = chat
        self._owner_id = owner_id
        self.conversation_id = conversation_id
        self._turn = turn
        self.quota = quota

    async def answer(self) -> ChatAnswer:
        """Run the turn to its end; the stored answer."""
        async for event in self.events():
            if isinstance(event, ChatAnswer):
                return event
        raise AssertionError("a chat turn always ends with its answer")  # pragma: no cover

    async def events(self) -> AsyncIterator[ChatEvent]:
        reply: AgentReply | None = None
        try:
            async for event in self._chat.agent.run(self._turn):
                if isinstance(event, AgentReply):
                    reply = event
                else:
                    yield event
            if reply is None:
                raise AgentUnavailable("the assistant gave no answer")
            answer = await self._chat.store_reply(self._owner_id, self.conversation_id, reply)
        except AgentUnavailable as exc:
            self._chat.turn_ended("unavailable")
            raise AgentUnavailable(str(exc), exc.retry_after, self.conversation_id) from exc
        except Exception:
            self._chat.turn_ended("error")
            raise
        self._chat.turn_ended("ok")
        yield answer
