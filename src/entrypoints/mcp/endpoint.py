"""The ASGI endpoint mounted at ``/mcp``: DNS-rebinding checks, bearer authentication with
the application's ``TokenVerifier``, then the SDK's streamable HTTP session manager.

The verified caller is put on the ASGI scope; ``request_caller`` reads it back inside a
tool call (the SDK hands handlers the request it was served for).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError

from application.errors import AuthUnavailable, InvalidToken, ValidationError
from application.ports import TokenVerifier
from application.tools import ToolContext
from application.zones import time_zone
from entrypoints.asgi_headers import bearer_token, header
from entrypoints.http.problems import send_problem
from entrypoints.mcp.answers import accepts_json, cleaning_send, is_json, refuse_accept, refuse_media_type
from entrypoints.mcp.server import Lazy
from entrypoints.origins import HostRules, OriginRules

CALLER_KEY = "todo_chatbot.mcp_caller"
"""Where the endpoint leaves the verified ``ToolContext`` on the ASGI scope."""

ASGIHandler = Callable[[Any, Any, Any], Awaitable[None]]
VerifierSource = TokenVerifier | Callable[[], Awaitable[TokenVerifier]]
"""A ``TokenVerifier``, or an async factory resolving it on first use."""


def lazy_verifier(source: VerifierSource) -> Lazy[TokenVerifier]:
    """The verifier from the object itself or from its factory."""
    if hasattr(source, "verify"):
        return Lazy(value=cast(TokenVerifier, source))
    return Lazy(factory=source)


async def _refuse(send: Any, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    raw = [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    await send_problem(send, status, detail, raw)


class McpEndpoint:
    """``/mcp`` and ``/mcp/``: checks Host and Origin, verifies the bearer token, serves MCP."""

    def __init__(
        self,
        handle: ASGIHandler,
        verifier: VerifierSource,
        hosts: HostRules,
        origins: OriginRules,
        resource_metadata_url: str,
    ) -> None:
        self._handle = handle
        self._verifier = lazy_verifier(verifier)
        self._hosts = hosts
        self._origins = origins
        self._metadata = f'resource_metadata="{resource_metadata_url}"'

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path", "/") not in {"", "/"}:
            await _refuse(send, 404, "Not found. The MCP endpoint is /mcp.")
            return
        if not self._hosts.allows(header(scope, b"host")):
            await _refuse(send, 421, "Invalid Host header")
            return
        if not self._origins.allows(header(scope, b"origin")):
            await _refuse(send, 403, "Invalid Origin header")
            return
        context = await self._authenticate(scope, send)
        if context is None:
            return
        if scope.get("method") != "POST":
            # Stateless: no standalone SSE stream to GET, no session to DELETE.
            await _refuse(send, 405, "The MCP endpoint accepts POST only.", {"Allow": "POST"})
            return
        if not is_json(scope):
            await refuse_media_type(send)
            return
        if not accepts_json(scope):
            await refuse_accept(send)
            return
        scope[CALLER_KEY] = context
        scope["user_id"] = context.owner_id  # the access log and todo_active_users, as for REST
        await self._handle(scope, receive, cleaning_send(send))

    async def _authenticate(self, scope: Any, send: Any) -> ToolContext | None:
        """The caller of a valid token; otherwise the error is sent and None returned."""
        token = bearer_token(scope)
        if token is None:
            challenge = f"Bearer {self._metadata}"
            await _refuse(send, 401, "A bearer token is required.", {"WWW-Authenticate": challenge})
            return None
        try:
            principal = await (await self._verifier.get()).verify(token)
        except InvalidToken:
            challenge = f'Bearer error="invalid_token", error_description="The token is invalid", {self._metadata}'
            await _refuse(send, 401, "The bearer token is invalid or expired.", {"WWW-Authenticate": challenge})
            return None
        except AuthUnavailable as exc:
            retry = {"Retry-After": str(exc.retry_after)}
            await _refuse(send, 503, "Signing keys cannot be fetched right now; try again later.", retry)
            return None
        try:
            zone = time_zone(header(scope, b"x-timezone"), "header.X-Timezone")
        except ValidationError as exc:
            errors = [{"field": e.field, "message": e.message} for e in exc.errors]
            await send_problem(send, 422, str(exc), errors=errors)
            return None
        return ToolContext(principal.user_id, zone)


def request_caller(ctx: ServerRequestContext[Any, Any]) -> ToolContext:
    """The verified caller the endpoint left on the request this call came with."""
    scope = getattr(ctx.request, "scope", None)
    context = scope.get(CALLER_KEY) if scope is not None else None
    if not isinstance(context, ToolContext):
        raise MCPError(types.INVALID_REQUEST, "This request carries no verified caller.")
    return context


__all__ = ["CALLER_KEY", "McpEndpoint", "VerifierSource", "request_caller"]
