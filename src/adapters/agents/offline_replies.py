"""The offline agent's sentences."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapters.agents.offline_dates import describe_date

HELP = (
    "I'm the built-in assistant (no AI model is configured), so I understand simple commands:\n"
    '- add: "add buy milk tomorrow", "add high priority task: review code by Friday", '
    '"add water the plants tagged home", "add a daily task to take vitamins", '
    '"create a task \\"Book flights\\" with description \\"window seat\\""\n'
    '- list: "show my tasks", "what\'s pending?", "what have I completed?", "what\'s overdue?", '
    '"list my high priority tasks", "show tasks tagged work"\n'
    '- complete or reopen: "complete task 2", "mark the groceries task as done", "reopen task 3"\n'
    '- change: "rename task 2 to Call dad", "set the priority of task 1 to high", "move task 4 to tomorrow", '
    '"tag task 4 with work"\n'
    '- delete: "delete task 4", "delete the meeting task"'
)
GREETING = "Hello! " + HELP
THANKS = 'You\'re welcome! Say "show my tasks" any time.'


def when(due: str | None, today: date) -> str:
    if due is None:
        return "no due date"
    if len(due) == 10:
        return describe_date(date.fromisoformat(due), today)
    return due


def task_name(task: dict[str, Any]) -> str:
    return f'task {task["id"]} "{task["title"]}"'


def details(task: dict[str, Any], today: date) -> str:
    parts = []
    if task.get("priority") and task["priority"] != "medium":
        parts.append(f"{task['priority']} priority")
    if task.get("due"):
        parts.append(f"due {when(task['due'], today)}")
    if task.get("tags"):
        parts.append("tagged " + ", ".join(task["tags"]))
    if task.get("recurrence") and task["recurrence"] != "none":
        parts.append(f"repeats {task['recurrence']}")
    return f" ({', '.join(parts)})" if parts else ""


def listing(tasks: list[dict[str, Any]], label: str, more: bool, today: date) -> str:
    if not tasks:
        return f"You have no {label}."
    lines = [f"Here are your {label} ({len(tasks)}{'+' if more else ''}):"]
    for task in tasks:
        mark = "[x]" if task["completed"] else "[ ]"
        lines.append(f"{mark} #{task['id']} {task['title']}{details(task, today)}")
    if more:
        lines.append('There are more; narrow it down, e.g. "show pending tasks tagged work".')
    return "\n".join(lines)


def added(task: dict[str, Any], today: date) -> str:
    return f"Added {task_name(task)}{details(task, today)}."


def completed(task: dict[str, Any], today: date) -> str:
    if not task["completed"] and task.get("recurrence", "none") != "none":
        return (
            f"Done! {task_name(task).capitalize()} repeats {task['recurrence']}: next due {when(task['due'], today)}."
        )
    return f"Marked {task_name(task)} as done."


def reopened(task: dict[str, Any]) -> str:
    return f"{task_name(task).capitalize()} is pending again."


def deleted(task: dict[str, Any]) -> str:
    return f"Deleted {task_name(task)}. It stays in the trash for 30 days in case you want it back."


def updated(task: dict[str, Any], changes: dict[str, Any], today: date) -> str:
    said = []
    for field in changes:
        if field == "title":
            said.append(f'the title is now "{task["title"]}"')
        elif field == "priority":
            said.append(f"the priority is now {task['priority']}")
        elif field == "due":
            said.append(f"it is due {when(task['due'], today)}" if task["due"] else "it has no due date now")
        elif field in {"tags", "add_tags"}:
            said.append("its tags are now " + ", ".join(task["tags"]) if task["tags"] else "it has no tags now")
        elif field == "recurrence":
            repeats = task["recurrence"]
            said.append(f"it repeats {repeats}" if repeats != "none" else "it no longer repeats")
        elif field == "description":
            said.append("the description is updated" if task.get("description") else "the description is cleared")
    return f"Updated task {task['id']}: {' and '.join(said)}."


def several(tasks: list[dict[str, Any]], words: str, example: str) -> str:
    names = ", ".join(task_name(task) for task in tasks[:10])
    return f'Several tasks match "{words}": {names}. Which one do you mean? Say e.g. "{example}".'


def not_found(words: str) -> str:
    return f'I couldn\'t find a task matching "{words}". Say "show my tasks" to see your tasks and their numbers.'


def tool_error(message: str, task_id: int | None = None) -> str:
    if message.startswith("There is no task") and task_id is not None:
        return f'I couldn\'t find task {task_id}. Say "show my tasks" to see your tasks and their numbers.'
    for model_hint in (". Fix them", ". Call list_tasks"):
        message = message.split(model_hint, maxsplit=1)[0]
    if message.startswith("Invalid arguments (") and message.endswith(")"):
        message = message[len("Invalid arguments (") : -1]
    return f"That didn't work: {message.removesuffix('.')}."


REFUSALS = {
    "everything": (
        "I won't delete all your tasks at once. To delete a task, name it, e.g. "
        '"delete task 3" ("show my tasks" lists their numbers).'
    ),
    "several": 'I delete one task at a time to be safe. Say e.g. "delete task 3", then the next one.',
}
