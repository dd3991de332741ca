"""What the core reports to the metrics port: task operations, chat turns, the chat limit,
and the model's breaker."""

from __future__ import annotations

from datetime import UTC

import pytest

from adapters.agents.openai.circuit import CircuitBreaker
from adapters.limits import InProcessRateLimiter
from application.chat.schemas import ChatRequest
from application.chat.send import SendChatMessage
from application.errors import AgentUnavailable, RateLimited, TaskNotFound
from application.limits import AuthAttemptLimits, ChatRateLimiter
from application.schemas import NewTask, TaskChanges
from application.tasks import AddTask, CompleteTask, DeleteTask, RestoreTask, ToggleTask, UpdateTask
from application.validation import convert
from tests.fakes import FixedClock, InMemoryMetrics, InMemoryUnitOfWork, ScriptedChatAgent, ScriptedTurn, task_tools


@pytest.fixture
def metrics() -> InMemoryMetrics:
    return InMemoryMetrics()


async def test_each_task_change_counts_once_under_its_operation(
    uow: InMemoryUnitOfWork, clock: FixedClock, metrics: InMemoryMetrics
) -> None:
    add = AddTask(uow, clock, metrics)
    await add.execute("alice", NewTask(title="a"))
    await add.execute("alice", NewTask(title="b"), idempotency_key="k1")
    await add.execute("alice", NewTask(title="b"), idempotency_key="k1")  # a replay creates nothing
    await UpdateTask(uow, clock, metrics).execute("alice", 1, convert({"title": "A"}, TaskChanges), UTC)
    await CompleteTask(uow, clock, metrics).execute("alice", 1, UTC)
    await ToggleTask(uow, clock, metrics).execute("alice", 1, UTC)
    await DeleteTask(uow, clock, metrics).execute("alice", 2)
    await RestoreTask(uow, clock, metrics).execute("alice", 2)

    assert metrics.operations == {"create": 2, "update": 1, "complete": 1, "toggle": 1, "delete": 1, "restore": 1}


async def test_a_failed_change_counts_nothing(
    uow: InMemoryUnitOfWork, clock: FixedClock, metrics: InMemoryMetrics
) -> None:
    with pytest.raises(TaskNotFound):
        await ToggleTask(uow, clock, metrics).execute("alice", 9, UTC)
    with pytest.raises(TaskNotFound):
        await RestoreTask(uow, clock, metrics).execute("alice", 9)
    assert metrics.operations == {}


def _chat(uow: InMemoryUnitOfWork, clock: FixedClock, metrics: InMemoryMetrics, *turns: object) -> SendChatMessage:
    agent = ScriptedChatAgent(*turns)  # type: ignore[arg-type]
    limiter = ChatRateLimiter(InProcessRateLimiter(clock), 2, metrics)
    return SendChatMessage(uow, clock, agent, task_tools(uow, clock), limiter, metrics=metrics, agent_kind="openai")


async def test_chat_turns_count_by_agent_and_outcome(
    uow: InMemoryUnitOfWork, clock: FixedClock, metrics: InMemoryMetrics
) -> None:
    chat = _chat(uow, clock, metrics, ScriptedTurn("hi"), AgentUnavailable("down"), RuntimeError("bug"))
    await chat.execute("alice", ChatRequest(message="hello"))
    with pytest.raises(AgentUnavailable):
        await chat.execute("bob", ChatRequest(message="hello"))
    with pytest.raises(RuntimeError):
        await chat.execute("carol", ChatRequest(message="hello"))

    assert metrics.turns == {("openai", "ok"): 1, ("openai", "unavailable"): 1, ("openai", "error"): 1}


async def test_the_chat_limit_counts_what_it_refuses_and_no_turn(
    uow: InMemoryUnitOfWork, clock: FixedClock, metrics: InMemoryMetrics
) -> None:
    chat = _chat(uow, clock, metrics, ScriptedTurn("one"), ScriptedTurn("two"))
    for _ in range(2):
        await chat.execute("alice", ChatRequest(message="hello"))
    with pytest.raises(RateLimited):
        await chat.execute("alice", ChatRequest(message="hello"))

    assert metrics.limited == {"chat": 1}
    assert metrics.turns == {("openai", "ok"): 2}


async def test_the_sign_in_limits_count_what_they_refuse(clock: FixedClock, metrics: InMemoryMetrics) -> None:
    limits = AuthAttemptLimits(InProcessRateLimiter(clock), per_email=1, per_ip=5, metrics=metrics)
    await limits.check("a@example.com", "10.0.0.1")
    with pytest.raises(RateLimited):
        await limits.check("a@example.com", "10.0.0.1")
    assert metrics.limited == {"sign_in": 1}


async def test_a_streamed_turn_counts_when_it_ends(
    uow: InMemoryUnitOfWork, clock: FixedClock, metrics: InMemoryMetrics
) -> None:
    chat = _chat(uow, clock, metrics, ScriptedTurn("streamed"))
    events = [event async for event in chat.stream("alice", ChatRequest(message="hello"))]
    assert len(events) >= 2
    assert metrics.turns == {("openai", "ok"): 1}


def test_the_breaker_reports_opening_and_closing_once_each() -> None:
    now = [0.0]
    changes: list[bool] = []
    breaker = CircuitBreaker(threshold=2, reset_after=10, clock=lambda: now[0], on_change=changes.append)
    breaker.record_failure()
    assert changes == []
    breaker.record_failure()
    breaker.record_failure()  # already open: no second report
    assert changes == [True]
    now[0] = 11.0
    breaker.before_call()  # half-open: still open for the gauge
    breaker.record_success()
    breaker.record_success()
    assert changes == [True, False]
