"""The embedded agent: a deterministic parser of common task commands, no model needed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from adapters.agents import offline_replies as say
from adapters.agents.offline_parse import Act, AddTask, Command, Help, ListTasks, Refuse, parse
from adapters.agents.offline_words import Target
from application.ports import (
    AgentEvent,
    AgentReply,
    AgentTurn,
    TextDelta,
    ToolCallEvent,
    ToolExecutor,
    ToolResultEvent,
)
from application.tools import ToolOutcome
from domain.conversations import ToolCallRecord
from domain.due import local_today

Task = dict[str, Any]
_LOOKUP_PAGES = 5
_STOP_WORDS = {"the", "a", "an", "my", "to", "of", "and", "for", "task", "tasks", "todo", "item", "one"}
_EXAMPLES = {"complete": "complete task {id}", "reopen": "reopen task {id}", "delete": "delete task {id}"}


class _Session:
    """Runs tools for one turn and keeps the events and records they make."""

    def __init__(self, tools: ToolExecutor, today: date) -> None:
        self.tools = tools
        self.today = today
        self.events: list[AgentEvent] = []
        self.records: list[ToolCallRecord] = []

    async def call(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        call_id = f"call_{len(self.records) + 1}"
        self.events.append(ToolCallEvent(call_id, name, dict(arguments)))
        outcome = await self.tools.call(name, arguments)
        self.events.append(ToolResultEvent(call_id, name, outcome.result, outcome.is_error))
        self.records.append(ToolCallRecord(call_id, name, outcome.arguments, outcome.result, outcome.is_error))
        return outcome


class OfflineChatAgent:
    """The built-in assistant used when no model is configured. It understands common
    commands (add, list, complete, reopen, change, delete) in plain English and runs them
    through the same task tools as a model would. When words match several tasks, or the
    request would delete more than one task, it changes nothing and asks. It treats task
    text as data: a task's title never becomes a command."""

    async def run(self, turn: AgentTurn) -> AsyncIterator[AgentEvent]:
        today = local_today(turn.now, turn.zone)
        session = _Session(turn.tools, today)
        text = await _handle(session, parse(turn.message, today))
        for event in session.events:
            yield event
        yield TextDelta(text)
        yield AgentReply(text, tuple(session.records))


async def _handle(session: _Session, command: Command) -> str:
    if isinstance(command, Help):
        return {"greeting": say.GREETING, "thanks": say.THANKS}.get(command.kind, say.HELP)
    if isinstance(command, Refuse):
        return say.REFUSALS[command.reason]
    if isinstance(command, AddTask):
        return await _add(session, command.arguments)
    if isinstance(command, ListTasks):
        return await _list(session, command)
    return await _act(session, command)


async def _add(session: _Session, arguments: dict[str, Any]) -> str:
    if not arguments.get("title"):
        return 'What should the task be called? For example: "add buy milk tomorrow".'
    outcome = await session.call("add_task", arguments)
    if outcome.is_error:
        return say.tool_error(outcome.result["error"])
    return say.added(outcome.result, session.today)


async def _list(session: _Session, command: ListTasks) -> str:
    outcome = await session.call("list_tasks", command.arguments)
    if outcome.is_error:
        return say.tool_error(outcome.result["error"])
    page = outcome.result
    return say.listing(page["items"], command.label, page["next_cursor"] is not None, session.today)


def _words(text: str) -> list[str]:
    return [word for word in re.findall(r"[\w']+", text.casefold()) if word not in _STOP_WORDS]


def _title_matches(title: str, phrase: str, words: list[str]) -> bool:
    folded = title.casefold()
    if phrase and phrase in folded:
        return True
    title_words = re.findall(r"[\w']+", folded)
    return bool(words) and all(any(tw == w or (len(w) >= 4 and tw.startswith(w)) for tw in title_words) for w in words)


async def _lookup(session: _Session, target: Target) -> list[Task] | str:
    """The live tasks a quoted title or words name (an exact title wins), or a reply."""
    phrase = (target.title or target.words).casefold().strip()
    words = _words(phrase)
    if not phrase or (not words and target.title is None):
        return 'Which task? Name it by number, e.g. "task 3", or by words from its title.'
    query = phrase if target.title is not None else max(words, key=len)
    found: list[Task] = []
    arguments: dict[str, Any] = {"q": query, "limit": 100}
    for _ in range(_LOOKUP_PAGES):
        outcome = await session.call("list_tasks", arguments)
        if outcome.is_error:
            return say.tool_error(outcome.result["error"])
        found.extend(outcome.result["items"])
        if outcome.result["next_cursor"] is None:
            break
        arguments = {**arguments, "cursor": outcome.result["next_cursor"]}
    exact = [task for task in found if task["title"].casefold() == phrase]
    return exact or [task for task in found if _title_matches(task["title"], phrase, words)]


async def _act(session: _Session, command: Act) -> str:
    target = command.target
    if target.empty:
        return 'Which task? Name it by number, e.g. "task 3", or by words from its title.'
    if target.ids:
        if command.action == "update" and len(target.ids) > 1:
            return 'I change one task at a time. Say e.g. "rename task 2 to Call dad".'
        replies = [await _apply(session, command, task_id) for task_id in target.ids]
        return "\n".join(replies)
    found = await _lookup(session, target)
    if isinstance(found, str):
        return found
    words = target.title or target.words
    if not found:
        return say.not_found(words)
    if len(found) > 1:
        example = _EXAMPLES.get(command.action, "rename task {id} to ...").format(id=found[0]["id"])
        return say.several(found, words, example)
    return await _apply(session, command, found[0]["id"])


async def _apply(session: _Session, command: Act, task_id: int) -> str:
    changes = dict(command.changes)
    if "add_tags" in changes:
        current = await session.call("get_task", {"task_id": task_id})
        if current.is_error:
            return say.tool_error(current.result["error"], task_id)
        changes = {"tags": [*current.result["tags"], *changes.pop("add_tags")]}
    name, arguments = {
        "complete": ("complete_task", {"task_id": task_id}),
        "reopen": ("update_task", {"task_id": task_id, "completed": False}),
        "delete": ("delete_task", {"task_id": task_id}),
    }.get(command.action, ("update_task", {"task_id": task_id, **changes}))
    outcome = await session.call(name, arguments)
    if outcome.is_error:
        return say.tool_error(outcome.result["error"], task_id)
    task = outcome.result
    if command.action == "complete":
        return say.completed(task, session.today)
    if command.action == "reopen":
        return say.reopened(task)
    if command.action == "delete":
        return say.deleted(task)
    return say.updated(task, command.changes, session.today)
