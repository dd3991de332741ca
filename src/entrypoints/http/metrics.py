"""``GET /metrics``: the Prometheus text format, behind ``METRICS_TOKEN`` when it is set.

The body is the container's registry (``entrypoints.ioc``: the core's counters, the pool,
the process) followed by the request metrics of the outer ASGI layer (``app.state``).
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Litestar, Request, Response, get
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import generate_latest

from entrypoints.asgi_headers import bearer_token
from entrypoints.http.deps import resolve
from entrypoints.http.openapi import documented
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
    opt=documented(errors=(401,), public=True),  # its own token (METRICS_TOKEN), not a user's
)
async def metrics(request: Request[Any, Any, Any]) -> Response[Any]:
    """Prometheus metrics (text format). When the server has a ``METRICS_TOKEN``, send it as
    ``Authorization: Bearer <token>``. Answers whatever the ``Host`` (scrapers use the pod IP)."""
    state = request.app.state
    if not _authorized(request, state.settings.metrics_token):
        return problem(401, "a valid metrics token is required", headers={"WWW-Authenticate": "Bearer"})
    body = generate_latest(state.services[CollectorRegistry])
    requests: RequestMetrics | None = state.get("request_metrics")
    if requests is not None:
        body += requests.render().encode()
    return Response(body, media_type=TEXT_FORMAT)


async def resolve_registry(app: Litestar) -> None:
    """Start-up hook: the registry ``/metrics`` renders, resolved before the first scrape."""
    await resolve(app.state, CollectorRegistry)


__all__ = ["metrics", "resolve_registry"]
