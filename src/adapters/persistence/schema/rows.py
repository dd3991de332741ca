"""Mapping between stored rows and domain objects, shared by the SQLAlchemy and asyncpg
adapters (a row is anything indexable by column name)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec

from application.due_keys import utc_due_key
from application.schemas import TaskView, format_due
from domain.accounts import Account, Session
from domain.conversations import Conversation, Message, Role, ToolCallRecord
from domain.recurrence import Recurrence
from domain.tasks import Priority, Task

Row = Mapping[Any, Any]

TASK_COLUMNS = (
    "owner_id",
    "number",
    "title",
    "description",
    "priority",
    "due_date",
    "due_at",
    "tags",
    "recurrence",
    "completed",
    "completed_at",
    "created_at",
    "updated_at",
    "deleted_at",
)
VIEW_COLUMNS = TASK_COLUMNS[1:-1]
"""What a listed task needs (no owner, no trash date: a page holds one owner's live tasks)."""
CONVERSATION_COLUMNS = ("owner_id", "number", "title", "created_at", "updated_at")
MESSAGE_COLUMNS = ("id", "role", "content", "tool_calls", "created_at")

_PRIORITY_BY_RANK = {priority.rank: priority for priority in Priority}


def search_text(title: str, description: str | None) -> str:
    """What the text filter searches: title and description, casefolded."""
    return f"{title}\n{description or ''}".casefold()


def tag_rows(task: Task) -> list[dict[str, Any]]:
    """One ``task_tags`` row per tag of a live task (none for a trashed one)."""
    if task.in_trash:
        return []
    rows: dict[str, dict[str, Any]] = {}
    for tag in task.tags:
        key = tag.casefold()
        rows.setdefault(key, {"owner_id": task.owner_id, "task_number": task.number, "tag_key": key, "name": tag})
    return list(rows.values())


class KnownTags:
    """The ``task_tags`` rows a transaction knows are stored, per task it added or read under
    a lock (only a locked row's tags stay as read until the update): an update rewrites the
    tags only when they changed."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, int], list[dict[str, Any]]] = {}

    def remember(self, task: Task, rows: list[dict[str, Any]] | None = None) -> None:
        """``task``'s rows are stored (``rows``: these rows are stored instead)."""
        self._rows[(task.owner_id, task.number)] = tag_rows(task) if rows is None else rows

    def change(self, task: Task) -> tuple[bool, list[dict[str, Any]]] | None:
        """What makes the stored rows ``task``'s: ``None`` when they already are, else
        whether to delete the stored rows first, and the rows to insert. Assumes the caller
        writes them."""
        key, rows = (task.owner_id, task.number), tag_rows(task)
        known = self._rows.get(key)
        if known == rows:
            return None
        self._rows[key] = rows
        return known is None or bool(known), rows


def task_values(task: Task) -> dict[str, Any]:
    """Every stored column of a task, derived columns included."""
    due = task.due
    return {
        "owner_id": task.owner_id,
        "number": task.number,
        "title": task.title,
        "title_key": task.title.casefold(),
        "description": task.description,
        "search_text": search_text(task.title, task.description),
        "priority": task.priority.rank,
        "due_date": due if due is not None and not isinstance(due, datetime) else None,
        "due_at": due if isinstance(due, datetime) else None,
        "due_key": utc_due_key(due) if due is not None else None,
        "tags": list(task.tags),
        "recurrence": task.recurrence.value,
        "completed": task.completed,
        "completed_at": task.completed_at,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "deleted_at": task.deleted_at,
    }


_decode_json = msgspec.json.decode
_RECURRENCE = {recurrence.value: recurrence for recurrence in Recurrence}


def _json(value: Any) -> Any:
    return _decode_json(value) if isinstance(value, (str, bytes)) else value


def task_from_row(row: Sequence[Any]) -> Task:
    """A task from a row whose columns are ``TASK_COLUMNS``, in that order (unpacked by
    position: this runs for every row of every page)."""
    (owner_id, number, title, description, priority, due_date, due_at, tags, recurrence,
     completed, completed_at, created_at, updated_at, deleted_at) = row  # fmt: skip
    return Task(
        owner_id,
        number,
        title,
        created_at,
        updated_at,
        description,
        _PRIORITY_BY_RANK[priority],
        due_at if due_at is not None else due_date,
        tuple(_json(tags)),
        _RECURRENCE[recurrence],
        bool(completed),
        completed_at,
        deleted_at,
    )


def task_view_from_row(row: Sequence[Any]) -> TaskView:
    """What clients see of a task, straight from a ``VIEW_COLUMNS`` row (the list read path:
    no ``Task`` per row)."""
    (number, title, description, priority, due_date, due_at, tags, recurrence,
     completed, completed_at, created_at, updated_at) = row  # fmt: skip
    due = due_at if due_at is not None else due_date
    return TaskView(
        number,
        title,
        description,
        bool(completed),
        completed_at,
        _PRIORITY_BY_RANK[priority],
        None if due is None else format_due(due),
        _json(tags),
        _RECURRENCE[recurrence],
        created_at,
        updated_at,
    )


def conversation_from_row(row: Row) -> Conversation:
    return Conversation(
        owner_id=row["owner_id"],
        number=row["number"],
        title=row["title"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def tool_calls_to_json(calls: tuple[ToolCallRecord, ...]) -> list[dict[str, Any]]:
    return [
        {"call_id": c.call_id, "name": c.name, "arguments": c.arguments, "result": c.result, "is_error": c.is_error}
        for c in calls
    ]


_decode_tool_calls = msgspec.json.Decoder(list[ToolCallRecord]).decode
_ROLES = {role.value: role for role in Role}


def tool_calls_from_json(value: Any) -> tuple[ToolCallRecord, ...]:
    """The stored tool calls (JSON text, or already decoded by the driver), straight into
    records by msgspec: this runs for every message of a conversation page."""
    if not value:
        return ()
    if isinstance(value, (str, bytes)):
        return tuple(_decode_tool_calls(value))
    return tuple(msgspec.convert(value, list[ToolCallRecord]))


def message_from_row(row: Row) -> Message:
    return Message(
        id=row["id"],
        role=_ROLES[row["role"]],
        content=row["content"],
        tool_calls=tool_calls_from_json(row["tool_calls"]),
        created_at=row["created_at"],
    )


ACCOUNT_COLUMNS = ("user_id", "email", "name", "password_hash", "email_verified", "created_at", "updated_at")
SESSION_COLUMNS = ("id", "user_id", "token_hash", "expires_at", "created_at", "updated_at")


def account_from_row(row: Any) -> Account:
    return Account(**{name: row[name] for name in ACCOUNT_COLUMNS})


def session_from_row(row: Any) -> Session:
    return Session(**{name: row[name] for name in SESSION_COLUMNS})


def account_values(account: Account) -> dict[str, Any]:
    return {name: getattr(account, name) for name in ACCOUNT_COLUMNS}


def session_values(session: Session) -> dict[str, Any]:
    return {name: getattr(session, name) for name in SESSION_COLUMNS}
