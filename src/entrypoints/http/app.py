"""The Litestar application factory: ``create_app(settings, *providers)``.

Nothing is built at import time. ``providers`` (dishka) override the defaults of
``entrypoints.ioc``, which is how tests swap adapters. Route handlers of each entry point
(tasks, health, chat, MCP) are listed in ``create_app``.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from dishka import AsyncContainer, Provider
from litestar import Litestar
from litestar.datastructures import State

from application.limits import RequestRateLimit
from entrypoints.config import Settings
from entrypoints.http.accounts import AccountController
from entrypoints.http.chat import ChatController
from entrypoints.http.cors import CorsPolicy
from entrypoints.http.deps import resolve, resolve_services
from entrypoints.http.edge import Edge, ResponseObserver
from entrypoints.http.health import HealthController
from entrypoints.http.metrics import metrics, resolve_registry
from entrypoints.http.openapi import docs_router, openapi_config
from entrypoints.http.problems import exception_handlers
from entrypoints.http.request_metrics import RequestMetrics
from entrypoints.http.tasks import TaskController
from entrypoints.http.web import load_assets, web_page
from entrypoints.ioc import make_container
from entrypoints.logs import log_request
from entrypoints.mcp import mcp_from_container
from entrypoints.origins import frontend_origins, host_rules
from entrypoints.version import package_version

MAX_BODY_BYTES = 1024 * 1024


def _container_lifespan(container: AsyncContainer) -> Any:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await container.close()

    return lifespan


YOUNG_GC_THRESHOLD = 7_000
"""Allocations between young collections (Python's default is 700). A list request makes
a few hundred short-lived objects, so the default ran a young collection every few requests:
~20 us of a list request at concurrency 10 (measured with ``gc.callbacks``). Each collection
walks only the objects still alive, so running a tenth as many costs about a tenth."""


async def _freeze_heap(app: Litestar) -> None:
    # Long-lived start-up objects leave the GC's generations: full collections stay cheap.
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])


def create_app(settings: Settings, *providers: Provider) -> Litestar:
    """Build the whole application for ``settings``; ``providers`` override adapters."""
    container = make_container(settings, *providers)
    mcp = mcp_from_container(container, settings)
    # Litestar does not run a mounted app's lifespan: the MCP session manager runs in ours.
    lifespans = [_container_lifespan(container), mcp.lifespan]
    accounts = [AccountController] if settings.accounts else []  # ACCOUNTS=false: these paths are 404
    request_metrics = RequestMetrics()
    app = Litestar(
        route_handlers=[
            HealthController,
            TaskController,
            ChatController,
            *accounts,
            web_page,
            docs_router(),
            metrics,
            *mcp.route_handlers,
        ],
        state=State(
            {
                "container": container,
                "services": {},
                "settings": settings,
                "web_assets": load_assets(),
                "request_metrics": request_metrics,
            }
        ),
        lifespan=lifespans,
        on_startup=[resolve_services, resolve_registry, _freeze_heap],
        exception_handlers=exception_handlers(settings.debug),
        openapi_config=openapi_config(package_version()),
        request_max_body_size=MAX_BODY_BYTES,
        debug=False,
        logging_config=None,
    )
    observers: list[ResponseObserver] = [log_request, request_metrics.observe]
    cors = CorsPolicy(frontend_origins(settings)) if settings.frontend_origins else None
    # Outside Litestar's exception handling and routing: unknown paths and 405s pass it too.
    edge = Edge(app.asgi_handler, host_rules(settings), observers, cors, router=app.asgi_router)
    app.asgi_handler = edge
    if settings.rate_limit_per_ip > 0:

        async def attach_ip_limit(app: Litestar) -> None:
            edge.ip_limit = await resolve(app.state, RequestRateLimit)

        app.on_startup.append(attach_ip_limit)
    return app


__all__ = ["create_app"]
