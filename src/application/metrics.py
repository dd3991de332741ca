"""The metrics port: what the core and its adapters count, whatever records it.

Production fills it with prometheus-client (``adapters/metrics``); ``NO_METRICS`` is the
default of every use case, for code and tests that do not care. The label values are
closed sets (``Literal``), so no label can ever hold a user id or user text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

TaskOperation = Literal["create", "update", "complete", "toggle", "delete", "restore"]
AgentKind = Literal["offline", "openai"]
ChatOutcome = Literal["ok", "error", "unavailable"]
LimitName = Literal["ip", "chat", "sign_in"]


class Metrics(Protocol):
    """Counters and timings reported by use cases, agents, limits and storage adapters."""

    def task_changed(self, operation: TaskOperation) -> None:
        """A task was created or changed (REST, chat or MCP alike)."""
        ...

    def chat_turn(self, agent: AgentKind, outcome: ChatOutcome) -> None:
        """A chat turn ended: answered (``ok``), model unavailable, or failed (``error``)."""
        ...

    def model_call(self, seconds: float, *, failed: bool) -> None:
        """One call to the language model took ``seconds``; ``failed`` when it raised."""
        ...

    def circuit_breaker(self, is_open: bool) -> None:
        """The model's circuit breaker opened (True) or closed again (False)."""
        ...

    def rate_limited(self, limit: LimitName) -> None:
        """A request was refused by the named limit (429)."""
        ...

    def rate_limit_store_error(self) -> None:
        """A call of a limiter to its shared store (Redis) failed; the request was let through."""
        ...

    def database_error(self) -> None:
        """A request found the database failing (unreachable, or an error that is not a conflict)."""
        ...


class NoMetrics:
    """A ``Metrics`` that records nothing."""

    def task_changed(self, operation: TaskOperation) -> None:
        pass

    def chat_turn(self, agent: AgentKind, outcome: ChatOutcome) -> None:
        pass

    def model_call(self, seconds: float, *, failed: bool) -> None:
        pass

    def circuit_breaker(self, is_open: bool) -> None:
        pass

    def rate_limited(self, limit: LimitName) -> None:
        pass

    def rate_limit_store_error(self) -> None:
        pass

    def database_error(self) -> None:
        pass


NO_METRICS: Metrics = NoMetrics()


@dataclass(frozen=True, slots=True)
class PoolUsage:
    """A database pool at one instant: connections in use and idle, requests waiting for one."""

    in_use: int
    idle: int
    waiting: int


__all__ = [
    "NO_METRICS",
    "AgentKind",
    "ChatOutcome",
    "LimitName",
    "Metrics",
    "NoMetrics",
    "PoolUsage",
    "TaskOperation",
]
