"""Every line of the chat command corpus, through SendChatMessage with the offline agent."""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

import msgspec
import pytest

from adapters.agents.offline.agent import OfflineChatAgent
from application.chat.schemas import ChatRequest
from application.chat.send import SendChatMessage
from application.schemas import NewTask, TaskFilter
from application.tools import TaskOperations, TaskTools
from application.validation import convert
from tests.fakes import FixedClock, InMemoryUnitOfWork
from tests.nl_judge import Case, judge, load_cases, named_in_results, named_in_text, seed_tasks

OWNER = "corpus-user"


async def seed(ops: TaskOperations, owner: str, today: date) -> None:
    for task in seed_tasks(today):
        view = await ops.add.execute(owner, convert(task.body, NewTask))
        if task.completed:
            await ops.complete.execute(owner, view.id, UTC)


async def live_tasks(ops: TaskOperations, owner: str) -> list[dict[str, Any]]:
    page = await ops.list.execute(owner, TaskFilter(limit=100), UTC)
    tasks: list[dict[str, Any]] = msgspec.to_builtins(page.items)
    return tasks


def test_the_corpus_has_every_kind_of_outcome() -> None:
    kinds = {case.outcome.split()[0] for case in load_cases()}
    assert kinds == {"created", "completed", "reopened", "deleted", "updated", "listed", "unchanged"}
    assert len(load_cases()) >= 36


@pytest.mark.parametrize("case", load_cases(), ids=str)
async def test_corpus_line(
    case: Case, uow: InMemoryUnitOfWork, clock: FixedClock, ops: TaskOperations, tools: TaskTools
) -> None:
    today = clock.now().date()
    await seed(ops, OWNER, today)
    before = await live_tasks(ops, OWNER)
    assert [task["id"] for task in before] == [1, 2, 3, 4, 5, 6]
    chat = SendChatMessage(uow, clock, OfflineChatAgent(), tools)

    answer = await chat.execute(OWNER, ChatRequest(message=case.message, timezone="UTC"))

    after = await live_tasks(ops, OWNER)
    reply = msgspec.to_builtins(answer)
    assert judge(case.outcome, before, after, reply, today) == [], reply["response"]
    if case.outcome.startswith("listed"):
        # The offline agent is held to more than the rule: its text names exactly the tasks listed.
        assert named_in_text(reply["response"], after) == named_in_results(reply)


TASKS = [
    {"id": 1, "title": "Buy groceries", "description": None, "completed": False, "priority": "medium",
     "due": None, "tags": [], "recurrence": "none"},
    {"id": 2, "title": "Call mom", "description": None, "completed": False, "priority": "high",
     "due": "2026-11-23", "tags": ["work"], "recurrence": "none"},
]  # fmt: skip
TODAY = date(2026, 11, 24)
NEW_MILK = {**TASKS[0], "id": 3, "title": "Buy milk ", "due": "2026-11-25", "tags": ["home"]}
LISTED_ALL = {"name": "list_tasks", "result": {"items": TASKS}, "is_error": False}


def _with(task_id: int, **changes: Any) -> list[dict[str, Any]]:
    return [{**task, **changes} if task["id"] == task_id else task for task in TASKS]


@pytest.mark.parametrize(
    ("outcome", "after", "answer"),
    [
        ('created title="Buy milk"', TASKS, {}),
        ('created title="Buy milk"', [*TASKS, {**TASKS[0], "id": 3, "title": "Buy bread"}], {}),
        ("created title=x due=+1d", [*TASKS, {**TASKS[0], "id": 3, "title": "x", "due": "2026-11-26"}], {}),
        ("created title=x due=friday", [*TASKS, {**TASKS[0], "id": 3, "title": "x", "due": "2026-11-26"}], {}),
        ("created title=x tags=a,b", [*TASKS, {**TASKS[0], "id": 3, "title": "x", "tags": ["a"]}], {}),
        ("completed 1", TASKS, {}),
        ("completed 1", _with(1, completed=True, priority="high"), {}),
        ("completed 1", [{**TASKS[0], "completed": True}, {**TASKS[1], "completed": True}], {}),
        ("reopened 2", _with(2, title="Call dad"), {}),
        ("deleted 1", TASKS, {}),
        ("deleted 1", [], {}),
        ('updated 2 title="Call dad"', _with(2, title="Call mum"), {}),
        ("updated 2 due=+1d", _with(2, due="2026-11-24"), {}),
        ("listed 2", TASKS, {"response": "Buy groceries and Call mom"}),
        ("listed 2", TASKS, {"response": "Here you go", "tool_calls": []}),
        ("unchanged", _with(1, tags=["home"]), {"response": "ok"}),
    ],
)
def test_the_judge_catches_wrong_outcomes(outcome: str, after: list[dict[str, Any]], answer: dict[str, Any]) -> None:
    assert judge(outcome, TASKS, after, answer, TODAY) != []


@pytest.mark.parametrize(
    ("outcome", "after", "answer"),
    [
        ('created title="buy MILK" due=+1d tags=Home', [*TASKS, NEW_MILK], {}),
        ("completed 1", _with(1, completed=True), {}),
        ("deleted 2", TASKS[:1], {}),
        ("updated 1 priority=high", _with(1, priority="high"), {}),
        ("listed 2", TASKS, {"response": "You have: Call mom."}),
        ("listed 1,2", TASKS, {"response": "Here:", "tool_calls": [LISTED_ALL]}),
        ("unchanged", TASKS, {"response": "Which one?"}),
    ],
)
def test_the_judge_accepts_right_outcomes(outcome: str, after: list[dict[str, Any]], answer: dict[str, Any]) -> None:
    assert judge(outcome, TASKS, after, answer, TODAY) == []
