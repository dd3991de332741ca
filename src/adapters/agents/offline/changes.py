"""How a change depends on the task it changes: undoing a call, a time on the task's day,
a shift by days, tags added or removed; and how a selection's question describes it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any


def opposite(tool: str, arguments: dict[str, Any], result: dict[str, Any]) -> str | None:
    """The action that undoes a tool call; None when a call cannot be undone from its record
    (a change of fields: the old values are not in it)."""
    if tool == "update_task":
        completed = arguments.get("completed")
        return None if completed is None else ("reopen" if completed else "complete")
    if tool == "complete_task":
        return "reopen" if result.get("completed") else None
    return {"add_task": "delete", "delete_task": "back", "restore_task": "delete", "toggle_task_status": "toggle"}.get(
        tool
    )


def at_time(due: str | None, at: str, now: datetime, zone: tzinfo) -> str:
    """A due at another time of its day (today or tomorrow, whichever comes first, for a task
    without a due date)."""
    clock = time.fromisoformat(at)
    local = now.astimezone(zone)
    if due is None:
        day = local.date() if clock >= local.time() else local.date() + timedelta(days=1)
    elif len(due) == 10:
        day = date.fromisoformat(due)
    else:
        day = datetime.fromisoformat(due.replace("Z", "+00:00")).astimezone(zone).date()
    return datetime.combine(day, clock, tzinfo=zone).isoformat()


def shifted(due: str | None, days: int, today: date) -> str:
    """A due moved by ``days`` (from today when there was none)."""
    if due is None:
        return (today + timedelta(days=days)).isoformat()
    if len(due) == 10:
        return (date.fromisoformat(due) + timedelta(days=days)).isoformat()
    return (datetime.fromisoformat(due.replace("Z", "+00:00")) + timedelta(days=days)).isoformat()


def retag(tags: list[str], added: list[str], removed: list[str] | None) -> list[str]:
    """Tags with ``added`` appended and ``removed`` taken off (an empty ``removed``: all)."""
    if removed is not None:
        gone = {tag.casefold() for tag in removed}
        tags = [tag for tag in tags if gone and tag.casefold() not in gone]
    known = {tag.casefold() for tag in tags}
    return [*tags, *(tag for tag in added if tag.casefold() not in known)]


def plural(count: int) -> str:
    return f"{count} task{'s' if count != 1 else ''}"


def describe(changes: dict[str, Any]) -> str:
    parts = []
    for field, value in changes.items():
        if field == "due":
            parts.append(f"due {value}" if value else "no due date")
        elif field == "add_tags":
            parts.append("add the tags " + ", ".join(value))
        else:
            parts.append(f"{field} {value}")
    return ", ".join(parts)
