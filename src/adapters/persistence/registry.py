"""Finding the storage backend of a database URL among the installed ones (entry points of
the ``todo_chatbot.storage`` group; the built-in backends are registered like any other)."""

from __future__ import annotations

import functools
from importlib.metadata import entry_points

from application.errors import UnsupportedDatabaseUrl
from application.ports import STORAGE_ENTRY_POINTS, StorageBackend


@functools.cache
def installed_backends() -> tuple[StorageBackend, ...]:
    """Every registered backend, in entry-point name order."""
    found = sorted(entry_points(group=STORAGE_ENTRY_POINTS), key=lambda point: point.name)
    return tuple(point.load() for point in found)


def scheme_of(url: str) -> str:
    """The scheme of ``url`` in lower case (``postgresql+asyncpg``); empty without ``://``."""
    head, separator, _ = url.strip().partition("://")
    return head.lower() if separator else ""


def describe_installed() -> str:
    """The installed backends and their schemes, for messages."""
    return "; ".join(f"{backend.name}: {', '.join(backend.schemes)}" for backend in installed_backends()) or "none"


def backend_for(url: str) -> StorageBackend:
    """The backend serving ``url``'s scheme, or ``UnsupportedDatabaseUrl`` naming the
    installed ones (never the URL: it may hold a password)."""
    scheme = scheme_of(url)
    for backend in installed_backends():
        if scheme and scheme in backend.schemes:
            return backend
    given = f"{scheme}:// URLs" if scheme else "URLs without a SCHEME://"
    raise UnsupportedDatabaseUrl(
        f"DATABASE_URL: no installed storage backend serves {given}. Installed: {describe_installed()} "
        "(a backend package registers itself under the todo_chatbot.storage entry points; see docs/storage.md)"
    )


def check_database_url(url: str) -> StorageBackend:
    """The backend of ``url`` once it has accepted the URL (``UnsupportedDatabaseUrl`` otherwise)."""
    backend = backend_for(url)
    backend.check_url(url.strip())
    return backend


__all__ = ["backend_for", "check_database_url", "describe_installed", "installed_backends", "scheme_of"]
