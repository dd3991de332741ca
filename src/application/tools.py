"""The task tool catalogue: each tool declared once, read by the chat agents and the MCP server.

The acting user is never an argument: a ``ToolContext`` carries the verified caller.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any

import msgspec

from application.schemas import NewTask, TaskChanges, TaskFilter, TaskPage, TaskRef, TaskView, UpdateTaskInput
from application.task_list import ListTasks
from application.tasks import AddTask, CompleteTask, DeleteTask, GetTask, ToggleTask, UpdateTask
from application.validation import convert
from domain.errors import NotFound, TaskNotFound, ValidationError


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
)


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """What a tool call produced: a JSON-ready result, or an error message for the model."""

    name: str
    arguments: dict[str, Any]
    result: dict[str, Any]
    is_error: bool = False


def _error(name: str, arguments: dict[str, Any], message: str) -> ToolOutcome:
    return ToolOutcome(name, arguments, {"error": message}, is_error=True)


class TaskTools:
    """The catalogue bound to the use cases: validates arguments, runs the tool for the
    caller in ``ToolContext`` and turns expected failures into messages a model can act on."""

    def __init__(self, operations: TaskOperations, catalogue: tuple[Tool, ...] = CATALOGUE) -> None:
        self._operations = operations
        self.catalogue = catalogue
        self._by_name = {tool.name: tool for tool in catalogue}

    def get(self, name: str) -> Tool | None:
        return self._by_name.get(name)

    async def call(self, name: str, arguments: Mapping[str, Any], context: ToolContext) -> ToolOutcome:
        args = dict(arguments)
        tool = self._by_name.get(name)
        if tool is None:
            return _error(name, args, f"Unknown tool {name!r}. Available tools: {', '.join(self._by_name)}.")
        try:
            command = convert(args, tool.input_type)
            result = await tool.run(self._operations, context, command)
        except TaskNotFound as exc:
            return _error(name, args, f"There is no task {exc.task_id}. Call list_tasks to see the user's task ids.")
        except NotFound as exc:
            return _error(name, args, f"{exc}.")
        except ValidationError as exc:
            details = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
            return _error(name, args, f"Invalid arguments ({details}). Fix them and call {name} again.")
        return ToolOutcome(name, args, msgspec.to_builtins(result))
