"""The Chat Completions dialect (what Ollama, vLLM, LM Studio and most compatible servers speak)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from openai import AsyncOpenAI, AsyncStream
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from adapters.agents.openai.prompt import chat_tools
from adapters.agents.openai.wire import ModelCall, ModelFailure, ModelStep, history_calls, post, to_json
from application.tools import Tool
from domain.conversations import Message, Role


def _assistant(text: str, calls: list[ModelCall]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = [
            {"id": c.call_id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}} for c in calls
        ]
    return message


def _step(text: str, calls: list[ModelCall]) -> ModelStep:
    return ModelStep(text, calls, [_assistant(text, calls)])


class ChatCompletionsDialect:
    """``POST /chat/completions``: a system message, ``tool_calls`` and ``tool`` messages."""

    def start(self, system: str, history: tuple[Message, ...], message: str) -> list[Any]:
        items: list[Any] = [{"role": "system", "content": system}]
        for index, past in enumerate(history):
            if past.role is Role.USER:
                items.append({"role": "user", "content": past.content})
                continue
            calls = list(history_calls(index, past))
            if calls:
                made = [ModelCall(call_id, call.name, to_json(call.arguments)) for call_id, call in calls]
                items.append(_assistant("", made))
                items += [{"role": "tool", "tool_call_id": cid, "content": to_json(c.result)} for cid, c in calls]
            if past.content:
                items.append({"role": "assistant", "content": past.content})
        items.append({"role": "user", "content": message})
        return items

    async def step(
        self, client: AsyncOpenAI, model: str, system: str, items: list[Any], tools: tuple[Tool, ...], stream: bool
    ) -> AsyncIterator[str | ModelStep]:
        body: dict[str, Any] = {"model": model, "messages": items, "tools": chat_tools(tools)}
        if not stream:
            completion = await post(client, "/chat/completions", body, ChatCompletion)
            if not completion.choices:
                raise ModelFailure("the model answered without a choice")
            reply = completion.choices[0].message
            calls = [
                ModelCall(call.id or f"call_{index}", call.function.name, call.function.arguments)
                for index, call in enumerate(reply.tool_calls or ())
                if call.type == "function"
            ]
            if reply.content:
                yield reply.content
            yield _step(reply.content or "", calls)
            return
        body["stream"] = True
        chunks = await post(client, "/chat/completions", body, ChatCompletion, AsyncStream[ChatCompletionChunk])
        text: list[str] = []
        pending: dict[int, dict[str, str]] = {}
        try:
            async for chunk in chunks:
                delta = chunk.choices[0].delta if chunk.choices else None
                if delta is None:
                    continue
                if delta.content:
                    text.append(delta.content)
                    yield delta.content
                for fragment in delta.tool_calls or ():
                    call = pending.setdefault(fragment.index, {"id": "", "name": "", "arguments": ""})
                    call["id"] = fragment.id or call["id"]
                    if fragment.function is not None:
                        call["name"] += fragment.function.name or ""
                        call["arguments"] += fragment.function.arguments or ""
        finally:
            await chunks.close()
        calls = [
            ModelCall(call["id"] or f"call_{index}", call["name"], call["arguments"])
            for index, call in sorted(pending.items())
        ]
        yield _step("".join(text), calls)

    def tool_outputs(self, outputs: list[tuple[str, str]]) -> list[Any]:
        return [{"role": "tool", "tool_call_id": call_id, "content": output} for call_id, output in outputs]
