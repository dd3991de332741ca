"""Request metrics: ``http_requests_total``, ``http_request_duration_seconds`` and
``todo_active_users``, recorded once per answered request by the outermost ASGI layer.

``RequestMetrics.observe(scope, status, seconds)`` is the one call per finished response
(an observer of the outer HTTP layer, ``entrypoints/http/edge.py``); ``route_template(scope)``
gives the route label after Litestar routed the request (``None`` for an unknown path or
method, recorded as ``<unmatched>``: a raw path never becomes a label). ``render()`` writes
the three families in the Prometheus text format, appended to the registry's by
``GET /metrics``.

These series are most of a scrape and are touched by every request, so they are kept as
plain counts rather than prometheus-client objects: recording is a dict lookup and a few
additions (~0.2 us instead of ~1 us), and rendering reuses each series' label text
(~10x faster than prometheus-client's generic writer; docs/performance.md#metrics).
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable
from typing import Any

UNMATCHED = "<unmatched>"
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
ACTIVE_WINDOW_SECONDS = 300.0
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_CATCH_ALL = frozenset({"/openapi.json/{path}"})  # the OpenAPI router's fallback: not a route of ours
_PRUNE_ABOVE = 50_000
_LE = (*(repr(bound) for bound in DURATION_BUCKETS), "+Inf")  # as prometheus-client writes them


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


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class _Timing:
    """The duration histogram of one (method, route): per-bucket counts, not cumulative."""

    __slots__ = ("buckets", "count", "labels", "total")

    def __init__(self, labels: str) -> None:
        self.labels = labels
        self.buckets = [0] * (len(DURATION_BUCKETS) + 1)
        self.count = 0
        self.total = 0.0


class RequestMetrics:
    """Counts and times answered requests by method, route template and status, and keeps
    who was seen lately (``todo_active_users``, per instance)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._counts: dict[tuple[str, str | None, int], list[Any]] = {}  # key -> [count, labels, timing]
        self._timings: dict[tuple[str, str | None], _Timing] = {}
        self._seen: dict[str, float] = {}
        self._prune_above = _PRUNE_ABOVE
        self._clock = clock

    def record(self, method: str, route: str | None, status: int, seconds: float, user_id: str | None) -> None:
        """One answered request (``route`` None: it matched no route)."""
        if method not in _METHODS:
            method = "other"
        key = (method, route, status)
        series = self._counts.get(key)
        if series is None:
            series = self._bind(key)
        series[0] += 1
        timing: _Timing = series[2]
        timing.buckets[bisect_left(DURATION_BUCKETS, seconds)] += 1
        timing.count += 1
        timing.total += seconds
        if user_id is not None:
            self._seen[user_id] = self._clock()
            if len(self._seen) > self._prune_above:
                # Forget users older than the window; if most are recent, prune again only
                # when the map has doubled (never a scan per request).
                self._prune_above = max(_PRUNE_ABOVE, 2 * self.active_users())

    def observe(self, scope: Any, status: int, seconds: float) -> None:
        """``record`` for the outer HTTP layer (``entrypoints/http/edge.py``): one call per
        answered request, with its scope after routing."""
        self.record(scope["method"], route_template(scope), status, seconds, scope.get("user_id"))

    def _bind(self, key: tuple[str, str | None, int]) -> list[Any]:
        method, route, status = key
        labels = f'method="{method}",route="{_label(route or UNMATCHED)}"'
        timing = self._timings.get((method, route))
        if timing is None:
            timing = self._timings[(method, route)] = _Timing(labels)
        series = self._counts[key] = [0, f'{labels},status="{status}"', timing]
        return series

    def active_users(self) -> int:
        """Distinct users with a request in the last five minutes (older ones are forgotten)."""
        cutoff = self._clock() - ACTIVE_WINDOW_SECONDS
        stale = [user for user, seen in self._seen.items() if seen < cutoff]
        for user in stale:
            del self._seen[user]
        return len(self._seen)

    def render(self) -> str:
        """The three families in the Prometheus text format (0.0.4)."""
        lines = ["# HELP http_requests_total Requests answered.", "# TYPE http_requests_total counter"]
        lines += [f"http_requests_total{{{labels}}} {count}" for count, labels, _ in self._counts.values()]
        lines += [
            "# HELP http_request_duration_seconds Time to answer a request.",
            "# TYPE http_request_duration_seconds histogram",
        ]
        for timing in self._timings.values():
            cumulative = 0
            for le, count in zip(_LE, timing.buckets, strict=True):
                cumulative += count
                lines.append(f'http_request_duration_seconds_bucket{{{timing.labels},le="{le}"}} {cumulative}')
            lines.append(f"http_request_duration_seconds_count{{{timing.labels}}} {timing.count}")
            lines.append(f"http_request_duration_seconds_sum{{{timing.labels}}} {timing.total!r}")
        lines += [
            "# HELP todo_active_users Distinct users with a request in the last 5 minutes (this instance).",
            "# TYPE todo_active_users gauge",
            f"todo_active_users {self.active_users()}",
        ]
        return "\n".join(lines) + "\n"


__all__ = ["UNMATCHED", "RequestMetrics", "route_template"]
