"""The circuit breaker's states, with an injected clock."""

from __future__ import annotations

import pytest

from adapters.agents.openai.circuit import CircuitBreaker
from application.errors import AgentUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        breaker.before_call()
        breaker.record_failure()


def test_it_opens_only_after_the_threshold_of_consecutive_failures() -> None:
    breaker = CircuitBreaker(threshold=5, reset_after=30, clock=Clock())
    _fail(breaker, 4)
    breaker.before_call()
    breaker.record_success()
    _fail(breaker, 4)
    assert breaker.state == "closed"
    _fail(breaker, 1)
    assert breaker.state == "open"
    with pytest.raises(AgentUnavailable) as caught:
        breaker.before_call()
    assert caught.value.retry_after == 30


def test_half_open_lets_exactly_one_trial_through() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, reset_after=30, clock=clock)
    _fail(breaker, 1)
    clock.now = 29.5
    with pytest.raises(AgentUnavailable) as caught:
        breaker.before_call()
    assert caught.value.retry_after == 1
    clock.now = 30
    assert breaker.state == "half_open"
    breaker.before_call()
    with pytest.raises(AgentUnavailable):
        breaker.before_call()
    breaker.record_success()
    assert breaker.state == "closed"
    breaker.before_call()


def test_a_cancelled_trial_frees_the_slot_and_a_failed_one_reopens() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, reset_after=30, clock=clock)
    _fail(breaker, 1)
    clock.now = 31
    breaker.before_call()
    breaker.release()
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state == "open"
    clock.now = 60
    with pytest.raises(AgentUnavailable):
        breaker.before_call()
