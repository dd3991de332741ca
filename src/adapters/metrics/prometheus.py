"""The ``Metrics`` port on prometheus-client, on a registry of its own.

Every labelled series the core can produce is created at start with the value 0 (each
operation, agent x outcome, limit), so rates and dashboards have data before the first
event and a label value outside the closed sets of ``application.metrics`` is refused.
The registry also holds the process metrics (``process_*``: memory, CPU, start time), the
pool gauges read at scrape time and ``todo_build_info``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import get_args

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from adapters.metrics.memory import MemoryLimitCollector
from application.metrics import AgentKind, ChatOutcome, LimitName, PoolUsage, TaskOperation

MODEL_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0)


class _PoolCollector(Collector):
    """``todo_db_pool_connections{state}`` and ``todo_db_pool_waiting``, read when scraped."""

    def __init__(self) -> None:
        self.usage: Callable[[], PoolUsage] | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        connections = GaugeMetricFamily(
            "todo_db_pool_connections", "Connections of the database pool, by state.", labels=["state"]
        )
        waiting = GaugeMetricFamily("todo_db_pool_waiting", "Units of work waiting for a database connection.")
        if self.usage is not None:  # else no pool (in-memory storage): the families without samples
            usage = self.usage()
            connections.add_metric(["in_use"], usage.in_use)
            connections.add_metric(["idle"], usage.idle)
            waiting.add_metric([], usage.waiting)
        yield connections
        yield waiting


class PrometheusMetrics:
    """``Metrics`` recorded in ``registry`` (with the process metrics and the build info)."""

    def __init__(self, registry: CollectorRegistry, version: str) -> None:
        # The ``*_created`` series double a scrape and no rule here reads them (a process-wide switch).
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = registry
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=registry)
        registry.register(MemoryLimitCollector())
        self._pool = _PoolCollector()
        registry.register(self._pool)
        build = Gauge("todo_build_info", "The running version (always 1).", ["version"], registry=registry)
        build.labels(version).set(1)
        self._domain_metrics(registry)
        self._model_metrics(registry)

    def _domain_metrics(self, registry: CollectorRegistry) -> None:
        operations = Counter("todo_task_operations", "Task changes, any channel.", ["operation"], registry=registry)
        self._operations = {op: operations.labels(op) for op in get_args(TaskOperation)}
        turns = Counter("todo_chat_turns", "Chat turns, by agent and outcome.", ["agent", "outcome"], registry=registry)
        self._turns = {
            (agent, outcome): turns.labels(agent, outcome)
            for agent in get_args(AgentKind)
            for outcome in get_args(ChatOutcome)
        }
        limited = Counter("todo_rate_limited", "Requests refused by a limit.", ["limit"], registry=registry)
        self._limited = {name: limited.labels(name) for name in get_args(LimitName)}
        self._store_errors = Counter(
            "todo_rate_limit_store_errors", "Calls of the limiter to its store that failed.", registry=registry
        )
        self._db_errors = Counter("todo_db_errors", "Database failures seen by requests.", registry=registry)

    def _model_metrics(self, registry: CollectorRegistry) -> None:
        self._model_seconds = Histogram(
            "todo_model_request_duration_seconds",
            "Calls to the language model.",
            buckets=MODEL_BUCKETS,
            registry=registry,
        )
        self._model_failures = Counter("todo_model_failures", "Failed calls to the model.", registry=registry)
        self._breaker = Gauge("todo_circuit_breaker_open", "1 while the model's breaker is open.", registry=registry)

    def watch_pool(self, usage: Callable[[], PoolUsage]) -> None:
        """Report the database pool ``usage()`` gives at each scrape."""
        self._pool.usage = usage

    def task_changed(self, operation: TaskOperation) -> None:
        self._operations[operation].inc()

    def chat_turn(self, agent: AgentKind, outcome: ChatOutcome) -> None:
        self._turns[(agent, outcome)].inc()

    def model_call(self, seconds: float, *, failed: bool) -> None:
        self._model_seconds.observe(seconds)
        if failed:
            self._model_failures.inc()

    def circuit_breaker(self, is_open: bool) -> None:
        self._breaker.set(1 if is_open else 0)

    def rate_limited(self, limit: LimitName) -> None:
        self._limited[limit].inc()

    def rate_limit_store_error(self) -> None:
        self._store_errors.inc()

    def database_error(self) -> None:
        self._db_errors.inc()


__all__ = ["MODEL_BUCKETS", "PrometheusMetrics"]
