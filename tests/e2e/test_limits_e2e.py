"""The per-IP limit on real server processes: the client address a trusted proxy forwards,
and one count shared by two instances through a real Redis."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import RunningServer, run_server
from tests.redis_server import RedisServer, running_redis

pytestmark = pytest.mark.e2e
LIMIT = 4


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


def _sqlite(prefix: str) -> tuple[Path, str]:
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    return workdir, f"sqlite+aiosqlite:///{workdir / 'todo.db'}"


def _statuses(server: RunningServer, count: int, forwarded_for: str | None = None) -> list[int]:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return [httpx.get(f"{server.url}/api/x/tasks", headers=headers).status_code for _ in range(count)]


def test_a_trusted_proxys_forwarded_address_is_the_client() -> None:
    workdir, database = _sqlite("todo-ip-")
    with run_server(workdir, database, RATE_LIMIT_PER_IP=str(LIMIT)) as server:  # loopback proxies trusted
        assert _statuses(server, LIMIT + 1, "203.0.113.7") == [401] * LIMIT + [429]
        assert _statuses(server, 1, "203.0.113.8, 127.0.0.1") == [401]  # rightmost untrusted entry
        assert _statuses(server, 1) == [401]  # the proxy's own address is another client


def test_with_no_trusted_proxy_forwarded_headers_are_ignored() -> None:
    workdir, database = _sqlite("todo-ip-untrusted-")
    with run_server(workdir, database, RATE_LIMIT_PER_IP=str(LIMIT), TRUSTED_PROXIES="") as server:
        statuses = [_statuses(server, 1, f"198.51.100.{n}")[0] for n in range(LIMIT + 1)]
        assert statuses == [401] * LIMIT + [429]


def test_two_instances_share_one_count_through_redis(redis: RedisServer) -> None:
    workdir, database = _sqlite("todo-ip-shared-")
    env = {"RATE_LIMIT_PER_IP": str(LIMIT), "REDIS_URL": redis.url}
    with run_server(workdir, database, **env) as first, run_server(workdir, database, **env) as second:
        statuses = [_statuses(server, 1, "192.0.2.1")[0] for server in [first, second] * LIMIT]
        assert statuses[:LIMIT] == [401] * LIMIT
        assert set(statuses[LIMIT:]) == {429}
        refused = httpx.get(f"{second.url}/api/x/tasks", headers={"X-Forwarded-For": "192.0.2.1"})
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["ratelimit-remaining"] == "0"
