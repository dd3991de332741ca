"""What the offline agent does for each command, through the task tools."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.agents.offline import changes as edits
from adapters.agents.offline import replies as say
from adapters.agents.offline.grammar import Act, Add, Ask, Show
from adapters.agents.offline.memory import WHICH
from adapters.agents.offline.session import Session, Task
from adapters.agents.offline.targets import Target

_QUESTION = {"complete": "Mark these {n} ({label}) as done?", "reopen": "Reopen these {n} ({label})?",
             "delete": "Delete these {n} ({label})?", "update": "Change these {n} ({label}): {change}?",
             "back": "Bring back these {n} ({label})?", "restore": "Bring back these {n} ({label})?"}  # fmt: skip
_SELECTION_STATUS = {"complete": "pending", "reopen": "completed"}


class Actions:
    """Runs commands for one turn and says what happened."""

    def __init__(self, session: Session) -> None:
        self.session = session

    async def add(self, command: Add) -> str:
        s = self.session
        if not command.tasks:
            return 'What should the task be called? For example: "add buy milk tomorrow".'
        lines, ids = [], []
        for arguments in command.tasks:
            if command.bare and (same := await self._same_title(arguments["title"])) is not None:
                lines.append(f"You already have {say.name(same)}. Say \"add {same['title']}\" to add it again, "
                             f"or \"done with {same['title']}\" when it's done.")  # fmt: skip
                continue
            outcome = await s.call("add_task", arguments)
            if outcome.is_error:
                lines.append(s.error(outcome))
                continue
            lines.append(say.added(outcome.result, s.today, s.zone))
            ids.append(outcome.result["id"])
        lines += [f"({note}.)" for note in command.notes]
        s.memory.saw(ids)
        return "\n".join(lines)

    async def _same_title(self, title: str) -> Task | None:
        outcome = await self.session.call("list_tasks", {"q": title, "limit": 100})
        items = [] if outcome.is_error else outcome.result["items"]
        return next((t for t in items if t["title"].casefold() == title.casefold() and not t["completed"]), None)

    async def show(self, command: Show) -> str:
        s = self.session
        changed = [c.arguments.get("task_id", (c.result or {}).get("id")) for c in s.memory.changes]
        changed = [task_id for task_id in dict.fromkeys(changed) if isinstance(task_id, int)]
        if command.due and len(changed) == 1 and s.memory.focus == changed:
            return await self.act(Act("update", Target(ids=tuple(changed)), {"due": command.due}))
        arguments, label = dict(command.arguments), command.label
        attempts = [(arguments, label)]
        if command.rest and len(command.rest.split()) == 1 and not {"tag", "q"} & set(arguments):
            attempts = [({**arguments, "tag": command.rest}, f"{label} tagged {command.rest}"),
                        ({**arguments, "q": command.rest}, f'{label} mentioning "{command.rest}"')]  # fmt: skip
        for args, shown in attempts:
            outcome = await s.call("list_tasks", {**args, "limit": 50})
            if outcome.is_error:
                return s.error(outcome)
            items = outcome.result["items"]
            if items or (args, shown) == attempts[-1]:
                s.memory.saw([task["id"] for task in items], listed=True)
                return say.listing(items, shown, outcome.result["next_cursor"] is not None, s.today, s.zone)
        return ""  # pragma: no cover

    async def ask(self, command: Ask) -> str:
        s = self.session
        if command.kind == "count":
            return await self._count(command)
        found = await s.resolve(command.target, "ask")
        if found.reply:
            return found.reply
        lines = []
        for task_id in found.ids:
            task = await s.task(task_id)
            lines.append(task if isinstance(task, str) else self._answer(command.kind, task))
        s.memory.saw(found.ids)
        return "\n".join(lines)

    def _answer(self, kind: str, task: Task) -> str:
        s = self.session
        if kind == "when":
            if not task.get("due"):
                return f'#{task["id"]} "{task["title"]}" has no due date.'
            return f'#{task["id"]} "{task["title"]}" is due {say.when_local(task["due"], s.today, s.zone)}.'
        if kind == "done":
            if task["completed"]:
                return f'Yes, #{task["id"]} "{task["title"]}" is done.'
            due = f" (due {say.when_local(task['due'], s.today, s.zone)})" if task.get("due") else ""
            return f'No, #{task["id"]} "{task["title"]}" isn\'t done yet{due}.'
        if kind == "priority":
            return f'#{task["id"]} "{task["title"]}" is {task["priority"]} priority.'
        note = f"\nNote: {' '.join(str(task['description']).split())}" if task.get("description") else ""
        return say.line(task, s.today, s.zone) + note

    async def _count(self, command: Ask) -> str:
        selection = dict(command.target.selection or {})
        status = selection.pop("status", None)
        tasks = await self.session.listing(selection, pages=10)
        if isinstance(tasks, str):
            return tasks
        done = sum(1 for task in tasks if task["completed"])
        pending = len(tasks) - done
        if set(selection) - {"limit"}:
            label = command.target.label.replace("completed ", "").replace("pending ", "")
            matching = done if status == "completed" else pending if status == "pending" else len(tasks)
            return f"You have {matching} {label if matching != 1 else label.replace('tasks', 'task')}."
        if status == "completed":
            return f"You've completed {edits.plural(done)} (and have {pending} still to do)."
        if status == "pending":
            return f"You have {pending} open task{'s' if pending != 1 else ''}."
        return f"You have {pending} open task{'s' if pending != 1 else ''} ({done} done, {len(tasks)} in all)."

    async def undo(self) -> str:
        s = self.session
        changes = s.memory.changes
        if not changes:
            return say.NOTHING_TO_UNDO
        lines = []
        for record in reversed(changes):
            arguments, result = record.arguments, record.result if isinstance(record.result, dict) else {}
            task_id = arguments.get("task_id", result.get("id"))
            opposite = edits.opposite(record.name, arguments, result)
            if opposite is None or not isinstance(task_id, int):
                lines.append('I can\'t undo that change by myself; tell me what to set back, e.g. "move it to friday".')
                continue
            lines.append(await self._apply(opposite, task_id, {}))
        return "\n".join(lines)

    async def act(self, command: Act, *, confirmed: bool = False) -> str:
        s = self.session
        if command.target.empty:
            return WHICH
        if command.target.selection is not None and not confirmed:
            return await self._confirm(command)
        found = await s.resolve(command.target, command.action)
        if found.reply:
            return found.reply
        lines = [await self._apply(command.action, task_id, command.changes) for task_id in found.ids]
        s.memory.saw(found.ids)
        return "\n".join(lines)

    async def _confirm(self, command: Act) -> str:
        s = self.session
        selection = dict(command.target.selection or {})
        if command.action in _SELECTION_STATUS and "overdue" not in selection:
            selection.setdefault("status", _SELECTION_STATUS[command.action])
        outcome = await s.call("list_tasks", {**selection, "limit": 100})
        if outcome.is_error:
            return s.error(outcome)
        tasks = outcome.result["items"]
        if not tasks:
            return f"You have no {command.target.label}, so nothing changed."
        if outcome.result["next_cursor"] is not None:
            return f"That is more than 100 tasks ({command.target.label}); narrow it down and ask again."
        label = command.target.label.replace("tasks", "").strip() or "all your tasks"
        question = _QUESTION[command.action].format(n=edits.plural(len(tasks)), label=label,
                                                    change=edits.describe(command.changes))  # fmt: skip
        return say.confirm(question, tasks, s.today, s.zone)

    async def _apply(self, action: str, task_id: int, changes: dict[str, Any]) -> str:
        s = self.session
        if action == "back":
            task = await s.task(task_id)
            if isinstance(task, str):
                return await self._tool("restore_task", {"task_id": task_id}, say.restored)
            if task["completed"]:
                return await self._tool("update_task", {"task_id": task_id, "completed": False}, say.reopened)
            return f'#{task_id} "{task["title"]}" is already on your list.'
        if action == "restore":
            return await self._tool("restore_task", {"task_id": task_id}, say.restored)
        known = s.seen.get(task_id)
        if action == "complete" and known and known["completed"] and known.get("recurrence", "none") == "none":
            return f'#{task_id} "{known["title"]}" was already done.'
        if action == "complete":
            return await self._tool("complete_task", {"task_id": task_id}, lambda t: say.completed(t, s.today, s.zone))
        if action == "reopen":
            return await self._tool("update_task", {"task_id": task_id, "completed": False}, say.reopened)
        if action == "toggle":
            return await self._tool(
                "toggle_task_status",
                {"task_id": task_id},
                lambda t: say.completed(t, s.today, s.zone) if t["completed"] else say.reopened(t),
            )
        if action == "delete":
            return await self._tool("delete_task", {"task_id": task_id}, say.deleted)
        fields = await self._fields(task_id, changes)
        if isinstance(fields, str):
            return fields
        return await self._tool("update_task", {"task_id": task_id, **fields},
                                lambda t: say.updated(t, changes, s.today, s.zone))  # fmt: skip

    async def _fields(self, task_id: int, changes: dict[str, Any]) -> dict[str, Any] | str:
        """``update_task`` fields for changes that depend on the task: a time on its day,
        a shift by days, tags added or removed."""
        fields = dict(changes)
        if not {"at_time", "shift_days", "add_tags", "remove_tags"} & set(fields):
            return fields
        s = self.session
        task = await s.task(task_id)
        if isinstance(task, str):
            return task
        if "at_time" in fields:
            return {"due": edits.at_time(task.get("due"), fields["at_time"], s.now, s.zone)}
        if "shift_days" in fields:
            return {"due": edits.shifted(task.get("due"), fields["shift_days"], s.today)}
        return {"tags": edits.retag(task["tags"], fields.get("add_tags", []), fields.get("remove_tags"))}

    async def _tool(self, name: str, arguments: dict[str, Any], sentence: Callable[[Task], str]) -> str:
        outcome = await self.session.call(name, arguments)
        if outcome.is_error:
            return self.session.error(outcome, arguments.get("task_id"))
        return sentence(outcome.result)
