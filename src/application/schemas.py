"""The one schema of a task: commands coming in and views going out (msgspec structs).

REST bodies, MCP tool inputs and the agents' tool schemas are all these structs; their
JSON Schema is generated from them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import msgspec

from application.ports import TaskSort, TaskStatus
from domain.due import Due as DueValue
from domain.recurrence import Recurrence
from domain.tasks import TAG_MAX, TAGS_MAX, TITLE_MAX, Priority, Task

_encode = msgspec.json.encode


def format_due(due: DueValue) -> str:
    """The wire form of a due: ``YYYY-MM-DD`` for an all-day date, UTC with ``Z`` for an
    instant. msgspec writes both (5x faster than ``isoformat``: this runs for every item of
    every page)."""
    if isinstance(due, datetime) and due.tzinfo is not UTC:
        due = due.astimezone(UTC)
    return _encode(due)[1:-1].decode()


UNSET = msgspec.UNSET
UnsetType = msgspec.UnsetType

# Title and tag lengths count after trimming (the domain checks them): the decoder does not
# bound them, the documented maxLength is the trimmed bound.
Title = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        extra_json_schema={"maxLength": TITLE_MAX},
        description="Short title, 1..200 characters after trimming.",
    ),
]
Description = Annotated[str | None, msgspec.Meta(description="Longer notes, up to 4000 characters, or null.")]
DUE_PATTERN = r"^\s*\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2}))?\s*$"
DueText = Annotated[str, msgspec.Meta(extra_json_schema={"pattern": DUE_PATTERN})]
"""A date or date-time: the pattern documents the shape (``domain.due.parse_due`` decides)."""
Cursor = Annotated[
    str,
    msgspec.Meta(description="next_cursor of the previous page.", extra_json_schema={"pattern": "^[A-Za-z0-9_-]+=*$"}),
]
Due = Annotated[
    DueText | None,
    msgspec.Meta(
        description="All-day date YYYY-MM-DD, or an RFC 3339 date-time with offset; null for none.",
        examples=["2026-11-30", "2026-11-30T09:00:00Z"],
    ),
]
Tags = Annotated[
    list[Annotated[str, msgspec.Meta(min_length=1, extra_json_schema={"maxLength": TAG_MAX})]],
    msgspec.Meta(
        max_length=TAGS_MAX,
        description="Labels, 1..50 characters each after trimming, case-insensitively unique, at most 20.",
    ),
]
TaskId = Annotated[int, msgspec.Meta(ge=1, description="The task's id, as shown by list_tasks.")]
Limit = Annotated[int, msgspec.Meta(ge=1, le=100, description="Page size, 1..100 (default 50).")]


class NewTask(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A task to create."""

    title: Title
    description: Description = None
    priority: Priority = Priority.MEDIUM
    due: Due = None
    tags: Tags = msgspec.field(default_factory=list)
    recurrence: Recurrence = Recurrence.NONE


class TaskChanges(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """Fields to change on a task; absent fields stay as they are."""

    title: Title | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    priority: Priority | UnsetType = UNSET
    due: Due | UnsetType = UNSET
    tags: Tags | UnsetType = UNSET
    recurrence: Recurrence | UnsetType = UNSET
    completed: bool | UnsetType = UNSET

    def is_empty(self) -> bool:
        return all(value is UNSET for value in msgspec.structs.astuple(self))


class TaskFilter(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Which of the caller's tasks to list, in what order, and which page."""

    status: TaskStatus = TaskStatus.ALL
    priority: Priority | None = None
    tag: Annotated[str | None, msgspec.Meta(description="Only tasks with this tag.")] = None
    q: Annotated[str | None, msgspec.Meta(description="Case-insensitive text in title or description.")] = None
    due_before: Annotated[DueText | None, msgspec.Meta(description="Due before this date or date-time.")] = None
    due_after: Annotated[DueText | None, msgspec.Meta(description="Due after this date or date-time.")] = None
    overdue: Annotated[bool, msgspec.Meta(description="Only pending tasks whose due has passed.")] = False
    sort: TaskSort = TaskSort.CREATED_AT
    order: Annotated[str, msgspec.Meta(pattern="^(asc|desc)$")] = "asc"
    limit: Limit = 50
    cursor: Cursor | None = None


class TaskRef(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Names one of the caller's tasks."""

    task_id: TaskId


class UpdateTaskInput(TaskChanges, forbid_unknown_fields=True, kw_only=True):
    """A task id and the fields to change."""

    task_id: TaskId


class TaskView(msgspec.Struct):
    """A task as every client sees it."""

    id: int
    title: str
    description: str | None
    completed: bool
    completed_at: datetime | None
    priority: Priority
    due: str | None
    tags: list[str]
    recurrence: Recurrence
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, task: Task) -> TaskView:
        # Positional: this runs for every item of every page.
        due = task.due
        return cls(
            task.number,
            task.title,
            task.description,
            task.completed,
            task.completed_at,
            task.priority,
            None if due is None else format_due(due),
            list(task.tags),
            task.recurrence,
            task.created_at,
            task.updated_at,
        )


class TaskPage(msgspec.Struct, kw_only=True):
    """One page of tasks; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[TaskView]
    next_cursor: str | None


class TagCount(msgspec.Struct, kw_only=True):
    name: str
    count: int


class TagList(msgspec.Struct, kw_only=True):
    items: list[TagCount]
