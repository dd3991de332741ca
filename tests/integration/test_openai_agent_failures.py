"""When the model fails: retries on the model call only, timeouts, the circuit breaker."""

from __future__ import annotations

import asyncio
import socket

import pytest
from openai import AsyncOpenAI

from adapters.agents.openai.agent import OpenAIChatAgent
from adapters.agents.openai.circuit import CircuitBreaker
from application.chat.schemas import ChatRequest
from application.chat.send import SendChatMessage
from application.errors import AgentUnavailable
from application.ports import TextDelta
from tests.fake_model import Cut, Fail, FakeModelServer, Hang, Reply
from tests.fakes import FixedClock, InMemoryUnitOfWork, task_tools


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Setup:
    def __init__(self, model: FakeModelServer, style: str = "chat_completions", **options: object) -> None:
        self.uow = InMemoryUnitOfWork()
        self.waits: list[float] = []
        base_url = str(options.pop("base_url", model.url))
        client = AsyncOpenAI(api_key="k", base_url=base_url, timeout=float(options.pop("timeout", 5.0)), max_retries=0)
        self.agent = OpenAIChatAgent(client, "m", style, sleep=self._wait, **options)  # type: ignore[arg-type]
        self.chat = SendChatMessage(self.uow, FixedClock(), self.agent, task_tools(self.uow, FixedClock()))

    async def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)

    async def send(self, message: str = "add milk") -> str:
        return (await self.chat.execute("alice", ChatRequest(message=message))).response


@pytest.mark.parametrize("style", ["responses", "chat_completions"])
async def test_server_errors_are_retried_with_exponential_backoff(model: FakeModelServer, style: str) -> None:
    model.play(Fail(500), Fail(503), Reply("fine"))
    setup = Setup(model, style, retries=2, backoff=0.5)
    assert await setup.send() == "fine"
    assert len(model.requests) == 3
    assert setup.waits == [0.5, 1.0]


async def test_a_tool_is_never_run_twice_when_the_next_model_call_is_retried(model: FakeModelServer) -> None:
    model.play(Reply(calls=[("c1", "add_task", {"title": "Once"})]), Fail(500), Reply("done"))
    setup = Setup(model, retries=2)
    assert await setup.send() == "done"
    assert [task.title for task in setup.uow.state.tasks.values()] == ["Once"]
    assert len(model.requests) == 3


async def test_rate_limited_until_retries_run_out_is_unavailable_and_keeps_the_question(
    model: FakeModelServer,
) -> None:
    model.play(Fail(429), Fail(429), Fail(429))
    setup = Setup(model, retries=2)
    with pytest.raises(AgentUnavailable) as caught:
        await setup.send()
    assert len(model.requests) == 3
    assert "HTTP 429" in str(caught.value) and caught.value.conversation_id == 1
    assert [m.content for m in setup.uow.state.messages[("alice", 1)]] == ["add milk"]


async def test_a_short_retry_after_is_honoured_and_a_long_one_is_passed_on(model: FakeModelServer) -> None:
    model.play(Fail(429, {"Retry-After": "2"}), Reply("ok"), Fail(429, {"Retry-After": "60"}))
    setup = Setup(model, retries=2, backoff=0.5)
    assert await setup.send() == "ok"
    assert setup.waits == [2.0]
    with pytest.raises(AgentUnavailable) as caught:
        await setup.send()
    assert caught.value.retry_after == 60 and len(model.requests) == 3


async def test_a_model_that_does_not_answer_in_time_is_unavailable(model: FakeModelServer) -> None:
    model.play(Hang(5), Hang(5))
    setup = Setup(model, timeout=0.2, retries=1)
    with pytest.raises(AgentUnavailable, match="did not answer in time"):
        await setup.send()
    assert len(model.requests) == 2


async def test_client_errors_are_not_retried(model: FakeModelServer) -> None:
    model.play(Fail(401))
    setup = Setup(model, retries=2)
    with pytest.raises(AgentUnavailable, match="HTTP 401"):
        await setup.send()
    assert len(model.requests) == 1 and setup.waits == []


async def test_an_unreachable_model_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    setup = Setup(FakeModelServer(), base_url=f"http://127.0.0.1:{port}/v1", retries=1)
    with pytest.raises(AgentUnavailable, match="cannot be reached"):
        await setup.send()
    assert setup.waits == [0.5]


@pytest.mark.parametrize("style", ["responses", "chat_completions"])
async def test_a_stream_cut_after_text_was_sent_is_not_retried(model: FakeModelServer, style: str) -> None:
    model.play(Cut("partial answer"), Reply("never asked for"))
    setup = Setup(model, style, retries=2)
    seen: list[object] = []

    async def consume() -> None:
        async for event in setup.chat.stream("alice", ChatRequest(message="hi")):
            seen.append(event)

    with pytest.raises(AgentUnavailable):
        await consume()
    assert [e.text for e in seen if isinstance(e, TextDelta)] == ["partial "]
    assert len(model.requests) == 1


async def test_the_circuit_opens_after_five_failures_and_then_fails_fast(model: FakeModelServer) -> None:
    clock = Monotonic()
    breaker = CircuitBreaker(threshold=5, reset_after=30, clock=clock)
    model.default = Fail(500)
    setup = Setup(model, retries=0, breaker=breaker)
    for _ in range(5):
        with pytest.raises(AgentUnavailable):
            await setup.send()
    assert breaker.state == "open" and len(model.requests) == 5

    clock.now += 10
    with pytest.raises(AgentUnavailable) as caught:
        await setup.send()
    assert caught.value.retry_after == 20 and len(model.requests) == 5

    clock.now += 20
    model.default = Reply("back")
    assert await setup.send() == "back"
    assert breaker.state == "closed" and len(model.requests) == 6


async def test_a_failed_half_open_trial_opens_the_circuit_again(model: FakeModelServer) -> None:
    clock = Monotonic()
    breaker = CircuitBreaker(threshold=2, reset_after=30, clock=clock)
    model.default = Fail(500)
    setup = Setup(model, retries=3, breaker=breaker)
    with pytest.raises(AgentUnavailable):
        await setup.send()
    assert len(model.requests) == 2  # the third attempt met the open circuit
    clock.now += 30
    with pytest.raises(AgentUnavailable):
        await setup.send()
    assert len(model.requests) == 3 and breaker.state == "open"


async def test_cancelling_a_turn_cancels_the_model_call_and_frees_the_half_open_trial(
    model: FakeModelServer,
) -> None:
    clock = Monotonic()
    breaker = CircuitBreaker(threshold=1, reset_after=30, clock=clock)
    model.play(Fail(500), Hang(30))
    setup = Setup(model, retries=0, breaker=breaker)
    with pytest.raises(AgentUnavailable):
        await setup.send()
    clock.now += 30
    turn = asyncio.create_task(setup.send())
    deadline = asyncio.get_running_loop().time() + 5
    while len(model.requests) < 2 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    turn.cancel()
    with pytest.raises(asyncio.CancelledError):
        await turn
    assert breaker.state == "half_open"
    breaker.before_call()  # the trial slot is free again
    deadline = asyncio.get_running_loop().time() + 5
    while model.disconnects < 1 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    assert model.disconnects == 1  # the model call itself was abandoned
