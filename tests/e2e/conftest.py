from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import RunningServer, run_server
from tests.postgres import create_database

HS256_SECRET = "e2e-shared-secret-that-is-long-enough-0123456789"


@pytest.fixture(scope="session")
def server(postgres_url: str) -> Iterator[RunningServer]:
    """One real server on PostgreSQL for the e2e tests (rate limit off)."""
    workdir = Path(tempfile.mkdtemp(prefix="todo-e2e-"))
    with run_server(workdir, create_database(postgres_url), BETTER_AUTH_SECRET=HS256_SECRET) as running:
        yield running


@pytest.fixture(scope="session")
def sqlite_server() -> Iterator[RunningServer]:
    """The zero-setup default: SQLite file, built-in issuer, offline agent."""
    workdir = Path(tempfile.mkdtemp(prefix="todo-e2e-sqlite-"))
    with run_server(workdir, f"sqlite+aiosqlite:///{workdir / 'todo.db'}") as running:
        yield running
