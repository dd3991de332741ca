"""The Responses API dialect (OpenAI's own models)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from openai import AsyncOpenAI, AsyncStream
from openai.types.responses import Response, ResponseStreamEvent

from adapters.agents.openai.prompt import responses_tools
from adapters.agents.openai.wire import ModelCall, ModelFailure, ModelStep, history_calls, post, to_json
from application.tools import Tool
from domain.conversations import Message, Role


def _step_of(response: Response) -> ModelStep:
    calls = [
        ModelCall(item.call_id, item.name, item.arguments) for item in response.output if item.type == "function_call"
    ]
    # The model's own output items go back verbatim (reasoning items included).
    items = [item.to_dict() for item in response.output]
    return ModelStep(response.output_text, calls, items)


class ResponsesDialect:
    """``POST /responses``: flat function tools, ``function_call`` / ``function_call_output`` items."""

    def start(self, system: str, history: tuple[Message, ...], message: str) -> list[Any]:
        items: list[Any] = []
        for index, past in enumerate(history):
            if past.role is Role.USER:
                items.append({"role": "user", "content": past.content})
                continue
            for call_id, call in history_calls(index, past):
                items.append({"type": "function_call", "call_id": call_id, "name": call.name,
                              "arguments": to_json(call.arguments)})  # fmt: skip
                items.append({"type": "function_call_output", "call_id": call_id, "output": to_json(call.result)})
            if past.content:
                items.append({"role": "assistant", "content": past.content})
        items.append({"role": "user", "content": message})
        return items

    async def step(
        self, client: AsyncOpenAI, model: str, system: str, items: list[Any], tools: tuple[Tool, ...], stream: bool
    ) -> AsyncIterator[str | ModelStep]:
        request: dict[str, Any] = {
            "model": model,
            "instructions": system,
            "input": items,
            "tools": responses_tools(tools),
            "parallel_tool_calls": True,
        }
        if not stream:
            response = await post(client, "/responses", request, Response)
            step = _step_of(response)
            if step.text:
                yield step.text
            yield step
            return
        request["stream"] = True
        events = await post(client, "/responses", request, Response, AsyncStream[ResponseStreamEvent])
        final: Response | None = None
        try:
            async for event in events:
                if event.type == "response.output_text.delta":
                    yield event.delta
                elif event.type in {"response.completed", "response.incomplete"}:
                    final = event.response
                elif event.type in {"response.failed", "error"}:
                    raise ModelFailure(f"the model's stream failed ({event.type})")
        finally:
            await events.close()
        if final is None:
            raise ModelFailure("the model's stream ended without a response")
        yield _step_of(final)

    def tool_outputs(self, outputs: list[tuple[str, str]]) -> list[Any]:
        return [{"type": "function_call_output", "call_id": call_id, "output": output} for call_id, output in outputs]
