"""A bounded LRU cache of verified tokens, keyed by the exact token string."""

from __future__ import annotations

from collections import OrderedDict

from application.errors import InvalidToken
from application.ports import Principal


class VerifiedTokenCache:
    """Remembers tokens that passed verification until their ``exp``.

    Holds at most ``max_entries`` tokens, dropping the least recently used. A hit on a
    token whose expiry has passed evicts it and raises ``InvalidToken``.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        if max_entries < 0:
            raise ValueError("max_entries must not be negative")
        self._max = max_entries
        self._entries: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str, now: float) -> Principal | None:
        """The cached principal, ``None`` when unknown; ``InvalidToken`` once expired."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        principal, exp = entry
        if now >= exp:
            del self._entries[token]
            raise InvalidToken("token expired")
        self._entries.move_to_end(token)
        return principal

    def put(self, token: str, principal: Principal, exp: float) -> None:
        """Remember a verified token until ``exp`` (epoch seconds)."""
        if self._max == 0:
            return
        self._entries[token] = (principal, exp)
        self._entries.move_to_end(token)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
