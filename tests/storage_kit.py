"""The storage conformance kit over every built-in backend and the in-memory fake, run the
way a team runs it on its own backend (a pytest plugin giving the kit its ``storage_url``)::

    python -m pytest -p adapters.persistence.contract.plugin -p tests.storage_kit \\
        --pyargs adapters.persistence.contract
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from adapters.persistence.contract.plugin import LockWaits
from adapters.persistence.registry import check_database_url
from application.ports import StorageBackend
from tests.fakes import InMemoryBackend
from tests.postgres import create_empty_database, drop_databases, start_cluster

BACKENDS = ["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def kit_postgres_url() -> Iterator[str]:
    """``TEST_DATABASE_URL``'s server, else a throwaway cluster for the session."""
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield external
        drop_databases(external)
        return
    cluster = start_cluster()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def storage_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "memory":
        return "memory://kit"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('kit') / 'kit.db'}"
    return create_empty_database(request.getfixturevalue("kit_postgres_url"))


@pytest.fixture(scope="session")
def storage_backend(storage_url: str) -> StorageBackend:
    return InMemoryBackend() if storage_url.startswith("memory://") else check_database_url(storage_url)


@pytest.fixture
def storage_lock_waits(storage_url: str) -> LockWaits | None:
    if not storage_url.startswith("postgresql"):
        return None
    dsn = make_url(storage_url).set(drivername="postgresql").render_as_string(hide_password=False)

    async def lock_waits() -> None:
        """Poll until some session of that database waits on a lock (deadline 10 s)."""
        connection = await asyncpg.connect(dsn)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                waiting = await connection.fetchval(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if waiting:
                    return
                await asyncio.sleep(0.01)
            raise AssertionError("no session ever waited on a lock")
        finally:
            await connection.close()

    return lock_waits
