"""SendChatMessage: one stateless turn, stored before and after the agent runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest

from adapters.limits import InProcessRateLimiter
from application.chat.conversations import GetConversation
from application.chat.history import HistoryBudget
from application.chat.schemas import ChatAnswer, ChatRequest
from application.chat.send import SendChatMessage
from application.errors import AgentUnavailable, ConversationNotFound, RateLimited, ValidationError
from application.limits import ChatRateLimiter
from application.ports import AgentEvent, AgentTurn, TextDelta, ToolCallEvent, ToolResultEvent
from application.tools import TaskTools
from domain.conversations import Role
from tests.fakes import FixedClock, InMemoryUnitOfWork, ScriptedChatAgent, ScriptedTurn


def _chat(uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools, agent: object, **kw: object) -> SendChatMessage:
    return SendChatMessage(uow, clock, agent, tools, **kw)  # type: ignore[arg-type]


async def test_a_first_message_starts_a_titled_conversation_and_stores_both_sides(
    uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools
) -> None:
    agent = ScriptedChatAgent(ScriptedTurn("Added it.", [("add_task", {"title": "Buy milk"})]))
    answer = await _chat(uow, clock, tools, agent).execute("alice", ChatRequest(message="  Add buy milk  "))

    assert answer.conversation_id == 1
    assert answer.response == "Added it."
    assert [(c.name, c.arguments, c.result["title"], c.is_error) for c in answer.tool_calls] == [
        ("add_task", {"title": "Buy milk"}, "Buy milk", False)
    ]
    view = await GetConversation(uow).execute("alice", 1)
    assert view.title == "Add buy milk"
    assert [(m.role, m.content) for m in view.messages] == [(Role.USER, "Add buy milk"), (Role.ASSISTANT, "Added it.")]
    assert view.messages[1].tool_calls[0].result["id"] == 1
    assert uow.state.tasks[("alice", 1)].title == "Buy milk"


async def test_a_turn_gets_the_history_the_clock_the_zone_and_tools_bound_to_the_caller(
    uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools
) -> None:
    agent = ScriptedChatAgent(ScriptedTurn("one"), ScriptedTurn("two", [("add_task", {"title": "Mine"})]))
    chat = _chat(uow, clock, tools, agent)
    first = await chat.execute("alice", ChatRequest(message="hello"))
    clock.advance(minutes=1)
    await chat.execute(
        "alice", ChatRequest(message="again", conversation_id=first.conversation_id, timezone="Asia/Tokyo")
    )

    turn = agent.seen[1]
    assert [(m.role, m.content) for m in turn.history] == [(Role.USER, "hello"), (Role.ASSISTANT, "one")]
    assert turn.message == "again"
    assert turn.now == clock.now()
    assert turn.zone == ZoneInfo("Asia/Tokyo")
    assert not turn.stream
    assert ("alice", 1) in uow.state.tasks and all(owner == "alice" for owner, _ in uow.state.tasks)


class _PeekingAgent:
    """Records what the store held while it ran, then fails like an unreachable model."""

    def __init__(self, uow: InMemoryUnitOfWork) -> None:
        self.uow = uow
        self.stored: list[str] = []

    async def run(self, turn: AgentTurn) -> AsyncIterator[AgentEvent]:
        self.stored = [m.content for m in self.uow.state.messages[("alice", 1)]]
        raise AgentUnavailable("model down", retry_after=7)
        yield TextDelta("unreachable")  # pragma: no cover


async def test_the_question_is_committed_before_the_agent_runs_and_kept_when_it_fails(
    uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools
) -> None:
    agent = _PeekingAgent(uow)
    with pytest.raises(AgentUnavailable) as caught:
        await _chat(uow, clock, tools, agent).execute("alice", ChatRequest(message="add milk"))

    assert agent.stored == ["add milk"]
    assert (caught.value.conversation_id, caught.value.retry_after) == (1, 7)
    view = await GetConversation(uow).execute("alice", 1)
    assert [m.content for m in view.messages] == ["add milk"]


async def test_an_agent_that_ends_without_a_reply_is_unavailable(
    uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools
) -> None:
    class Silent:
        async def run(self, turn: AgentTurn) -> AsyncIterator[AgentEvent]:
            yield TextDelta("hm")

    with pytest.raises(AgentUnavailable) as caught:
        await _chat(uow, clock, tools, Silent()).execute("alice", ChatRequest(message="hi"))
    assert caught.value.conversation_id == 1


@pytest.mark.parametrize("conversation_id", [1, 99])
async def test_another_users_or_an_unknown_conversation_is_not_found_and_nothing_is_stored(
    uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools, conversation_id: int
) -> None:
    chat = _chat(uow, clock, tools, ScriptedChatAgent(ScriptedTurn("hi bob")))
    await chat.execute("bob", ChatRequest(message="bob's secret"))
    with pytest.raises(ConversationNotFound):
        await chat.execute("alice", ChatRequest(message="peek", conversation_id=conversation_id))
    assert list(uow.state.conversations) == [("bob", 1)]
    assert [m.content for m in uow.state.messages[("bob", 1)]] == ["bob's secret", "hi bob"]


@pytest.mark.parametrize(
    ("request_", "field"),
    [(ChatRequest(message="hi", timezone="Mars/Olympus"), "timezone"), (ChatRequest(message="   "), "message")],
)
async def test_bad_input_fails_before_anything_is_stored(
    uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools, request_: ChatRequest, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await _chat(uow, clock, tools, ScriptedChatAgent()).execute("alice", request_)
    assert caught.value.errors[0].field == field
    assert uow.commits == 0


async def test_streaming_yields_calls_results_and_text_then_the_stored_answer(
    uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools
) -> None:
    agent = ScriptedChatAgent(ScriptedTurn("Done.", [("add_task", {"title": "A"}), ("get_task", {"task_id": 9})]))
    events = [e async for e in _chat(uow, clock, tools, agent).stream("alice", ChatRequest(message="go"))]

    kinds = [type(e).__name__ for e in events]
    assert kinds == ["ToolCallEvent", "ToolResultEvent", "ToolCallEvent", "ToolResultEvent", "TextDelta", "ChatAnswer"]
    calls = [e for e in events if isinstance(e, ToolCallEvent)]
    results = [e for e in events if isinstance(e, ToolResultEvent)]
    assert [c.call_id for c in calls] == [r.call_id for r in results] == ["scripted_1", "scripted_2"]
    assert results[1].is_error and "no task 9" in results[1].result["error"]
    answer = events[-1]
    assert isinstance(answer, ChatAnswer)
    assert [c.is_error for c in answer.tool_calls] == [False, True]
    assert agent.seen[0].stream


async def test_the_rate_limit_counts_messages_per_user_per_rolling_minute(
    uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools
) -> None:
    agent = ScriptedChatAgent(*[ScriptedTurn("ok") for _ in range(4)])
    chat = _chat(uow, clock, tools, agent, limiter=ChatRateLimiter(InProcessRateLimiter(clock), 2))
    await chat.execute("alice", ChatRequest(message="1"))
    clock.advance(seconds=20)
    await chat.execute("alice", ChatRequest(message="2"))
    await chat.execute("bob", ChatRequest(message="bob is counted apart"))
    with pytest.raises(RateLimited) as caught:
        await chat.execute("alice", ChatRequest(message="3"))
    assert caught.value.retry_after == 40
    assert len(uow.state.messages[("alice", 1)]) == 2
    clock.advance(seconds=40)
    await chat.execute("alice", ChatRequest(message="4"))


async def test_a_zero_rate_limit_is_off(clock: FixedClock) -> None:
    limiter = ChatRateLimiter(InProcessRateLimiter(clock), 0)
    for _ in range(1000):
        assert await limiter.check("alice") is None


async def test_a_chat_turn_carries_the_limit_left(uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools) -> None:
    chat = _chat(
        uow,
        clock,
        tools,
        ScriptedChatAgent(ScriptedTurn("ok")),
        limiter=ChatRateLimiter(InProcessRateLimiter(clock), 5),
    )
    turn = await chat.start("alice", ChatRequest(message="1"), stream=False)
    assert turn.quota is not None
    assert (turn.quota.limit, turn.quota.remaining, turn.quota.reset) == (5, 4, 60)


async def test_history_is_bounded_whatever_the_conversation_length(
    uow: InMemoryUnitOfWork, clock: FixedClock, tools: TaskTools
) -> None:
    agent = ScriptedChatAgent(*[ScriptedTurn("x" * 900) for _ in range(40)])
    chat = _chat(uow, clock, tools, agent, budget=HistoryBudget(messages=10, chars=5_000))
    answer = await chat.execute("alice", ChatRequest(message="start"))
    for number in range(39):
        await chat.execute("alice", ChatRequest(message=f"m{number}", conversation_id=answer.conversation_id))

    last = agent.seen[-1].history
    assert 0 < len(last) <= 10
    assert sum(len(m.content) for m in last) <= 5_000
    assert last[0].role is Role.USER
    assert last[-1].content == "x" * 900
