"""``RateLimiter`` contract: every adapter counts a sliding window the same way (a shared
store added later runs these same tests)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.limits import InProcessRateLimiter, in_process
from application.ports import Clock, RateLimiter
from tests.fakes import FixedClock

LIMITERS: dict[str, Callable[[Clock], RateLimiter]] = {"in-process": InProcessRateLimiter}


@pytest.fixture(params=list(LIMITERS))
def limiter(request: pytest.FixtureRequest, clock: FixedClock) -> RateLimiter:
    return LIMITERS[request.param](clock)


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
