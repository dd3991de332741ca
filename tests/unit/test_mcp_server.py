"""The MCP server built from the tool catalogue, driven in-process by the official client."""

from __future__ import annotations

import json
from contextlib import AbstractAsyncContextManager
from typing import Any

import mcp_types as types
import pytest
from mcp.client import Client
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from application.errors import StorageUnavailable
from application.ports import Transaction
from application.tools import CATALOGUE, TaskTools, ToolContext
from entrypoints.mcp import run_stdio
from entrypoints.mcp.endpoint import request_caller
from entrypoints.mcp.server import INSTRUCTIONS, Lazy, build_server, fixed_caller
from tests.fakes import FixedClock, task_operations

ALICE = ToolContext("alice")


class BrokenUnitOfWork:
    """A store whose every transaction fails with ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def begin(self) -> AbstractAsyncContextManager[Transaction]:
        raise self.error


def broken_tools(error: Exception) -> TaskTools:
    uow, clock = BrokenUnitOfWork(error), FixedClock()
    return TaskTools(task_operations(uow, clock))


@pytest.fixture
def server(tools: TaskTools) -> Server[Any]:
    return build_server(tools, fixed_caller(ALICE))


def text_of(result: types.CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


async def call(client: Client, name: str, **arguments: Any) -> types.CallToolResult:
    return await client.call_tool(name, arguments)


async def test_tools_are_the_catalogue_as_declared(server: Server[Any]) -> None:
    async with Client(server) as client:
        listed = (await client.list_tools()).tools
    assert [tool.name for tool in listed] == [tool.name for tool in CATALOGUE]
    for published, tool in zip(listed, CATALOGUE, strict=True):
        assert published.title == tool.title
        assert published.description == tool.description
        assert published.input_schema == tool.input_schema
        assert published.input_schema["additionalProperties"] is False
        assert "user_id" not in published.input_schema["properties"]
        assert published.output_schema == tool.output_schema
        assert published.annotations == types.ToolAnnotations(
            title=tool.title,
            read_only_hint=tool.read_only,
            destructive_hint=tool.destructive,
            idempotent_hint=tool.idempotent,
            open_world_hint=False,
        )


async def test_instructions_ask_to_look_up_before_changing_and_to_ask_when_ambiguous(server: Server[Any]) -> None:
    async with Client(server, mode="legacy") as client:
        instructions = client.instructions
    assert instructions == INSTRUCTIONS
    assert "look it up first" in INSTRUCTIONS and "ask which one" in INSTRUCTIONS


async def test_every_tool_answers_structured_content_and_the_same_json_as_text(server: Server[Any]) -> None:
    async with Client(server) as client:
        results = [
            await call(client, "add_task", title="Buy milk", tags=["home"], due="2026-11-30"),
            await call(client, "list_tasks", status="pending"),
            await call(client, "get_task", task_id=1),
            await call(client, "update_task", task_id=1, priority="high"),
            await call(client, "complete_task", task_id=1),
            await call(client, "toggle_task_status", task_id=1),
            await call(client, "delete_task", task_id=1),
            await call(client, "restore_task", task_id=1),
            await call(client, "delete_task", task_id=1),
        ]
        after = await call(client, "list_tasks")
    for result in results:
        assert not result.is_error
        assert result.structured_content == json.loads(text_of(result))
    added, listed, got, updated, completed, toggled, deleted, restored, _ = (r.structured_content for r in results)
    assert restored["id"] == 1 and restored["title"] == "Buy milk"
    assert added["id"] == 1 and added["tags"] == ["home"] and added["due"] == "2026-11-30"
    assert listed == {"items": [added], "next_cursor": None}
    assert got == added
    assert updated["priority"] == "high"
    assert completed["completed"] is True and toggled["completed"] is False
    assert deleted["id"] == 1
    assert after.structured_content == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("get_task", {"task_id": 42}),
        ("update_task", {"task_id": 42, "title": "x"}),
        ("complete_task", {"task_id": 42}),
        ("toggle_task_status", {"task_id": 42}),
        ("delete_task", {"task_id": 42}),
        ("restore_task", {"task_id": 42}),
    ],
)
async def test_a_missing_task_is_a_not_found_tool_error_that_says_what_to_do(
    server: Server[Any], name: str, arguments: dict[str, Any]
) -> None:
    async with Client(server) as client:
        result = await client.call_tool(name, arguments)
    assert result.is_error and result.structured_content is None
    error = json.loads(text_of(result))
    assert error["kind"] == "not_found" and set(error) == {"error", "kind"}
    expected = "Task 42 is not in the trash." if name == "restore_task" else "There is no task 42. Call list_tasks"
    assert error["error"].startswith(expected)


@pytest.mark.parametrize(
    ("name", "arguments", "field"),
    [
        ("add_task", {"title": ""}, "title"),
        ("add_task", {"title": "x", "user_id": "bob"}, "user_id"),
        ("list_tasks", {"cursor": "not-a-cursor"}, "cursor"),
        ("list_tasks", {"limit": 500}, "limit"),
        ("get_task", {}, "task_id"),
        ("update_task", {"task_id": 1, "priority": "urgent"}, "priority"),
        ("complete_task", {"task_id": 1, "owner_id": "bob"}, "owner_id"),
        ("toggle_task_status", {"task_id": "one"}, "task_id"),
        ("delete_task", {"task_id": 0}, "task_id"),
    ],
)
async def test_invalid_or_unknown_arguments_are_tool_errors_naming_the_field(
    server: Server[Any], name: str, arguments: dict[str, Any], field: str
) -> None:
    async with Client(server) as client:
        await call(client, "add_task", title="existing")
        result = await client.call_tool(name, arguments)
    assert result.is_error
    error = json.loads(text_of(result))
    assert error["kind"] == "invalid_arguments" and error["fields"] == [field]
    assert error["error"].startswith("Invalid arguments (") and f"call {name} again" in error["error"]


async def test_an_unknown_tool_is_a_tool_error_naming_the_tools(server: Server[Any]) -> None:
    """api.md "Tool errors": the model reads the message and picks a tool that exists."""
    async with Client(server) as client:
        result = await client.call_tool("drop_database", {})
    assert result.is_error
    text = result.content[0]
    assert isinstance(text, types.TextContent)
    assert "drop_database" in text.text and "add_task" in text.text


async def test_list_tasks_pages_through_every_task_with_the_cursor(server: Server[Any]) -> None:
    async with Client(server) as client:
        for n in range(7):
            await call(client, "add_task", title=f"task {n}")
        seen: list[str] = []
        cursor: str | None = None
        pages = 0
        while True:
            arguments: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
            page = (await client.call_tool("list_tasks", arguments)).structured_content
            seen += [item["title"] for item in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
    assert seen == [f"task {n}" for n in range(7)]
    assert pages == 3


async def test_an_unavailable_store_is_a_tool_error_with_when_to_retry() -> None:
    server = build_server(
        broken_tools(StorageUnavailable("db host 10.0.0.5 refused", retry_after=7)), fixed_caller(ALICE)
    )
    async with Client(server) as client:
        result = await call(client, "list_tasks")
    assert result.is_error
    assert json.loads(text_of(result)) == {
        "error": "The task store is unavailable right now. Try list_tasks again in 7 seconds."
    }


async def test_an_internal_error_reaches_the_model_without_its_text() -> None:
    server = build_server(broken_tools(RuntimeError("password=hunter2 at line 3")), fixed_caller(ALICE))
    async with Client(server) as client:
        result = await call(client, "add_task", title="x")
    assert result.is_error
    assert "hunter2" not in text_of(result) and "RuntimeError" not in text_of(result)
    assert json.loads(text_of(result))["error"].startswith("add_task failed because of an internal error.")


async def test_tools_can_come_from_a_factory_resolved_once(tools: TaskTools) -> None:
    resolved: list[TaskTools] = []

    async def factory() -> TaskTools:
        resolved.append(tools)
        return tools

    server = build_server(factory, fixed_caller(ALICE))
    async with Client(server) as client:
        assert [t.name for t in (await client.list_tools()).tools] == [t.name for t in CATALOGUE]
        assert resolved == []
        await call(client, "add_task", title="one")
        await call(client, "list_tasks")
    assert resolved == [tools]


async def test_lazy_needs_a_value_or_a_factory() -> None:
    with pytest.raises(ValueError, match="value or a factory"):
        Lazy[int]()
    assert await Lazy(value=3).get() == 3


async def test_a_request_without_a_verified_caller_is_refused() -> None:
    ctx = ServerRequestContext[Any, Any](session=None, lifespan_context={}, protocol_version="2025-11-25", method="x")  # type: ignore[arg-type]
    with pytest.raises(MCPError) as raised:
        request_caller(ctx)
    assert raised.value.code == types.INVALID_REQUEST


async def test_stdio_needs_a_user(tools: TaskTools) -> None:
    with pytest.raises(ValueError, match="user id"):
        await run_stdio(tools, "  ")
