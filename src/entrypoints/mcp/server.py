"""The MCP server: the application's tool catalogue published over MCP.

No tool is defined here: names, descriptions, schemas and annotations come from
``application.tools.CATALOGUE`` and every call runs through ``TaskTools``. The caller
(and their time zone) is never an argument; a ``Caller`` callback finds it in the
request (the verified bearer token over HTTP, the configured user over stdio).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import anyio
import mcp_types as types
import msgspec
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server

from application.errors import Unavailable
from application.tools import CATALOGUE, TaskTools, Tool, ToolContext, ToolOutcome
from entrypoints.version import package_version

log = logging.getLogger("todo_chatbot.mcp")
T = TypeVar("T")

SERVER_NAME = "todo-chatbot"
SERVER_TITLE = "Todo Chatbot"

INSTRUCTIONS = (
    "These tools manage the signed-in user's todo tasks; every call acts for that user only. "
    "A task is named by its id, a small number shown by list_tasks. Before changing, completing or "
    "deleting a task, look it up first (list_tasks with q, tag, status or priority, or get_task): never "
    "guess an id. If several tasks match what the user asked for, ask which one they mean instead of "
    "picking one. Confirm with the user before deleting more than one task. list_tasks answers one page: "
    "pass next_cursor back as cursor to get the next one. A deleted task can be brought back with "
    "restore_task. When a tool answers with an error, it is a JSON object whose kind (not_found, "
    "invalid_arguments, conflict, ...) says what happened and whose message says what to do next."
)

Caller = Callable[[ServerRequestContext[Any, Any]], ToolContext]
"""Finds who is calling (and their time zone) for one MCP request."""

ToolsSource = TaskTools | Callable[[], Awaitable[TaskTools]]
"""``TaskTools``, or an async factory resolving it on first use (e.g. from a dishka container)."""


class Lazy(Generic[T]):
    """A service given directly or resolved once, on first use, from an async factory."""

    def __init__(self, value: T | None = None, factory: Callable[[], Awaitable[T]] | None = None) -> None:
        if value is None and factory is None:
            raise ValueError("give a value or a factory")
        self._value = value
        self._factory = factory
        self._lock = anyio.Lock()

    async def get(self) -> T:
        """The service; the factory runs once, on first use, even under concurrent calls."""
        if self._value is None:
            async with self._lock:
                if self._value is None:
                    assert self._factory is not None
                    self._value = await self._factory()
        return self._value


def lazy_tools(source: ToolsSource) -> Lazy[TaskTools]:
    """``TaskTools`` from the object itself or from its factory."""
    return Lazy(value=source) if isinstance(source, TaskTools) else Lazy(factory=source)


def describe(tool: Tool) -> types.Tool:
    """The MCP definition of a catalogue tool, its schemas exactly as the catalogue has them."""
    return types.Tool(
        name=tool.name,
        title=tool.title,
        description=tool.description,
        input_schema=tool.input_schema,
        output_schema=tool.output_schema,
        annotations=types.ToolAnnotations(
            title=tool.title,
            read_only_hint=tool.read_only,
            destructive_hint=tool.destructive,
            idempotent_hint=tool.idempotent,
            open_world_hint=False,
        ),
    )


def to_result(outcome: ToolOutcome) -> types.CallToolResult:
    """A tool outcome as an MCP result: structured content plus the same JSON as text;
    an error is the catalogue's ``{"error", "kind", "fields"?}`` as JSON text, with ``isError``."""
    if outcome.is_error:
        return error_result(outcome.result)
    text = msgspec.json.encode(outcome.result).decode()
    return types.CallToolResult(content=[types.TextContent(text=text)], structured_content=outcome.result)


def error_result(error: dict[str, Any]) -> types.CallToolResult:
    """A tool error the model can read and act on: its JSON object as text. No structured
    content: that is reserved for results matching the tool's output schema."""
    text = msgspec.json.encode(error).decode()
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)


def build_server(tools: ToolsSource, caller: Caller) -> Server[Any]:
    """The low-level MCP server listing the catalogue and running each call through
    ``TaskTools`` for the caller found by ``caller``."""
    definitions = [describe(tool) for tool in CATALOGUE]
    schemas = {tool.name: tool.input_schema for tool in CATALOGUE}
    source = lazy_tools(tools)

    async def list_tools(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=definitions)

    async def call_tool(
        ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        context = caller(ctx)  # an unknown tool is a tool error (kind unknown_tool), not a protocol one
        return await run_tool(await source.get(), params.name, params.arguments or {}, context)

    server: Server[Any] = Server(
        SERVER_NAME,
        version=package_version(),
        title=SERVER_TITLE,
        instructions=INSTRUCTIONS,
        get_tool_input_schema=schemas.get,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )
    return server


async def run_tool(
    tools: TaskTools, name: str, arguments: dict[str, Any], context: ToolContext
) -> types.CallToolResult:
    """Run one tool call; a dependency outage or a bug becomes a tool error without internals."""
    try:
        outcome = await tools.call(name, arguments, context)
    except Unavailable as exc:
        return error_result(
            {"error": f"The task store is unavailable right now. Try {name} again in {exc.retry_after} seconds."}
        )
    except Exception:
        log.exception("MCP tool call failed", extra={"tool": name})
        return error_result(
            {
                "error": f"{name} failed because of an internal error. Check with get_task or list_tasks whether "
                "the change was made before trying again."
            }
        )
    return to_result(outcome)


def fixed_caller(context: ToolContext) -> Caller:
    """A ``Caller`` that always answers the same user (stdio: the CLI's ``--user``)."""

    def caller(ctx: ServerRequestContext[Any, Any]) -> ToolContext:
        return context

    return caller


__all__ = [
    "INSTRUCTIONS",
    "Caller",
    "Lazy",
    "ToolsSource",
    "build_server",
    "describe",
    "error_result",
    "fixed_caller",
    "lazy_tools",
    "run_tool",
    "to_result",
]
