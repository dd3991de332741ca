"""``run_stdio`` in a child process (in-memory store), driven by the official client over
its stdin/stdout: the user is the configured one, and stdout carries nothing but MCP."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import mcp_types as types
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

from application.tools import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]

SERVER = textwrap.dedent(
    """
    import asyncio, logging, sys

    from application.tools import ToolContext
    from entrypoints.mcp import run_stdio
    from tests.fakes import InMemoryUnitOfWork, task_tools

    async def main(user):
        tools = task_tools(InMemoryUnitOfWork())
        await tools.call("add_task", {"title": "someone else's"}, ToolContext("eve"))
        logging.getLogger("todo_chatbot").warning("a log line must not reach stdout")
        await run_stdio(tools, user)

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(sys.argv[1]))
    """
)


def parameters(tmp_path: Path, user: str) -> StdioServerParameters:
    script = tmp_path / "stdio_server.py"
    script.write_text(SERVER)
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    return StdioServerParameters(command=sys.executable, args=[str(script), user], env=env, cwd=str(ROOT))


def text_of(result: types.CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


async def test_stdio_serves_the_catalogue_for_the_configured_user(tmp_path: Path) -> None:
    async with Client(parameters(tmp_path, "alice"), mode="legacy") as client:
        names = [tool.name for tool in (await client.list_tools()).tools]
        added = await client.call_tool("add_task", {"title": "Water the plants"})
        completed = await client.call_tool("complete_task", {"task_id": 1})
        listed = await client.call_tool("list_tasks", {})
        missing = await client.call_tool("get_task", {"task_id": 2})
        instructions = client.instructions
    assert names == [tool.name for tool in CATALOGUE]
    assert instructions and "list_tasks" in instructions
    assert added.structured_content is not None and added.structured_content["id"] == 1
    assert completed.structured_content is not None and completed.structured_content["completed"] is True
    assert listed.structured_content is not None
    assert [t["title"] for t in listed.structured_content["items"]] == ["Water the plants"]
    assert missing.is_error and json.loads(text_of(missing))["kind"] == "not_found"
    assert "There is no task 2" in json.loads(text_of(missing))["error"]
