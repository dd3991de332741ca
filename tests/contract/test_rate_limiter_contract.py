"""``RateLimiter`` contract: every adapter counts a sliding window the same way (a shared
store added later runs these same tests)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from adapters.limits import InProcessRateLimiter, in_process
from adapters.limits.redis_store import RedisRateLimiter, redis_rate_limiter
from application.ports import RateLimiter
from tests.fakes import FixedClock, InMemoryMetrics
from tests.redis_server import RedisServer, running_redis


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


@pytest.fixture(params=["in-process", "redis"])
async def limiter(request: pytest.FixtureRequest, clock: FixedClock) -> AsyncIterator[RateLimiter]:
    if request.param == "in-process":
        yield InProcessRateLimiter(clock)
        return
    shared = redis_rate_limiter(request.getfixturevalue("redis_server").url, clock)
    yield _Namespaced(shared, uuid.uuid4().hex)
    await shared.close()


class _Namespaced:
    """Keys of one test apart from the others' on the shared server."""

    def __init__(self, limiter: RedisRateLimiter, prefix: str) -> None:
        self._limiter, self._prefix = limiter, prefix

    async def hit(self, key: str, limit: int, window_seconds: int) -> object:
        return await self._limiter.hit(f"{self._prefix}:{key}", limit, window_seconds)


async def test_hits_are_counted_until_the_limit_then_refused(limiter: RateLimiter) -> None:
    decisions = [await limiter.hit("k", 3, 60) for _ in range(4)]

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert all(d.limit == 3 for d in decisions)
    assert decisions[0].reset == 60
    assert decisions[3].retry_after == 60


async def test_the_window_slides_no_burst_at_a_boundary(limiter: RateLimiter, clock: FixedClock) -> None:
    await limiter.hit("k", 2, 60)
    clock.advance(seconds=40)
    second = await limiter.hit("k", 2, 60)
    assert second.reset == 20  # the first hit leaves the window in 20 s
    refused = await limiter.hit("k", 2, 60)
    assert not refused.allowed and refused.retry_after == 20

    clock.advance(seconds=20)
    assert (await limiter.hit("k", 2, 60)).allowed  # one slot freed, not a whole new window
    refused = await limiter.hit("k", 2, 60)
    assert not refused.allowed and refused.retry_after == 40


async def test_refused_hits_are_not_counted_and_keys_are_apart(limiter: RateLimiter, clock: FixedClock) -> None:
    await limiter.hit("a", 1, 60)
    for _ in range(5):
        assert not (await limiter.hit("a", 1, 60)).allowed
    assert (await limiter.hit("b", 1, 60)).allowed
    clock.advance(seconds=60)
    assert (await limiter.hit("a", 1, 60)).allowed


async def test_the_in_process_limiter_forgets_idle_keys(clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(in_process, "PRUNE_ABOVE", 100)
    limiter = InProcessRateLimiter(clock)
    for number in range(100):
        await limiter.hit(f"user-{number}", 1, 60)
    clock.advance(minutes=2)
    await limiter.hit("newcomer", 1, 60)
    assert len(limiter._hits) == 1


async def test_two_instances_on_one_redis_share_the_count(redis_server: RedisServer, clock: FixedClock) -> None:
    first, second = (redis_rate_limiter(redis_server.url, clock) for _ in range(2))
    key = uuid.uuid4().hex
    decisions = [await (first if n % 2 else second).hit(key, 3, 60) for n in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    await first.close()
    await second.close()


async def test_redis_down_fails_open_counts_the_error_and_pauses(clock: FixedClock) -> None:
    metrics = InMemoryMetrics()
    with running_redis() as server:
        limiter = redis_rate_limiter(server.url, clock, metrics, pause=60)
        assert (await limiter.hit("k", 1, 60)).allowed
        assert not (await limiter.hit("k", 1, 60)).allowed
    # the server is gone: requests are served, the failure counted once, Redis left alone
    for _ in range(3):
        assert (await limiter.hit("k", 1, 60)).allowed
    assert metrics.store_errors == 1
    await limiter.close()


async def test_a_slow_redis_costs_at_most_the_budget(redis_server: RedisServer, clock: FixedClock) -> None:
    metrics = InMemoryMetrics()
    limiter = redis_rate_limiter(redis_server.url, clock, metrics)
    assert (await limiter.hit("warm", 5, 60)).allowed  # connected
    redis_server.stall(1.0)
    started = time.monotonic()
    assert (await limiter.hit("k", 1, 60)).allowed
    assert time.monotonic() - started < 0.3
    assert metrics.store_errors == 1
    await limiter.close()
