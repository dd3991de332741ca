"""A per-user limit on chat messages (the model is the expensive part)."""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime, timedelta

from application.errors import RateLimited
from application.ports import Clock

WINDOW = timedelta(minutes=1)
_PRUNE_ABOVE = 10_000


class ChatRateLimiter:
    """At most ``per_minute`` messages per user in any rolling minute (0 turns it off).

    Kept in the process's memory: with several workers each one counts on its own.
    """

    def __init__(self, per_minute: int, clock: Clock) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._hits: dict[str, deque[datetime]] = {}

    def check(self, owner_id: str) -> None:
        """Count one message for ``owner_id``; raise ``RateLimited`` when over the limit."""
        if self.per_minute <= 0:
            return
        now = self._clock.now()
        hits = self._hits.get(owner_id)
        if hits is None:
            if len(self._hits) >= _PRUNE_ABOVE:
                self._prune(now)
            hits = self._hits[owner_id] = deque()
        while hits and hits[0] <= now - WINDOW:
            hits.popleft()
        if len(hits) >= self.per_minute:
            wait = (hits[0] + WINDOW - now).total_seconds()
            raise RateLimited(max(1, math.ceil(wait)))
        hits.append(now)

    def _prune(self, now: datetime) -> None:
        stale = [owner for owner, hits in self._hits.items() if not hits or hits[-1] <= now - WINDOW]
        for owner in stale:
            del self._hits[owner]
