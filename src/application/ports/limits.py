"""Ports: rate limits."""

from __future__ import annotations

from typing import NamedTuple, Protocol


class RateDecision(NamedTuple):
    """One counted (or refused) hit of a sliding-window limit, with what ``RateLimit-*``
    headers need: the limit, the hits left in the window, and the seconds until the oldest
    hit leaves it (``reset``). A refused hit is not counted; ``retry_after`` says when to come
    back. (A named tuple: one is made for every request, and it is the cheapest to make.)"""

    allowed: bool
    limit: int
    remaining: int
    reset: int
    retry_after: int = 0


class RateLimiter(Protocol):
    """Counts hits per key in a sliding window (no burst at a window boundary).

    One call does the whole check-and-count, so a shared store can do it atomically (e.g.
    one Redis script over a sorted set: drop hits older than the window, count, add if under
    the limit, read the oldest)."""

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        """Count one hit for ``key`` unless ``limit`` hits already fall in the last
        ``window_seconds``; then refuse it (not counted)."""
        ...
