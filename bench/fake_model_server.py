"""``python -m bench.fake_model_server PORT``: a zero-latency OpenAI-compatible model for the
chat scenarios of the bench, in its own process on 127.0.0.1:PORT.

It is ``tests/fake_model.FakeModelServer`` (the fake the tests script; the real Chat
Completions and Responses wire format, JSON or Server-Sent Events, keep-alive), run on
uvloop when available, answering every request at once:

- a request whose last user message contains ``TOOL_TRIGGER`` and whose last message is not
  a tool result: one ``list_tasks`` call (``{"status": "pending"}``);
- anything else (including the request after that tool result): a plain assistant text
  reply, ``finish_reason: stop``.

So a turn costs one model call, or two when the user asks for the tool. Requests are not
kept (the test fake records them all). ``GET /health`` answers 200 like any other path.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from typing import Any

from tests.fake_model import FakeModelServer, Recorded, Reply, Step

TOOL_TRIGGER = "[list]"
TEXT_REPLY = "Hello! I can add, list, complete, change and delete your tasks."
AFTER_TOOL_REPLY = "Here are your pending tasks."


def _last(messages: list[dict[str, Any]], role: str | None = None) -> dict[str, Any]:
    for message in reversed(messages):
        if role is None or message.get("role") == role:
            return message
    return {}


class BenchModel(FakeModelServer):
    def __init__(self) -> None:
        super().__init__(self.answer)
        self._calls = itertools.count(1)

    def answer(self, recorded: Recorded) -> Step:
        self.requests.clear()  # a bench sends thousands: keep nothing
        messages = recorded.body.get("messages") or []
        if _last(messages).get("role") == "tool":
            return Reply(AFTER_TOOL_REPLY)
        content = _last(messages, "user").get("content")
        if isinstance(content, str) and TOOL_TRIGGER in content:
            return Reply(calls=[(f"call_{next(self._calls)}", "list_tasks", {"status": "pending"})])
        return Reply(TEXT_REPLY)

    async def serve(self, port: int) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port, backlog=1024)
        self.url = f"http://127.0.0.1:{port}/v1"
        print(f"fake model on {self.url}", flush=True)
        await self._server.serve_forever()


def main(argv: list[str]) -> None:
    port = int(argv[0])
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency of the project
        asyncio.run(BenchModel().serve(port))
    else:
        uvloop.run(BenchModel().serve(port))


if __name__ == "__main__":
    main(sys.argv[1:])
