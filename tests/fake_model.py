"""A fake OpenAI-compatible model server on 127.0.0.1, speaking the real wire format.

Serves ``POST /v1/responses`` and ``POST /v1/chat/completions``, JSON or Server-Sent
Events (when the request says ``"stream": true``), and plays a script of model answers:
``Reply`` (text and/or tool calls), ``Fail`` (an HTTP error), ``Hang`` (answers late),
``Cut`` (starts streaming, then drops the connection). Every request is recorded, and
``disconnects`` counts clients that gave up while a ``Hang`` made them wait. With
an empty script it answers ``default`` at once (a zero-latency model for benchmarks).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

Call = tuple[str, str, dict[str, Any] | str]
"""``(call_id, tool name, arguments)``; a string is sent as the raw arguments text."""


@dataclass
class Reply:
    text: str = ""
    calls: list[Call] = field(default_factory=list)


@dataclass
class Fail:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Hang:
    seconds: float


@dataclass
class Cut:
    text: str = "partial answer"


Step = Reply | Fail | Hang | Cut


@dataclass
class Recorded:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]


def _args(arguments: dict[str, Any] | str) -> str:
    return arguments if isinstance(arguments, str) else json.dumps(arguments)


def _pieces(text: str) -> list[str]:
    words = text.split(" ")
    return [word + (" " if index < len(words) - 1 else "") for index, word in enumerate(words)] if text else []


def responses_body(reply: Reply, number: int, model: str) -> dict[str, Any]:
    output: list[dict[str, Any]] = []
    if reply.text:
        content = [{"type": "output_text", "text": reply.text, "annotations": []}]
        output.append({"type": "message", "id": f"msg_{number}", "role": "assistant", "status": "completed",
                       "content": content})  # fmt: skip
    for index, (call_id, name, arguments) in enumerate(reply.calls):
        output.append({"type": "function_call", "id": f"fc_{number}_{index}", "call_id": call_id, "name": name,
                       "arguments": _args(arguments), "status": "completed"})  # fmt: skip
    return {"id": f"resp_{number}", "object": "response", "created_at": 1_700_000_000, "model": model,
            "status": "completed", "output": output, "parallel_tool_calls": True, "tool_choice": "auto",
            "tools": [], "error": None, "incomplete_details": None, "metadata": {}}  # fmt: skip


def responses_events(reply: Reply, number: int, model: str) -> list[tuple[str, dict[str, Any]]]:
    final = responses_body(reply, number, model)
    events = [("response.created", {"response": {**final, "status": "in_progress", "output": []}})]
    for piece in _pieces(reply.text):
        events.append(("response.output_text.delta", {"item_id": f"msg_{number}", "output_index": 0,
                                                      "content_index": 0, "delta": piece, "logprobs": []}))  # fmt: skip
    events.append(("response.completed", {"response": final}))
    return [(name, {"type": name, "sequence_number": seq, **data}) for seq, (name, data) in enumerate(events)]


def chat_body(reply: Reply, number: int, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.calls:
        message["tool_calls"] = [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": _args(arguments)}}
            for call_id, name, arguments in reply.calls
        ]
    choice = {"index": 0, "message": message, "finish_reason": "tool_calls" if reply.calls else "stop"}
    return {"id": f"chatcmpl-{number}", "object": "chat.completion", "created": 1_700_000_000, "model": model,
            "choices": [choice]}  # fmt: skip


def chat_chunks(reply: Reply, number: int, model: str) -> list[dict[str, Any]]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"id": f"chatcmpl-{number}", "object": "chat.completion.chunk", "created": 1_700_000_000,
                "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip

    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": piece}) for piece in _pieces(reply.text)]
    for index, (call_id, name, arguments) in enumerate(reply.calls):
        raw = _args(arguments)
        head = {"index": index, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}
        chunks.append(chunk({"tool_calls": [head]}))
        for fragment in (raw[: len(raw) // 2], raw[len(raw) // 2 :]):
            chunks.append(chunk({"tool_calls": [{"index": index, "function": {"arguments": fragment}}]}))
    chunks.append(chunk({}, "tool_calls" if reply.calls else "stop"))
    return chunks


class FakeModelServer:
    """The fake model; ``url`` is its OpenAI base URL once started."""

    def __init__(self, default: Step | Callable[[Recorded], Step] | None = None) -> None:
        self.script: deque[Step] = deque()
        self.requests: list[Recorded] = []
        self.disconnects = 0
        self.default = default or Reply("ok")
        self.url = ""
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def play(self, *steps: Step) -> None:
        self.script.extend(steps)

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/v1"
        return self.url

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client went away, or the server is stopping
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        path = lines[0].split(" ")[1]
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        body = json.loads(await reader.readexactly(int(headers.get("content-length", "0"))) or b"{}")
        recorded = Recorded(path, body, headers)
        self.requests.append(recorded)
        step = self.script.popleft() if self.script else self.default
        if callable(step):
            step = step(recorded)
        if isinstance(step, Hang):
            try:  # answer late, unless the client gives up first
                if not await asyncio.wait_for(reader.read(1), step.seconds):
                    self.disconnects += 1
                    return False
            except TimeoutError:
                pass
            step = Reply("too late")
        if isinstance(step, Fail):
            await self._send_json(writer, step.status, {"error": {"message": "scripted failure", "type": "x"}},
                                  step.headers)  # fmt: skip
            return True
        number = len(self.requests)
        model = str(body.get("model", "m"))
        chat = path.endswith("/chat/completions")
        if isinstance(step, Cut):
            await self._send_cut(writer, chat, step, number, model)
            return False
        if not body.get("stream"):
            payload = chat_body(step, number, model) if chat else responses_body(step, number, model)
            await self._send_json(writer, 200, payload)
            return True
        await self._send_stream(writer, chat, step, number, model)
        return False

    async def _send_json(
        self, writer: asyncio.StreamWriter, status: int, payload: Any, headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        writer.write(f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {len(data)}\r\n"
                     f"{extra}\r\n".encode() + data)  # fmt: skip
        await writer.drain()

    async def _send_stream(
        self, writer: asyncio.StreamWriter, chat: bool, step: Reply, number: int, model: str
    ) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n")
        if chat:
            for chunk in chat_chunks(step, number, model):
                writer.write(f"data: {json.dumps(chunk)}\n\n".encode())
            writer.write(b"data: [DONE]\n\n")
        else:
            for name, data in responses_events(step, number, model):
                writer.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
        await writer.drain()

    async def _send_cut(self, writer: asyncio.StreamWriter, chat: bool, step: Cut, number: int, model: str) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: 100000\r\n\r\n")
        if chat:
            writer.write(f"data: {json.dumps(chat_chunks(Reply(step.text), number, model)[1])}\n\n".encode())
        else:
            name, data = responses_events(Reply(step.text), number, model)[1]
            writer.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
        await writer.drain()


@contextlib.contextmanager
def model_in_thread(server: FakeModelServer | None = None) -> Iterator[FakeModelServer]:
    """Run a fake model on its own event loop in a thread: for callers that block their
    own loop (Litestar's test client, synchronous HTTP clients)."""
    server = server or FakeModelServer()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fake-model", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
