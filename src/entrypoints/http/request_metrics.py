"""Request metrics: ``http_requests_total``, ``http_request_duration_seconds`` and
``todo_active_users``, recorded once per answered request by the outermost ASGI layer.

``RequestMetrics.record(method, route, status, seconds, user_id)`` is the one call per
finished response; ``route_template(scope)`` gives the route label after Litestar routed
the request (``None`` for an unknown path or method, recorded as ``<unmatched>``: a raw
path never becomes a label). ``RequestMetricsMiddleware`` is the small ASGI wrapper that
calls them; an outer layer that already tracks the status and the time can call
``record`` itself instead.

Cost: one dict lookup of the pre-bound (counter, histogram) pair of the request's
(method, route, status), an increment, an observation, and a dict store for the user.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

UNMATCHED = "<unmatched>"
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
ACTIVE_WINDOW_SECONDS = 300.0
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_CATCH_ALL = frozenset({"/{path}"})  # the OpenAPI router's fallback route: not a route of ours
_PRUNE_ABOVE = 50_000


def route_template(scope: Any) -> str | None:
    """The template of the route that answered (``/api/{user_id}/tasks``), or None when the
    request matched no route. Litestar puts it in the scope after routing; for a mounted app
    (``/mcp``) it leaves the template empty, so the mount's path stands in."""
    handler = scope.get("route_handler")
    if handler is None:
        return None
    template: str | None = scope.get("path_template")
    if template:
        return None if template in _CATCH_ALL else template
    paths = getattr(handler, "paths", None)
    return min(paths) if paths else None


class RequestMetrics(Collector):
    """Counts and times answered requests by method, route template and status, and keeps
    who was seen lately (``todo_active_users``, per instance). A collector: register it in
    the registry that ``/metrics`` renders."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._requests = Counter("http_requests", "Requests answered.", ["method", "route", "status"], registry=None)
        self._durations = Histogram(
            "http_request_duration_seconds",
            "Time to answer a request.",
            ["method", "route"],
            buckets=DURATION_BUCKETS,
            registry=None,
        )
        self._bound: dict[tuple[str, str | None, int], tuple[Any, Any]] = {}
        self._seen: dict[str, float] = {}
        self._prune_above = _PRUNE_ABOVE
        self._clock = clock

    def record(self, method: str, route: str | None, status: int, seconds: float, user_id: str | None) -> None:
        """One answered request (``route`` None: it matched no route)."""
        if method not in _METHODS:
            method = "other"
        key = (method, route, status)
        pair = self._bound.get(key)
        if pair is None:
            pair = self._bind(key)
        pair[0].inc()
        pair[1].observe(seconds)
        if user_id is not None:
            self._seen[user_id] = self._clock()
            if len(self._seen) > self._prune_above:
                # Forget users older than the window; if most are recent, prune again only
                # when the map has doubled (never a scan per request).
                self._prune_above = max(_PRUNE_ABOVE, 2 * self.active_users())

    def _bind(self, key: tuple[str, str | None, int]) -> tuple[Any, Any]:
        method, route, status = key
        label = route or UNMATCHED
        pair = (self._requests.labels(method, label, str(status)), self._durations.labels(method, label))
        self._bound[key] = pair
        return pair

    def active_users(self) -> int:
        """Distinct users with a request in the last five minutes (older ones are forgotten)."""
        cutoff = self._clock() - ACTIVE_WINDOW_SECONDS
        stale = [user for user, seen in self._seen.items() if seen < cutoff]
        for user in stale:
            del self._seen[user]
        return len(self._seen)

    def collect(self) -> Iterator[Metric]:
        yield from self._requests.collect()
        yield from self._durations.collect()
        yield GaugeMetricFamily(
            "todo_active_users", "Distinct users with a request in the last 5 minutes (this instance).",
            value=self.active_users(),
        )  # fmt: skip


class RequestMetricsMiddleware:
    """ASGI wrapper: records every HTTP request the wrapped app answers, matched or not."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app fails before starting a response

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - started
            user_id: str | None = scope.get("user_id")  # type: ignore[assignment]  # set by authentication
            self.metrics.record(scope["method"], route_template(scope), status, elapsed, user_id)


__all__ = ["UNMATCHED", "RequestMetrics", "RequestMetricsMiddleware", "route_template"]
