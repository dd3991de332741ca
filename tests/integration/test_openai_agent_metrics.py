"""The model-backed agent reports each model call (time, failure) and its breaker's state."""

from __future__ import annotations

import pytest
from openai import AsyncOpenAI

from adapters.agents.openai.agent import OpenAIChatAgent, create_openai_agent
from adapters.agents.openai.circuit import CircuitBreaker
from application.chat.schemas import ChatRequest
from application.chat.send import SendChatMessage
from application.errors import AgentUnavailable
from tests.fake_model import Fail, FakeModelServer, Hang, Reply
from tests.fakes import FixedClock, InMemoryMetrics, InMemoryUnitOfWork, task_tools


def chat_with(agent: OpenAIChatAgent, metrics: InMemoryMetrics) -> SendChatMessage:
    uow = InMemoryUnitOfWork()
    return SendChatMessage(uow, FixedClock(), agent, task_tools(uow), metrics=metrics, agent_kind="openai")


async def test_each_model_call_is_timed_and_failures_counted(model: FakeModelServer) -> None:
    metrics = InMemoryMetrics()
    client = AsyncOpenAI(api_key="k", base_url=model.url, timeout=5.0, max_retries=0)
    agent = OpenAIChatAgent(client, "m", "chat_completions", retries=1, backoff=0, metrics=metrics)
    chat = chat_with(agent, metrics)
    model.play(Hang(0.05), Fail(500), Reply("fine"))
    await chat.execute("alice", ChatRequest(message="hello"))  # the hang answers late with the default
    await chat.execute("alice", ChatRequest(message="hello"))  # one failure, one retry that answers
    await agent.close()

    assert [failed for _, failed in metrics.model_calls] == [False, True, False]
    assert metrics.model_calls[0][0] >= 0.05
    assert metrics.turns == {("openai", "ok"): 2}


async def test_the_breaker_opening_reaches_the_metrics_and_turns_count_unavailable(model: FakeModelServer) -> None:
    metrics = InMemoryMetrics()
    agent = create_openai_agent(
        api_key=None,
        base_url=model.url,
        model="m",
        api_style="chat_completions",
        timeout_seconds=5.0,
        max_retries=0,
        max_steps=2,
        metrics=metrics,
    )
    agent.breaker.threshold = 1
    chat = chat_with(agent, metrics)
    model.play(Fail(500))
    for _ in range(2):  # the failure opens the breaker; the next turn is refused without a call
        with pytest.raises(AgentUnavailable):
            await chat.execute("alice", ChatRequest(message="hello"))
    await agent.close()

    assert metrics.breaker == [True]
    assert [failed for _, failed in metrics.model_calls] == [True]
    assert metrics.turns == {("openai", "unavailable"): 2}


def test_a_breaker_given_by_the_caller_is_kept() -> None:
    breaker = CircuitBreaker()
    agent = OpenAIChatAgent(AsyncOpenAI(api_key="k", base_url="http://127.0.0.1:9/v1"), "m", breaker=breaker)
    assert agent.breaker is breaker
