"""The offline agent's sentences. Every task is named ``#id "title"`` with the id before any
text a user wrote, so later turns can read back which tasks a reply named (``memory``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from adapters.agents.offline.dates import describe_date
from adapters.agents.offline.memory import CONFIRM

Task = dict[str, Any]

HELP = (
    "I'm the built-in assistant (no AI model is configured). I understand everyday requests like:\n"
    '- add: "remind me to call the dentist tomorrow at 9", "add milk and eggs", '
    '"todo: renew passport by Dec 15 #admin"\n'
    '- look: "what\'s on my list?", "what\'s due this week?", "anything overdue?", "show my work tasks", '
    '"how many tasks do I have?", "when is the dentist due?"\n'
    '- finish: "I\'m done with the groceries", "complete task 2", "mark the second one as done"\n'
    '- change: "move it to friday", "make task 3 urgent", "rename task 2 to Call dad", '
    '"add a note to task 2: bring the insurance card"\n'
    '- remove: "delete task 4", "scratch the plumber", "delete all completed tasks" (I ask first), '
    '"undo" or "bring it back"'
)
GREETING = (
    "Hello! I can add, list, complete, change and delete your tasks. "
    'Try "add buy milk tomorrow" or "what\'s on my list?" (say "help" for more).'
)
THANKS = "You're welcome! Say \"what's on my list?\" any time."
SMALLTALK = "I'm doing well, thanks! What can I do for your list?"
BYE = "Bye! Your tasks are saved; come back any time."
NOT_UNDERSTOOD = (
    'Sorry, I didn\'t understand that, so nothing changed. Try "add buy milk tomorrow", "what\'s on my list?" '
    'or "complete task 2" (say "help" for more).'
)
NO_LIST = "I haven't shown you a list in this conversation yet. Say \"what's on my list?\" first, or use a number."
CANCELLED = "OK, I left everything as it was."
NOTHING_TO_UNDO = "There's nothing I can undo here: I haven't changed anything in this conversation yet."


def name(task: Task) -> str:
    return f'#{task["id"]} "{task["title"]}"'


def when(due: str | None, today: date) -> str:
    if due is None:
        return "no due date"
    if len(due) == 10:
        return describe_date(date.fromisoformat(due), today)
    return due


def when_local(due: str, today: date, zone: Any) -> str:
    """A due date, or a due instant in the user's zone ("tomorrow (2026-11-25) at 09:30")."""
    if len(due) == 10:
        return when(due, today)
    moment = datetime.fromisoformat(due.replace("Z", "+00:00")).astimezone(zone)
    return f"{describe_date(moment.date(), today)} at {moment.strftime('%H:%M')}"


def details(task: Task, today: date, zone: Any) -> str:
    parts = []
    if task.get("priority") and task["priority"] != "medium":
        parts.append(f"{task['priority']} priority")
    if task.get("due"):
        parts.append(f"due {when_local(task['due'], today, zone)}")
    if task.get("tags"):
        parts.append("tagged " + ", ".join(task["tags"]))
    if task.get("recurrence") and task["recurrence"] != "none":
        parts.append(f"repeats {task['recurrence']}")
    return f" ({', '.join(parts)})" if parts else ""


def line(task: Task, today: date, zone: Any) -> str:
    mark = "[x]" if task.get("completed") else "[ ]"
    return f"{mark} #{task['id']} {task['title']}{details(task, today, zone)}"


def listing(tasks: list[Task], label: str, more: bool, today: date, zone: Any) -> str:
    if not tasks:
        return f"You have no {label}."
    lines = [f"Here are your {label} ({len(tasks)}{'+' if more else ''}):"]
    lines += [line(task, today, zone) for task in tasks]
    if more:
        lines.append('There are more; narrow it down, e.g. "show pending tasks tagged work".')
    return "\n".join(lines)


def several(words: str, tasks: list[Task], today: date, zone: Any) -> str:
    lines = [f'Several tasks match "{words}":', *(line(task, today, zone) for task in tasks[:10])]
    lines.append('Which one do you mean? Say e.g. "the first one" or its number.')
    return "\n".join(lines)


def mean(words: str, task: Task) -> str:
    return f'For "{words}", do you mean #{task["id"]} "{task["title"]}"? Say "yes" or "no".'


def confirm(question: str, tasks: list[Task], today: date, zone: Any) -> str:
    lines = [question, *(line(task, today, zone) for task in tasks[:10])]
    if len(tasks) > 10:
        rest = tasks[10:]
        lines.append(f"…and {len(rest)} more: {', '.join('#' + str(t['id']) for t in rest)}.")
    lines.append(CONFIRM)
    return "\n".join(lines)


def not_found(words: str) -> str:
    return f'I couldn\'t find a task matching "{words}", so nothing changed. Say "what\'s on my list?" to see them.'


def no_task(task_id: int) -> str:
    return f"There's no task {task_id}, so nothing changed. Say \"what's on my list?\" to see your tasks."


def not_understood_part(text: str) -> str:
    return f'I didn\'t understand "{text}", so I did nothing for that part.'


def added(task: Task, today: date, zone: Any) -> str:
    return f'Added #{task["id"]} "{task["title"]}"{details(task, today, zone)}.'


def completed(task: Task, today: date, zone: Any) -> str:
    if not task["completed"] and task.get("recurrence", "none") != "none":
        next_due = when_local(task["due"], today, zone) if task.get("due") else "later"
        return f'#{task["id"]} "{task["title"]}" is done for now; it repeats {task["recurrence"]}: next due {next_due}.'
    return f"Marked {name(task)} as done."


def reopened(task: Task) -> str:
    return f'#{task["id"]} "{task["title"]}" is back on your list (not done).'


def deleted(task: Task) -> str:
    return f'Deleted {name(task)}. Say "undo" to bring it back.'


def restored(task: Task) -> str:
    return f"Restored {name(task)}: it's back on your list."


def updated(task: Task, changes: dict[str, Any], today: date, zone: Any) -> str:
    said = []
    for field in changes:
        if field == "title":
            said.append("renamed")
        elif field == "priority":
            said.append(f"now {task['priority']} priority")
        elif field in {"due", "shift_days", "at_time"}:
            said.append(f"due {when_local(task['due'], today, zone)}" if task["due"] else "no due date now")
        elif field in {"tags", "add_tags", "remove_tags"}:
            said.append("tagged " + ", ".join(task["tags"]) if task["tags"] else "no tags now")
        elif field == "recurrence":
            repeats = task["recurrence"]
            said.append(f"repeats {repeats}" if repeats != "none" else "no longer repeats")
        elif field == "description":
            said.append("note saved" if task.get("description") else "note removed")
    return f"Updated {name(task)}: {', '.join(said)}."
