"""A circuit breaker for the model: fail fast while it is down, probe it now and then."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from application.errors import AgentUnavailable


class CircuitBreaker:
    """Opens after ``threshold`` consecutive failed calls; while open, calls fail at once
    with ``AgentUnavailable`` (``retry_after`` = the seconds left). After ``reset_after``
    seconds it is half-open: one trial call goes through; its success closes the circuit,
    its failure opens it again. ``clock`` (monotonic seconds) is injectable for tests.
    ``on_change`` hears True when the circuit opens and False when a success closes it
    (half-open still counts as open)."""

    def __init__(
        self,
        threshold: int = 5,
        reset_after: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[bool], None] | None = None,
    ) -> None:
        self.threshold = threshold
        self.reset_after = reset_after
        self._clock = clock
        self._on_change = on_change
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half_open``."""
        if self._opened_at is None:
            return "closed"
        return "half_open" if self._clock() - self._opened_at >= self.reset_after else "open"

    def before_call(self) -> None:
        """Let a call through, or raise ``AgentUnavailable`` when the circuit is open."""
        if self._opened_at is None:
            return
        left = self.reset_after - (self._clock() - self._opened_at)
        if left > 0:
            raise AgentUnavailable("the AI model is unavailable; try again later", retry_after=math.ceil(left))
        if self._trial:
            raise AgentUnavailable("the AI model is unavailable; try again shortly", retry_after=1)
        self._trial = True

    def record_success(self) -> None:
        was_open = self._opened_at is not None
        self._failures = 0
        self._opened_at = None
        self._trial = False
        if was_open and self._on_change is not None:
            self._on_change(False)

    def record_failure(self) -> None:
        was_open = self._opened_at is not None
        self._failures += 1
        if was_open or self._failures >= self.threshold:
            self._opened_at = self._clock()
        self._trial = False
        if not was_open and self._opened_at is not None and self._on_change is not None:
            self._on_change(True)

    def release(self) -> None:
        """A call ended with neither success nor failure (cancelled): free the trial slot."""
        self._trial = False
