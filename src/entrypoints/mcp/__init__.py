"""MCP entry point: the task tool catalogue over streamable HTTP (``/mcp``) and stdio."""

from entrypoints.mcp.integration import McpIntegration, mcp_from_container, mcp_integration, protected_resource_metadata
from entrypoints.mcp.server import INSTRUCTIONS, build_server
from entrypoints.mcp.stdio import run_stdio

__all__ = [
    "INSTRUCTIONS",
    "McpIntegration",
    "build_server",
    "mcp_from_container",
    "mcp_integration",
    "protected_resource_metadata",
    "run_stdio",
]
