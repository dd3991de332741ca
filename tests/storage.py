"""The storage backends as the tests reach them: by database URL, through the installed
``todo_chatbot.storage`` entry points (as the server does)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.persistence.registry import backend_for
from adapters.persistence.schema.migrate import can_serve, head, migrations_directory
from application.metrics import NO_METRICS, Metrics
from application.ports import Storage


def upgrade(url: str, revision: str = "head") -> None:
    backend_for(url).schema(url).upgrade(revision)


def downgrade(url: str, revision: str) -> None:
    backend_for(url).schema(url).downgrade(revision)


def current(url: str) -> str | None:
    return backend_for(url).schema(url).current()


@asynccontextmanager
async def opened(url: str, pool_size: int = 2, metrics: Metrics = NO_METRICS) -> AsyncIterator[Storage]:
    """The storage of ``url``'s backend while the block runs."""
    async with backend_for(url).open(url, pool_size=pool_size, metrics=metrics) as storage:
        yield storage


__all__ = ["can_serve", "current", "downgrade", "head", "migrations_directory", "opened", "upgrade"]
