"""Sliding-window limits counted in the process's memory (one worker's view)."""

from __future__ import annotations

import math
from collections import deque

from application.ports import Clock, RateDecision

PRUNE_ABOVE = 10_000
"""Keys kept before idle ones are dropped (bounds memory under many distinct keys)."""


class InProcessRateLimiter:
    """``RateLimiter`` port: the times of the hits inside the window, per key (a sliding log,
    so no burst at a window boundary). With several processes each counts on its own.
    Times are epoch seconds as floats: this runs for every request (the per-IP limit)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        now = self._clock.now().timestamp()
        since = now - window_seconds
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= PRUNE_ABOVE:
                self._prune(since)
            hits = self._hits[key] = deque()
        while hits and hits[0] <= since:
            hits.popleft()
        if len(hits) >= limit:
            wait = _seconds(hits[0] - since)
            return RateDecision(False, limit, 0, wait, wait)
        hits.append(now)
        return RateDecision(True, limit, limit - len(hits), _seconds(hits[0] - since))

    def _prune(self, since: float) -> None:
        stale = [key for key, hits in self._hits.items() if not hits or hits[-1] <= since]
        for key in stale:
            del self._hits[key]


def _seconds(delta: float) -> int:
    return max(1, math.ceil(delta))
