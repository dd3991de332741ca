"""The offline agent behind ``SendChatMessage`` on in-memory storage, seeded with the corpus tasks."""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

import msgspec

from adapters.agents.offline.agent import OfflineChatAgent
from application.chat.schemas import ChatRequest
from application.chat.send import SendChatMessage
from application.schemas import NewTask, TaskFilter
from application.tools import TaskOperations, TaskTools
from application.validation import convert
from tests.chat_corpus import corpus_seed
from tests.fakes import FixedClock, InMemoryUnitOfWork, task_operations

OWNER = "corpus-user"


class OfflineHarness:
    """A fresh user who owns the corpus tasks, chatting with the offline agent."""

    def __init__(self, uow: InMemoryUnitOfWork, clock: FixedClock, ops: TaskOperations) -> None:
        self.ops = ops
        self.today: date = clock.now().date()
        self.chat = SendChatMessage(uow, clock, OfflineChatAgent(), TaskTools(ops))

    @classmethod
    async def start(cls, clock: FixedClock | None = None) -> OfflineHarness:
        uow, clock = InMemoryUnitOfWork(), clock or FixedClock()
        harness = cls(uow, clock, task_operations(uow, clock))
        for task in corpus_seed(harness.today):
            view = await harness.ops.add.execute(OWNER, convert(task.body, NewTask))
            if task.completed:
                await harness.ops.complete.execute(OWNER, view.id, UTC)
        return harness

    async def send(self, message: str, conversation: int | None) -> dict[str, Any]:
        request = ChatRequest(message=message, conversation_id=conversation, timezone="UTC")
        answer: dict[str, Any] = msgspec.to_builtins(await self.chat.execute(OWNER, request))
        return answer

    async def live(self) -> list[dict[str, Any]]:
        page = await self.ops.list.execute(OWNER, TaskFilter(limit=100), UTC)
        tasks: list[dict[str, Any]] = msgspec.to_builtins(page.items)
        return tasks
