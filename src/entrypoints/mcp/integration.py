"""What the Litestar app needs to serve MCP: route handlers and a lifespan.

``mcp_integration(tools, verifier, settings)`` builds the MCP server from the tool
catalogue and returns

- ``route_handlers``: the ``/mcp`` mount (streamable HTTP, stateless, JSON responses;
  ``/mcp`` and ``/mcp/`` without redirect), ``GET /mcp/health`` and the RFC 9728 protected
  resource metadata at ``/.well-known/oauth-protected-resource`` (and ``.../mcp``);
- ``lifespan``: runs the SDK's session manager. Litestar does not run a mounted app's
  lifespan, so the app must list it in its own.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from dishka import AsyncContainer
from litestar import Litestar, asgi, get
from litestar.handlers import ASGIRouteHandler, HTTPRouteHandler
from litestar.types import Receive, Scope, Send
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

from application.ports import TokenVerifier
from application.tools import CATALOGUE, TaskTools
from entrypoints.config import Settings
from entrypoints.http.openapi import documented
from entrypoints.mcp.endpoint import McpEndpoint, VerifierSource, request_caller
from entrypoints.mcp.server import ToolsSource, build_server
from entrypoints.origins import browser_origins, host_rules

MOUNT_PATH = "/mcp"
METADATA_PATH = "/.well-known/oauth-protected-resource"
MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class McpIntegration:
    """Route handlers to register and a lifespan to run, in the app that serves ``/mcp``."""

    route_handlers: list[Any]
    lifespan: Callable[[Litestar], AbstractAsyncContextManager[None]]
    server: Server[Any]
    session_manager: StreamableHTTPSessionManager


def protected_resource_metadata(settings: Settings) -> dict[str, Any]:
    """The RFC 9728 document naming the MCP resource and who issues its tokens."""
    return {
        "resource": f"{settings.public_url}{MOUNT_PATH}",
        "authorization_servers": [settings.auth_server_url],
        "bearer_methods_supported": ["header"],
        "resource_name": "Todo Chatbot MCP server",
    }


def _metadata_handler(document: dict[str, Any]) -> HTTPRouteHandler:
    @get([METADATA_PATH, f"{METADATA_PATH}{MOUNT_PATH}"], tags=["mcp"], cache=False, opt=documented(public=True))
    async def oauth_protected_resource() -> dict[str, Any]:
        """OAuth 2.0 protected resource metadata (RFC 9728) of the MCP endpoint (no auth)."""
        return document

    return oauth_protected_resource


def _health_handler(names: list[str]) -> HTTPRouteHandler:
    @get(f"{MOUNT_PATH}/health", tags=["mcp"], cache=False, opt=documented(public=True))
    async def mcp_health() -> dict[str, Any]:
        """The MCP endpoint is mounted; lists its tools (no auth)."""
        return {"status": "healthy", "tools": names}

    return mcp_health


def _mount(endpoint: McpEndpoint) -> ASGIRouteHandler:
    @asgi(MOUNT_PATH, is_mount=True, copy_scope=False)  # the outer layer reads the caller it sets
    async def mcp_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        await endpoint(scope, receive, send)

    return mcp_endpoint


def mcp_integration(
    tools: ToolsSource,
    verifier: VerifierSource,
    settings: Settings,
) -> McpIntegration:
    """Everything ``create_app`` registers to serve MCP at ``/mcp``.

    ``tools`` and ``verifier`` are the objects or async factories resolving them on first
    use (``lambda: container.get(TaskTools)``), so the app can build this before its
    container starts.
    """
    server = build_server(tools, request_caller)
    manager = StreamableHTTPSessionManager(
        app=server, json_response=True, stateless=True, max_request_body_size=MAX_BODY_BYTES
    )
    endpoint = McpEndpoint(
        manager.handle_request,
        verifier,
        host_rules(settings),
        browser_origins(settings),
        f"{settings.public_url}{METADATA_PATH}",
    )

    def lifespan(app: Litestar) -> AbstractAsyncContextManager[None]:
        return manager.run()

    handlers: list[Any] = [
        _mount(endpoint),
        _health_handler([tool.name for tool in CATALOGUE]),
        _metadata_handler(protected_resource_metadata(settings)),
    ]
    return McpIntegration(handlers, lifespan, server, manager)


def mcp_from_container(container: AsyncContainer, settings: Settings) -> McpIntegration:
    """``mcp_integration`` with ``TaskTools`` and the ``TokenVerifier`` taken from the app's
    (APP-scoped) container on first use."""

    async def tools() -> TaskTools:
        return await container.get(TaskTools)

    async def verifier() -> TokenVerifier:
        found: TokenVerifier = await container.get(TokenVerifier)
        return found

    return mcp_integration(tools, verifier, settings)


__all__ = [
    "McpIntegration",
    "mcp_from_container",
    "mcp_integration",
    "protected_resource_metadata",
]
