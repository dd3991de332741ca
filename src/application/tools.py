"""The task tool catalogue: each tool declared once, read by the chat agents and the MCP server.

The acting user is never an argument: a ``ToolContext`` carries the verified caller.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any, Literal

import msgspec

from application.schemas import NewTask, TaskChanges, TaskFilter, TaskPage, TaskRef, TaskView, UpdateTaskInput
from application.task_list import ListTasks
from application.tasks import AddTask, CompleteTask, DeleteTask, GetTask, RestoreTask, ToggleTask, UpdateTask
from application.validation import convert
from domain.errors import Conflict, NotFound, TaskNotFound, ValidationError


@dataclass(frozen=True, slots=True)
class ToolContext:
    """Who is acting (from the verified token) and their time zone."""

    owner_id: str
    zone: tzinfo = UTC


@dataclass(frozen=True, slots=True)
class TaskOperations:
    """The use cases the tools run."""

    add: AddTask
    list: ListTasks
    get: GetTask
    update: UpdateTask
    complete: CompleteTask
    toggle: ToggleTask
    delete: DeleteTask
    restore: RestoreTask


Runner = Callable[[TaskOperations, ToolContext, Any], Awaitable[msgspec.Struct]]


def _inline(schema: Any, defs: Mapping[str, Any]) -> Any:
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _inline(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
        return {key: _inline(value, defs) for key, value in schema.items() if key != "$defs"}
    if isinstance(schema, list):
        return [_inline(item, defs) for item in schema]
    return schema


def json_schema(struct: type) -> dict[str, Any]:
    """A self-contained JSON Schema (no ``$ref``) of a struct, as tool schemas need."""
    schema = msgspec.json.schema(struct)
    inlined: dict[str, Any] = _inline(schema, schema.get("$defs", {}))
    inlined.pop("title", None)
    return inlined


@dataclass(frozen=True, slots=True)
class Tool:
    """One task tool: its public description and the use case it runs."""

    name: str
    title: str
    description: str
    input_type: type[msgspec.Struct]
    output_type: type[msgspec.Struct]
    read_only: bool
    destructive: bool
    idempotent: bool
    run: Runner = field(repr=False)

    @property
    def input_schema(self) -> dict[str, Any]:
        return json_schema(self.input_type)

    @property
    def output_schema(self) -> dict[str, Any]:
        return json_schema(self.output_type)


async def _add(ops: TaskOperations, ctx: ToolContext, args: NewTask) -> TaskView:
    return await ops.add.execute(ctx.owner_id, args)


async def _list(ops: TaskOperations, ctx: ToolContext, args: TaskFilter) -> TaskPage:
    return await ops.list.execute(ctx.owner_id, args, ctx.zone)


async def _get(ops: TaskOperations, ctx: ToolContext, args: TaskRef) -> TaskView:
    return await ops.get.execute(ctx.owner_id, args.task_id)


async def _update(ops: TaskOperations, ctx: ToolContext, args: UpdateTaskInput) -> TaskView:
    changes = TaskChanges(**{f: getattr(args, f) for f in TaskChanges.__struct_fields__})
    return await ops.update.execute(ctx.owner_id, args.task_id, changes, ctx.zone)


async def _complete(ops: TaskOperations, ctx: ToolContext, args: TaskRef) -> TaskView:
    return await ops.complete.execute(ctx.owner_id, args.task_id, ctx.zone)


async def _toggle(ops: TaskOperations, ctx: ToolContext, args: TaskRef) -> TaskView:
    return await ops.toggle.execute(ctx.owner_id, args.task_id, ctx.zone)


async def _delete(ops: TaskOperations, ctx: ToolContext, args: TaskRef) -> TaskView:
    return await ops.delete.execute(ctx.owner_id, args.task_id)


async def _restore(ops: TaskOperations, ctx: ToolContext, args: TaskRef) -> TaskView:
    return await ops.restore.execute(ctx.owner_id, args.task_id)


CATALOGUE: tuple[Tool, ...] = (
    Tool(
        "add_task",
        "Add a task",
        "Create a new task for the user. Only title is required; due is YYYY-MM-DD for an "
        "all-day date or an RFC 3339 date-time. Returns the created task with its id.",
        NewTask,
        TaskView,
        read_only=False,
        destructive=False,
        idempotent=False,
        run=_add,
    ),
    Tool(
        "list_tasks",
        "List tasks",
        "List the user's tasks, optionally filtered by status (all, pending, completed), "
        "priority, tag, text (q), due_before or overdue. Use it to find a task's id before "
        "changing it. Returns {items, next_cursor}; pass next_cursor as cursor for more.",
        TaskFilter,
        TaskPage,
        read_only=True,
        destructive=False,
        idempotent=True,
        run=_list,
    ),
    Tool(
        "get_task",
        "Get a task",
        "Get one of the user's tasks by its id.",
        TaskRef,
        TaskView,
        read_only=True,
        destructive=False,
        idempotent=True,
        run=_get,
    ),
    Tool(
        "update_task",
        "Update a task",
        "Change fields of a task by id: title, description, priority, due, tags (replaces "
        "the list), recurrence, completed (false reopens). Give only the fields to change.",
        UpdateTaskInput,
        TaskView,
        read_only=False,
        destructive=False,
        idempotent=True,
        run=_update,
    ),
    Tool(
        "complete_task",
        "Complete a task",
        "Mark a task as done by id. A recurring task moves to its next due date instead. "
        "Completing a task that is already done changes nothing.",
        TaskRef,
        TaskView,
        read_only=False,
        destructive=False,
        idempotent=True,
        run=_complete,
    ),
    Tool(
        "toggle_task_status",
        "Toggle a task's status",
        "Flip a task between done and not done, by id.",
        TaskRef,
        TaskView,
        read_only=False,
        destructive=False,
        idempotent=False,
        run=_toggle,
    ),
    Tool(
        "delete_task",
        "Delete a task",
        "Move a task to the trash by id (it can be restored for 30 days). Confirm with the "
        "user before deleting more than one task. Returns the deleted task.",
        TaskRef,
        TaskView,
        read_only=False,
        destructive=True,
        idempotent=True,
        run=_delete,
    ),
    Tool(
        "restore_task",
        "Restore a task",
        "Bring a deleted task back from the trash by id (deleted tasks stay there for 30 "
        "days); use it to undo a delete. Returns the restored task.",
        TaskRef,
        TaskView,
        read_only=False,
        destructive=False,
        idempotent=False,
        run=_restore,
    ),
)


ToolErrorKind = Literal["not_found", "invalid_arguments", "unknown_tool", "conflict", "needs_confirmation"]
"""What kind of failure a tool error is, so an agent can act on it without reading the text."""


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """What a tool call produced: a JSON-ready result, or a tool error ``{"error": message,
    "kind": ToolErrorKind, "fields": [...]}`` (``fields`` only for invalid arguments)."""

    name: str
    arguments: dict[str, Any]
    result: dict[str, Any]
    is_error: bool = False


def tool_error(
    name: str, arguments: dict[str, Any], kind: ToolErrorKind, message: str, fields: list[str] | None = None
) -> ToolOutcome:
    """A failed call: a message the model can act on and its ``kind``."""
    result: dict[str, Any] = {"error": message, "kind": kind}
    if fields:
        result["fields"] = fields
    return ToolOutcome(name, arguments, result, is_error=True)


class TaskTools:
    """The catalogue bound to the use cases: validates arguments, runs the tool for the
    caller in ``ToolContext`` and turns expected failures into tool errors a model can act on."""

    def __init__(self, operations: TaskOperations) -> None:
        self._operations = operations
        self.catalogue = CATALOGUE
        self._by_name = {tool.name: tool for tool in CATALOGUE}

    async def call(self, name: str, arguments: Mapping[str, Any], context: ToolContext) -> ToolOutcome:
        args = dict(arguments)
        tool = self._by_name.get(name)
        if tool is None:
            available = ", ".join(self._by_name)
            return tool_error(name, args, "unknown_tool", f"Unknown tool {name!r}. Available tools: {available}.")
        try:
            command = convert(args, tool.input_type)
            result = await tool.run(self._operations, context, command)
        except TaskNotFound as exc:
            message = f"There is no task {exc.task_id}"
            hint = "Call list_tasks to see the user's task ids."
            if name == "restore_task":
                message, hint = f"Task {exc.task_id} is not in the trash", "Only deleted tasks can be restored."
            return tool_error(name, args, "not_found", f"{message}. {hint}")
        except NotFound as exc:
            return tool_error(name, args, "not_found", f"{exc}.")
        except ValidationError as exc:
            details = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
            message = f"Invalid arguments ({details}). Fix them and call {name} again."
            return tool_error(name, args, "invalid_arguments", message, [e.field for e in exc.errors])
        except Conflict as exc:
            reason = str(exc) or "the change clashes with the task's current state"
            return tool_error(name, args, "conflict", f"{reason}. Check the task with get_task before trying again.")
        return ToolOutcome(name, args, msgspec.to_builtins(result))
