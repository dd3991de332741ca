"""The conformance kit's pytest plugin: the fixtures its tests run on.

Load it with ``-p adapters.persistence.contract.plugin`` (it is not auto-loaded) and collect
the kit's tests with ``--pyargs adapters.persistence.contract``; give it a database with one
fixture, ``storage_url`` (or ``--storage-url URL``). See docs/storage.md.

Every test uses owner ids of its own, so the kit shares one database between all of them and
may run on a database that is not empty; the purge tests keep to their own bands of dates.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio

from adapters.persistence.registry import check_database_url
from application.metrics import NO_METRICS
from application.ports import Storage, StorageBackend, UnitOfWork

LockWaits = Callable[[], Awaitable[None]]
"""Returns once some transaction of the database waits for a lock another one holds (poll
with a deadline, then fail)."""

KIT_POOL_SIZE = 4


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--storage-url", default=None, help="the database the storage conformance kit runs on (storage_url fixture)"
    )


@pytest.fixture(scope="session")
def storage_url(request: pytest.FixtureRequest) -> str:
    """The database to run the kit on (empty or migrated: the kit migrates it to the
    backend's head). Override this fixture to start a throwaway server; by default it is
    the ``--storage-url`` option."""
    url: str | None = request.config.getoption("--storage-url")
    if not url:
        pytest.fail("point the storage kit at a database: a storage_url fixture, or --storage-url URL")
    return url


@pytest.fixture(scope="session")
def storage_backend(storage_url: str) -> StorageBackend:
    """The installed backend serving ``storage_url``'s scheme, found as the server finds it
    (the ``todo_chatbot.storage`` entry points), once it has accepted the URL."""
    return check_database_url(storage_url)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def storage(storage_backend: StorageBackend, storage_url: str) -> AsyncIterator[Storage]:
    """The backend's storage on the database, migrated to the backend's head first."""
    await asyncio.to_thread(storage_backend.schema(storage_url).upgrade)
    async with storage_backend.open(storage_url, pool_size=KIT_POOL_SIZE, metrics=NO_METRICS) as opened:
        yield opened


@pytest.fixture
def uow(storage: Storage) -> UnitOfWork:
    return storage.unit_of_work


@pytest.fixture
def storage_lock_waits() -> LockWaits | None:
    """Override with a ``LockWaits`` for a database where writing transactions run at the
    same time and wait on each other's row locks: the kit then checks what they must see.
    None (the default) is a database that serialises writing transactions (SQLite): those
    tests are skipped."""
    return None


@pytest.fixture
def owner() -> str:
    return f"user-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def other_owner() -> str:
    return f"other-{uuid.uuid4().hex[:10]}"
