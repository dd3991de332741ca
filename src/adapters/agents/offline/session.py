"""One turn of the offline agent: its tool calls, and finding the tasks a request names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from adapters.agents.offline import replies as say
from adapters.agents.offline.match import content_words, match, search_text
from adapters.agents.offline.memory import WHICH, Memory
from adapters.agents.offline.targets import Target
from application.ports import AgentEvent, ToolCallEvent, ToolExecutor, ToolResultEvent
from application.tools import ToolOutcome
from domain.conversations import ToolCallRecord

Task = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Found:
    """Tasks a target named, or the reply that says why none was picked."""

    ids: list[int]
    reply: str = ""


class Session:
    """Runs tools for one turn and keeps the events, records and tasks seen."""

    def __init__(self, tools: ToolExecutor, now: datetime, zone: tzinfo, memory: Memory) -> None:
        self.tools = tools
        self.now = now
        self.zone = zone
        self.today: date = now.astimezone(zone).date()
        self.memory = memory
        self.events: list[AgentEvent] = []
        self.records: list[ToolCallRecord] = []
        self.seen: dict[int, Task] = {}

    async def call(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        call_id = f"call_{len(self.records) + 1}"
        self.events.append(ToolCallEvent(call_id, name, dict(arguments)))
        outcome = await self.tools.call(name, arguments)
        self.events.append(ToolResultEvent(call_id, name, outcome.result, outcome.is_error))
        self.records.append(ToolCallRecord(call_id, name, outcome.arguments, outcome.result, outcome.is_error))
        if not outcome.is_error:
            items = outcome.result.get("items") if "items" in outcome.result else [outcome.result]
            self.seen.update({item["id"]: item for item in items or () if isinstance(item, dict) and "id" in item})
        return outcome

    def error(self, outcome: ToolOutcome, task_id: int | None = None) -> str:
        """A sentence for a tool error, by its kind."""
        kind = outcome.result.get("kind")
        if kind == "not_found" and task_id is not None:
            if outcome.name == "restore_task":
                return f"Task {task_id} isn't in the trash, so there is nothing to bring back."
            return say.no_task(task_id)
        if kind == "conflict":
            return "That task was changed at the same moment by something else; nothing changed. Please try again."
        message = str(outcome.result.get("error", "the tool failed"))
        return f"That didn't work, so nothing changed: {message.split('. ', maxsplit=1)[0].removesuffix('.')}."

    async def listing(self, arguments: dict[str, Any], pages: int = 1) -> list[Task] | str:
        """Tasks from ``list_tasks`` (up to ``pages`` pages of 100), or an error reply."""
        found: list[Task] = []
        args = {**arguments, "limit": arguments.get("limit", 100)}
        for _ in range(pages):
            outcome = await self.call("list_tasks", args)
            if outcome.is_error:
                return self.error(outcome)
            found += outcome.result["items"]
            if outcome.result["next_cursor"] is None:
                break
            args = {**args, "cursor": outcome.result["next_cursor"]}
        return found

    async def task(self, task_id: int) -> Task | str:
        if task_id in self.seen:
            return self.seen[task_id]
        outcome = await self.call("get_task", {"task_id": task_id})
        return self.error(outcome, task_id) if outcome.is_error else outcome.result

    async def resolve(self, target: Target, action: str) -> Found:
        """The ids a target names; a question or an explanation instead when it is not sure."""
        if target.ids:
            return Found(list(target.ids))
        if target.ordinals:
            return self._ordinals(target.ordinals)
        if target.ref:
            ids = self.memory.focus if target.ref == "one" else (self.memory.focus or self.memory.shown)
            if not ids or (target.ref == "one" and len(ids) != 1) or (target.both and len(ids) != 2):
                return Found([], WHICH)
            return Found(list(ids))
        if target.title is not None:
            return await self._lookup(target.title, action, quoted=True)
        if target.words:
            found = await self._lookup(target.words, action, quoted=False)
            parts = [p for p in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", target.words) if content_words(p)]
            if found.ids or len(parts) < 2:
                return found
            return await self._each(parts, action) or found
        return Found([], WHICH)

    async def _each(self, parts: list[str], action: str) -> Found | None:
        """ "the plumber task and the video one": each part must name one task for sure."""
        ids: list[int] = []
        for part in parts:
            found = await self._lookup(part, action, quoted=False)
            if not found.ids:
                return None
            ids += found.ids
        return Found(list(dict.fromkeys(ids)))

    def _ordinals(self, ordinals: tuple[int, ...]) -> Found:
        shown = self.memory.shown
        if not shown:
            return Found([], say.NO_LIST)
        ids = []
        for ordinal in ordinals:
            index = len(shown) + ordinal if ordinal < 0 else ordinal - 1
            if not 0 <= index < len(shown):
                count = f"{len(shown)} task{'s' if len(shown) != 1 else ''}"
                return Found([], f"The list I showed has only {count}, so nothing changed.")
            ids.append(shown[index])
        return Found(ids)

    async def _lookup(self, phrase: str, action: str, *, quoted: bool) -> Found:
        words = content_words(phrase) if not quoted else content_words(phrase) or [phrase.lower()]
        query = phrase if quoted else search_text(words)
        tasks = await self.listing({"q": query}) if query else []
        if isinstance(tasks, str):
            return Found([], tasks)
        found = match(tasks, phrase, words)
        if not (found.exact or found.strong):
            # Stems the text search cannot see, and typos: the first page of every task.
            everything = await self.listing({})
            if isinstance(everything, str):
                return Found([], everything)
            found = match(everything, phrase, words)
        return self._decide(found.exact or _fitting(found.strong, action), found.weak, phrase)

    def _decide(self, strong: list[Task], weak: list[Task], phrase: str) -> Found:
        if len(strong) == 1:
            return Found([strong[0]["id"]])
        if strong:
            return Found([], say.several(phrase, strong, self.today, self.zone))
        if len(weak) == 1:
            return Found([], say.mean(phrase, weak[0]))
        if weak:
            return Found([], say.several(phrase, weak, self.today, self.zone))
        return Found([], say.not_found(phrase))


def _fitting(tasks: list[Task], action: str) -> list[Task]:
    """Of several matches, the ones the action makes sense for (complete a pending task,
    reopen a done one), when that leaves any."""
    wanted = {"complete": False, "reopen": True}.get(action)
    if wanted is None or len(tasks) < 2:
        return tasks
    return [task for task in tasks if task.get("completed") is wanted] or tasks
