"""Request headers read straight from an ASGI scope: for middleware and the MCP endpoint,
which see no framework request, and for the REST hot path, where scanning the raw list is
cheaper than building the framework's header mapping."""

from __future__ import annotations

from typing import Any


def header(scope: Any, name: bytes) -> str | None:
    """The first value of a request header (``name`` in lower case, as servers pass them)."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def bearer_token(scope: Any) -> str | None:
    """The token of an ``Authorization: Bearer`` header; never read from the query string."""
    value = header(scope, b"authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


__all__ = ["bearer_token", "header"]
