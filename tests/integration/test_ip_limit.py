"""The per-IP limit in the outer layer, in-process with an injected clock: every route but
health, readiness and metrics; 429 with Retry-After; RateLimit-* of the tightest limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from dishka import Provider, Scope, provide
from litestar.testing import AsyncTestClient

from application.metrics import Metrics
from entrypoints.http.app import create_app
from tests.fakes import FixedClock, InMemoryHealthProbe, InMemoryMetrics, InMemoryUnitOfWork
from tests.http_support import PUBLIC_URL, InMemoryProvider, make_settings

Client = AsyncTestClient[Any]
LIMIT = 5


class CountedMetrics(Provider):
    """The app's metrics replaced by an in-memory fake the test reads."""

    scope = Scope.APP

    def __init__(self, metrics: InMemoryMetrics) -> None:
        super().__init__()
        self._metrics = metrics

    @provide
    def metrics(self) -> Metrics:
        return self._metrics


@pytest.fixture
def metrics() -> InMemoryMetrics:
    return InMemoryMetrics()


@pytest.fixture
async def client(tmp_path: Path, clock: FixedClock, metrics: InMemoryMetrics) -> AsyncIterator[Client]:
    settings = make_settings(tmp_path, rate_limit_per_ip=LIMIT, chat_rate_limit=2)
    app = create_app(
        settings, InMemoryProvider(InMemoryUnitOfWork(), InMemoryHealthProbe(), clock), CountedMetrics(metrics)
    )
    async with AsyncTestClient(app=app, base_url=PUBLIC_URL) as test_client:
        yield test_client


async def test_the_limit_answers_429_with_retry_after_and_counts_it(
    client: Client, clock: FixedClock, metrics: InMemoryMetrics
) -> None:
    answers = [await client.get("/api/alice/tasks") for _ in range(LIMIT)]
    assert [a.status_code for a in answers] == [401] * LIMIT  # counted before authentication
    assert [a.headers["ratelimit-remaining"] for a in answers] == [str(n) for n in range(LIMIT - 1, -1, -1)]
    assert all(a.headers["ratelimit-limit"] == str(LIMIT) for a in answers)
    refused = await client.get("/nope")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "60"
    assert refused.headers["ratelimit-remaining"] == "0"
    assert "x-request-id" in refused.headers
    assert metrics.limited == {"ip": 1}
    clock.advance(seconds=60)
    assert (await client.get("/api/alice/tasks")).status_code == 401


@pytest.mark.parametrize("path", ["/health", "/health/db", "/ready", "/metrics", "/mcp/health"])
async def test_probes_and_scrapes_are_never_limited(client: Client, path: str) -> None:
    for _ in range(LIMIT * 2):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "ratelimit-limit" not in response.headers


async def test_the_tighter_route_limit_is_the_one_reported(client: Client) -> None:
    from application.ports import TokenIssuer
    from entrypoints.http.deps import resolve

    issuer = await resolve(client.app.state, TokenIssuer)  # type: ignore[type-abstract]
    auth = {"Authorization": f"Bearer {issuer.issue('alice', 600)}"}
    first = await client.post("/api/alice/chat", json={"message": "hello"}, headers=auth)
    assert first.status_code == 200
    assert (first.headers["ratelimit-limit"], first.headers["ratelimit-remaining"]) == ("2", "1")  # chat: 2 a minute
    listed = await client.get("/api/alice/tasks", headers=auth)
    assert (listed.headers["ratelimit-limit"], listed.headers["ratelimit-remaining"]) == (str(LIMIT), str(LIMIT - 2))
