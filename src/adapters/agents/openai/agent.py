"""The model-backed agent: the ``openai`` client, a bounded tool loop, retries and a breaker."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import openai
from openai import AsyncOpenAI

from adapters.agents.openai.chat import ChatCompletionsDialect
from adapters.agents.openai.circuit import CircuitBreaker
from adapters.agents.openai.prompt import system_prompt
from adapters.agents.openai.responses import ResponsesDialect
from adapters.agents.openai.wire import Dialect, ModelCall, ModelFailure, ModelStep, to_json
from application.errors import AgentUnavailable
from application.metrics import NO_METRICS, Metrics
from application.ports import (
    AgentEvent,
    AgentReply,
    AgentTurn,
    TextDelta,
    ToolCallEvent,
    ToolExecutor,
    ToolResultEvent,
)
from domain.conversations import ToolCallRecord

log = logging.getLogger("todo_chatbot.agent")

RESPONSES = "responses"
CHAT_COMPLETIONS = "chat_completions"
MAX_BACKOFF = 4.0
STEP_LIMIT = "I stopped here: that took more steps than I'm allowed in one turn. Tell me how to continue."
_TRANSIENT = (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError, ModelFailure)


def _arguments(raw: str) -> dict[str, Any] | None:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _retry_after(exc: BaseException) -> float | None:
    if isinstance(exc, openai.APIStatusError):
        header = exc.response.headers.get("retry-after")
        if header and header.strip().isdigit():
            return float(header)
    return None


def _unavailable(exc: BaseException) -> AgentUnavailable:
    if isinstance(exc, openai.APITimeoutError):
        reason = "did not answer in time"
    elif isinstance(exc, openai.APIConnectionError):
        reason = "cannot be reached"
    elif isinstance(exc, openai.APIStatusError):
        reason = f"answered HTTP {exc.status_code}"
    else:
        reason = "failed"
    log.warning("model call failed: %s", type(exc).__name__)
    wait = _retry_after(exc)
    return AgentUnavailable(f"the AI model {reason}; try again later", retry_after=int(wait) if wait else 10)


class OpenAIChatAgent:
    """Answers with a language model through the ``openai`` client, in the Responses or the
    Chat Completions style. Loops model -> tools -> model until the model answers without
    tool calls or ``max_steps`` model calls were made. A failed model call is retried
    ``retries`` times with exponential backoff, but only before any of its text was
    streamed; tools are never re-run. Failures count in the circuit breaker; the breaker
    open, or retries exhausted, raise ``AgentUnavailable``."""

    def __init__(
        self,
        client: AsyncOpenAI,
        model: str,
        api_style: str = RESPONSES,
        *,
        max_steps: int = 8,
        retries: int = 2,
        backoff: float = 0.5,
        breaker: CircuitBreaker | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        if api_style not in {RESPONSES, CHAT_COMPLETIONS}:
            raise ValueError(f"unknown API style {api_style!r}")
        self._client = client
        self._model = model
        self._dialect: Dialect = ResponsesDialect() if api_style == RESPONSES else ChatCompletionsDialect()
        self._max_steps = max_steps
        self._retries = retries
        self._backoff = backoff
        self.breaker = breaker or CircuitBreaker(on_change=metrics.circuit_breaker)
        self._sleep = sleep
        self._metrics = metrics

    async def close(self) -> None:
        await self._client.close()

    async def run(self, turn: AgentTurn) -> AsyncIterator[AgentEvent]:
        system = system_prompt(turn.now, turn.zone)
        items = self._dialect.start(system, turn.history, turn.message)
        records: list[ToolCallRecord] = []
        parts: list[str] = []
        for _ in range(self._max_steps):
            step: ModelStep | None = None
            separator = "\n\n" if parts else ""
            async for piece in self._model_step(system, items, turn):
                if isinstance(piece, ModelStep):
                    step = piece
                elif piece:
                    yield TextDelta(separator + piece)
                    separator = ""
            assert step is not None
            if step.text:
                parts.append(step.text)
            if not step.calls:
                yield AgentReply("\n\n".join(parts), tuple(records))
                return
            items += step.items
            outputs: list[tuple[str, str]] = []
            for call in step.calls:
                async for event in self._run_tool(turn.tools, call, records):
                    yield event
                outputs.append((call.call_id, to_json(records[-1].result)))
            items += self._dialect.tool_outputs(outputs)
        yield TextDelta(("\n\n" if parts else "") + STEP_LIMIT)
        yield AgentReply("\n\n".join([*parts, STEP_LIMIT]), tuple(records))

    async def _run_tool(
        self, tools: ToolExecutor, call: ModelCall, records: list[ToolCallRecord]
    ) -> AsyncIterator[AgentEvent]:
        arguments = _arguments(call.arguments)
        yield ToolCallEvent(call.call_id, call.name, arguments if arguments is not None else {})
        if arguments is None:
            shown: dict[str, Any] = {"raw": call.arguments[:1000]}
            result: dict[str, Any] = {
                "error": f"The arguments of {call.name} must be a JSON object. Call it again.",
                "kind": "invalid_arguments",
            }
            record = ToolCallRecord(call.call_id, call.name, shown, result, is_error=True)
        else:
            outcome = await tools.call(call.name, arguments)
            record = ToolCallRecord(call.call_id, call.name, outcome.arguments, outcome.result, outcome.is_error)
        records.append(record)
        yield ToolResultEvent(record.call_id, record.name, record.result, record.is_error)

    async def _model_step(self, system: str, items: list[Any], turn: AgentTurn) -> AsyncIterator[str | ModelStep]:
        """One model call with retries; text pieces, then the step."""
        tools = turn.tools.catalogue
        for attempt in range(self._retries + 1):
            self.breaker.before_call()
            streamed = False
            started = time.perf_counter()
            try:
                async for piece in self._dialect.step(self._client, self._model, system, items, tools, turn.stream):
                    streamed = streamed or isinstance(piece, str)
                    yield piece
            except (openai.APIError, ModelFailure) as exc:
                self._metrics.model_call(time.perf_counter() - started, failed=True)
                self.breaker.record_failure()
                wait = self._delay(attempt, exc)
                if streamed or wait is None:
                    raise _unavailable(exc) from exc
                await self._sleep(wait)
                continue
            except BaseException:
                self.breaker.release()
                raise
            self._metrics.model_call(time.perf_counter() - started, failed=False)
            self.breaker.record_success()
            return

    def _delay(self, attempt: int, exc: BaseException) -> float | None:
        """Seconds to wait before the next attempt, or None when not to retry."""
        if attempt >= self._retries or not isinstance(exc, _TRANSIENT):
            return None
        delay = min(self._backoff * 2.0**attempt, MAX_BACKOFF)
        asked = _retry_after(exc)
        if asked is not None:
            if asked > MAX_BACKOFF:
                return None
            delay = max(delay, asked)
        return delay


def create_openai_agent(
    *,
    api_key: str | None,
    base_url: str | None,
    model: str,
    api_style: str,
    timeout_seconds: float,
    max_retries: int,
    max_steps: int,
    breaker: CircuitBreaker | None = None,
    metrics: Metrics = NO_METRICS,
) -> OpenAIChatAgent:
    """The agent with its own client: the settings' timeout, the client's retries off (the
    agent retries the model call itself, never a tool). A local server needs no key."""
    client = AsyncOpenAI(api_key=api_key or "not-needed", base_url=base_url, timeout=timeout_seconds, max_retries=0)
    return OpenAIChatAgent(
        client, model, api_style, max_steps=max_steps, retries=max_retries, breaker=breaker, metrics=metrics
    )
