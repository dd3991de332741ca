"""Sliding-window limits counted in Redis, shared by every instance.

Each check is one Lua script over a sorted set of hit times (atomic: no other check runs
between its read and its write): drop the hits older than the window, refuse when the
limit is reached, else add this hit; answer the count and the oldest hit. A call waits at
most 50 ms. When Redis fails or is slow the request is served (fail open), the store-error
metric counts it, and Redis is left alone for a few seconds before it is tried again.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import time
from typing import Any

from redis import asyncio as aioredis
from redis.exceptions import RedisError

from application.metrics import NO_METRICS, Metrics
from application.ports import Clock, RateDecision

BUDGET_SECONDS = 0.05
PAUSE_SECONDS = 5.0
KEY_PREFIX = "todo:limit:"

SLIDING_WINDOW = """
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
  count = count + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {allowed, count, oldest[2] or now}
"""


class RedisRateLimiter:
    """``RateLimiter`` port on Redis: one script per check, times in milliseconds from the
    injected clock (instances keep their clocks in step, as NTP does)."""

    def __init__(
        self,
        client: Any,
        clock: Clock,
        metrics: Metrics = NO_METRICS,
        budget: float = BUDGET_SECONDS,
        pause: float = PAUSE_SECONDS,
    ) -> None:
        self._client = client
        self._script = client.register_script(SLIDING_WINDOW)
        self._clock = clock
        self._metrics = metrics
        self._budget = budget
        self._pause = pause
        self._paused_until = 0.0
        self._members = itertools.count()
        self._origin = os.urandom(4).hex()  # hits of two instances in one millisecond differ

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        if time.monotonic() < self._paused_until:
            return _open(limit, window_seconds)
        now = int(self._clock.now().timestamp() * 1000)
        window = window_seconds * 1000
        member = f"{now}:{self._origin}:{next(self._members)}"
        try:
            async with asyncio.timeout(self._budget):
                allowed, count, oldest = await self._script(keys=[KEY_PREFIX + key], args=[now, window, limit, member])
        except (RedisError, OSError, TimeoutError):
            self._metrics.rate_limit_store_error()
            self._paused_until = time.monotonic() + self._pause
            return _open(limit, window_seconds)
        reset = max(1, math.ceil((int(float(oldest)) + window - now) / 1000))
        if not allowed:
            return RateDecision(False, limit, 0, reset, retry_after=reset)
        return RateDecision(True, limit, max(0, limit - int(count)), reset)

    async def close(self) -> None:
        await self._client.aclose()


def _open(limit: int, window_seconds: int) -> RateDecision:
    """The answer while the store is unavailable: served, nothing counted."""
    return RateDecision(True, limit, limit, window_seconds)


def redis_rate_limiter(
    url: str, clock: Clock, metrics: Metrics = NO_METRICS, pause: float = PAUSE_SECONDS
) -> RedisRateLimiter:
    """A limiter on the Redis at ``url`` (connections open on first use)."""
    client = aioredis.Redis.from_url(
        url, socket_timeout=BUDGET_SECONDS, socket_connect_timeout=BUDGET_SECONDS, retry_on_timeout=False
    )
    return RedisRateLimiter(client, clock, metrics, pause=pause)


__all__ = ["SLIDING_WINDOW", "RedisRateLimiter", "redis_rate_limiter"]
