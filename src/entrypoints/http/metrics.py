"""``GET /metrics``: the Prometheus text format, behind ``METRICS_TOKEN`` when it is set.

The registry comes from the container (``entrypoints.ioc``); the request metrics of the
outer ASGI layer are registered in it at start-up (``register_request_metrics``).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Litestar, Request, Response, get
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import generate_latest

from entrypoints.asgi_headers import bearer_token
from entrypoints.http.deps import resolve
from entrypoints.http.problems import problem
from entrypoints.http.request_metrics import RequestMetrics

TEXT_FORMAT = "text/plain; version=0.0.4"  # Litestar adds the charset


def _authorized(request: Request[Any, Any, Any], expected: str | None) -> bool:
    if expected is None:
        return True
    given = bearer_token(request.scope)
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


@get(
    "/metrics",
    cache=False,
    tags=["operations"],
    media_type=TEXT_FORMAT,
    opt={"auth": "none", "errors": (401,)},
)
async def metrics(request: Request[Any, Any, Any]) -> Response[Any]:
    """Prometheus metrics (text format). When the server has a ``METRICS_TOKEN``, send it as
    ``Authorization: Bearer <token>``. Answers whatever the ``Host`` (scrapers use the pod IP)."""
    if not _authorized(request, request.app.state.settings.metrics_token):
        return problem(401, "a valid metrics token is required", headers={"WWW-Authenticate": "Bearer"})
    registry: CollectorRegistry = request.app.state.services[CollectorRegistry]
    return Response(generate_latest(registry), media_type=TEXT_FORMAT)


def register_request_metrics(recorder: RequestMetrics) -> Callable[[Litestar], Awaitable[None]]:
    """A start-up hook that puts ``recorder`` into the registry ``/metrics`` renders."""
    registered: list[CollectorRegistry] = []

    async def register(app: Litestar) -> None:
        registry = await resolve(app.state, CollectorRegistry)
        if registry not in registered:
            registry.register(recorder)
            registered.append(registry)

    return register


__all__ = ["metrics", "register_request_metrics"]
