"""The same MCP server over stdio, for desktop clients, acting for one configured user.

stdio carries no bearer token: the user is the one the local command was started for
(``todo-chatbot mcp --user USER_ID``). stdout belongs to the protocol; while serving, the
SDK points file descriptor 1 at stderr, so stray output and logs cannot corrupt it.
"""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo

from mcp.server.stdio import stdio_server

from application.tools import ToolContext
from entrypoints.mcp.server import ToolsSource, build_server, fixed_caller


async def run_stdio(tools: ToolsSource, owner_id: str, zone: tzinfo | None = None) -> None:
    """Serve MCP on stdin/stdout for ``owner_id`` until the client closes stdin."""
    if not owner_id.strip():
        raise ValueError("the stdio MCP server needs a user id")
    server = build_server(tools, fixed_caller(ToolContext(owner_id.strip(), zone or ZoneInfo("UTC"))))
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


__all__ = ["run_stdio"]
