"""The installed package's version: OpenAPI, MCP ``serverInfo``, ``--version`` and metrics."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "todo-chatbot"


@cache
def package_version() -> str:
    """The version of the installed ``todo-chatbot`` distribution."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # pragma: no cover - running from a tree that was never installed
        return "0.0.0+unknown"


__all__ = ["DISTRIBUTION", "package_version"]
